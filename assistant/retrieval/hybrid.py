"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, fused, filtered, diversified.

``HybridRetriever`` is a LangChain ``BaseRetriever``; ``mode`` picks hybrid (the default), dense
or lexical per retriever or per call. The pipeline for one question:

    filters ─► dense top-N (Chroma where) ┐
           └► lexical top-N (same filter) ┴► fuse ─► [rerank top-M] ─► [MMR] ─► cap + merge ─► k

Every stage is a pure function elsewhere (fusion.py, diversity.py) or behind a small interface
(rerank.Reranker), so each is tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answering.forms import ASKING
from assistant.results import MODES, Mode, Passage, RetrievalResult
from assistant.retrieval.config import RetrievalConfig
from assistant.retrieval.dates import DateRange, prefer_dates
from assistant.retrieval.diversity import collapse_duplicates, diversify, mmr
from assistant.retrieval.filters import Filters
from assistant.retrieval.fusion import fuse
from assistant.retrieval.rerank import rerank
from index.lexical import LexicalIndex
from index.shared import SharedStore
from index.store import ChunkStore


class HybridRetriever(BaseRetriever):
    """Dense + BM25 retrieval fused into one ranking; drops into any LangChain chain."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: SharedStore | ChunkStore  # shared: dense hits only of articles the catalog holds
    embeddings: Embeddings
    lexical: LexicalIndex
    k: int
    mode: Mode = "hybrid"
    filters: Filters = Filters()
    config: RetrievalConfig = RetrievalConfig()
    reranker: Any = None  # a rerank.Reranker, or None
    article_text: Callable[[str], str | None] | None = None

    def ranked(
        self,
        query: str,
        *,
        mode: Mode | None = None,
        filters: Filters | None = None,
        depth: int | None = None,
    ) -> list[Passage]:
        """Every candidate chunk, best first, before reranking and diversity (the evaluator
        ranks these)."""
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError(f"Unknown retrieval mode {mode!r}: use one of {', '.join(MODES)}.")
        filters = filters or self.filters
        depth = depth or self.config.candidates
        dense = self._dense(query, filters, depth) if mode in ("hybrid", "dense") else []
        lexical = self._lexical(ASKING.sub("how", query), filters, depth) \
            if mode in ("hybrid", "lexical") else []
        if mode == "dense":
            return dense
        if mode == "lexical":
            return lexical
        by_id = {p.chunk_id: p for p in lexical}
        by_id.update({p.chunk_id: p for p in dense})
        fused = fuse([(p.chunk_id, p.score) for p in dense],
                     [(p.chunk_id, p.score) for p in lexical],
                     method=self.config.fusion, dense_weight=self.config.dense_weight,
                     how=self.config.normalisation, rrf_k=self.config.rrf_k,
                     lexical_depth=depth)
        return [replace(by_id[i], score=round(s, 4)) for i, s in fused]

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        mode: Mode | None = None,
        filters: Filters | None = None,
        prefer: DateRange | None = None,
    ) -> list[Passage]:
        """The top ``k`` passages; ``prefer`` ranks articles published in (or just before) that
        range first among the candidates, excluding none."""
        k = k or self.k
        config = self.config
        candidates = self.ranked(query, mode=mode, filters=filters,
                                 depth=max(config.candidates, 4 * k))
        if prefer is not None:
            candidates = prefer_dates(candidates, prefer)
        if self.reranker is not None and candidates:
            candidates = rerank(self.reranker, query, candidates, top=config.rerank_candidates)
        if config.mmr and candidates:
            pool = candidates[: max(4 * k, 20)]
            vectors = np.asarray(self.embeddings.embed_documents([p.text for p in pool]))
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-12)
            order = mmr([p.score for p in pool], vectors, k=len(pool), lambda_=config.mmr_lambda)
            candidates = [pool[i] for i in order]
        # One copy of a syndicated story: its near-duplicates give way to the best-ranked.
        candidates = collapse_duplicates(candidates)
        return diversify(candidates, k=k, max_per_article=config.max_per_article,
                         merge=config.merge_adjacent, article_text=self.article_text)

    def search_result(
        self, query: str, *, k: int | None = None, mode: Mode | None = None,
        filters: Filters | None = None, dates: DateRange | None = None,
        scope: bool = False,
    ) -> RetrievalResult:
        """``search`` with what shaped it. ``dates`` (resolved from the question: "last week")
        are a preference: articles of that period (or the days just before it) rank first, and
        nothing is excluded. With ``scope`` (a digest of the period) they are a filter, even
        when nothing matches."""
        mode = mode or self.mode
        filters = filters or self.filters
        if dates is not None and scope:
            dated = filters.with_dates(dates.start, dates.end)
            passages = self.search(query, k=k, mode=mode, filters=dated)
            return RetrievalResult(query, passages, mode, dated, dates, True)
        passages = self.search(query, k=k, mode=mode, filters=filters, prefer=dates)
        return RetrievalResult(query, passages, mode, filters, dates, False,
                               dates_preferred=dates is not None)

    def _dense(self, query: str, filters: Filters, depth: int) -> list[Passage]:
        vector = self.embeddings.embed_query(query)
        return [Passage.from_stored(c) for c in self.store.query(vector, k=depth,
                                                                 where=filters.where())]

    def _lexical(self, query: str, filters: Filters, depth: int) -> list[Passage]:
        keep = None if filters.empty else filters.matches
        return [Passage.from_stored(c) for c in self.lexical.search(query, k=depth, keep=keep)]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [p.to_document() for p in self.search(query)]
