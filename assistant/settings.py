"""One Settings object: environment variables with the ASSISTANT_ prefix, or a .env file.

Built once at an edge (CLI, app.py, HTTP app); the library below takes plain arguments.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answering.abstain import DEFAULT_THRESHOLD
from assistant.results import Mode


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Where the index and article store live.")
    embedding_model: str | None = Field(
        None, description="Local model folder or name; unset = the bundled all-MiniLM-L6-v2."
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
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
    k: int = Field(5, ge=1, le=100, description="Passages retrieved per question.")
    chunk_tokens: int = Field(170, ge=50, le=400, description="Target tokens per chunk.")
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Larger files are refused.")
    llm: Literal["extractive", "openai", "ollama"] = Field(
        "extractive", description="Answer backend; extractive needs no LLM."
    )
    min_support: float = Field(
        0.35, ge=0.0, le=1.0, description="Below this support the assistant abstains."
    )
    max_answer_sentences: int = Field(3, ge=1, le=10)
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
        DEFAULT_THRESHOLD, ge=0.0, le=1.0,
        description="Extractive: abstain when P(unanswerable) exceeds this; lower = more often.",
    )
    min_citation_similarity: float = Field(
        0.5, ge=-1.0, le=1.0,
        description="A cited sentence needs this cosine with a sentence of its passage.",
    )
    min_citation_terms: float = Field(
        0.5, ge=0.0, le=1.0,
        description="Share of a cited sentence's key terms its passage must contain.",
    )
    index_batch_chunks: int = Field(
        256, ge=1, le=10000, description="Chunks embedded and written per batch while indexing."
    )
    near_duplicate_threshold: float = Field(
        0.4, gt=0.0, le=1.0,
        description="Estimated Jaccard similarity (MinHash) from which two articles are one story.",
    )
    fetch_timeout: float = Field(
        20.0, gt=0, description="Seconds one web page or feed may take in all (connecting, "
        "redirects, the whole body).",
    )
    max_fetch_bytes: int = Field(
        10 * 1024 * 1024, ge=1, description="A web page or feed larger than this is refused."
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
        "weighted", description="Weighted sum of normalised scores, or reciprocal rank fusion."
    )
    dense_weight: float = Field(
        0.5, ge=0.0, le=1.0, description="Share of the dense side in fusion (lexical: 1 - it)."
    )
    fusion_normalisation: Literal["zscore", "minmax", "max"] = Field(
        "zscore", description="How each side's scores are put on one scale before the sum."
    )
    rrf_k: int = Field(60, ge=1, description="The k of reciprocal rank fusion.")
    retrieval_candidates: int = Field(
        100, ge=1, le=1000, description="Candidates taken from each side before fusion."
    )
    max_per_article: int | None = Field(
        2, ge=1, description="At most this many passages of one article in the top k."
    )
    merge_adjacent: bool = Field(True, description="Merge neighbouring chunks of one article.")
    mmr: bool = Field(False, description="Re-order candidates by maximal marginal relevance.")
    mmr_lambda: float = Field(0.7, ge=0.0, le=1.0, description="MMR relevance/novelty balance.")
    reranker_path: Path | None = Field(
        None, description="A local cross-encoder folder; unset = no reranking."
    )
    rerank_candidates: int = Field(30, ge=1, le=500, description="Candidates reranked.")
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
