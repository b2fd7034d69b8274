"""The Assistant: one object that indexes articles and answers questions about them.

``Assistant.from_settings`` wires the defaults (embedded Chroma, SQLite catalog, the bundled
embedding model, the extractive answerer); the constructor takes every part explicitly, so tests
and other deployments can pass their own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel

from assistant.answer import Answer, ExtractiveAnswerer
from assistant.conversation import normalise_history, rewrite_followup
from assistant.dates import resolve_dates
from assistant.filters import Filters
from assistant.hybrid import HybridRetriever, Mode, RetrievalConfig, RetrievalResult
from assistant.llm import LLMAnswerer, make_chat_model
from assistant.prompts import Prompts, load_prompts
from assistant.retrieval import DenseRetriever, Passage
from assistant.sentences import CachedEncoder
from assistant.settings import Settings
from assistant.verify import CitationVerifier
from index.articles import Article, article_id
from index.catalog import ArticleRow, Catalog
from index.chunking import MAX_TOKENS, TARGET_TOKENS
from index.duplicates import NearDuplicateFinder
from index.embeddings import LocalEmbeddings
from index.errors import IndexingError, IndexNotFound
from index.indexer import Indexer, ProgressFn, ReindexReport
from index.lexical import LexicalIndex
from index.loaders import DEFAULT_MAX_BYTES, load_paths
from index.locking import catalog_lock, writer_lock
from index.store import COLLECTION, ChunkStore, drop_collection, http_client, persistent_client
from index.sync import SyncReport, sync_folder
from index.web import load_feed, load_urls, make_client

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

AnswerFn = Callable[[str, Sequence[Passage]], Answer]
# A conversation so far: {"role": "user" | "assistant", "content": str} dicts or LangChain
# messages, oldest first.
History = Sequence[Any]


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
        chat_model: BaseChatModel | None = None,
        verifier: CitationVerifier | None = None,
        sentence_encoder: CachedEncoder | None = None,
        mode: Mode = "hybrid",
        retrieval: RetrievalConfig | None = None,
        reranker: Any = None,
        reference_date: date | None = None,
        date_filter: bool = True,
        drop_store: Callable[[str], None] | None = None,
        batch_chunks: int = 256,
        near_duplicate_threshold: float = 0.4,
        fetch_timeout: float = 20.0,
    ) -> None:
        self.catalog = catalog
        self.embeddings = embeddings
        self.prompts = prompts or load_prompts()
        # One cache of sentence vectors shared by the answerer and the verifier.
        self.sentence_encoder = sentence_encoder or CachedEncoder(embeddings.encode)
        self.verifier = verifier or CitationVerifier(self.sentence_encoder)
        self.chat_model = chat_model
        if answerer is None and chat_model is not None:
            answerer = LLMAnswerer(chat_model, self.prompts, self.verifier)
        self.answerer = answerer or ExtractiveAnswerer(self.sentence_encoder)
        self.k = k
        self.data_dir = data_dir
        self.chunk_tokens = chunk_tokens
        self.max_file_bytes = max_file_bytes
        self._store_factory = store_factory
        self._store: ChunkStore | None = None
        self._store_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.mode: Mode = mode
        self.retrieval = retrieval or RetrievalConfig()
        self.reranker = reranker
        self.reference_date = reference_date
        self.date_filter = date_filter
        self._lexical: LexicalIndex | None = None
        self._drop_store = drop_store
        self.batch_chunks = batch_chunks
        self.near_duplicate_threshold = near_duplicate_threshold
        # Kept between writes and synced with the catalog: a write reads only new signatures.
        # Made by the first write (it imports datasketch, which a question never needs).
        self._near_duplicates: NearDuplicateFinder | None = None
        self.fetch_timeout = fetch_timeout

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        embeddings: LocalEmbeddings | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> Assistant:
        """The default wiring; pass ``embeddings`` to share one loaded model between several,
        ``chat_model`` to answer with that model instead of the one the settings describe."""
        settings = settings or Settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        embeddings = embeddings or LocalEmbeddings(settings.embedding_model,
                                                   batch_size=settings.embedding_batch_size,
                                                   encoder=settings.encoder,
                                                   cache_dir=settings.encoder_cache_dir)
        encoder = CachedEncoder(embeddings.encode)
        prompts = load_prompts(settings.prompts_dir)
        verifier = CitationVerifier(encoder, min_similarity=settings.min_citation_similarity,
                                    min_terms=settings.min_citation_terms)
        chat_model = chat_model or make_chat_model(settings)

        def store_factory(collection: str = COLLECTION) -> ChunkStore:
            return ChunkStore(chroma_client(settings),
                              model_name=embeddings.name, dimension=embeddings.dimension,
                              collection=collection)

        def drop_store(collection: str) -> None:
            drop_collection(chroma_client(settings), collection)

        return cls(
            drop_store=drop_store,
            batch_chunks=settings.index_batch_chunks,
            near_duplicate_threshold=settings.near_duplicate_threshold,
            fetch_timeout=settings.fetch_timeout,
            catalog=Catalog.from_url(settings.catalog_url),
            store_factory=store_factory,
            embeddings=embeddings,
            answerer=LLMAnswerer(chat_model, prompts, verifier) if chat_model else
            ExtractiveAnswerer(
                encoder, min_support=settings.min_support,
                max_sentences=settings.max_answer_sentences,
                abstain_threshold=settings.abstain_threshold,
            ),
            prompts=prompts,
            k=settings.k,
            data_dir=settings.data_dir,
            chunk_tokens=settings.chunk_tokens,
            max_file_bytes=settings.max_file_bytes,
            chat_model=chat_model,
            verifier=verifier,
            sentence_encoder=encoder,
            mode=settings.retrieval_mode,
            retrieval=retrieval_config(settings),
            reranker=_reranker(settings),
            reference_date=settings.reference_date,
            date_filter=settings.date_filter,
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
    def retriever(self) -> HybridRetriever:
        """A LangChain retriever over the index (``k`` and ``mode`` from the settings)."""
        return HybridRetriever(
            store=self.store, embeddings=self.embeddings, lexical=self.lexical, k=self.k,
            mode=self.mode, config=self.retrieval, reranker=self.reranker,
            article_text=self._article_text,
        )

    @property
    def dense_retriever(self) -> DenseRetriever:
        """Dense-only retrieval, as before hybrid search (kept for callers that want it)."""
        return DenseRetriever(store=self.store, embeddings=self.embeddings, k=self.k)

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index of the chunks, brought up to date with the catalog on use."""
        if self._lexical is None:
            with self._store_lock:
                if self._lexical is None:
                    path = self.data_dir / "lexical" if self.data_dir else None
                    self._lexical = LexicalIndex(path, self.catalog, lambda: self.store)
        return self._lexical

    def _article_text(self, article_id: str) -> str | None:
        entry = self.catalog.entry(article_id)
        return entry.article.text if entry else None

    @property
    def chain(self) -> Runnable[str, Answer]:
        """The answer path as an LCEL runnable: question → passages → Answer."""
        return RunnableParallel(
            question=RunnableLambda(lambda q: q), passages=RunnableLambda(self.retrieve)
        ) | RunnableLambda(lambda x: self.answerer(x["question"], x["passages"]))

    def _indexer(self, store: ChunkStore | None = None) -> Indexer:
        if self._near_duplicates is None:
            self._near_duplicates = NearDuplicateFinder(threshold=self.near_duplicate_threshold)
        return Indexer(self.catalog, store or self.store, self.embeddings.encode,
                       target_tokens=self.chunk_tokens,
                       max_tokens=max(MAX_TOKENS, self.chunk_tokens + 30),
                       batch_chunks=self.batch_chunks,
                       near_duplicate_threshold=self.near_duplicate_threshold,
                       near_duplicates=self._near_duplicates)

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
        """One writer at a time: threads of this process, and other processes (CLI, server).

        Every write ends by bringing the lexical index up to date (it reads only the articles
        that changed)."""
        # The file lock covers this machine; catalog_lock other machines sharing a PostgreSQL
        # catalog (README "Scaling out").
        with self._write_lock, writer_lock(self.data_dir), catalog_lock(self.catalog.engine):
            yield
            # After a failed write the index catches up with the catalog on its next use.
            self.lexical.refresh()

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
            return bool(self.catalog.known_ids([article_id]))

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
        return self.catalog.all_rows()

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
            # Chunking may have changed too: the lexical index is derived again from scratch.
            self.lexical.reset()
            return report

    # -- answering -------------------------------------------------------------------------

    def retrieve(self, question: str, *, k: int | None = None, **options: Any) -> list[Passage]:
        """The passages for a question; ``options`` as for ``search`` (mode, filters, …)."""
        return self.search(question, k=k, **options).passages

    def search(
        self,
        question: str,
        *,
        k: int | None = None,
        mode: Mode | None = None,
        filters: Filters | None = None,
        reference_date: date | None = None,
        date_filter: bool | None = None,
    ) -> RetrievalResult:
        """Passages for a question, with the mode, filters and date range that shaped them.

        A date in the question ("last week", "in January 2018") narrows the published dates;
        when nothing matches that range, the question is retried without it and the result
        says the range was not applied."""
        self._require_index()
        k = k or self.k
        mode = mode or self.mode
        filters = filters or Filters()
        retriever = self.retriever
        use_dates = self.date_filter if date_filter is None else date_filter
        found = resolve_dates(question, reference_date or self.reference_date) if use_dates \
            else None
        if found is not None:
            dated = filters.with_dates(found.start, found.end)
            if dated != filters:
                passages = retriever.search(question, k=k, mode=mode, filters=dated)
                if passages:
                    return RetrievalResult(question, passages, mode, dated, found, True)
        passages = retriever.search(question, k=k, mode=mode, filters=filters)
        return RetrievalResult(question, passages, mode, filters, found, False)

    def ask(
        self, question: str, *, k: int | None = None, history: History | None = None,
        **options: Any,
    ) -> Answer:
        """The answer to ``question``; with ``history``, a follow-up is first rewritten into a
        standalone question (``Answer.rewritten_question``) that retrieval and answering use.
        ``options`` shape retrieval as for ``search`` (mode, filters, reference_date, …)."""
        *_, final = self.stream(question, k=k, history=history, **options)
        assert isinstance(final, Answer)
        return final

    def stream(
        self, question: str, *, k: int | None = None, history: History | None = None,
        **options: Any,
    ) -> Iterator[str | Answer]:
        """Text deltas of the answer, then the final Answer with its verified citations.

        With an LLM the deltas are its tokens as they arrive; the final Answer may drop the
        sentences the verifier could not back (they are in ``Answer.unsupported``).
        """
        standalone = self.standalone_question(question, history)
        asked = standalone or question
        found = self.search(asked, k=k, **options)
        passages = found.passages
        if found.date_filter_applied and found.date_range and found.date_range.expression:
            # The date already chose the articles; an article rarely repeats "in December
            # 2023", so the answerer should not look for those words in its sentences.
            asked = _without(asked, found.date_range.expression)
        stream = getattr(self.answerer, "stream", None)
        if stream is not None:
            for item in stream(asked, passages):
                if isinstance(item, Answer):
                    yield self._finish(item, question, standalone, found)
                else:
                    yield item
            return
        answer = self._finish(self.answerer(asked, passages), question, standalone, found)
        yield from _pieces(answer.text)
        yield answer

    def standalone_question(self, question: str, history: History | None) -> str | None:
        """``question`` rewritten to stand on its own given ``history``; None if it needs not."""
        turns = normalise_history(history)
        if not turns:
            return None
        condense = getattr(self.answerer, "condense", None)
        if condense is not None:
            return condense(question, turns)
        return rewrite_followup(question, turns)

    def _finish(
        self, answer: Answer, question: str, standalone: str | None, found: RetrievalResult
    ) -> Answer:
        # Every backend's answer is verified; an LLMAnswerer verifies its own reply.
        if not answer.abstained and not isinstance(self.answerer, LLMAnswerer):
            # An answerer's [n] points at its n-th citation, not at the n-th passage.
            by_span = {(p.article_id, p.start): p for p in answer.passages}
            cited = [by_span.get((c.article_id, c.start)) for c in
                     sorted(answer.citations, key=lambda c: c.n)]
            shown = [p for p in cited if p is not None]
            checked = self.verifier(answer.question, answer.text, shown)
            answer = replace(checked, passages=answer.passages,
                             unsupported=answer.unsupported + checked.unsupported)
        return replace(answer, question=question, rewritten_question=standalone,
                       date_range=found.date_range,
                       date_filter_applied=found.date_filter_applied)

    def stats(self) -> Stats:
        articles, chunks = self.catalog.counts()
        return Stats(
            data_dir=str(self.data_dir or ""), articles=articles, chunks=chunks,
            embedding_model=self.embeddings.name,
            embedding_dimension=self.embeddings.dimension,
        )

    def _require_index(self) -> None:
        if not self.catalog.has_articles():
            where = f" in {self.data_dir}" if self.data_dir else ""
            raise IndexNotFound(f"No articles are indexed{where} yet — run "
                                '"assistant index add PATH" (files or folders) first.')

    def close(self) -> None:
        self.catalog.close()


