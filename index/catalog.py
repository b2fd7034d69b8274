"""The article catalog: every ingested article, durably, in SQL (SQLite by default).

It is the source of truth: the vector collection is derived from it. An article's row is written
only after its chunks are in the vector store, so a crash in between leaves a row-less article
that the next run simply indexes again. Every transaction that changes an article also raises the
catalog's generation, so a reader learns that nothing changed from one small read. The tables
and their migration are in ``index.schema``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from index.articles import Article, is_web_url, text_hash
from index.locking import catalog_lock
from index.news import parse_news
from index.schema import (
    aliases_table,
    articles_table,
    create_schema,
    files_table,
    generation_table,
    make_engine,
)

# INSERT … ON CONFLICT DO UPDATE, where the dialect has it; other databases take the portable
# select-then-insert/update path (safe under the writers' lock).
_UPSERTS: dict[str, Any] = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    mtime_ns: int
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class ArticleRow:
    """The catalog fields of an article without its text, for listings."""

    id: str
    title: str
    url: str | None
    source: str | None
    published: str | None
    chunks: int
    canonical_id: str | None
    origin: str | None
    added_at: str
    updated_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoryCopy:
    """One copy of a story: an article (or an exact duplicate that was not stored), the story
    (canonical article) it copies, the outlet that carried it and its dateline's agencies."""

    article_id: str
    story_id: str
    source: str | None
    agencies: tuple[str, ...] = ()
    exact: bool = False  # an exact duplicate, known only by its alias row


@dataclass(frozen=True)
class CatalogEntry:
    """An article as stored, with the catalog's fields about it (its text included)."""

    article: Article
    content_hash: str
    chunks: int
    added_at: str
    updated_at: str
    canonical_id: str | None = None
    origin: str | None = None
    minhash: bytes | None = None


