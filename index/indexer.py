"""The Indexer: writes articles to the vector store and the catalog, embedding only what changed.

Incremental by content hash: unchanged articles cost nothing, changed ones are replaced.

Order of writes, for crash safety: chunks go into the vector store first (upserts by deterministic
id, then stale higher-numbered chunks are deleted), and the catalog row — which records the
content hash — is written last. A crash in between leaves an article whose hash is missing or old,
so the next run re-indexes it, overwriting the same chunk ids: nothing duplicated, nothing lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from index import duplicates
from index.articles import Article, Failure, text_hash
from index.catalog import Catalog, CatalogEntry
from index.chunking import MAX_TOKENS, TARGET_TOKENS, Chunk, chunk_article
from index.errors import BadArticle
from index.metadata import chunk_metadata
from index.store import ChunkStore
from index.textfiles import check_text

# (articles done, chunks embedded). A callback with a ``total`` attribute is told, before the
# first batch, how many articles the run will report in all (a bar then shows an ETA).
ProgressFn = Callable[[int, int], None]
# Chunks per article: embedding is what a write spends its time on (about 50 ms a chunk on a
# laptop CPU), under the writers' lock; 1,000 chunks are about 750,000 characters of prose.
MAX_CHUNKS = 1_000


@dataclass(frozen=True)
class ReindexReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Failure, ...] = ()
    chunks_embedded: int = 0
    # (id of the article not indexed, id of the article that already holds the same text)
    duplicates: tuple[tuple[str, str], ...] = ()
    # (id of the article indexed, id of the canonical article it near-duplicates)
    near_duplicates: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return report_dict(self)


def _announce(progress: ProgressFn | None, total: int) -> None:
    if progress is not None and hasattr(progress, "total"):
        progress.total = total


def report_dict(report: Any) -> dict[str, Any]:
    """A report dataclass as JSON-ready data (failures and duplicate links as objects)."""
    data: dict[str, Any] = {}
    for f in fields(report):
        value = getattr(report, f.name)
        if f.name == "failed":
            value = [{"source": x.source, "reason": x.reason} for x in value]
        elif f.name == "duplicates":
            value = [{"id": a, "same_as": b} for a, b in value]
        elif f.name == "near_duplicates":
            value = [{"id": a, "canonical_id": b} for a, b in value]
        data[f.name] = list(value) if isinstance(value, tuple) else value
    return data


@dataclass(frozen=True)
class RepairReport:
    """What ``Indexer.repair_orphans`` did: the articles whose chunks it removed (the catalog
    has no row for them), how many chunks that was, and the articles it re-wrote from the
    catalog (their chunks were of another version)."""

    removed: tuple[str, ...] = ()
    chunks_removed: int = 0
    rewritten: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return report_dict(self)


@dataclass
class _Batch:
    """Articles to embed and write together: their chunks, the canonical article each one
    near-duplicates (None for most) and their MinHash signatures."""

    articles: list[Article] = field(default_factory=list)
    chunks: list[list[Chunk]] = field(default_factory=list)
    canonical_ids: list[str | None] = field(default_factory=list)
    signatures: list[bytes] = field(default_factory=list)

    def append(self, article: Article, chunks: list[Chunk], canonical_id: str | None,
               signature: bytes) -> None:
        self.articles.append(article)
        self.chunks.append(chunks)
        self.canonical_ids.append(canonical_id)
        self.signatures.append(signature)

    def clear(self) -> None:
        for items in (self.articles, self.chunks, self.canonical_ids, self.signatures):
            items.clear()

    def size(self) -> int:
        return sum(map(len, self.chunks))


class Indexer:
    """Writes articles to the catalog and the vector store, embedding only what changed."""

    def __init__(
        self,
        catalog: Catalog,
        store: ChunkStore,
        embed: Callable[[list[str]], Any],
        *,
        target_tokens: int = TARGET_TOKENS,
        max_tokens: int = MAX_TOKENS,
        batch_chunks: int = 256,
        near_duplicate_threshold: float = duplicates.THRESHOLD,
        near_duplicates: duplicates.NearDuplicateFinder | None = None,
        max_chunks: int = MAX_CHUNKS,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.embed = embed
        self.target_tokens = target_tokens
        self.max_tokens = max_tokens
        self.batch_chunks = batch_chunks
        self.near_duplicate_threshold = near_duplicate_threshold
        self.max_chunks = max_chunks
        # Kept by the caller between writes (synced with the catalog on use), or built here.
        self.near_duplicates = near_duplicates

    def add(
        self,
        articles: Iterable[Article],
        *,
        failures: Sequence[Failure] = (),
        progress: ProgressFn | None = None,
        origins: Mapping[str, str] | None = None,
    ) -> ReindexReport:
        """Index what changed. ``origins`` maps article ids to the file or URL they came from."""
        articles = _dedupe_ids(articles)
        _announce(progress, len(articles))
        origins = origins or {}
        known = self.catalog.content_hashes(a.id for a in articles)
        fresh = [a for a in articles if known.get(a.id) != a.content_hash]
        unchanged = [a.id for a in articles if known.get(a.id) == a.content_hash]
        same_text = self.catalog.by_text_hash(text_hash(a.text) for a in fresh) if fresh else {}
        finder: duplicates.NearDuplicateFinder | None = None
        added: list[str] = []
        updated: list[str] = []
        exact: list[tuple[str, str]] = []
        near: list[tuple[str, str]] = []
        failed = list(failures)
        embedded = 0
        done = 0
        batch = _Batch()

        def flush() -> None:
            nonlocal embedded, done
            if not batch.articles:
                return
            embedded += self._write(batch, origins)
            for article in batch.articles:
                (updated if article.id in known else added).append(article.id)
            done += len(batch.articles)
            batch.clear()
            if progress:
                progress(done + len(unchanged), embedded)

        for article in fresh:
            key = text_hash(article.text)
            holder = same_text.get(key)
            if holder is not None and holder != article.id:
                exact.append((article.id, holder))  # same story under another name or URL
                continue
            same_text[key] = article.id
            where = origins.get(article.id) or article.id
            try:  # every door's articles: files, JSON bodies, pages, feeds
                check_text(article.text, where)
            except BadArticle as exc:
                failed.append(Failure(where, exc.reason))
                continue
            chunks = chunk_article(article, target_tokens=self.target_tokens,
                                   max_tokens=self.max_tokens)
            if not chunks or len(chunks) > self.max_chunks:
                failed.append(Failure(where, _too_many(len(chunks), self.max_chunks)))
                continue
            if finder is None:
                finder = self.near_duplicates
                if finder is None:
                    finder = duplicates.NearDuplicateFinder(
                        threshold=self.near_duplicate_threshold)
                finder.sync(self.catalog)
            minhash = duplicates.signature(article.text)
            match = finder.find(article.id, minhash)
            canonical = match[0] if match else None
            if canonical:
                near.append((article.id, canonical))
            finder.add(article.id, minhash, canonical_id=canonical,
                       content_hash=article.content_hash)
            batch.append(article, chunks, canonical, duplicates.to_bytes(minhash))
            if batch.size() >= self.batch_chunks:
                flush()
        flush()
        self.catalog.add_aliases(exact, {a.id: a.source for a in fresh})
        if progress and unchanged and not embedded:
            progress(len(unchanged), 0)
        return ReindexReport(tuple(added), tuple(updated), tuple(unchanged), tuple(failed),
                             embedded, tuple(exact), tuple(near))

    def _write(self, batch: _Batch, origins: Mapping[str, str | None]) -> int:
        """Embed a batch and write it: chunks first, then the catalog rows."""
        texts = [c.embed_text for chunks in batch.chunks for c in chunks]
        vectors = self.embed(texts)
        items = []
        offset = 0
        for article, chunks, canonical in zip(batch.articles, batch.chunks, batch.canonical_ids,
                                              strict=True):
            items.append((chunks, vectors[offset: offset + len(chunks)],
                          chunk_metadata(article, canonical_id=canonical)))
            offset += len(chunks)
        self.store.add_many(items)
        for article, chunks, canonical, sig in zip(batch.articles, batch.chunks,
                                                   batch.canonical_ids, batch.signatures,
                                                   strict=True):
            self.store.delete_article(article.id, keep=len(chunks))
            self.catalog.upsert(article, chunks=len(chunks), canonical_id=canonical,
                                origin=origins.get(article.id), minhash=sig)
        return len(texts)

    def rebuild(self, *, progress: ProgressFn | None = None,
                ids: Sequence[str] | None = None) -> ReindexReport:
        """Re-embed every catalog article into an empty store (after a model change, say), or
        only the articles ``ids`` (whose chunks went missing) into this one."""
        wanted = None if ids is None else set(ids)
        return self._rewrite([e for e in self.catalog.all_entries()
                              if wanted is None or e.article.id in wanted], progress)

    def repair_orphans(self) -> RepairReport:
        """Make the store hold only what the catalog accounts for. A writer killed between
        writing chunks and their catalog row leaves the chunks of an article the catalog lacks
        (removed here) or of a version it never recorded (re-written from the catalog)."""
        chunks = self.store.chunk_articles()
        hashes = self.catalog.content_hashes({article for _, article, _ in chunks})
        orphans = sorted({article for _, article, _ in chunks if article not in hashes})
        stale = sorted({article for _, article, known in chunks
                        if article in hashes and known not in (None, hashes[article])})
        gone = set(orphans)
        ids = [chunk for chunk, article, _ in chunks if article in gone]
        self.store.delete_chunks(ids)
        entries = [e for e in map(self.catalog.entry, stale) if e is not None]
        self._rewrite(entries, None)
        return RepairReport(tuple(orphans), len(ids), tuple(e.article.id for e in entries))

    def repair_if_needed(self) -> RepairReport:
        """``repair_orphans`` when the store holds another number of chunks than the catalog
        records (what a killed write leaves); two counts otherwise."""
        if self.store.count() == self.catalog.counts()[1]:
            return RepairReport()
        return self.repair_orphans()

    def _rewrite(self, entries: Sequence[CatalogEntry], progress: ProgressFn | None
                 ) -> ReindexReport:
        """Chunk, embed and write these catalog articles again, as the catalog has them."""
        _announce(progress, len(entries))
        batch = _Batch()
        origins: dict[str, str | None] = {}
        done: list[str] = []
        failed: list[Failure] = []
        embedded = 0

        def flush() -> None:
            nonlocal embedded
            if batch.articles:
                embedded += self._write(batch, origins)
                done.extend(a.id for a in batch.articles)
                batch.clear()
                if progress:
                    progress(len(done), embedded)

        for entry in entries:
            article = entry.article
            chunks = chunk_article(article, target_tokens=self.target_tokens,
                                   max_tokens=self.max_tokens)
            if not chunks:
                failed.append(Failure(article.id, "article has no indexable text"))
                continue
            sig = entry.minhash or duplicates.to_bytes(duplicates.signature(article.text))
            batch.append(article, chunks, entry.canonical_id, sig)
            origins[article.id] = entry.origin
            if batch.size() >= self.batch_chunks:
                flush()
        flush()
        return ReindexReport(updated=tuple(done), failed=tuple(failed), chunks_embedded=embedded)

    def remove(self, article_ids: Sequence[str]) -> int:
        gone = set(article_ids)
        copies = [(i, c) for i, c in self.catalog.duplicates_of(article_ids) if i not in gone]
        for article_id in article_ids:
            self.store.delete_article(article_id)
        removed = self.catalog.delete(article_ids)
        # The copies of a removed story stay indexed: the oldest becomes the canonical one.
        promoted: dict[str, str] = {}
        for article_id, old in copies:
            new = promoted.setdefault(old, article_id)
            canonical = None if new == article_id else new
            self.store.set_canonical(article_id, canonical)
            self.catalog.set_canonical([article_id], canonical)
        return removed


def _too_many(chunks: int, limit: int) -> str:
    if not chunks:
        return "article has no indexable text"
    return (f"makes {chunks:,} passages, over the {limit:,}-passage limit per article; split "
            "it into articles")


def _dedupe_ids(articles: Iterable[Article]) -> list[Article]:
    """The last version of each article id wins within one call."""
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.pop(article.id, None)
        by_id[article.id] = article
    return list(by_id.values())
