"""Every default is written once: a setting that tunes a stage has that stage's own default."""

from __future__ import annotations

import dataclasses
import inspect

from assistant.answering.config import ExtractiveConfig
from assistant.answering.verify import CitationVerifier
from assistant.retrieval.config import RetrievalConfig
from assistant.settings import Settings
from assistant.wiring import retrieval_config
from index import chunking, duplicates, loaders
from index.embeddings import LocalEmbeddings
from index.fetcher import Fetcher
from index.indexer import Indexer


def default(stage, parameter: str):
    return inspect.signature(stage).parameters[parameter].default


def test_the_stages_defaults_are_the_settings_defaults():
    s = Settings(_env_file=None)
    assert s.min_support == ExtractiveConfig.min_support
    assert s.max_answer_sentences == ExtractiveConfig.max_sentences
    assert s.min_citation_similarity == default(CitationVerifier, "min_similarity")
    assert s.min_citation_terms == default(CitationVerifier, "min_terms")
    assert s.index_batch_chunks == default(Indexer, "batch_chunks")
    assert s.chunk_tokens == chunking.TARGET_TOKENS == default(Indexer, "target_tokens")
    assert s.near_duplicate_threshold == duplicates.THRESHOLD
    assert s.embedding_batch_size == default(LocalEmbeddings, "batch_size")
    assert s.max_file_bytes == loaders.DEFAULT_MAX_BYTES
    assert (s.fetch_timeout, s.max_fetch_bytes) == (Fetcher().timeout, Fetcher().max_bytes)
    # Every retrieval default: the settings build exactly the stage's own configuration.
    assert retrieval_config(s) == RetrievalConfig()
    assert {f.name for f in dataclasses.fields(RetrievalConfig)} <= {
        "fusion", "dense_weight", "normalisation", "rrf_k", "candidates", "max_per_article",
        "merge_adjacent", "mmr", "mmr_lambda", "rerank_candidates"}
