"""Timelines hold their story: on the held-out half of the hand-written topic sets
(``tests/data/timeline_topics``: five topics of four or five differently worded articles each,
among other topics and distractors that share their words), a timeline lists most of its
topic's articles and few others. The cut (``MIN_SHARE``) was chosen on the other half."""

from __future__ import annotations

import json
from statistics import mean

import pytest

from assistant.timeline import MIN_SHARE
from tests.conftest import TEST_DATA

TOPICS = TEST_DATA / "timeline_topics"
pytestmark = pytest.mark.slow


def queries(half: str) -> list[dict]:
    rows = [json.loads(line) for line in (TOPICS / "queries.jsonl").read_text().splitlines()]
    return [q for q in rows if q["half"] == half]


def test_held_out_topics_keep_their_articles(make_assistant):
    a = make_assistant()
    report = a.add_paths([TOPICS / "articles.jsonl"])
    assert len(report.added) == 67 and not report.failed
    recall, precision = [], []
    for q in queries("test"):
        timeline = a.timeline(q["query"])
        listed = {e.article_id for e in timeline.entries} | {e.article_id for e in
                                                            timeline.undated}
        hits = listed & set(q["relevant"])
        recall.append(len(hits) / len(q["relevant"]))
        precision.append(len(hits) / len(listed))
    # Measured 0.86 / 0.895 (and 0.78 / 0.937 with the former cut, half the best).
    assert MIN_SHARE == 0.4
    assert mean(recall) >= 0.83 and mean(precision) >= 0.85, (recall, precision)
    # A broad topic with several wordings: the whole measles story, oldest first (beside it,
    # at most the salmonella outbreak, which shares "outbreak").
    measles = [e.article_id for e in a.timeline("measles outbreak").entries]
    assert [m for m in measles if m.startswith("measles-")] == [
        "measles-gaines", "measles-child-death", "measles-new-mexico", "measles-vaccine-demand",
        "measles-cdc-advisory"]
    assert set(measles) - {m for m in measles if m.startswith("measles-")} <= {"dx-salmonella"}
