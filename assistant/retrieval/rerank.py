"""An optional reranking stage: re-score the top fused candidates with a stronger model.

``Reranker`` is the whole interface (query + passage texts → scores, higher is better). The one
implementation that ships loads a sentence-transformers cross-encoder from a LOCAL folder, lazily,
on first use; none is bundled, so reranking is off unless ``ASSISTANT_RERANKER_PATH`` is set.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import ConfigError
from assistant.results import Passage


class Reranker(Protocol):
    def score(self, query: str, texts: Sequence[str]) -> Sequence[float]:
        """One relevance score per text, higher is better."""
        ...


class CrossEncoderReranker:
    """A cross-encoder (e.g. ms-marco-MiniLM-L-6-v2) read from a local folder; never downloaded."""

    def __init__(self, path: str | Path, *, batch_size: int = 32) -> None:
        self.path = Path(path)
        if not (self.path / "config.json").is_file():
            raise ConfigError(
                f"No cross-encoder at {self.path} (expected a sentence-transformers model folder "
                "with config.json). Set ASSISTANT_RERANKER_PATH to such a folder, or unset it to "
                "retrieve without reranking."
            )
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from index.offline import ensure_offline

                ensure_offline()
                from sentence_transformers import CrossEncoder

                self._model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        model = self._model or self._load()
        scores = model.predict([(query, t) for t in texts], batch_size=self.batch_size,
                               show_progress_bar=False)
        return [float(s) for s in scores]


def rerank(reranker: Reranker, query: str, ranked: Sequence[Passage], *, top: int
           ) -> list[Passage]:
    """The first ``top`` passages re-ordered by the reranker's scores (which become their
    scores); the rest keep their order after them."""
    head, tail = list(ranked[:top]), list(ranked[top:])
    scores = list(reranker.score(query, [p.text for p in head]))
    if len(scores) != len(head):
        raise ValueError(f"The reranker returned {len(scores)} scores for {len(head)} passages.")
    order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
    return [replace(head[i], score=round(float(scores[i]), 4)) for i in order] + tail
