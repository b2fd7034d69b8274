"""Diversity in the top-k: a cap per article, neighbouring chunks merged, MMR as an option.

Pure functions over ranked Passages. Chunks overlap by one sentence, so two neighbouring chunks of
one article retrieved together read as one passage: they are merged, keeping exact offsets
(``text == article.text[start:end]``). Where two neighbours do not overlap, the gap between them
comes from the article text, looked up through ``article_text`` (the catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.results import Passage

TextLookup = Callable[[str], str | None]  # article id → its full text (None when unknown)


def _chunk_number(passage: Passage) -> int | None:
    try:
        return int(passage.chunk_id.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return None


def merge_pair(first: Passage, second: Passage, article_text: TextLookup | None = None
               ) -> Passage | None:
    """One passage covering both, when they touch or overlap (or are consecutive chunks and the
    article text can fill the gap); None otherwise. Keeps the better score and chunk id."""
    if first.article_id != second.article_id:
        return None
    a, b = sorted((first, second), key=lambda p: p.start)
    best = first if first.score >= second.score else second
    if b.start <= a.end:
        text = a.text + b.text[a.end - b.start:] if b.end > a.end else a.text
        return replace(best, text=text, start=a.start, end=max(a.end, b.end))
    na, nb = _chunk_number(a), _chunk_number(b)
    if article_text is None or na is None or nb is None or nb - na != 1:
        return None
    full = article_text(a.article_id)
    if full is None or full[a.start:a.end] != a.text or full[b.start:b.end] != b.text:
        return None  # the article changed since these chunks were read: do not guess
    return replace(best, text=full[a.start:b.end], start=a.start, end=b.end)


def diversify(
    ranked: Sequence[Passage],
    *,
    k: int,
    max_per_article: int | None = 2,
    merge: bool = True,
    article_text: TextLookup | None = None,
    max_merged: int = 3,
) -> list[Passage]:
    """The top ``k`` passages, best first, with at most ``max_per_article`` per article; a chunk
    next to one already chosen is merged into it (up to ``max_merged`` chunks per passage)
    instead of taking a slot. The cap spreads the top k over articles but never leaves slots
    empty: when too few articles match, capped chunks fill the rest, in rank order."""
    chosen: list[Passage] = []
    sizes: list[int] = []  # chunks in each chosen passage
    per_article: dict[str, int] = {}
    capped: list[Passage] = []

    def try_merge(passage: Passage) -> bool:
        for i, other in enumerate(chosen):
            if sizes[i] >= max_merged:
                continue
            combined = merge_pair(other, passage, article_text)
            if combined is not None:
                chosen[i] = replace(combined, score=other.score, chunk_id=other.chunk_id)
                sizes[i] += 1
                return True
        return False

    for passage in ranked:
        if merge and try_merge(passage):
            continue
        if len(chosen) >= k:
            continue  # later chunks may still merge into a chosen passage
        count = per_article.get(passage.article_id, 0)
        if max_per_article is not None and count >= max_per_article:
            capped.append(passage)
            continue
        per_article[passage.article_id] = count + 1
        chosen.append(passage)
        sizes.append(1)
    for passage in capped:
        if len(chosen) >= k:
            break
        if not (merge and try_merge(passage)):
            chosen.append(passage)
            sizes.append(1)
    return _merge_chosen(chosen, sizes, article_text, max_merged) if merge else chosen


def _merge_chosen(chosen: list[Passage], sizes: list[int], article_text: TextLookup | None,
                  max_merged: int) -> list[Passage]:
    """A merge can make two chosen passages of one article meet: join those too, in rank order."""
    merged = True
    while merged:
        merged = False
        for i in range(len(chosen)):
            for j in range(i + 1, len(chosen)):
                if sizes[i] + sizes[j] > max_merged:
                    continue
                combined = merge_pair(chosen[i], chosen[j], article_text)
                if combined is not None:
                    chosen[i] = replace(combined, score=chosen[i].score,
                                        chunk_id=chosen[i].chunk_id)
                    sizes[i] += sizes[j]
                    del chosen[j], sizes[j]
                    merged = True
                    break
            if merged:
                break
    return chosen


def mmr(
    relevance: Sequence[float],
    vectors: np.ndarray,
    *,
    k: int,
    lambda_: float = 0.7,
) -> list[int]:
    """Maximal marginal relevance (Carbonell & Goldstein 1998): indices of ``k`` items, each
    maximising ``λ·relevance − (1−λ)·max cosine to those already picked``. Rows of ``vectors``
    are unit-normalised embeddings of the candidates."""
    if len(relevance) == 0:
        return []
    rel = np.asarray(relevance, dtype=np.float64)
    span = rel.max() - rel.min()
    rel = (rel - rel.min()) / span if span > 0 else np.ones_like(rel)
    sims = np.asarray(vectors, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    picked: list[int] = []
    redundancy = np.full(len(rel), -np.inf)
    remaining = set(range(len(rel)))
    while remaining and len(picked) < k:
        scores = {i: lambda_ * rel[i] - (1 - lambda_) * (redundancy[i] if picked else 0.0)
                  for i in remaining}
        best = max(sorted(remaining), key=lambda i: scores[i])
        picked.append(best)
        remaining.discard(best)
        redundancy = np.maximum(redundancy, sims[best])
    return picked


def collapse_duplicates(passages: Sequence[Passage]) -> list[Passage]:
    """Passages in rank order, dropping those of an article whose story already appeared."""
    chosen: dict[str, str] = {}  # group (canonical id) → the article that represents it
    kept = []
    for passage in passages:
        group = passage.canonical_id or passage.article_id
        if chosen.setdefault(group, passage.article_id) == passage.article_id:
            kept.append(passage)
    return kept
