"""Diversity: per-article cap, merging neighbouring chunks with exact offsets, MMR."""

from __future__ import annotations

import numpy as np

from assistant.results import Passage
from assistant.retrieval.diversity import diversify, merge_pair, mmr

ARTICLE = "One. Two is here. Three follows. Four ends it. Five is last."
#          0    5            18             33            47


def chunk(article_id: str, n: int, start: int, end: int, score: float,
          text: str = ARTICLE) -> Passage:
    return Passage(article_id=article_id, chunk_id=f"{article_id}:{n}", title=article_id,
                   url=None, published=None, source=None, text=text[start:end], start=start,
                   end=end, score=score)


def lookup(article_id: str) -> str | None:
    return ARTICLE if article_id == "a" else None


def test_overlapping_chunks_merge_with_exact_offsets():
    first, second = chunk("a", 0, 0, 33, 0.9), chunk("a", 1, 18, 47, 0.5)
    merged = merge_pair(second, first)
    assert (merged.start, merged.end) == (0, 47)
    assert merged.text == ARTICLE[0:47]
    assert merged.chunk_id == "a:0" and merged.score == 0.9  # the better chunk's id and score


def test_consecutive_chunks_with_a_gap_merge_through_the_article_text():
    first, second = chunk("a", 0, 0, 17, 0.9), chunk("a", 1, 18, 32, 0.8)
    assert merge_pair(first, second) is None  # no text for the gap
    merged = merge_pair(first, second, lookup)
    assert merged.text == ARTICLE[0:32] and (merged.start, merged.end) == (0, 32)
    # Not neighbours (chunk 0 and chunk 2), or another article: never merged.
    assert merge_pair(first, chunk("a", 2, 33, 47, 0.7), lookup) is None
    assert merge_pair(first, chunk("b", 1, 18, 32, 0.7), lookup) is None


def test_cap_per_article_then_fill_the_remaining_slots():
    ranked = [chunk("a", 0, 0, 4, 0.9), chunk("a", 2, 18, 32, 0.8), chunk("a", 4, 47, 60, 0.7),
              chunk("b", 0, 0, 4, 0.6), chunk("c", 0, 0, 4, 0.5)]
    got = diversify(ranked, k=3, max_per_article=2, merge=False)
    assert [p.chunk_id for p in got] == ["a:0", "a:2", "b:0"]
    # Only two articles but k=4: the capped chunk of "a" fills the empty slot.
    got = diversify(ranked[:4], k=4, max_per_article=2, merge=False)
    assert [p.chunk_id for p in got] == ["a:0", "a:2", "b:0", "a:4"]
    got = diversify(ranked, k=3, max_per_article=1, merge=False)
    assert [p.article_id for p in got] == ["a", "b", "c"]


def test_neighbours_merge_instead_of_taking_a_slot():
    ranked = [chunk("a", 1, 18, 47, 0.9), chunk("b", 0, 0, 4, 0.8), chunk("a", 0, 0, 33, 0.7),
              chunk("c", 0, 0, 4, 0.6)]
    got = diversify(ranked, k=3, article_text=lookup)
    assert [p.article_id for p in got] == ["a", "b", "c"]
    assert got[0].text == ARTICLE[0:47] and got[0].chunk_id == "a:1" and got[0].score == 0.9
    for p in got:
        assert p.text == ARTICLE[p.start:p.end]


def test_merges_are_bounded_in_size():
    chain = [chunk("a", n, s, e, 1 - n / 10) for n, (s, e) in
             enumerate([(0, 17), (5, 32), (18, 46), (33, 60)])]
    got = diversify(chain, k=5, max_merged=2, article_text=lookup)
    assert [(p.start, p.end) for p in got] == [(0, 32), (18, 60)]
    assert diversify(chain, k=5, max_merged=4, article_text=lookup)[0].text == ARTICLE[0:60]


def test_mmr_by_hand():
    # Items 0 and 1 are identical directions; 2 is orthogonal and slightly less relevant.
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    relevance = [1.0, 0.9, 0.8]  # min-max → 1, 0.5, 0
    # λ=0.5: pick 0; then 1 → 0.25 − 0.5·1 = −0.25, 2 → 0 − 0 = 0 → pick 2; then 1.
    assert mmr(relevance, vectors, k=3, lambda_=0.5) == [0, 2, 1]
    assert mmr(relevance, vectors, k=3, lambda_=1.0) == [0, 1, 2]  # relevance only
    assert mmr([], np.zeros((0, 2)), k=3) == []