def chroma_client(settings: Settings) -> Any:
    """A Chroma server's client when ``chroma_host`` is set, else the embedded one."""
    if settings.chroma_host:
        return http_client(settings.chroma_host, settings.chroma_port, ssl=settings.chroma_ssl,
                           headers=settings.chroma_headers, tenant=settings.chroma_tenant,
                           database=settings.chroma_database)
    return persistent_client(settings.chroma_path)


def retrieval_config(settings: Settings) -> RetrievalConfig:
    return RetrievalConfig(
        fusion=settings.fusion, dense_weight=settings.dense_weight,
        normalisation=settings.fusion_normalisation, rrf_k=settings.rrf_k,
        candidates=settings.retrieval_candidates, max_per_article=settings.max_per_article,
        merge_adjacent=settings.merge_adjacent, mmr=settings.mmr, mmr_lambda=settings.mmr_lambda,
        rerank_candidates=settings.rerank_candidates,
    )


def _reranker(settings: Settings) -> Any:
    if settings.reranker_path is None:
        return None
    from assistant.rerank import CrossEncoderReranker

    return CrossEncoderReranker(settings.reranker_path)


def _without(question: str, expression: str) -> str:
    rest = re.sub(re.escape(expression), " ", question, count=1, flags=re.IGNORECASE)
    rest = re.sub(r"\s+([?.!,])", r"\1", " ".join(rest.split()))
    return rest if len(rest.strip(" ?.!")) >= 3 else question


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