class Catalog:
    """Article rows keyed by article id, with their content hash and chunk count.

    Readers, by what they return: ``entry`` (one article with its text) and ``all_entries``
    (every one, for a rebuild); ``all_rows`` and ``search_rows`` (listings without text);
    ``content_hashes`` and ``known_ids`` (lookups of many ids at once); ``generation`` (whether
    anything changed at all).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Replicas starting together on one PostgreSQL catalog create and migrate it in turn.
        with catalog_lock(engine):
            create_schema(engine)

    @classmethod
    def from_url(cls, url: str) -> Catalog:
        return cls(make_engine(url))

    def content_hashes(self, ids: Iterable[str]) -> dict[str, str]:
        """id → content hash of those of ``ids`` that are stored (what the Indexer skips)."""
        return dict(self._lookup(articles_table.c.id, articles_table.c.content_hash, ids))

    def _lookup(self, key: Any, value: Any, keys: Iterable[str]) -> list[tuple[str, str]]:
        """(key, value) rows whose key is in ``keys``, queried 500 keys at a time."""
        keys = list(set(keys))
        found: list[tuple[str, str]] = []
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                rows = conn.execute(select(key, value).where(key.in_(keys[i: i + 500])))
                found.extend((row[0], row[1]) for row in rows)
        return found

    def upsert(
        self,
        article: Article,
        *,
        chunks: int,
        canonical_id: str | None = None,
        origin: str | None = None,
        minhash: bytes | None = None,
    ) -> None:
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        values = {
            "text_hash": text_hash(article.text), "canonical_id": canonical_id,
            "origin": origin, "minhash": minhash,
            "id": article.id, "title": article.title, "text": article.text, "url": article.url,
            "source": article.source, "published": article.published,
            "authors": json.dumps(list(article.authors), ensure_ascii=False),
            "metadata": json.dumps(dict(article.metadata), ensure_ascii=False, default=str),
            "content_hash": article.content_hash, "chunks": chunks,
            "added_at": now, "updated_at": now,
        }
        with self.engine.begin() as conn:
            upsert = _UPSERTS.get(self.engine.dialect.name)
            if upsert is not None:
                stmt = upsert(articles_table).values(values)
                update = {k: stmt.excluded[k] for k in values if k not in ("id", "added_at")}
                conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=update))
            else:
                exists = conn.execute(select(articles_table.c.id)
                                      .where(articles_table.c.id == article.id)).first()
                if exists:
                    values.pop("added_at")
                    conn.execute(articles_table.update()
                                 .where(articles_table.c.id == article.id).values(values))
                else:
                    conn.execute(articles_table.insert().values(values))
            _bump(conn)

    def delete(self, ids: Sequence[str]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(articles_table).where(articles_table.c.id.in_(ids)))
            conn.execute(delete(aliases_table).where(aliases_table.c.article_id.in_(ids)))
            _bump(conn)
        return int(result.rowcount or 0)

    def add_aliases(self, pairs: Sequence[tuple[str, str]],
                    sources: Mapping[str, str | None] | None = None) -> None:
        """Remember (alias id, stored article id) for exact duplicates that were not stored,
        with the outlet (``sources``: alias id → source) that carried each copy."""
        if not pairs:
            return
        sources = sources or {}
        with self.engine.begin() as conn:
            conn.execute(delete(aliases_table).where(
                aliases_table.c.alias.in_([a for a, _ in pairs])))
            conn.execute(aliases_table.insert(), [
                {"alias": a, "article_id": b, "source": sources.get(a)} for a, b in pairs])

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored articles or aliases of one (exact duplicates not stored)."""
        ids = list(ids)
        return ({k for k, _ in self._lookup(articles_table.c.id, articles_table.c.id, ids)}
                | {k for k, _ in self._lookup(aliases_table.c.alias, aliases_table.c.alias, ids)})

    def entry(self, article_id: str) -> CatalogEntry | None:
        """One stored article with its text and catalog fields; None when it is not stored."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(articles_table).where(articles_table.c.id == article_id)
            ).first()
        return _entry(row._mapping) if row else None

    def all_entries(self) -> list[CatalogEntry]:
        """Every stored article with its text and catalog fields, newest first."""
        query = select(articles_table).order_by(
            articles_table.c.published.desc().nulls_last(), articles_table.c.title
        )
        with self.engine.connect() as conn:
            return [_entry(row._mapping) for row in conn.execute(query)]

    def search_rows(
        self, query: str | None = None, *, offset: int = 0, limit: int | None = 20
    ) -> tuple[int, list[ArticleRow]]:
        """(total matches, one page of them without text), newest first; ``query`` matches
        title, source or URL."""
        where = []
        if query and query.strip():
            pattern = "%" + query.strip().lower().replace("\\", "\\\\").replace(
                "%", "\\%").replace("_", "\\_") + "%"
            where.append(
                func.lower(articles_table.c.title).like(pattern, escape="\\")
                | func.lower(func.coalesce(articles_table.c.source, "")).like(pattern,
                                                                              escape="\\")
                | func.lower(func.coalesce(articles_table.c.url, "")).like(pattern, escape="\\")
            )
        cols = [articles_table.c[name] for name in ArticleRow.__dataclass_fields__]
        page = (select(*cols).where(*where)
                .order_by(articles_table.c.published.desc().nulls_last(), articles_table.c.title)
                .offset(offset).limit(limit))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(articles_table)
                                 .where(*where)).scalar_one()
            return int(total), [ArticleRow(**row._mapping) for row in conn.execute(page)]

    def counts(self) -> tuple[int, int]:
        """(articles, chunks)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(func.count(), func.coalesce(func.sum(articles_table.c.chunks), 0))
                .select_from(articles_table)
            ).one()
        return int(row[0]), int(row[1])

    # -- duplicates ------------------------------------------------------------------------

    def by_text_hash(self, hashes: Iterable[str]) -> dict[str, str]:
        """text hash → id of the article already holding that exact text."""
        found: dict[str, str] = {}
        for text_hash_, article_id in self._lookup(articles_table.c.text_hash,
                                                   articles_table.c.id, hashes):
            found.setdefault(text_hash_, article_id)
        return found

    def signatures(self, ids: Iterable[str] | None = None
                   ) -> list[tuple[str, str | None, bytes]]:
        """(id, canonical_id, MinHash signature) of every article that has one (of ``ids``
        only, when given)."""
        t = articles_table.c
        query = select(t.id, t.canonical_id, t.minhash).where(t.minhash.is_not(None))
        if ids is None:
            with self.engine.connect() as conn:
                return [(r.id, r.canonical_id, r.minhash) for r in conn.execute(query)]
        keys = list(set(ids))
        found: list[tuple[str, str | None, bytes]] = []
        with self.engine.connect() as conn:
            for i in range(0, len(keys), 500):
                rows = conn.execute(query.where(t.id.in_(keys[i: i + 500])))
                found.extend((r.id, r.canonical_id, r.minhash) for r in rows)
        return found

    def article_versions(self) -> dict[str, tuple[str, int]]:
        """id → (version key, chunk count) of every article. The key changes whenever the
        article's chunks or their metadata may have (new content, another canonical article, a
        re-index by ``rebuild``): what a derived index compares to find what changed."""
        t = articles_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.id, t.content_hash, t.canonical_id, t.updated_at,
                                       t.chunks))
            return {r.id: (f"{r.content_hash}|{r.canonical_id or ''}|{r.updated_at}",
                           int(r.chunks)) for r in rows}

    def signature_versions(self) -> dict[str, tuple[str | None, str]]:
        """id → (canonical_id, content_hash) of every article with a signature: what a kept
        near-duplicate index compares to find what changed, without reading the signatures."""
        t = articles_table.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.id, t.canonical_id, t.content_hash)
                                .where(t.minhash.is_not(None)))
            return {r.id: (r.canonical_id, r.content_hash) for r in rows}

    def duplicates_of(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        """(id, canonical id) of the near-duplicates of any of ``ids``, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(articles_table.c.id, articles_table.c.canonical_id)
                                .where(articles_table.c.canonical_id.in_(list(ids)))
                                .order_by(articles_table.c.added_at, articles_table.c.id))
            return [(r.id, r.canonical_id) for r in rows]

    def story_copies(self, story_ids: Iterable[str]) -> list[StoryCopy]:
        """Every copy of the stories ``story_ids`` (canonical article ids): the article itself,
        its near-duplicates and its exact duplicates, each with the outlet that carried it."""
        ids = list(set(story_ids))
        if not ids:
            return []
        t, a = articles_table, aliases_table
        # The dateline (where the wire agency is named) is at the top of the text.
        stored = (select(t.c.id, t.c.canonical_id, t.c.source, func.substr(t.c.text, 1, 400))
                  .where(t.c.id.in_(ids) | t.c.canonical_id.in_(ids)))
        with self.engine.connect() as conn:
            copies = [StoryCopy(r[0], r[1] or r[0], r[2], parse_news(r[3] or "").agencies)
                      for r in conn.execute(stored)]
            held = [c.article_id for c in copies]
            aliased = conn.execute(select(a.c.alias, a.c.article_id, a.c.source)
                                   .where(a.c.article_id.in_(held)))
            story = {c.article_id: c.story_id for c in copies}
            by_id = {c.article_id: c for c in copies}
            copies += [StoryCopy(r[0], story[r[1]], r[2], by_id[r[1]].agencies, exact=True)
                       for r in aliased]
        return copies

    def set_canonical(self, ids: Sequence[str], canonical_id: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(articles_table.update().where(articles_table.c.id.in_(list(ids)))
                         .values(canonical_id=canonical_id))
            _bump(conn)

    def has_articles(self) -> bool:
        """Whether anything is indexed: asked before every question, so it reads one row."""
        with self.engine.connect() as conn:
            return conn.execute(select(articles_table.c.id).limit(1)).first() is not None

    def sources(self) -> list[str]:
        """The distinct sources of the indexed articles, for filter menus."""
        query = (select(articles_table.c.source).where(articles_table.c.source.is_not(None))
                 .distinct().order_by(articles_table.c.source))
        with self.engine.connect() as conn:
            return [r.source for r in conn.execute(query)]

    def all_rows(self) -> list[ArticleRow]:
        """Every article without its text, newest first."""
        return self.search_rows(limit=None)[1]

    # -- files seen by folder syncs ---------------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        with self.engine.connect() as conn:
            return {
                r.path: FileRecord(r.path, r.size, r.mtime_ns, tuple(json.loads(r.article_ids)))
                for r in conn.execute(select(files_table))
            }

    def record_files(self, records: Sequence[FileRecord]) -> None:
        """Insert or replace these file records, in one transaction."""
        if not records:
            return
        values = [{"path": r.path, "size": r.size, "mtime_ns": r.mtime_ns,
                   "article_ids": json.dumps(list(r.article_ids))} for r in records]
        with self.engine.begin() as conn:
            paths = [r.path for r in records]
            for i in range(0, len(paths), 500):
                conn.execute(delete(files_table).where(files_table.c.path.in_(paths[i: i + 500])))
            conn.execute(files_table.insert(), values)

    def forget_files(self, paths: Sequence[str]) -> None:
        with self.engine.begin() as conn:
            for i in range(0, len(paths), 500):
                conn.execute(delete(files_table).where(files_table.c.path.in_(paths[i: i + 500])))

    def generation(self) -> int:
        """A number that goes up in every transaction that changes an article (so a reader can
        skip re-checking what it derived from them): one small read, on any database. It is
        stored, so it also tells a process whether an index saved earlier is still current."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(generation_table.c.value)).scalar_one())

    def integrity_errors(self) -> list[str]:
        """What SQLite's quick check finds wrong in the catalog file (nothing on servers,
        which check their own storage)."""
        if self.engine.dialect.name != "sqlite":
            return []
        with self.engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA quick_check")]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        self.engine.dispose()


def _bump(conn: Any) -> None:
    conn.execute(generation_table.update().values(value=generation_table.c.value + 1))


def _entry(row: Any) -> CatalogEntry:
    article = Article(
        id=row["id"], title=row["title"], text=row["text"],
        url=row["url"] if is_web_url(row["url"]) else None,  # stored before URLs were checked
        source=row["source"], published=row["published"],
        authors=tuple(json.loads(row["authors"] or "[]")),
        metadata=json.loads(row["metadata"] or "{}"),
    )
    return CatalogEntry(article, row["content_hash"], row["chunks"], row["added_at"],
                        row["updated_at"], row.get("canonical_id"), row.get("origin"),
                        row.get("minhash"))
