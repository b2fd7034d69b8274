"""Building an Assistant from Settings: the only place that reads them below the interfaces.

``parts`` wires the defaults: embedded Chroma (or a Chroma server when the settings
name one), the SQL catalog (SQLite in the data dir, or a shared database), the bundled embedding
model, and the extractive answerer, or a chat model when ``ASSISTANT_LLM`` asks for one.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.llm import LLMAnswerer
from assistant.answering.prompts import load_prompts
from assistant.answering.text import CachedEncoder
from assistant.answering.verify import CitationVerifier
from assistant.errors import ConfigError
from assistant.results import Mode
from assistant.retrieval.config import RetrievalConfig
from assistant.retrieval.rerank import Reranker
from assistant.settings import Settings
from index.catalog import Catalog
from index.embeddings import LocalEmbeddings
from index.store import (
    COLLECTION,
    ChunkStore,
    close_client,
    drop_collection,
    http_client,
    persistent_client,
    unused_segment_folders,
)

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


IN_MEMORY = "sqlite://"  # a catalog URL: an empty SQLite database in memory


def parts(
    settings: Settings | None = None,
    *,
    embeddings: LocalEmbeddings | None = None,
    chat_model: BaseChatModel | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``Assistant`` for these settings (``Assistant.from_settings``
    calls it); ``embeddings`` and ``chat_model`` replace the ones the settings describe."""
    settings = settings or Settings()
    # A read of a data dir never written creates none, but one that cannot be a folder is
    # said at once, whatever the command.
    blocked = next((p for p in (settings.data_dir, *settings.data_dir.parents)
                    if p.exists() and not p.is_dir()), None)
    try:
        if blocked is not None:
            raise NotADirectoryError(20, f"{blocked} is a file")
        if settings.catalog_url != IN_MEMORY:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot use {settings.data_dir} as the data dir "
                          f"({exc.strerror or exc}): give a folder this user can create or "
                          "write (--data-dir or ASSISTANT_DATA_DIR).") from exc
    embeddings = embeddings or LocalEmbeddings(settings.embedding_model,
                                               batch_size=settings.embedding_batch_size,
                                               encoder=settings.encoder,
                                               cache_dir=settings.encoder_cache_dir)
    # One cache of sentence vectors shared by the answerer and the verifier.
    encoder = CachedEncoder(embeddings.encode)
    verifier = CitationVerifier(encoder, min_similarity=settings.min_citation_similarity,
                                min_terms=settings.min_citation_terms)
    prompts = load_prompts(settings.prompts_dir)  # checked even when no LLM uses them
    chat_model = chat_model or make_chat_model(settings)
    answerer: LLMAnswerer | ExtractiveAnswerer
    if chat_model is not None:
        answerer = LLMAnswerer(chat_model, prompts, verifier, time_limit=settings.llm_timeout,
                               max_tokens=settings.llm_max_tokens, server=server_name(settings))
    else:
        answerer = ExtractiveAnswerer(encoder, min_support=settings.min_support,
                                      max_sentences=settings.max_answer_sentences,
                                      abstain_threshold=settings.abstain_threshold)
    return dict(
        catalog=Catalog.from_url(settings.catalog_url),
        stores=ChromaStores(settings, embeddings),
        embeddings=embeddings, answerer=answerer, verifier=verifier,
        options=options_from(settings), reranker=make_reranker(settings),
        data_dir=settings.data_dir,
    )


@dataclass(frozen=True)
class Options:
    """How the assistant retrieves and indexes (``options_from`` reads them from Settings,
    where every default is written)."""

    k: int
    mode: Mode
    retrieval: RetrievalConfig
    reference_date: date | None
    date_filter: bool
    chunk_tokens: int
    max_file_bytes: int
    batch_chunks: int
    near_duplicate_threshold: float
    fetch_timeout: float
    max_fetch_bytes: int
    fetch_allow: str | None
    max_concurrent_fetches: int


def options_from(settings: Settings) -> Options:
    return Options(
        k=settings.k, mode=settings.retrieval_mode, retrieval=retrieval_config(settings),
        reference_date=settings.reference_date, date_filter=settings.date_filter,
        chunk_tokens=settings.chunk_tokens, max_file_bytes=settings.max_file_bytes,
        batch_chunks=settings.index_batch_chunks,
        near_duplicate_threshold=settings.near_duplicate_threshold,
        fetch_timeout=settings.fetch_timeout, max_fetch_bytes=settings.max_fetch_bytes,
        fetch_allow=settings.fetch_allow, max_concurrent_fetches=settings.max_concurrent_fetches,
    )


def retrieval_config(settings: Settings) -> RetrievalConfig:
    return RetrievalConfig(
        fusion=settings.fusion, dense_weight=settings.dense_weight,
        normalisation=settings.fusion_normalisation, rrf_k=settings.rrf_k,
        candidates=settings.retrieval_candidates, max_per_article=settings.max_per_article,
        merge_adjacent=settings.merge_adjacent, mmr=settings.mmr, mmr_lambda=settings.mmr_lambda,
        rerank_candidates=settings.rerank_candidates,
    )


