"""The article catalog: every ingested article, durably, in SQL (SQLite by default).

It is the source of truth: the vector collection is derived from it. An article's row is written
only after its chunks are in the vector store, so a crash in between leaves a row-less article
that the next run simply indexes again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from index.articles import Article

_metadata = MetaData()
articles_table = Table(
    "articles",
    _metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),
    Column("source", Text),
    Column("published", String(10), index=True),
    Column("authors", Text, nullable=False, default="[]"),
    Column("metadata", Text, nullable=False, default="{}"),
    Column("content_hash", String(64), nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)


@dataclass(frozen=True)
class CatalogEntry:
    article: Article
    content_hash: str
    chunks: int
    added_at: str
    updated_at: str


class Catalog:
    """Article rows keyed by article id, with their content hash and chunk count."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        _metadata.create_all(engine)

    @classmethod
    def from_url(cls, url: str) -> Catalog:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine)

    def hashes(self, ids: Iterable[str]) -> dict[str, str]:
        ids = list(ids)
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(ids), 500):
                rows = conn.execute(
                    select(articles_table.c.id, articles_table.c.content_hash)
                    .where(articles_table.c.id.in_(ids[i: i + 500]))
                )
                found.update({row.id: row.content_hash for row in rows})
        return found

    def upsert(self, article: Article, *, chunks: int) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        values = {
            "id": article.id, "title": article.title, "text": article.text, "url": article.url,
            "source": article.source, "published": article.published,
            "authors": json.dumps(list(article.authors), ensure_ascii=False),
            "metadata": json.dumps(dict(article.metadata), ensure_ascii=False, default=str),
            "content_hash": article.content_hash, "chunks": chunks,
            "added_at": now, "updated_at": now,
        }
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                stmt = sqlite_insert(articles_table).values(values)
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

    def delete(self, ids: Sequence[str]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(articles_table).where(articles_table.c.id.in_(ids)))
        return int(result.rowcount or 0)

    def get(self, article_id: str) -> CatalogEntry | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(articles_table).where(articles_table.c.id == article_id)
            ).first()
        return _entry(row._mapping) if row else None

    def entries(self, *, limit: int | None = None, offset: int = 0) -> list[CatalogEntry]:
        query = select(articles_table).order_by(
            articles_table.c.published.desc(), articles_table.c.title
        ).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [_entry(row._mapping) for row in conn.execute(query)]

    def search(
        self, query: str | None = None, *, offset: int = 0, limit: int = 20
    ) -> tuple[int, list[CatalogEntry]]:
        """(total matches, one page of them), newest first; ``query`` matches title/source/url."""
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
        page = (select(articles_table).where(*where)
                .order_by(articles_table.c.published.desc(), articles_table.c.title)
                .offset(offset).limit(limit))
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(articles_table)
                                 .where(*where)).scalar_one()
            return int(total), [_entry(row._mapping) for row in conn.execute(page)]

    def counts(self) -> tuple[int, int]:
        """(articles, chunks)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(func.count(), func.coalesce(func.sum(articles_table.c.chunks), 0))
                .select_from(articles_table)
            ).one()
        return int(row[0]), int(row[1])

    def close(self) -> None:
        self.engine.dispose()


def _entry(row: Any) -> CatalogEntry:
    article = Article(
        id=row["id"], title=row["title"], text=row["text"], url=row["url"],
        source=row["source"], published=row["published"],
        authors=tuple(json.loads(row["authors"] or "[]")),
        metadata=json.loads(row["metadata"] or "{}"),
    )
    return CatalogEntry(article, row["content_hash"], row["chunks"], row["added_at"],
                        row["updated_at"])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
