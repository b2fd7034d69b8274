"""The BM25 index (tantivy): persisted in the data dir, updated with what each write changed,
indexing exactly the project's tokens, scored like Lucene's BM25, rebuilt when missing or
unreadable, safe when a process dies mid-update or holds the writer."""

from __future__ import annotations

import logging
import random
import shutil
import signal
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from index import Article
from index.lexical import LexicalEngine, LexicalIndex
from index.lexical.tokens import lexical_text, tokenize
from index.store import StoredChunk

# BM25 and bookkeeping, not dense ranking: the deterministic fake embeds (tests/fakes.py).
pytestmark = pytest.mark.hash_embeddings

ARTICLES = [
    Article(id="ferry", title="Ferry strike ends", source="Port News",
            text="Ferry crews returned to work after the union accepted a new pay offer."),
    Article(id="bridge", title="Bridge approved", source="City Desk",
            text="The council voted to build a new bridge over the estuary by 2027."),
]


def record_fetches(lexical: LexicalIndex) -> list[str]:
    """The ids of the articles whose chunks ``lexical`` reads from the vector store from now on."""
    fetched: list[str] = []
    fetch = lexical._fetch
    lexical._fetch = lambda ids: fetched.extend(ids) or fetch(ids)  # type: ignore[method-assign]
    return fetched


def test_built_on_index_and_reloaded_without_rebuilding(make_assistant, tmp_path, monkeypatch):
    a = make_assistant()
    a.add_articles(ARTICLES)
    folder = tmp_path / "data" / "lexical"
    assert (folder / "state.tsv").is_file() and (folder / "meta.json").is_file()
    # Stemming and stopwords: "ferries striking" finds "Ferry strike".
    assert [c.metadata["article_id"] for c in a.lexical.search("the ferries striking", k=5)] \
        == ["ferry"]
    assert a.lexical.search("the of and", k=5) == []  # stopwords only

    b = make_assistant()  # another process opening the same data dir
    versions_read = []
    real = b.catalog.article_versions
    monkeypatch.setattr(b.catalog, "article_versions",
                        lambda: versions_read.append(1) or real())
    fetched = record_fetches(b.lexical)
    assert [c.id for c in b.lexical.search("estuary bridge", k=5)] == ["bridge:0"]
    # Opened from disk, saved at the catalog's current generation: nothing to compare or read.
    assert versions_read == [] and fetched == []


def test_updated_on_add_and_remove(make_assistant):
    a = make_assistant()
    a.add_articles(ARTICLES[:1])
    assert a.lexical.search("estuary", k=5) == []
    a.add_articles(ARTICLES[1:])
    assert [c.metadata["article_id"] for c in a.lexical.search("estuary", k=5)] == ["bridge"]
    changed = Article(id="bridge", title="Bridge approved", source="City Desk",
                      text="The council voted to build a tunnel under the estuary instead.")
    a.add_articles([changed])
    assert [c.text for c in a.lexical.search("tunnel estuary", k=5)] == [changed.text]
    a.remove(["bridge"])
    assert a.lexical.search("estuary tunnel", k=5) == []


