"""How hybrid retrieval finds, fuses and diversifies candidates: its tuning, with the defaults
written here once (``Settings`` takes its retrieval defaults from this class)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieval.fusion import FusionMethod, Normalisation

__all__ = ["RetrievalConfig"]


@dataclass(frozen=True)
class RetrievalConfig:
    """How candidates are found, fused and diversified (defaults measured on SciFact)."""

    fusion: FusionMethod = "weighted"
    dense_weight: float = 0.5
    normalisation: Normalisation = "zscore"
    rrf_k: int = 60
    candidates: int = 100  # per side, before fusion
    max_per_article: int | None = 2
    merge_adjacent: bool = True
    mmr: bool = False
    mmr_lambda: float = 0.7
    rerank_candidates: int = 30
