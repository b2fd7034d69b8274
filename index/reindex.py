"""Incremental indexing by content hash: unchanged articles cost nothing, changed ones are replaced.

Order of writes, for crash safety: chunks go into the vector store first (upserts by deterministic
id, then stale higher-numbered chunks are deleted), and the catalog row — which records the
content hash — is written last. A crash in between leaves an article whose hash is missing or old,
so the next run re-indexes it, overwriting the same chunk ids: nothing duplicated, nothing lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from index.articles import Article, Failure
from index.catalog import Catalog
from index.chunking import MAX_TOKENS, TARGET_TOKENS, Chunk, chunk_article
from index.store import ChunkStore

ProgressFn = Callable[[int, int], None]  # (articles done, chunks embedded)


@dataclass(frozen=True)
class ReindexReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Failure, ...] = ()
    chunks_embedded: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": list(self.added), "updated": list(self.updated),
            "unchanged": list(self.unchanged),
            "failed": [{"source": f.source, "reason": f.reason} for f in self.failed],
            "chunks_embedded": self.chunks_embedded,
        }


@dataclass
class _Batch:
    articles: list[Article] = field(default_factory=list)
    chunks: list[list[Chunk]] = field(default_factory=list)

    def size(self) -> int:
        return sum(map(len, self.chunks))


def chunk_metadata(article: Article) -> dict[str, Any]:
    """The article fields stored with each of its chunks (Chroma takes scalars only)."""
    return {
        "title": article.title, "url": article.url, "source": article.source,
        "published": article.published, "authors": "; ".join(article.authors),
        "content_hash": article.content_hash,
        # Chroma's $gte/$lte compare numbers only: the date as YYYYMMDD makes ranges filterable.
        "published_ord": date_ordinal(article.published),
    }


def date_ordinal(value: date | str | None) -> int | None:
    """``2018-01-09`` (a date or its ISO string) → ``20180109``; None when there is no date."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.year * 10000 + value.month * 100 + value.day


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
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.embed = embed
        self.target_tokens = target_tokens
        self.max_tokens = max_tokens
        self.batch_chunks = batch_chunks

    def add(
        self,
        articles: Iterable[Article],
        *,
        failures: Sequence[Failure] = (),
        progress: ProgressFn | None = None,
    ) -> ReindexReport:
        articles = _dedupe_ids(articles)
        known = self.catalog.hashes(a.id for a in articles)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        failed = list(failures)
        embedded = 0
        done = 0
        batch = _Batch()

        def flush() -> None:
            nonlocal embedded, done
            if not batch.articles:
                return
            texts = [c.embed_text for chunks in batch.chunks for c in chunks]
            vectors = self.embed(texts)
            offset = 0
            for article, chunks in zip(batch.articles, batch.chunks, strict=True):
                part = vectors[offset: offset + len(chunks)]
                offset += len(chunks)
                self.store.add(chunks, part, chunk_metadata(article))
                self.store.delete_article(article.id, keep=len(chunks))
                self.catalog.upsert(article, chunks=len(chunks))
                (updated if article.id in known else added).append(article.id)
            embedded += len(texts)
            done += len(batch.articles)
            batch.articles.clear()
            batch.chunks.clear()
            if progress:
                progress(done + len(unchanged), embedded)

        for article in articles:
            if known.get(article.id) == article.content_hash:
                unchanged.append(article.id)
                continue
            chunks = chunk_article(article, target_tokens=self.target_tokens,
                                   max_tokens=self.max_tokens)
            if not chunks:
                failed.append(Failure(article.id, "article has no indexable text"))
                continue
            batch.articles.append(article)
            batch.chunks.append(chunks)
            if batch.size() >= self.batch_chunks:
                flush()
        flush()
        if progress and unchanged and not embedded:
            progress(len(unchanged), 0)
        return ReindexReport(tuple(added), tuple(updated), tuple(unchanged), tuple(failed),
                             embedded)

    def remove(self, article_ids: Sequence[str]) -> int:
        for article_id in article_ids:
            self.store.delete_article(article_id)
        return self.catalog.delete(article_ids)


def _dedupe_ids(articles: Iterable[Article]) -> list[Article]:
    """The last version of each article id wins within one call."""
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.pop(article.id, None)
        by_id[article.id] = article
    return list(by_id.values())