def test_rebuilt_when_stale_missing_damaged_or_old(make_assistant, tmp_path, caplog):
    a = make_assistant()
    a.add_articles(ARTICLES[:1])
    a.lexical.search("ferry", k=1)
    other = make_assistant()  # a second writer on the same data dir
    other.add_articles(ARTICLES[1:])
    # ``a`` never saw that write, but the catalog's generation changed: it catches up on use.
    assert [c.metadata["article_id"] for c in a.lexical.search("estuary", k=5)] == ["bridge"]

    folder = tmp_path / "data" / "lexical"
    shutil.rmtree(folder)
    fresh = make_assistant()
    fetched = record_fetches(fresh.lexical)
    assert fresh.lexical.search("ferry pay", k=5)[0].metadata["article_id"] == "ferry"
    assert sorted(fetched) == ["bridge", "ferry"]  # built again from every article's chunks
    assert LexicalEngine.open(folder) is not None  # and saved

    [postings] = folder.glob("*.idx")
    with postings.open("r+b") as f:
        f.truncate(10)
    assert LexicalEngine.open(folder) is None and fresh.lexical.damaged()
    caplog.set_level(logging.WARNING)
    repaired = make_assistant()
    assert [c.id for c in repaired.lexical.search("estuary", k=5)] == ["bridge:0"]
    assert "is damaged or from another version; rebuilding it" in caplog.text

    # A data dir written by the former hand-written index (manifest + segment folders).
    shutil.rmtree(folder)
    (folder / "seg-0123").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"format": 3, "segments": []}')
    assert make_assistant().lexical.damaged()
    assert [c.id for c in make_assistant().lexical.search("estuary", k=5)] == ["bridge:0"]
    assert not (folder / "manifest.json").exists()
    (folder / "state.tsv").write_text('{"format": 1, "gen')  # a state file cut short
    assert make_assistant().lexical.damaged()
    assert [c.id for c in make_assistant().lexical.search("estuary", k=5)] == ["bridge:0"]


def test_filter_predicate_and_in_memory_index(make_assistant):
    a = make_assistant()
    a.add_articles(ARTICLES)
    memory = LexicalIndex(None, a.catalog, lambda: a.store)
    hits = memory.search("council ferry", k=5, keep=lambda m: m.get("source") == "City Desk")
    assert [h.metadata["article_id"] for h in hits] == ["bridge"]
    assert memory.search("council ferry", k=1)[0].score >= memory.search("council ferry",
                                                                         k=2)[1].score


WORDS = ("ferry strike union pay bridge council estuary budget rail tunnel harbour vote port "
         "minister court ruling storm flood school teachers nurses hospital museum festival "
         "airport runway drought farmers water treaty election mayor police inquiry").split()


def _story(i: int, rng: random.Random, sentences: int = 4) -> Article:
    return Article(id=f"s{i:03d}", title=" ".join(rng.sample(WORDS, 3)).capitalize(),
                   source=rng.choice(["Daily", "Herald"]),
                   text=". ".join(" ".join(rng.choices(WORDS, k=12))
                                  for _ in range(sentences)) + ".")


def _ranking(engine: LexicalEngine, query: str) -> list[tuple[str, float]]:
    return [(h.id, round(h.score, 4)) for h in engine.search(query, k=100)]  # no cut in ties


def test_terms_are_the_project_tokens(make_assistant):
    """tantivy indexes exactly what ``tokenize`` produced: every term's document frequency is the
    number of chunks whose tokens hold it, and nothing else is a term (no raw words, no
    stopwords, no other stemming)."""
    a = make_assistant()
    a.add_articles([*ARTICLES, Article(
        id="mix", title="Naïve café-owners' running disputes", text="The e-mail from "
        "Zürich's mayor said 3.5% of the 2,000 runners were running late; ΔT rose to 40°C.")])
    chunks = a.store.all_chunks()
    tokens = tokenize([lexical_text(c.text, c.metadata) for c in chunks])
    df = Counter(t for doc in tokens for t in set(doc))
    searcher = a.lexical.current()._searcher
    assert {t: searcher.doc_freq("terms", t) for t in df} == dict(df)
    for not_a_term in ("the", "running", "ferries", "café-owners", "Zürich's", "3.5%", "e"):
        assert searcher.doc_freq("terms", not_a_term) == 0, not_a_term


