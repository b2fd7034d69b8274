"""The Assistant: one object that indexes articles and answers questions about them.

``Assistant.from_settings`` wires the defaults (embedded Chroma, SQLite catalog, the bundled
embedding model, the extractive answerer); the constructor takes every part explicitly, so tests
and other deployments can pass their own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel

from assistant.answer import Answer, ExtractiveAnswerer
from assistant.prompts import Prompts, load_prompts
from assistant.retrieval import DenseRetriever, Passage
from assistant.settings import Settings
from index.articles import DEFAULT_MAX_BYTES, Article, article_id, load_paths
from index.catalog import ArticleRow, Catalog
from index.chunking import MAX_TOKENS, TARGET_TOKENS
from index.embeddings import LocalEmbeddings
from index.errors import IndexingError, IndexNotFound
from index.locking import writer_lock
from index.reindex import Indexer, IndexHook, ProgressFn, ReindexReport
from index.store import COLLECTION, ChunkStore, drop_collection, persistent_client
from index.sync import SyncReport, sync_folder
from index.web import load_feed, load_urls, make_client

AnswerFn = Callable[[str, Sequence[Passage]], Answer]


@dataclass(frozen=True)
class Stats:
    data_dir: str
    articles: int
    chunks: int
    embedding_model: str
    embedding_dimension: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Assistant:
    """Indexes articles and answers questions with cited passages."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        store_factory: Callable[..., ChunkStore],
        embeddings: LocalEmbeddings,
        answerer: AnswerFn | None = None,
        prompts: Prompts | None = None,
        k: int = 5,
        data_dir: Path | None = None,
        chunk_tokens: int = TARGET_TOKENS,
        max_file_bytes: int = DEFAULT_MAX_BYTES,
        drop_store: Callable[[str], None] | None = None,
        batch_chunks: int = 256,
        near_duplicate_threshold: float = 0.4,
        fetch_timeout: float = 20.0,
    ) -> None:
        self.catalog = catalog
        self.embeddings = embeddings
        self.answerer = answerer or ExtractiveAnswerer(embeddings.encode)
        self.prompts = prompts or load_prompts()
        self.k = k
        self.data_dir = data_dir
        self.chunk_tokens = chunk_tokens
        self.max_file_bytes = max_file_bytes
        self._store_factory = store_factory
        self._store: ChunkStore | None = None
        self._store_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._drop_store = drop_store
        self.batch_chunks = batch_chunks
        self.near_duplicate_threshold = near_duplicate_threshold
        self.fetch_timeout = fetch_timeout
        # Derived indexes (a lexical index, say) that follow every add, remove and rebuild.
        self.index_hooks: list[IndexHook] = []

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, embeddings: LocalEmbeddings | None = None
    ) -> Assistant:
        """The default wiring; pass ``embeddings`` to share one loaded model between several."""
        settings = settings or Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        embeddings = embeddings or LocalEmbeddings(settings.embedding_model,
                                                   batch_size=settings.embedding_batch_size)

        def store_factory(collection: str = COLLECTION) -> ChunkStore:
            return ChunkStore(persistent_client(settings.chroma_path),
                              model_name=embeddings.name, dimension=embeddings.dimension,
                              collection=collection)

        def drop_store(collection: str) -> None:
            drop_collection(persistent_client(settings.chroma_path), collection)

        return cls(
            drop_store=drop_store,
            batch_chunks=settings.index_batch_chunks,
            near_duplicate_threshold=settings.near_duplicate_threshold,
            fetch_timeout=settings.fetch_timeout,
            catalog=Catalog.from_url(settings.catalog_url),
            store_factory=store_factory,
            embeddings=embeddings,
            answerer=ExtractiveAnswerer(
                embeddings.encode, min_support=settings.min_support,
                max_sentences=settings.max_answer_sentences,
            ),
            prompts=load_prompts(settings.prompts_dir),
            k=settings.k,
            data_dir=settings.data_dir,
            chunk_tokens=settings.chunk_tokens,
            max_file_bytes=settings.max_file_bytes,
        )

    # -- parts, created on first use -------------------------------------------------------

    @property
    def store(self) -> ChunkStore:
        if self._store is None:
            with self._store_lock:
                if self._store is None:
                    self._store = self._store_factory()
        return self._store

    @property
    def retriever(self) -> DenseRetriever:
        """A LangChain retriever over the index (``k`` from the settings)."""
        return DenseRetriever(store=self.store, embeddings=self.embeddings, k=self.k)

    @property
    def chain(self) -> Runnable[str, Answer]:
        """The answer path as an LCEL runnable: question → passages → Answer."""
        return RunnableParallel(
            question=RunnableLambda(lambda q: q), passages=RunnableLambda(self.retrieve)
        ) | RunnableLambda(lambda x: self.answerer(x["question"], x["passages"]))

    def _indexer(self, store: ChunkStore | None = None) -> Indexer:
        return Indexer(self.catalog, store or self.store, self.embeddings.encode,
                       target_tokens=self.chunk_tokens,
                       max_tokens=max(MAX_TOKENS, self.chunk_tokens + 30),
                       batch_chunks=self.batch_chunks, hooks=self.index_hooks,
                       near_duplicate_threshold=self.near_duplicate_threshold)

    # -- indexing --------------------------------------------------------------------------

    def add_paths(
        self, paths: Iterable[str | Path], *, progress: ProgressFn | None = None
    ) -> ReindexReport:
        """Index the articles in these files and folders; bad files are reported, not fatal."""
        loaded = load_paths(paths, max_bytes=self.max_file_bytes)
        return self.add_articles(loaded.articles, failures=loaded.failures, progress=progress)

    def add_articles(
        self,
        articles: Iterable[Article],
        *,
        failures: Sequence[Any] = (),
        progress: ProgressFn | None = None,
    ) -> ReindexReport:
        with self._writing():
            return self._indexer().add(articles, failures=failures, progress=progress)

    def remove(self, article_ids: Sequence[str]) -> int:
        with self._writing():
            return self._indexer().remove(article_ids)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer at a time: threads of this process, and other processes (CLI, server)."""
        with self._write_lock, writer_lock(self.data_dir):
            yield

    def sync(
        self, folder: str | Path, *, progress: ProgressFn | None = None
    ) -> SyncReport:
        """Mirror a folder: new files added, changed ones updated, deleted ones removed."""
        with self._writing():
            return sync_folder(self._indexer(), folder, max_bytes=self.max_file_bytes,
                               progress=progress)

    def add_urls(
        self, urls: Iterable[str], *, progress: ProgressFn | None = None, client: Any = None
    ) -> ReindexReport:
        """Fetch pages, extract their articles (trafilatura) and index them."""
        with _client(client, self.fetch_timeout) as http:
            articles, failures = load_urls(http, urls, max_bytes=self.max_file_bytes)
        return self._add_from(articles, failures, progress)

    def add_feed(
        self, url: str, *, progress: ProgressFn | None = None, client: Any = None
    ) -> ReindexReport:
        """Index a feed's new entries (their pages, else their own content); seen ones skipped."""
        def known(article_id: str) -> bool:
            return bool(self.catalog.known([article_id]))

        with _client(client, self.fetch_timeout) as http:
            feed = load_feed(http, url, is_known=known, max_bytes=self.max_file_bytes)
        report = self._add_from(feed.articles, feed.failures, progress)
        return replace(report, unchanged=report.unchanged + tuple(
            article_id(url=link, text="") for link in feed.skipped))

    def _add_from(
        self, articles: list[Article], failures: list[Any], progress: ProgressFn | None
    ) -> ReindexReport:
        origins = {a.id: a.url for a in articles if a.url}
        with self._writing():
            return self._indexer().add(articles, failures=failures, progress=progress,
                                       origins=origins)

    def list_articles(self) -> list[ArticleRow]:
        """Every indexed article (without its text), newest first, with duplicate links."""
        return self.catalog.rows()

    def rebuild(self, *, progress: ProgressFn | None = None) -> ReindexReport:
        """Re-derive the vector store (and every index hook) from the catalog, with the
        configured model: the way out of a ModelMismatch.

        The new collection is built beside the old one and swapped in at the end, so questions
        keep being answered from the old one meanwhile; an interrupted rebuild leaves the old
        one as it was (run it again).
        """
        if self._drop_store is None:
            raise IndexingError("This Assistant was built without a way to drop its vector "
                                "store; build it with Assistant.from_settings to rebuild.")
        staging = f"{COLLECTION}-rebuild"
        with self._writing():
            self._drop_store(staging)  # left over by an interrupted rebuild
            fresh = self._store_factory(collection=staging)
            report = self._indexer(store=fresh).rebuild(progress=progress)
            with self._store_lock:
                self._drop_store(COLLECTION)
                fresh.rename(COLLECTION)
                self._store = fresh
            return report

    # -- answering -------------------------------------------------------------------------

    def retrieve(self, question: str, *, k: int | None = None) -> list[Passage]:
        self._require_index()
        return self.retriever.search(question, k=k or self.k)

    def ask(self, question: str, *, k: int | None = None) -> Answer:
        return self.answerer(question, self.retrieve(question, k=k))

    def stream(self, question: str, *, k: int | None = None) -> Iterator[str | Answer]:
        """Text deltas of the answer, then the final Answer with its citations."""
        answer = self.ask(question, k=k)
        yield from _pieces(answer.text)
        yield answer

    def stats(self) -> Stats:
        articles, chunks = self.catalog.counts()
        return Stats(
            data_dir=str(self.data_dir or ""), articles=articles, chunks=chunks,
            embedding_model=self.embeddings.name,
            embedding_dimension=self.embeddings.dimension,
        )

    def _require_index(self) -> None:
        if self.catalog.counts()[0] == 0:
            where = f" in {self.data_dir}" if self.data_dir else ""
            raise IndexNotFound(f"No articles are indexed{where} yet — run "
                                '"assistant index add PATH" (files or folders) first.')

    def close(self) -> None:
        self.catalog.close()


def _pieces(text: str) -> Iterator[str]:
    """Word-sized deltas (with their trailing space), as a streaming LLM would send them."""
    start = 0
    for i, ch in enumerate(text):
        if ch == " " and i + 1 - start >= 12:
            yield text[start: i + 1]
            start = i + 1
    if start < len(text):
        yield text[start:]


@contextmanager
def _client(client: Any, timeout: float) -> Iterator[Any]:
    """The caller's HTTP client, or a fresh one closed afterwards."""
    if client is not None:
        yield client
        return
    with make_client(timeout=timeout) as fresh:
        yield fresh
