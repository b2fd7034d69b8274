"""The Assistant: the one object every interface calls to index articles and answer questions.
Its parts are passed in (``from_settings`` takes the defaults from ``wiring``). Writes run one
at a time across threads, processes and machines; questions read the index as it is."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import maintenance
from assistant.answering import Answerer
from assistant.answering.compose import nothing_published
from assistant.answering.conversation import last_cited, normalise_history
from assistant.answering.forms import digest_like, search_text
from assistant.answering.parts import widen
from assistant.answering.provenance import annotate, headline_likeness
from assistant.answering.verify import CitationVerifier
from assistant.fetching import FetchGate
from assistant.maintenance import StoreFactory
from assistant.results import (
    Answer,
    Final,
    Mode,
    Passage,
    RetrievalResult,
    Stats,
    StreamEvent,
    text_deltas,
)
from assistant.retrieval.dates import resolve_dates, without_phrase
from assistant.retrieval.filters import Filters
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.rerank import Reranker
from assistant.timeline import TIMELINE_K, Timeline, build_timeline, originals
from assistant.wiring import Options, parts
from index.articles import Article, article_id
from index.catalog import ArticleRow, Catalog, CatalogEntry
from index.check import CheckReport, export_jsonl, require_articles, require_chunks
from index.chunking import MAX_TOKENS
from index.duplicates import NearDuplicateFinder
from index.embeddings import LocalEmbeddings
from index.indexer import Indexer, ProgressFn, ReindexReport, RepairReport
from index.lexical import LexicalIndex
from index.loaders import load_paths, parse_files
from index.locking import catalog_lock, writer_lock
from index.shared import SharedStore
from index.store import COLLECTION, ChunkStore
from index.sync import SyncReport, sync_folder
from index.web import load_feed, load_urls

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import Settings

History = Sequence[Any]  # {"role", "content"} dicts or LangChain messages, oldest first


class Assistant:
    """Indexes articles and answers questions with cited passages."""

    def __init__(
        self, *, catalog: Catalog, stores: StoreFactory, embeddings: LocalEmbeddings,
        answerer: Answerer, verifier: CitationVerifier, options: Options,
        reranker: Reranker | None = None, data_dir: Path | None = None,
    ) -> None:
        self.catalog = catalog
        self.embeddings = embeddings
        self.answerer = answerer
        self.verifier = verifier
        self.options = options
        self.reranker = reranker
        self.data_dir = data_dir
        self._stores = stores
        self._shared = SharedStore(
            catalog, lambda: require_chunks(stores.open(), catalog, stores.where))
        self._lexical: LexicalIndex | None = None
        self._retriever: tuple[Options, Reranker | None, HybridRetriever] | None = None
        self._parts_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._fetches = FetchGate(options)
        # Made by the first write (datasketch, which a question never needs), then kept.
        self._near_duplicates: NearDuplicateFinder | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        embeddings: LocalEmbeddings | None = None,
        chat_model: BaseChatModel | None = None,
    ) -> Assistant:
        """The default wiring (``wiring.parts``); ``embeddings`` shares a loaded model."""
        return cls(**parts(settings, embeddings=embeddings, chat_model=chat_model))

    # -- parts, created on first use -------------------------------------------------------

    @property
    def store(self) -> ChunkStore:
        """The chunk store, on a view that includes other processes' writes (``SharedStore``)."""
        return self._shared.current()

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index of the chunks, brought up to date with the catalog on use."""
        if self._lexical is None:
            with self._parts_lock:
                if self._lexical is None:
                    path = self.data_dir / "lexical" if self.data_dir else None
                    self._lexical = LexicalIndex(path, self.catalog, lambda: self.store)
        return self._lexical

    @property
    def retriever(self) -> HybridRetriever:
        """A LangChain retriever over the index (``k`` and ``mode`` from the options), built
        once and again only when the options or the reranker are replaced."""
        o, made = self.options, self._retriever
        if made is None or made[0] is not o or made[1] is not self.reranker:
            made = (o, self.reranker, HybridRetriever(
                store=self._shared, embeddings=self.embeddings, lexical=self.lexical, k=o.k,
                mode=o.mode, config=o.retrieval, reranker=self.reranker,
                article_text=self._article_text,
            ))
            self._retriever = made
        return made[2]

    def _article_text(self, article_id: str) -> str | None:
        entry = self.catalog.entry(article_id)
        return entry.article.text if entry else None

    def _indexer(self, store: ChunkStore | None = None) -> Indexer:
        o = self.options
        if self._near_duplicates is None:
            self._near_duplicates = NearDuplicateFinder(threshold=o.near_duplicate_threshold)
        return Indexer(self.catalog, store or self.store, self.embeddings.encode,
                       target_tokens=o.chunk_tokens,
                       max_tokens=max(MAX_TOKENS, o.chunk_tokens + 30),
                       batch_chunks=o.batch_chunks,
                       near_duplicate_threshold=o.near_duplicate_threshold,
                       near_duplicates=self._near_duplicates)

    # -- articles ----------------------------------------------------------------------------

    def add_paths(self, paths: Iterable[str | Path], *, progress: ProgressFn | None = None,
                  follow_links: bool = False) -> ReindexReport:
        """Index the articles in these files and folders; bad files are reported, not fatal."""
        loaded = load_paths(paths, max_bytes=self.options.max_file_bytes,
                            follow_links=follow_links)
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

    def add_files(
        self, files: Iterable[tuple[str, bytes]], *, max_bytes: int | None = None,
        progress: ProgressFn | None = None,
    ) -> ReindexReport:
        """Index uploaded (file name, content) pairs; each bad one is reported in ``failed``."""
        loaded = parse_files(files, max_bytes=max_bytes or self.options.max_file_bytes)
        return self.add_articles(loaded.articles, failures=loaded.failures, progress=progress)

    def add_urls(
        self, urls: Iterable[str], *, progress: ProgressFn | None = None, client: Any = None,
        allow_private: bool = False,
    ) -> ReindexReport:
        """Fetch pages and index their articles; only public addresses unless ``allow_private``."""
        with self._fetches.open(client, allow_private=allow_private) as http:
            articles, failures = load_urls(http, urls)
        return self._add_from(articles, failures, progress)

    def add_feed(
        self, url: str, *, progress: ProgressFn | None = None, client: Any = None,
        allow_private: bool = False,
    ) -> ReindexReport:
        """Index a feed's new entries (their pages, else their own content); seen ones skipped."""
        def known(article_id: str) -> bool:
            return bool(self.catalog.known_ids([article_id]))

        with self._fetches.open(client, allow_private=allow_private) as http:
            feed = load_feed(http, url, is_known=known)
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

    def sync(self, folder: str | Path, *, progress: ProgressFn | None = None,
             follow_links: bool = False) -> SyncReport:
        """Mirror a folder: new files added, changed ones updated, deleted ones removed."""
        with self._writing():
            return sync_folder(self._indexer(), folder, max_bytes=self.options.max_file_bytes,
                               progress=progress, follow_links=follow_links)

    def remove(self, article_ids: Sequence[str]) -> int:
        """Remove these articles (chunks and catalog rows); returns how many were indexed."""
        with self._writing():
            return self._indexer().remove(article_ids)

    def list_articles(self) -> list[ArticleRow]:
        """Every indexed article (without its text), newest first, with duplicate links."""
        return self.catalog.all_rows()

    def find_articles(
        self, query: str | None = None, *, offset: int = 0, limit: int | None = 20
    ) -> tuple[int, list[ArticleRow]]:
        """(total matches, one page of them), newest first, matching title, source or URL."""
        return self.catalog.search_rows(query, offset=offset, limit=limit)

    def get_article(self, article_id: str) -> CatalogEntry | None:
        """The indexed article with this id (its text included), or None."""
        return self.catalog.entry(article_id)

    def sources(self) -> list[str]:
        """The distinct sources of the indexed articles, for filter menus."""
        return self.catalog.sources()

    def rebuild(self, *, progress: ProgressFn | None = None) -> ReindexReport:
        """Re-derive vectors and lexical index from the catalog (after a model change), beside
        the live collection, which answers meanwhile; an interruption changes nothing."""
        with self._writing(rebuild=True):
            return self._rebuild(progress)

    def _rebuild(self, progress: ProgressFn | None = None) -> ReindexReport:
        staging = f"{COLLECTION}-rebuild"
        maintenance.clear_staging(self._stores, staging)  # left by an interrupted rebuild
        fresh = self._stores.open(staging)
        report = self._indexer(store=fresh).rebuild(progress=progress)
        with self._parts_lock:
            self._stores.drop(COLLECTION)
            fresh.rename(COLLECTION)
            self._shared.replace(fresh)
        self._stores.collect_garbage()  # Chroma leaves dropped collections' folders behind
        # Chunking may have changed too: the lexical index is derived again from scratch.
        self.lexical.reset()
        return report

    def check(self, *, repair: bool = False) -> CheckReport:
        """Whether catalog, vectors and lexical index agree; ``repair`` re-derives what it can."""
        with self._writing(rebuild=True) if repair else nullcontext():
            return maintenance.check(
                self.catalog, self._stores, self.lexical, embedding_model=self.embeddings.name,
                reembed=lambda ids: self._indexer(self._stores.open()).rebuild(ids=ids),
                rebuild=self._rebuild if repair else None)

    def export(self, path: str | Path) -> int:
        """Write every article to a JSON Lines file that ``add_paths`` reads back unchanged."""
        return export_jsonl(self.catalog, path)

    def repair_orphans(self) -> RepairReport:
        """Remove or re-write the chunks a killed write left (every write does it first)."""
        with self._writing(repair=False):
            return self._indexer().repair_orphans()

    @contextmanager
    def _writing(self, *, rebuild: bool = False, repair: bool = True) -> Iterator[None]:
        """One writer at a time (threads, processes); a write first repairs what a killed one
        left (not a rebuild), and ends by updating the lexical index."""
        # The file lock covers this machine; catalog_lock other machines sharing a PostgreSQL
        # catalog (docs/deployment.md).
        with self._write_lock, writer_lock(self.data_dir), catalog_lock(self.catalog.engine):
            with nullcontext() if rebuild else self._shared.writing():
                if repair and not rebuild:
                    self._indexer().repair_if_needed()
                yield
            # After a failed write the index catches up with the catalog on its next use.
            self.lexical.refresh()

    # -- questions ---------------------------------------------------------------------------

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
        digest: bool | None = None,
    ) -> RetrievalResult:
        """Passages and what shaped them: a date ranks its period first, or scopes a digest."""
        self._require_index()
        o, scope = self.options, digest if digest is not None else \
            digest_like(question)
        use_dates = o.date_filter if date_filter is None else date_filter
        return self.retriever.search_result(
            search_text(question, scope), k=k or o.k, mode=mode or o.mode,
            filters=filters or Filters(),
            dates=resolve_dates(question, reference_date or o.reference_date) if use_dates
            else None, scope=scope)

    def ask(
        self, question: str, *, k: int | None = None, history: History | None = None,
        **options: Any,
    ) -> Answer:
        """The answer; a follow-up is first rewritten from ``history`` into a standalone
        question (``Answer.rewritten_question``); ``options`` as for ``search``."""
        *_, final = self.stream(question, k=k, history=history, **options)
        assert isinstance(final, Final)
        return final.answer

    def stream(
        self, question: str, *, k: int | None = None, history: History | None = None,
        **options: Any,
    ) -> Iterator[StreamEvent]:
        """``Delta`` events with the answer's text (an LLM's tokens as they arrive), then one
        ``Final`` with the verified Answer (unbacked sentences moved to ``unsupported``)."""
        standalone = self.standalone_question(question, history)
        asked = standalone or question
        digest = digest_like(asked)
        if digest:  # the lead of every story of the period: read more than k passages
            k = max(k or self.options.k, 3 * self.options.k)
        found = self.search(asked, k=k, digest=digest, **options)
        found = widen(found, asked, self.catalog.sources(), self.search)  # outlets named
        if found.date_range and found.date_range.expression:
            # The date ranked or chose the articles; an article of that period rarely repeats
            # "in December 2023", so the answerer should not look for those words in it.
            asked = without_phrase(asked, found.date_range.expression, within=found.date_range,
                                   dated=found.passages[0].published if found.passages else None)

        def finish(answer: Answer) -> Answer:
            return self._finish(answer, question, standalone, found, options.get("reference_date"))

        if digest and found.date_filter_applied and not found.passages and found.date_range:
            answer = finish(nothing_published(question, found.date_range))
            yield from text_deltas(answer.text)
            yield Final(answer)
            return
        if self.answerer.verifies_itself:
            for event in self.answerer.stream(asked, found.passages):
                if isinstance(event, Final):
                    event = Final(finish(event.answer))
                yield event
            return
        answer = self.answerer.answer(asked, found.passages)
        if answer.abstained and (cited := last_cited(normalise_history(history))):
            # A follow-up the collection answers weakly: the articles just cited first.
            retry = self.answerer.answer(asked, self.search(asked, k=k, filters=Filters(
                article_ids=cited)).passages)
            answer = answer if retry.abstained else retry
        answer = finish(self.verifier.check(answer))
        yield from text_deltas(answer.text)
        yield Final(answer)

    def timeline(self, query: str, *, k: int | None = None, **options: Any) -> Timeline:
        """The articles about ``query`` by date, each with its story and independent source;
        ``options`` as for ``search`` (mode, filters, …)."""
        found = self.search(query, k=k or TIMELINE_K, digest=False, **options)
        return build_timeline(query, originals(found.passages, self.catalog.entry),
                              self.catalog.story_copies)

    def standalone_question(self, question: str, history: History | None) -> str | None:
        turns = normalise_history(history)  # the question standing alone, None if it does
        return self.answerer.condense(question, turns) if turns else None

    def _finish(self, answer: Answer, question: str, standalone: str | None,
                found: RetrievalResult, reference: date | None) -> Answer:
        answer = replace(answer, question=question, rewritten_question=standalone,
                         date_range=found.date_range, date_filter_applied=found.date_filter_applied,
                         dates_preferred=found.dates_preferred)
        return annotate(answer, copies_of=self.catalog.story_copies, window=found.date_range,
                        reference=reference or self.options.reference_date or date.today(),
                        same_story=headline_likeness(self.verifier.embed))

    # -- state -------------------------------------------------------------------------------

    def stats(self) -> Stats:
        return Stats.of(self.catalog, self.embeddings, self.data_dir)

    def _require_index(self) -> None:
        require_articles(self.catalog, self.data_dir)

    def close(self) -> None:
        self._shared.close()
        self.catalog.close()