def test_scores_equal_bm25s(make_assistant):
    """Our BM25 is bm25s's "lucene" BM25 (k1 1.5, b 0.75): same scores on the same tokens,
    whatever tantivy's own scoring (k1 1.2, lengths on one byte) ranked first."""
    import bm25s

    rng = random.Random(7)
    a = make_assistant()
    a.add_articles([_story(i, rng, sentences=rng.randint(1, 12)) for i in range(30)])
    chunks = a.store.all_chunks()
    reference = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    reference.index(tokenize([lexical_text(c.text, c.metadata) for c in chunks]),
                    show_progress=False)
    for ours in (a.lexical.current(), LexicalEngine.of(chunks)):
        for query in ("ferry strike pay", "flood flood storm", "hospital nurses election"):
            expected = np.asarray(reference.get_scores(tokenize([query])[0]))
            got = {h.id: h.score for h in ours.search(query, k=len(chunks))}
            assert got, query
            for chunk, score in zip(chunks, expected, strict=True):
                assert got.get(chunk.id, 0.0) == pytest.approx(score, rel=1e-6, abs=1e-9)
            best = int(np.argmax(expected))
            assert ours.search(query, k=1)[0].id == chunks[best].id


def test_incremental_updates_rank_like_a_fresh_build(make_assistant):
    rng = random.Random(11)
    a = make_assistant()
    stories = [_story(i, rng) for i in range(60)]
    fetched = record_fetches(a.lexical)
    for start in range(0, 40, 4):  # many small writes, one commit each
        a.add_articles(stories[start:start + 4])
    queries = ("ferry strike", "tunnel vote delayed", "storm flood school", "court")
    fresh = LexicalEngine.of(a.store.all_chunks())
    for query in queries:  # segments or one build: the same statistics, the same scores
        assert _ranking(a.lexical.current(), query) == _ranking(fresh, query)

    a.remove(["s003", "s017"])
    a.add_articles([Article(id="s005", title="Changed", text="The tunnel vote was delayed.")])
    fetched.clear()
    a.add_articles(stories[40:41])
    assert fetched == ["s040"]  # one write reads the one article it added, nothing else
    incremental = a.lexical.current()
    assert len(incremental) == a.store.count()
    assert not [h for h in incremental.search("teachers", k=100)
                if h.metadata["article_id"] in ("s003", "s017")]
    assert incremental.search("tunnel vote delayed", k=1)[0].id == "s005:0"

    # What another process opens from disk is the same index: it reads nothing again.
    b = make_assistant()
    fetched = record_fetches(b.lexical)
    for query in queries:
        assert _ranking(b.lexical.current(), query) == _ranking(incremental, query)
    assert fetched == []


