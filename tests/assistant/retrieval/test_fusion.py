"""Fusion of ranked lists: reciprocal rank fusion and weighted sums of normalised scores."""

from __future__ import annotations

import math

import pytest

from assistant.retrieval.fusion import Normalisation, Ranking, fuse, rrf, weighted

DENSE = [("a", 0.9), ("b", 0.8), ("c", 0.5)]
LEXICAL = [("c", 12.0), ("d", 6.0), ("a", 3.0)]


def test_rrf_sums_reciprocal_ranks():
    fused = dict(rrf([DENSE, LEXICAL], k=60))
    assert fused["a"] == pytest.approx(1 / 61 + 1 / 63)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert fused["b"] == pytest.approx(1 / 62)
    assert fused["d"] == pytest.approx(1 / 62)
    # a and c tie: the first seen (a, from the first list) comes first
    assert [i for i, _ in rrf([DENSE, LEXICAL], k=60)] == ["a", "c", "b", "d"]


def test_rrf_weights_favour_one_list():
    order = [i for i, _ in rrf([DENSE, LEXICAL], k=60, weights=[0.2, 0.8])]
    assert order[0] == "c"


def normalise(ranking: Ranking, how: Normalisation) -> dict[str, float]:
    """One list's normalised scores: the weighted fusion of that list alone."""
    return dict(weighted([ranking], [1.0], how=how))


def test_minmax_and_zscore_normalisation():
    assert normalise(LEXICAL, "minmax") == {"c": 1.0, "d": pytest.approx(1 / 3), "a": 0.0}
    z = normalise([("x", 1.0), ("y", 3.0)], "zscore")
    assert z == {"x": -1.0, "y": 1.0}
    assert normalise([("x", 2.0)], "minmax") == {"x": 1.0}  # one hit is the best hit
    assert normalise([("x", 2.0)], "zscore") == {"x": 1.0}
    assert normalise([], "zscore") == {}
    # "max": against a floor of 0 — 12 → 1, 6 → 0.5, 3 → 0.25; negatives clip to 0.
    assert normalise(LEXICAL, "max") == {"c": 1.0, "d": 0.5, "a": 0.25}
    assert normalise([("x", 0.5), ("y", -0.1)], "max") == {"x": 1.0, "y": 0.0}


def test_weighted_minmax_by_hand():
    # dense minmax: a 1, b 0.75, c 0; lexical minmax: c 1, d 1/3, a 0
    fused = dict(weighted([DENSE, LEXICAL], [0.5, 0.5], how="minmax"))
    assert fused == {"a": pytest.approx(0.5), "b": pytest.approx(0.375),
                     "c": pytest.approx(0.5), "d": pytest.approx(1 / 6)}


def test_weighted_zscore_missing_id_gets_the_list_floor():
    dense = [("a", 3.0), ("b", 1.0)]      # z: a 1, b -1
    lexical = [("b", 10.0), ("c", 0.0)]   # z: b 1, c -1 ; floor -1
    fused = dict(weighted([dense, lexical], [0.5, 0.5], how="zscore"))
    assert fused["a"] == pytest.approx(0.5 * 1 + 0.5 * -1)   # absent from lexical → floor
    assert fused["b"] == pytest.approx(0.0)
    assert fused["c"] == pytest.approx(0.5 * -1 + 0.5 * -1)  # dense floor is -1 too


def test_fuse_dense_weight_moves_the_winner():
    assert fuse(DENSE, LEXICAL, dense_weight=1.0, how="minmax")[0][0] == "a"
    assert fuse(DENSE, LEXICAL, dense_weight=0.0, how="minmax")[0][0] == "c"
    assert fuse(DENSE, LEXICAL, method="rrf", dense_weight=0.9)[0][0] == "a"
    assert fuse([], [], method="rrf") == []


def test_zscore_counts_unreturned_bm25_results_as_zeros():
    # Asked for 4, BM25 returned one match: the list is [6, 0, 0, 0] → mean 1.5, sd √6.75.
    lexical = [("x", 6.0)]
    dense = [("y", 0.9), ("x", 0.5), ("z", 0.4)]
    fused = dict(weighted([dense, lexical], [0.5, 0.5], how="zscore", depths=[None, 4]))
    sd = math.sqrt(6.75)
    dz = normalise(dense, "zscore")
    assert fused["x"] == pytest.approx(0.5 * dz["x"] + 0.5 * (6 - 1.5) / sd)
    assert fused["y"] == pytest.approx(0.5 * dz["y"] + 0.5 * (0 - 1.5) / sd)  # floor = z(0)
    # The lone exact match now wins; without the depth a lone hit only counts 1 (one sd).
    assert fuse(dense, lexical, how="zscore", lexical_depth=4)[0][0] == "x"
    assert fuse(dense, lexical, how="zscore", dense_weight=0.8)[0][0] == "y"
