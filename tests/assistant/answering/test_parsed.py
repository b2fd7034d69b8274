"""The parse as plain data (``parsed.py``) reads as spaCy's own objects do, and the English
pipeline's helper process (``language_worker.py``) gives the same parses and entities as the
pipeline in this process, falling back to it when the helper cannot answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answering import language
from assistant.answering.language import English, english
from assistant.answering.language_worker import Worker, WorkerGone, start
from assistant.answering.parsed import from_data, to_data

NEWS = Path(__file__).parents[2] / "data" / "news_eval" / "articles.jsonl"
QUESTIONS = ["Who did he defeat in the final?", "Which two paintings did the activists glue "
             "themselves to?", "What will it cost the company, and when?", "How many  people "
             "died?\n", "Mr. Smith can't go to the U.S. on Jan. 5th - it's 3,400 km!", "",
             "Name the films.", "  ?!"]


def _texts() -> list[str]:
    articles = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()]
    return QUESTIONS + [a["text"][:600] for a in articles[:25]]


def _token(t):
    return (t.i, t.text, t.idx, t.lower_, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i,
            t.ent_type_, t.like_num, t.is_punct, t.is_stop, bool(t.is_sent_start),
            [c.i for c in t.children], [c.i for c in t.lefts], [c.i for c in t.rights],
            t.left_edge.i, t.right_edge.i, len(t), str(t))


def _span(s):
    return (s.start, s.end, s.text, s.label_, s.start_char, s.end_char, s.root.i, len(s),
            [t.i for t in s])


def test_the_copy_reads_as_spacy_s_doc_token_and_span():
    nlp = english().nlp
    for text in _texts():
        doc = nlp(text)
        ours = from_data(json.loads(json.dumps(to_data(doc))))  # as it crosses the pipe
        assert ours.text == doc.text and len(ours) == len(doc)
        assert [_token(t) for t in ours] == [_token(t) for t in doc], text
        for name in ("ents", "noun_chunks", "sents"):
            assert [_span(s) for s in getattr(ours, name)] == \
                [_span(s) for s in getattr(doc, name)], (name, text)
        n = len(doc)
        slices = [(a, b) for a in range(n) for b in range(a + 1, min(n, a + 9) + 1)]
        assert [_span(ours[a:b]) for a, b in slices] == [_span(doc[a:b]) for a, b in slices]
        if n:
            assert _span(ours[:]) == _span(doc[:])
        if n > 1:
            assert ours[0].nbor().i == doc[0].nbor().i == 1
            assert ours[1:][0].i == doc[1:][0].i and ours[1:][-1].i == doc[1:][-1].i
        with pytest.raises(IndexError):
            ours[n - 1].nbor() if n else ours[0]


def test_spans_compare_as_spacy_s_do():
    doc = english().parse("The strike in Chile ended on Monday.")
    assert doc[1:4] == doc[1:4] and doc[1:4] != doc[1:3] and doc[1:4] != english().parse(
        "The strike in Chile ended on Monday.x")[1:4]
    assert len({doc[1:4], doc[1:4], doc[0:2]}) == 2
    assert doc[2].head is doc[2].head and doc[2] == doc[2]


@pytest.fixture(scope="module")
def worker():
    helper = start()
    assert helper is not None
    yield helper
    helper.close()


def test_the_helper_process_parses_and_recognises_as_this_process_does(worker):
    texts = _texts()
    remote = English(worker=worker)
    here = english()
    for text in texts:
        assert [_token(t) for t in remote.parse(text)] == [_token(t) for t in here.parse(text)]
        assert [_span(e) for e in remote.parse(text).ents] == \
            [_span(e) for e in here.parse(text).ents]
    assert remote.entities(texts) == here.entities(texts)
    assert remote._nlp is None  # it never loaded the pipeline here


def test_a_helper_that_cannot_answer_leaves_the_work_to_this_process():
    gone = Worker(subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE))
    gone.process.wait()
    with pytest.raises(WorkerGone):
        gone.parse("Who won?")
    reader = English(worker=gone)
    text = "President William Ruto spoke in Nairobi on Monday."
    assert reader.entities([text]) == english().entities([text]) != [()]
    assert reader.worker is None and reader.parse("Who won in Paris?").ents[0].label_ == "GPE"
    gone.close()


def test_a_helper_whose_model_fails_reports_it_and_ends(monkeypatch):
    def broken():
        raise language.ConfigError("model damaged")

    monkeypatch.setattr(language, "_local", broken)
    read, write = _pipes()
    language.serve(read, write)
    write.seek(0)
    assert json.loads(write.read()) == {"error": "model damaged"}


def _pipes():
    import io

    return io.BytesIO(json.dumps({"parse": "Who?"}).encode() + b"\n"), io.BytesIO()


def test_the_helper_ends_when_the_command_closes_its_input(worker):
    helper = start()
    assert helper is not None
    helper.parse("Who won?")  # loaded and answering
    helper.process.stdin.close()
    assert helper.process.wait(timeout=10) == 0
    helper.close()


def test_a_span_as_a_doc_of_its_own_reads_as_spacy_s():
    nlp = english().nlp
    for text in _texts()[:20]:
        doc = nlp(text)
        ours = from_data(to_data(doc))
        n = len(doc)
        cuts = [(0, b) for b in range(1, n + 1)] + [(a, n) for a in range(1, n)] + \
            [(a, a + 5) for a in range(1, n - 5, 3)]
        for a, b in cuts:
            theirs, mine = doc[a:b].as_doc(), ours[a:b].as_doc()
            assert mine.text == theirs.text
            assert [_token(t) for t in mine] == [_token(t) for t in theirs], (text, a, b)
            for name in ("ents", "noun_chunks", "sents"):
                assert [_span(s) for s in getattr(mine, name)] == \
                    [_span(s) for s in getattr(theirs, name)], (name, text, a, b)


def test_a_request_cut_short_spoils_the_helper_for_the_requests_after_it():
    helper = start()
    assert helper is not None

    class Interrupted(BaseException):
        pass

    def cut(*_):
        raise Interrupted

    helper.process.stdout.readline = cut
    with pytest.raises(Interrupted):
        helper.parse("Who won?")
    with pytest.raises(WorkerGone):  # its reply to the cut request would answer the next one
        helper.parse("Who lost?")
    helper.close()


def test_the_helper_waits_for_an_idle_core(monkeypatch):
    from assistant.answering import language_worker as helper

    def machine(cores: int, now: int, load: float) -> bool:
        monkeypatch.setattr(helper.os, "sched_getaffinity", lambda _: set(range(cores)))
        monkeypatch.setattr(helper, "running", lambda: now)
        monkeypatch.setattr(helper.os, "getloadavg", lambda: (load, load, load))
        return helper.spare_core()

    assert machine(2, 1, 0.4) and machine(2, 1, 1.2)  # only this command running
    assert not machine(2, 2, 0.4)  # another process running right now
    assert not machine(2, 1, 1.8)  # the machine has been busy
    assert not machine(1, 1, 0.0)
    assert machine(8, 3, 2.5)
    assert 1 <= helper.running() < 10_000
