"""The evaluator: metrics worked out by hand, and both CLI commands on a tiny hand-made set."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
from typer.testing import CliRunner

from assistant.evaluation import (
    QAQuestion,
    answer_metrics,
    hit_at_k,
    kind_metrics,
    load_qrels,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
    retrieval_metrics,
)
from assistant.interfaces import cli
from assistant.results import Answer, Citation, Source

runner = CliRunner()


def test_ranking_metrics_by_hand():
    ranked = ["d3", "d1", "d7", "d2"]
    relevant = {"d1": 1, "d2": 2, "d9": 0}
    # DCG = 1/log2(3) + 2/log2(5); ideal = 2/log2(2) + 1/log2(3)
    dcg = 1 / math.log2(3) + 2 / math.log2(5)
    ideal = 2 + 1 / math.log2(3)
    assert ndcg_at_k(ranked, relevant, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(ranked, relevant, 1) == 0.0
    assert ndcg_at_k(["d2", "d1"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at_k(ranked, {"d9": 0}, 10) == 0.0  # nothing relevant
    assert recall_at_k(ranked, relevant, 2) == 0.5
    assert recall_at_k(ranked, relevant, 100) == 1.0
    assert mrr_at_k([False, True, True], 10) == 0.5
    assert mrr_at_k([False, True], 1) == 0.0
    assert hit_at_k([False, False, True], 3) and not hit_at_k([False, False, True], 2)
    m = retrieval_metrics(ranked, relevant)
    assert m["mrr@10"] == 0.5 and m["recall@10"] == 1.0


def test_percentile_interpolates():
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert percentile([7], 95) == 7 and percentile([], 50) == 0


def _answer(text: str, cited: str = "", *, abstained: bool = False) -> Answer:
    citations = () if abstained else (Citation(n=1, article_id="a", title="", url=None,
                                               published=None, source=None, passage=cited,
                                               start=0, end=len(cited), score=0.5),)
    return Answer(question="q", text=text, citations=citations, abstained=abstained)


def test_answer_metrics_by_hand():
    answerable = [QAQuestion(str(i), "q", ("four percent",)) for i in range(4)]
    unanswerable = [QAQuestion(str(i), "q", ()) for i in range(4, 6)]
    outcomes = [
        (answerable[0], _answer("A rise of Four Percent [1]", "a rise of four percent")),
        (answerable[1], _answer("Crews struck [1]", "they won four percent")),  # only cited
        (answerable[2], _answer("Crews struck [1]", "they struck")),  # wrong sentence
        (answerable[3], _answer("…", abstained=True)),
        (unanswerable[0], _answer("…", abstained=True)),
        (unanswerable[1], _answer("Something [1]", "something")),
    ]
    got = answer_metrics(outcomes)
    # Abstaining on answerable question 3 is a miss for the first two, not for "answered_".
    assert got["answer_contains"] == 0.25 and got["cited_contains"] == 0.5
    assert got["answered_answer_contains"] == round(1 / 3, 4)
    assert got["answered_cited_contains"] == round(2 / 3, 4)
    assert got["abstain_answerable"] == 0.25 and got["abstain_unanswerable"] == 0.5
    assert got["sources_per_answer"] == 0 and got["multi_source_answers"] == 0  # not annotated
    two = replace(outcomes[0][1], sources=(Source("AFP", (1,)), Source("BBC", (2,))))
    one = replace(outcomes[1][1], sources=(Source("AFP", (1, 2), ("AFP", "Le Monde")),))
    diverse = answer_metrics([(answerable[0], two), (answerable[1], one), outcomes[3]])
    assert diverse["sources_per_answer"] == 1.5 and diverse["multi_source_answers"] == 0.5


def test_yes_no_questions_are_judged_by_their_citations_per_kind():
    cites = ("a", "b")
    yes_no = [QAQuestion(str(i), "Does X say A while Y says B?", (), cite=cites,
                         kind="comparison", yes_no="Yes") for i in range(3)]
    named = QAQuestion("4", "Which company?", ("Google",), article_ids=("a",), kind="inference")
    both = replace(_answer("X [1] Y [2]", "x"), citations=(
        _answer("X [1]", "x").citations[0], replace(_answer("Y [1]", "y").citations[0],
                                                    n=2, article_id="b")))
    got = kind_metrics([(yes_no[0], both), (yes_no[1], _answer("X [1]", "x")),
                        (yes_no[2], _answer("…", abstained=True)),
                        (named, _answer("Google [1]", "Google pays"))])
    assert got["comparison"]["yes_no"] == got["comparison"]["cites_all"] == round(1 / 3, 4)
    assert got["comparison"]["correct"] == round(1 / 3, 4)
    assert got["comparison"]["holds_gold"] is None  # no gold strings to hold
    assert got["inference"]["holds_gold"] == got["inference"]["cites_all"] == 1.0
    assert got["inference"]["yes_no"] is None


def test_qrels_skip_the_header(tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\nq2\td3\t1\n")
    assert load_qrels(path) == {"q1": {"d1": 1, "d2": 2}, "q2": {"d3": 1}}


CORPUS = [
    {"_id": "strike", "title": "Ferry strike", "text": "The ferry strike stopped every ferry. "
     "Ferry crews want more pay."},
    {"_id": "timetable", "title": "Winter timetable", "text": "The winter timetable changes "
     "bus routes, train times, tram stops and the ferry to the island from Monday onwards."},
    {"_id": "bridge", "title": "Bridge approved", "text": "The council approved a bridge over "
     "the estuary."},
    {"_id": "tunnel", "title": "Tunnel plan", "text": "Engineers proposed a tunnel under the "
     "estuary as an alternative."},
]
QUERIES = {"q1": "ferry crews pay", "q2": "bridge over the estuary", "q3": "ferry",
           "q4": "no judgements for this one"}
QRELS = ("query-id\tcorpus-id\tscore\nq1\tstrike\t1\nq2\tbridge\t1\nq2\ttunnel\t1\n"
         "q3\ttimetable\t1\n")


def write_beir(tmp_path):
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in CORPUS))
    (tmp_path / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "text": v}) for k, v in QUERIES.items()))
    (tmp_path / "qrels.tsv").write_text(QRELS)
    return [f"--corpus={tmp_path / 'corpus.jsonl'}", f"--queries={tmp_path / 'queries.jsonl'}",
            f"--qrels={tmp_path / 'qrels.tsv'}"]


def test_eval_retrieval_cli_by_hand(tmp_path, embeddings):
    args = write_beir(tmp_path)
    data = tmp_path / "evaldata"
    result = runner.invoke(cli.app, ["eval", "retrieval", *args, "--data-dir", str(data),
                                     "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["queries"] == 3 and got["articles"] == 4
    assert set(got["modes"]) == {"lexical", "dense", "hybrid"}
    # Lexical, by hand: q1 → strike first (nDCG 1, MRR 1); q2 → bridge (bridge + estuary),
    # then tunnel (estuary): both relevant at ranks 1-2, nDCG 1; q3 "ferry" → the strike story
    # (three ferries in a short text) outranks the timetable (one, in a long text): the
    # relevant one is 2nd → nDCG 1/log2(3), MRR 1/2.
    lexical = got["modes"]["lexical"]
    assert lexical["ndcg@10"] == pytest.approx((2 + 1 / math.log2(3)) / 3, abs=1e-4)
    assert lexical["mrr@10"] == pytest.approx((1 + 1 + 0.5) / 3, abs=1e-4)
    assert lexical["recall@10"] == 1.0 and lexical["recall@100"] == 1.0
    for mode in ("dense", "hybrid"):
        assert 0 < got["modes"][mode]["ndcg@10"] <= 1 and got["modes"][mode]["recall@100"] == 1
    assert "Indexing 4 articles" in result.stderr

    again = runner.invoke(cli.app, ["eval", "retrieval", *args, "--data-dir", str(data)])
    assert "unchanged 4" in again.stderr  # the same corpus is not embedded twice
    assert "lexical" in again.stdout and "nDCG@10" in again.stdout


def test_eval_qa_cli_by_hand(tmp_path, embeddings, monkeypatch):
    articles = [
        {"id": "strike", "title": "Ferry strike ends", "published": "2018-01-09",
         "text": "Ferry crews ended their strike on Tuesday after accepting a pay rise of "
                 "four percent. Services resume on Wednesday."},
        {"id": "bridge", "title": "Bridge approved", "published": "2017-06-01",
         "text": "The council approved a new bridge over the estuary. Construction starts in "
                 "spring and should take three years."},
    ]
    questions = [
        {"id": "1", "question": "What pay rise did the ferry crews accept?",
         "answers": ["four percent"], "article_ids": ["strike"]},
        {"id": "2", "question": "How long will the bridge construction take?",
         "answers": ["three years"]},
        {"id": "3", "question": "What did the ferry crews do yesterday?", "answers": [],
         "article_ids": ["strike"], "date": "2018-01-10"},
        {"id": "4", "question": "Who won the chess olympiad?", "answers": []},
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(a) for a in articles))
    (tmp_path / "q.jsonl").write_text("\n".join(json.dumps(q) for q in questions))
    # Lexical mode keeps the ranking hand-checkable: each question's words are in one article.
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_MODE", "lexical")
    result = runner.invoke(cli.app, ["eval", "qa", f"--articles={tmp_path / 'a.jsonl'}",
                                     f"--questions={tmp_path / 'q.jsonl'}", "-k", "10",
                                     "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["counts"] == {"questions": 4, "answerable": 2, "unanswerable": 2,
                             "with_retrieval_target": 3}
    # Targets: q1 → article "strike" (rank 1); q2 → a passage containing "three years"
    # (the bridge article, rank 1); q3 → article "strike", the only article of 9 January.
    assert got["hit@1"] == got["hit@5"] == got["hit@10"] == got["mrr@10"] == 1.0
    assert got["answer_contains"] == 1.0 and got["cited_contains"] == 1.0
    assert got["abstain_answerable"] == 0.0
    # q4 shares no word with any article: nothing retrieved, so it abstains; q3 finds the
    # strike story and answers from it (its gold list is empty, so that is a wrong answer).
    assert got["abstain_unanswerable"] == 0.5
    lat = got["latency_ms"]
    assert 0 < lat["retrieve_p50"] <= lat["retrieve_p95"] and lat["ask_p50"] >= lat["retrieve_p50"]
    assert "curve" not in got

    # The trade-off curve answers the same passages again at each threshold: at 0 every
    # question abstains, at 1 only the abstention model is off (q4 still retrieves nothing).
    curved = runner.invoke(cli.app, ["eval", "qa", f"--articles={tmp_path / 'a.jsonl'}",
                                     f"--questions={tmp_path / 'q.jsonl'}", "--json",
                                     "--thresholds", "0,1"])
    assert curved.exit_code == 0, curved.output
    never, always = json.loads(curved.stdout)["curve"]
    assert never["threshold"] == 0.0 and always["threshold"] == 1.0
    assert never["abstain_answerable"] == never["abstain_unanswerable"] == 1.0
    assert never["answer_contains"] == never["cited_contains"] == 0.0
    assert always["answer_contains"] == always["answered_cited_contains"] == 1.0
    assert always["abstain_answerable"] == 0.0 and always["abstain_unanswerable"] == 0.5
