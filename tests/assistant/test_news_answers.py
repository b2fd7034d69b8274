"""The hand-written news set (tests/data/news_eval): answers per question kind, as a regression
check. Its table before and after each change is in docs/evaluation.md; these floors sit a little
under the last measured figures so that a change that makes answers worse fails here."""

from __future__ import annotations

import pytest

from assistant.evaluation import evaluate_qa, load_qa_articles, load_qa_questions
from tests.conftest import TEST_DATA

NEWS = TEST_DATA / "news_eval"
# Share of each kind answered right (with the right articles cited) or, for the unanswerable
# kinds, abstained on.
FLOORS = {"paraphrase": 0.75, "several": 0.7, "digest": 0.65, "followup": 0.75,
          "offtopic": 0.95, "nearmiss": 0.9}


@pytest.mark.slow
def test_answers_per_kind_hold_their_floor(make_assistant):
    a = make_assistant()
    report = a.add_articles(load_qa_articles(NEWS / "articles.jsonl"))
    assert not report.failed
    result = evaluate_qa(a, load_qa_questions(NEWS / "questions.jsonl"), k=10)
    by_kind = {kind: m["correct"] for kind, m in result["by_kind"].items()}
    assert set(by_kind) == set(FLOORS)
    below = {kind: (by_kind[kind], floor) for kind, floor in FLOORS.items()
             if by_kind[kind] < floor}
    assert not below, f"kinds under their floor (measured, floor): {below}"