def test_filters_reach_past_the_first_hits():
    """A filter that rejects the best-scored chunks still finds the k it accepts."""
    chunks = [StoredChunk(id=f"a{i:03d}:0", text="ferry " * (1 + i % 3) + "strike",
                          metadata={"article_id": f"a{i:03d}", "source": "X" if i < 90 else "Y",
                                    "title": ""}, score=0.0) for i in range(100)]
    index = LexicalEngine.of(chunks)
    hits = index.search("ferry", k=5, keep=lambda m: m["source"] == "Y")
    assert len(hits) == 5 and {h.metadata["source"] for h in hits} == {"Y"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_state_lagging_the_index_re_adds_without_doubling(make_assistant, tmp_path):
    """A crash between tantivy's commit and the state file: the next update re-adds what the
    state does not know (deleting by article first), so no chunk is doubled or missed."""
    a = make_assistant()
    a.add_articles(ARTICLES[:1])
    state = tmp_path / "data" / "lexical" / "state.tsv"
    before = state.read_text()
    a.add_articles(ARTICLES[1:])
    state.write_text(before)  # as if the process died right after committing the second write
    b = make_assistant()
    fetched = record_fetches(b.lexical)
    hits = b.lexical.search("estuary bridge ferry council", k=10)
    assert fetched == ["bridge"] and sorted(h.id for h in hits) == ["bridge:0", "ferry:0"]
    assert len(b.lexical.current()) == 2
    assert {line.split("\t")[0] for line in state.read_text().splitlines()[1:]} \
        == {"bridge", "ferry"}


HOLD_WRITER = """
import os, signal, sys, time, tantivy
index = tantivy.Index.open(sys.argv[1])
writer = index.writer(15_000_000, 1)
print("holding", flush=True)
if sys.argv[2] == "die":
    os.kill(os.getpid(), signal.SIGKILL)
time.sleep(float(sys.argv[2]))
"""


def _hold_writer(folder, how: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(folder), how],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "holding\n"
    return proc


def test_another_process_holding_the_writer(make_assistant, tmp_path, monkeypatch):
    """A question does not wait long for another process's update: it searches the index as it
    is and catches up on a later question. A process killed while holding the writer leaves no
    lock behind."""
    import index.lexical as lexical

    monkeypatch.setattr(lexical, "READ_WAIT_S", 0.3)
    folder = tmp_path / "data" / "lexical"
    a = make_assistant()
    a.add_articles(ARTICLES[:1])
    reader = make_assistant()
    assert reader.lexical.search("estuary", k=5) == []
    holder = _hold_writer(folder, "30")
    try:
        writer = make_assistant()
        writer.lexical.refresh = lambda: None  # its own update would wait for the holder
        writer.add_articles(ARTICLES[1:])
        assert reader.lexical.search("estuary", k=5) == []  # searched as it is, not blocked
        assert reader.lexical.search("ferry", k=5)[0].id == "ferry:0"
    finally:
        holder.kill()
        holder.wait()
    assert [c.id for c in reader.lexical.search("estuary", k=5)] == ["bridge:0"]

    dead = _hold_writer(folder, "die")
    assert dead.wait() == -signal.SIGKILL
    a.remove(["bridge"])  # its update takes the writer the dead process held
    assert a.lexical.search("estuary", k=5) == [] and reader.lexical.search("estuary", k=5) == []


def test_records_compacted_when_mostly_dead_and_rebuilt_when_missing(make_assistant, tmp_path,
                                                                      monkeypatch, caplog):
    """Replaced chunks leave their records behind until a compaction writes the live ones to a
    new file; a searcher of another process follows it; a records file gone is a damaged index."""
    import index.lexical.records as records

    monkeypatch.setattr(records, "_SLACK", 0)
    folder = tmp_path / "data" / "lexical"
    a = make_assistant()
    a.add_articles(ARTICLES)
    reader = make_assistant()
    assert reader.lexical.search("ferry", k=1)[0].id == "ferry:0"
    for i in range(12):  # the same article changed again and again: its old records die
        a.add_articles([Article(id="bridge", title="Bridge approved", source="City Desk",
                                text=f"The council voted {i} times on the estuary bridge.")])
        hits = reader.lexical.search("estuary council", k=5)
        assert [h.text for h in hits] == [f"The council voted {i} times on the estuary bridge."]
    numbers = sorted(int(p.stem.rsplit("-", 1)[1]) for p in folder.glob("records-*.bin"))
    assert numbers[-1] >= 2 and len(numbers) <= 2  # compacted twice; the oldest files deleted
    assert a.lexical.search("ferry pay", k=5)[0].id == "ferry:0"
    assert len(make_assistant().lexical.current()) == 2

    for path in folder.glob("records-*.bin"):
        path.unlink()
    assert make_assistant().lexical.damaged()
    caplog.set_level(logging.WARNING)
    assert [c.id for c in make_assistant().lexical.search("estuary", k=5)] == ["bridge:0"]
    assert "rebuilding it" in caplog.text


def test_tokens_are_bm25s_tokens():
    """The tokenizer is bm25s's (lower-cased words of two or more characters, its English
    stopwords out, Snowball stems), written out so a question never imports scipy: the same
    terms for prose, numbers, accents, apostrophes, stopwords only and empty text."""
    import bm25s
    import Stemmer

    texts = [ARTICLES[0].text, ARTICLES[1].title, "", "The and of it is a", "a",
             "Zürich's Café-owners can't stop: 3,400 flights, 2.75% and the U.S. isn't there",
             "Running runners ran; RUNS run! naïve coöperation — über 10x 1 2 3",
             "日本の首相 said it was 'unprecedented' (AP) 42nd 1990s"]
    expected = bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"),
                              return_ids=False, show_progress=False)
    assert tokenize(texts) == expected
    assert [tokenize([t])[0] for t in texts] == expected
    assert tokenize([]) == []
