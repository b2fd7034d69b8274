"""One Settings object: environment variables with the ASSISTANT_ prefix, or a .env file.

Built once at an edge (CLI, app.py, HTTP app); the library below takes plain arguments. A
setting that tunes a stage (retrieval, answering, verification, chunking, indexing) takes its
default from that stage, where the value is written once with how it was chosen.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answering.config import ExtractiveConfig
from assistant.answering.verify import CitationVerifier
from assistant.results import MAX_K, Mode
from assistant.retrieval.config import RetrievalConfig
from index.chunking import TARGET_TOKENS
from index.duplicates import THRESHOLD as NEAR_DUPLICATE_THRESHOLD
from index.embeddings import LocalEmbeddings
from index.fetcher import DEFAULT_MAX_FETCH_BYTES, Fetcher
from index.indexer import Indexer
from index.loaders import DEFAULT_MAX_BYTES


def stage_default(stage: Callable[..., Any], parameter: str) -> Any:
    """The default a stage's constructor gives ``parameter``: written there, read here."""
    return inspect.signature(stage).parameters[parameter].default


RETRIEVAL = RetrievalConfig()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Where the index and article store live.")
    embedding_model: str | None = Field(
        None, description="Local model folder or name; unset = the bundled all-MiniLM-L6-v2."
    )
    embedding_batch_size: int = Field(
        stage_default(LocalEmbeddings, "batch_size"), ge=1, le=1024)
    encoder: Literal["auto", "fp32", "bf16", "int8", "onnx-int8"] = Field(
        "auto", description="How the embedding model runs: auto picks onnx-int8 (ONNX Runtime, "
        "int8) where the CPU has int8 dot-product instructions (VNNI), else fp32; bf16 and int8 "
        "run the model in torch. See docs/performance.md for the measurements. Changing "
        "it needs 'assistant index rebuild'.",
    )
    encoder_cache_dir: Path | None = Field(
        None, description="Where the onnx-int8 encoder's exported model is cached; unset = "
        "$XDG_CACHE_HOME/news-assistant/encoders (~/.cache/news-assistant/encoders).",
    )
    k: int = Field(5, ge=1, le=MAX_K, description="Passages retrieved per question.")
    chunk_tokens: int = Field(TARGET_TOKENS, ge=50, le=400, description="Target tokens per chunk.")
    max_file_bytes: int = Field(DEFAULT_MAX_BYTES, ge=1, description="Larger files are refused.")
    llm: Literal["extractive", "openai", "ollama"] = Field(
        "extractive", description="Answer backend; extractive needs no LLM."
    )
    min_support: float = Field(
        ExtractiveConfig.min_support, ge=0.0, le=1.0,
        description="Below this support the assistant abstains."
    )
    max_answer_sentences: int = Field(
        ExtractiveConfig.max_sentences, ge=1, le=10)
    prompts_dir: Path | None = Field(None, description="Folder overriding prompts/*.txt.")
    llm_model: str | None = Field(None, description="Chat model name for openai/ollama.")
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible /v1 URL (vLLM, llama.cpp, LM Studio) or Ollama URL."
    )
    llm_api_key: SecretStr | None = Field(None, description="API key for the openai backend.")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0)
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds an LLM reply may take in all, streamed ones included; "
        "then the call gives up with an error.",
    )
    llm_max_tokens: int = Field(
        512, ge=1, le=32768, description="Most tokens the LLM may write per reply: sent as "
        "max_tokens to OpenAI-compatible servers, max_completion_tokens to OpenAI, num_predict "
        "to Ollama.",
    )
    abstain_threshold: float = Field(
        ExtractiveConfig.abstain_threshold, ge=0.0, le=1.0,
        description="Extractive: abstain when P(unanswerable) exceeds this; lower = more often.",
    )
    min_citation_similarity: float = Field(
        stage_default(CitationVerifier, "min_similarity"), ge=-1.0, le=1.0,
        description="A cited sentence needs this cosine with a sentence of its passage.",
    )
    min_citation_terms: float = Field(
        stage_default(CitationVerifier, "min_terms"), ge=0.0, le=1.0,
        description="Share of a cited sentence's key terms its passage must contain.",
    )
    index_batch_chunks: int = Field(
        stage_default(Indexer, "batch_chunks"), ge=1, le=10000,
        description="Chunks embedded and written per batch while indexing."
    )
    near_duplicate_threshold: float = Field(
        NEAR_DUPLICATE_THRESHOLD, gt=0.0, le=1.0,
        description="Estimated Jaccard similarity (MinHash) from which two articles are one story.",
    )
    fetch_timeout: float = Field(
        Fetcher.timeout, gt=0, description="Seconds one web page or feed may take in all "
        "(connecting, redirects, the whole body).",
    )
    max_fetch_bytes: int = Field(
        DEFAULT_MAX_FETCH_BYTES, ge=1, description="A web page or feed larger than this is refused."
    )
    fetch_allow: str | None = Field(
        None, description="Comma-separated hosts or networks (CIDR) that may be fetched although "
        "not public (loopback, private, link-local…); unset = public addresses only.",
    )
    max_concurrent_fetches: int = Field(
        4, ge=1, le=32, description="Fetches (URLs, feeds) at once; more are refused as busy."
    )
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    api_token: SecretStr | None = Field(
        None, description="Bearer token required by the HTTP API (required off loopback)."
    )
    ui_username: str | None = Field(None, description="UI login (required off loopback).")
    ui_password: SecretStr | None = None
    max_upload_bytes: int = Field(10 * 1024 * 1024, ge=1, description="Upload size limit.")
    allowed_hosts: str | None = Field(
        None, description="Comma-separated extra host names the server answers to (behind a "
        "proxy); * = any.",
    )

    trusted_proxies: str | None = Field(
        None, description="Comma-separated addresses of reverse proxies whose X-Forwarded-For "
        "is believed; unset = none (the peer's own address counts).",
    )

    @field_validator("catalog_url_setting")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if not value:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            make_url(value).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            raise ValueError("not a database URL SQLAlchemy knows; give e.g. "
                             "postgresql+psycopg://user:password@host/news, or unset it for "
                             "SQLite in the data dir") from exc
        return value

    @field_validator("fetch_allow")
    @classmethod
    def _check_fetch_allow(cls, value: str | None) -> str | None:
        from index.addresses import AllowList

        AllowList.parse(value)  # a bad entry stops start-up, named
        return value

    @property
    def ui_auth(self) -> tuple[str, str] | None:
        if self.ui_username and self.ui_password:
            return self.ui_username, self.ui_password.get_secret_value()
        return None

    @property
    def allowed_host_names(self) -> tuple[str, ...]:
        return tuple(h.strip() for h in (self.allowed_hosts or "").split(",") if h.strip())

    @property
    def token(self) -> str | None:
        return self.api_token.get_secret_value() if self.api_token else None

    # -- retrieval (hybrid search, filters, dates, diversity, reranking) --------------------
    retrieval_mode: Mode = Field(
        "hybrid", description="hybrid = dense + BM25 fused; or one side alone."
    )
    fusion: Literal["weighted", "rrf"] = Field(
        RETRIEVAL.fusion,
        description="Weighted sum of normalised scores, or reciprocal rank fusion."
    )
    dense_weight: float = Field(
        RETRIEVAL.dense_weight, ge=0.0, le=1.0,
        description="Share of the dense side in fusion (lexical: 1 - it)."
    )
    fusion_normalisation: Literal["zscore", "minmax", "max"] = Field(
        RETRIEVAL.normalisation,
        description="How each side's scores are put on one scale before the sum."
    )
    rrf_k: int = Field(RETRIEVAL.rrf_k, ge=1, description="The k of reciprocal rank fusion.")
    retrieval_candidates: int = Field(
        RETRIEVAL.candidates, ge=1, le=1000,
        description="Candidates taken from each side before fusion."
    )
    max_per_article: int | None = Field(
        RETRIEVAL.max_per_article, ge=1,
        description="At most this many passages of one article in the top k."
    )
    merge_adjacent: bool = Field(
        RETRIEVAL.merge_adjacent,
        description="Merge neighbouring chunks of one article."
    )
    mmr: bool = Field(
        RETRIEVAL.mmr,
        description="Re-order candidates by maximal marginal relevance."
    )
    mmr_lambda: float = Field(
        RETRIEVAL.mmr_lambda, ge=0.0, le=1.0,
        description="MMR relevance/novelty balance."
    )
    reranker_path: Path | None = Field(
        None, description="A local cross-encoder folder; unset = no reranking."
    )
    rerank_candidates: int = Field(
        RETRIEVAL.rerank_candidates, ge=1, le=500,
        description="Candidates reranked."
    )
    reference_date: date | None = Field(
        None, description='What "yesterday" or "last week" count from; unset = today.'
    )
    date_filter: bool = Field(
        True, description="Turn dates in questions into a published-date filter."
    )

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_url(self) -> str:
        if self.catalog_url_setting:
            return self.catalog_url_setting
        return f"sqlite:///{(self.data_dir / 'articles.db').resolve()}"

    # -- scaling out: a Chroma server and a shared article store (docs/deployment.md) --------
    chroma_host: str | None = Field(
        None, description="A Chroma server's host; set = HttpClient, unset = embedded Chroma."
    )
    chroma_port: int = Field(8000, ge=1, le=65535, description="The Chroma server's port.")
    chroma_ssl: bool = Field(False, description="Talk to the Chroma server over HTTPS.")
    chroma_headers: dict[str, str] = Field(
        default_factory=dict,
        description='HTTP headers for the Chroma server, e.g. {"Authorization": "Bearer …"}.',
    )
    chroma_tenant: str | None = Field(None, description="Chroma tenant; unset = its default.")
    chroma_database: str | None = Field(None, description="Chroma database; unset = its default.")
    # Named apart from the catalog_url property (which falls back to SQLite in whatever data dir
    # the settings have, also after model_copy); set as ASSISTANT_CATALOG_URL or catalog_url=.
    catalog_url_setting: str | None = Field(
        None, validation_alias=AliasChoices("catalog_url", "ASSISTANT_CATALOG_URL"),
        description="SQLAlchemy URL of the article store (postgresql+psycopg://… to share it); "
        "unset = SQLite in the data dir.",
    )
