"""Fusing ranked lists (dense and lexical) into one ranking: pure functions over id → score.

Two families, both measured on SciFact (docs/retrieval.md):

- ``rrf``: reciprocal rank fusion, ``sum(w / (k + rank))`` — uses ranks only.
- ``weighted``: a weighted sum of per-list normalised scores (min-max, z-score, or "max": divided
  by the list's best, i.e. min-max against the theoretical minimum 0 of BM25 and of cosine for
  related text — Bruch et al. 2023's TM2C2); an id missing from one list gets that list's floor
  (0, or the list minimum after z-score), so a strong hit in one list is not erased by its
  absence from the other.

Every function returns ``[(id, fused score)]`` best first, ties broken by first appearance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

Ranking = Sequence[tuple[str, float]]  # (id, score), best first
Normalisation = Literal["minmax", "zscore", "max"]
FusionMethod = Literal["rrf", "weighted"]


def rrf(
    rankings: Sequence[Ranking], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion (Cormack et al. 2009); rank starts at 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (item, _score) in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return _sorted(fused)


def _normalise(
    ranking: Ranking, how: Normalisation, depth: int | None = None
) -> tuple[dict[str, float], float]:
    """The normalised scores and the value an id absent from the list gets.

    ``depth``: how many results were asked for, when every id not returned truly scored 0 (as in
    BM25, which returns only matching chunks). A z-score then counts the missing ones as zeros,
    so a lone exact match stands far above them instead of being its own mean."""
    if not ranking:
        return {}, 0.0
    scores = [s for _, s in ranking]
    if how == "zscore" and depth is not None and depth > len(scores):
        padded = scores + [0.0] * (depth - len(scores))
        mean = sum(padded) / len(padded)
        sd = math.sqrt(sum((s - mean) ** 2 for s in padded) / len(padded))
        if sd > 0:
            return {i: (s - mean) / sd for i, s in ranking}, -mean / sd
    if how == "minmax":
        lo, span = min(scores), max(scores) - min(scores)
        return {i: (s - lo) / span if span > 0 else 1.0 for i, s in ranking}, 0.0
    if how == "max":
        top = max(scores)
        return {i: max(s, 0.0) / top if top > 0 else 1.0 for i, s in ranking}, 0.0
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
    if sd == 0:
        return dict.fromkeys((i for i, _ in ranking), 1.0), 0.0
    z = {i: (s - mean) / sd for i, s in ranking}
    return z, min(z.values())


def weighted(
    rankings: Sequence[Ranking],
    weights: Sequence[float],
    *,
    how: Normalisation = "minmax",
    depths: Sequence[int | None] | None = None,
) -> list[tuple[str, float]]:
    """Weighted sum of normalised scores; an id absent from a list counts that list's floor
    (0 after min-max; the lowest z-score of the list after z-score, or the z-score of 0 for a
    list with a ``depths`` entry — see ``_normalise``)."""
    depths = depths or [None] * len(rankings)
    normalised = [_normalise(r, how, d) for r, d in zip(rankings, depths, strict=True)]
    ids: dict[str, None] = {}
    for ranking in rankings:
        ids.update((i, None) for i, _ in ranking)
    fused = {
        i: sum(w * values.get(i, floor) for (values, floor), w in zip(normalised, weights,
                                                                      strict=True))
        for i in ids
    }
    return _sorted(fused)


def fuse(
    dense: Ranking,
    lexical: Ranking,
    *,
    method: FusionMethod = "weighted",
    dense_weight: float = 0.5,
    how: Normalisation = "minmax",
    rrf_k: int = 60,
    lexical_depth: int | None = None,
) -> list[tuple[str, float]]:
    """Dense and lexical fused with one knob: ``dense_weight`` (lexical gets 1 − it).
    ``lexical_depth``: how many lexical results were asked for (a shorter list means the rest
    scored 0)."""
    weights = (dense_weight, 1.0 - dense_weight)
    if method == "rrf":
        return rrf([dense, lexical], k=rrf_k, weights=weights)
    return weighted([dense, lexical], weights, how=how, depths=[None, lexical_depth])


def _sorted(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    order = {i: n for n, i in enumerate(scores)}
    return sorted(scores.items(), key=lambda x: (-x[1], order[x[0]]))