class ChromaStores:
    """Chunk stores in the Chroma the settings name, for this embedding model. An embedded
    store opens on a fresh view of the files (``persistent_client``), so it sees what other
    processes wrote until then; a server's clients share one view, so one client serves all."""

    def __init__(self, settings: Settings, embeddings: LocalEmbeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings
        self._server: Any = None

    def open(self, collection: str = COLLECTION) -> ChunkStore:
        if self.settings.chroma_host:
            self._server = self._server or chroma_client(self.settings)
            client = self._server
        else:
            client = persistent_client(self.settings.chroma_path, fresh=True)
        try:
            return ChunkStore(client, model_name=self.embeddings.name,
                              dimension=self.embeddings.dimension, collection=collection)
        except BaseException:
            close_client(client)
            raise

    def drop(self, collection: str) -> None:
        drop_collection(chroma_client(self.settings), collection)

    @property
    def where(self) -> str:
        s = self.settings
        return f"Chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host \
            else str(s.chroma_path)

    def set_aside(self) -> Path | None:
        """Move an embedded store that cannot be opened out of the way (to ``chroma.damaged-*``)
        so it can be rebuilt; None for a server, whose operator repairs it."""
        if self.settings.chroma_host:
            return None
        path = self.settings.chroma_path
        aside = path.with_name(f"{path.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
        path.rename(aside)
        return aside

    def collect_garbage(self) -> list[Path]:
        """Delete the vector folders of dropped collections (embedded Chroma only)."""
        if self.settings.chroma_host:
            return []
        unused = unused_segment_folders(self.settings.chroma_path)
        for folder in unused:
            shutil.rmtree(folder, ignore_errors=True)
        return unused


def chroma_client(settings: Settings) -> Any:
    """A Chroma server's client when ``chroma_host`` is set, else the embedded one."""
    if settings.chroma_host:
        return http_client(settings.chroma_host, settings.chroma_port, ssl=settings.chroma_ssl,
                           headers=settings.chroma_headers, tenant=settings.chroma_tenant,
                           database=settings.chroma_database)
    return persistent_client(settings.chroma_path)


def make_reranker(settings: Settings) -> Reranker | None:
    if settings.reranker_path is None:
        return None
    from assistant.retrieval.rerank import CrossEncoderReranker

    return CrossEncoderReranker(settings.reranker_path)


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model the settings ask for; None for the extractive backend."""
    if settings.llm == "extractive":
        return None
    if not settings.llm_model:
        raise ConfigError(f"ASSISTANT_LLM={settings.llm} needs a model name: set "
                          "ASSISTANT_LLM_MODEL (e.g. gpt-4o-mini, or llama3.2 for Ollama).")
    if settings.llm == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise ConfigError("ASSISTANT_LLM=openai needs langchain-openai: "
                              "pip install 'news-assistant[llm]'.") from exc
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url,
            # OpenAI-compatible local servers accept any key; the client insists on one.
            api_key=key or "not-needed", temperature=settings.llm_temperature,
            timeout=settings.llm_timeout, max_retries=1, **length_limit(settings),
        )
    if settings.llm == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise ConfigError("ASSISTANT_LLM=ollama needs langchain-ollama: "
                              "pip install 'news-assistant[llm]'.") from exc
        return ChatOllama(model=settings.llm_model,
                          base_url=settings.llm_base_url or OLLAMA_URL,
                          temperature=settings.llm_temperature,
                          num_predict=settings.llm_max_tokens,
                          client_kwargs={"timeout": settings.llm_timeout})
    raise ConfigError(f"Unknown ASSISTANT_LLM={settings.llm!r}; use extractive, openai or "
                      "ollama.")


OLLAMA_URL = "http://127.0.0.1:11434"


def length_limit(settings: Settings) -> dict[str, Any]:
    """``ChatOpenAI`` arguments that limit a reply to ``llm_max_tokens``. langchain-openai sends
    its ``max_tokens`` as ``max_completion_tokens``, which OpenAI's newer models require but some
    OpenAI-compatible servers ignore (llama.cpp's Python server ran a 64-token limit to 4,096
    tokens); those servers all read ``max_tokens``, so they get that instead."""
    if is_openai(settings.llm_base_url):
        return {"max_tokens": settings.llm_max_tokens}
    return {"extra_body": {"max_tokens": settings.llm_max_tokens}}


def is_openai(base_url: str | None) -> bool:
    """Whether the openai backend talks to OpenAI itself (no base URL, or one of its hosts)."""
    from urllib.parse import urlsplit

    if not base_url:
        return True
    host = urlsplit(base_url).hostname or ""
    return host == "openai.com" or host.endswith(".openai.com")


def server_name(settings: Settings) -> str:
    """The LLM backend as error messages name it."""
    url = settings.llm_base_url or ("https://api.openai.com/v1" if settings.llm == "openai"
                                    else OLLAMA_URL)
    return f"The language model server ({settings.llm} at {url})"
