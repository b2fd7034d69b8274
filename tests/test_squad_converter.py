"""The SQuAD sample converts into the evaluator's QA format (needs ../shared)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from assistant.evaluation import load_qa_articles, load_qa_questions
from tests.conftest import ROOT, SHARED

SAMPLE = SHARED / "eval" / "squad2-sample"


@pytest.mark.skipif(not (SAMPLE / "queries.json").is_file(),
                    reason=f"the SQuAD sample is not at {SAMPLE} (../shared is absent in a "
                           "fresh clone)")
def test_squad_sample_converts(tmp_path):
    spec = importlib.util.spec_from_file_location("squad_to_qa", ROOT / "bench" / "squad_to_qa.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = module.convert(SAMPLE, tmp_path)
    assert summary["n_articles"] == 411 and summary["n_questions"] == 500
    assert summary["n_unanswerable"] == 258
    articles = {a.id: a for a in load_qa_articles(tmp_path / "articles.jsonl")}
    questions = load_qa_questions(tmp_path / "questions.jsonl")
    assert len(articles) == 411 and len(questions) == 500
    for q in questions:
        assert len(q.article_ids) == 1 and q.article_ids[0] in articles
        assert all(a in articles[q.article_ids[0]].text for a in q.answers), q.id
    assert json.loads((tmp_path / "questions.jsonl").read_text().splitlines()[0])["answers"]
