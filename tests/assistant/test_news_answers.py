"""The hand-written news sets, answers per question kind, as a regression check:

- ``news_eval``: written with the answering code and tuned on;
- ``news_heldout``: written by a session that saw neither the code nor its results, measured
  first before anyone read its questions.

Their tables before and after each change are in docs/evaluation.md; these floors sit a little
under the last measured figures so that a change that makes answers worse fails here."""

from __future__ import annotations

import pytest

from assistant.evaluation import evaluate_qa, load_qa_articles, load_qa_questions
from tests.conftest import TEST_DATA

# Share of each kind answered right (with the right articles cited) or, for the unanswerable
# kinds, abstained on.
FLOORS = {
    "news_eval": {"paraphrase": 0.8, "several": 0.8, "digest": 0.65, "followup": 0.75,
                  "offtopic": 0.95, "nearmiss": 0.9},
    "news_heldout": {"paraphrase": 0.65, "several": 0.75, "digest": 0.8, "followup": 0.75,
                     "offtopic": 0.95, "nearmiss": 0.85},
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_answers_per_kind_hold_their_floor(make_assistant, name):
    floors = FLOORS[name]
    a = make_assistant()
    report = a.add_articles(load_qa_articles(TEST_DATA / name / "articles.jsonl"))
    assert not report.failed
    result = evaluate_qa(a, load_qa_questions(TEST_DATA / name / "questions.jsonl"), k=10)
    by_kind = {kind: m["correct"] for kind, m in result["by_kind"].items()}
    assert set(by_kind) == set(floors)
    below = {kind: (by_kind[kind], floor) for kind, floor in floors.items()
             if by_kind[kind] < floor}
    assert not below, f"kinds under their floor (measured, floor): {below}"
