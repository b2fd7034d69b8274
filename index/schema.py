"""The catalog's SQL schema: its four tables, the migration of older catalogs, SQLite pragmas.

Tables: ``articles`` (every article, with its content hash, chunk count and duplicate links),
``files`` (what a folder sync has seen), ``aliases`` (ids of exact duplicates not stored) and
``generation`` (one number that goes up with every change to an article).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine

from index.errors import DamagedIndex

tables = MetaData()
articles_table = Table(
    "articles",
    tables,
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
    # Added for sync and duplicates (older databases get them through _migrate):
    Column("text_hash", String(64), index=True),  # hash of the normalised text: exact duplicates
    Column("canonical_id", String(64), index=True),  # set on a near-duplicate: the story it copies
    Column("origin", Text),  # the file or URL the article came from
    Column("minhash", LargeBinary),  # MinHash signature, to find near-duplicates of new articles
)

# One row per file a folder sync has seen: (size, mtime) let an unchanged file be skipped without
# reading it; article_ids say which articles to remove when the file goes away.
files_table = Table(
    "files",
    tables,
    Column("path", Text, primary_key=True),
    # 64-bit: on PostgreSQL an Integer is 32-bit and a nanosecond mtime overflows it.
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("article_ids", Text, nullable=False, default="[]"),
)

# An exact duplicate is not stored, but its id is remembered here, pointing at the stored copy,
# so a feed entry or URL already seen under another name is not fetched again.
aliases_table = Table(
    "aliases",
    tables,
    Column("alias", String(64), primary_key=True),
    Column("article_id", String(64), nullable=False, index=True),
    Column("source", Text),  # the outlet that carried the copy: it counts among the story's outlets
)

# One row whose number goes up in every transaction that changes an article: a reader (another
# replica's lexical index, say) learns that nothing changed by reading it, not every article row.
generation_table = Table(
    "generation",
    tables,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# Columns added after the first release: a catalog created without them gets them on opening.
_ADDED_COLUMNS = {
    articles_table: ("text_hash", "canonical_id", "origin", "minhash"),
    aliases_table: ("source",),
}


def make_engine(url: str) -> Engine:
    """An engine for a catalog URL: SQLite with WAL and a busy timeout, servers pre-pinged."""
    # A server database (PostgreSQL) may drop idle connections: test them before use.
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "handle_error", _damaged_sqlite)
    return engine


# What SQLite says of a file that is not (or no longer) a whole database.
_DAMAGE = ("malformed", "not a database", "file is encrypted", "disk i/o error")


def _damaged_sqlite(context: Any) -> Exception | None:
    """A truncated or overwritten catalog file becomes a DamagedIndex naming it and the way
    out, instead of a driver error on every command."""
    exc = context.original_exception
    message = str(exc).lower()
    if not any(words in message for words in _DAMAGE):
        return None
    path = context.engine.url.database if context.engine is not None else "the catalog"
    return DamagedIndex(
        str(path), f"the article catalog is damaged ({exc})",
        "The catalog is the source of truth and cannot be derived from the other stores: "
        "move it aside and restore a backup written by \"assistant index export\" with "
        "\"assistant index add BACKUP.jsonl\", or re-add your articles with "
        "\"assistant index add PATH\"; then run \"assistant index rebuild\".")


def create_schema(engine: Engine) -> None:
    """Create the missing tables and columns and the generation row. Idempotent; callers hold
    ``catalog_lock`` so replicas starting together do it in turn."""
    tables.create_all(engine)
    _migrate(engine)
    with engine.begin() as conn:
        if conn.execute(select(generation_table.c.id)).first() is None:
            conn.execute(generation_table.insert().values(id=1, value=0))


def _migrate(engine: Engine) -> None:
    """Add the columns newer versions need to a catalog created by an older one."""
    inspector = inspect(engine)
    for table, added in _ADDED_COLUMNS.items():
        have = {c["name"] for c in inspector.get_columns(table.name)}
        missing = [name for name in added if name not in have]
        if not missing:
            continue
        with engine.begin() as conn:
            for name in missing:
                # The dialect's own type name (PostgreSQL has BYTEA, not BLOB); IF NOT EXISTS
                # there because several replicas may start, and migrate, at once.
                kind = table.c[name].type.compile(dialect=engine.dialect)
                guard = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {guard}{name} {kind}"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
