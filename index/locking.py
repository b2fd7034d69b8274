"""The writers' lock: one process at a time changes an index (a CLI sync, the UI, a feed watcher).

A file lock in the data directory (filelock), so it also works between processes. Readers never
take it: questions keep being answered while an index is written.

The file lock only reaches processes of one machine. When replicas on several machines share a
PostgreSQL catalog and a Chroma server, ``catalog_lock`` serialises their writers with a
PostgreSQL advisory lock (held by one connection, so released by the server if the writer dies).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.errors import IndexingError

LOCK_NAME = ".writer.lock"


@contextmanager
def writer_lock(data_dir: str | Path | None, *, timeout: float = 600.0) -> Iterator[None]:
    """Hold the data directory's writer lock; waits up to ``timeout`` seconds for another writer."""
    if data_dir is None:  # an Assistant built by hand without a data dir: threads only
        yield
        return
    from filelock import FileLock, Timeout

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(Path(data_dir) / LOCK_NAME))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise IndexingError(
            f"Another process has been writing to {data_dir} for over {timeout:.0f} s. Wait for "
            f"it to finish, or delete {Path(data_dir) / LOCK_NAME} if no such process is running."
        ) from exc
    try:
        yield
    finally:
        lock.release()


# pg_advisory_lock takes a bigint key; this one is "news-assistant writer" (any fixed number
# that other applications sharing the database do not use).
ADVISORY_KEY = 0x6E6577735F777269


@contextmanager
def catalog_lock(engine: Any, *, timeout: float = 600.0) -> Iterator[None]:
    """Hold the writers' lock of a shared (PostgreSQL) catalog; a no-op for other databases."""
    if engine.dialect.name != "postgresql":
        yield
        return
    from sqlalchemy import func, select
    from sqlalchemy.exc import OperationalError

    with engine.connect() as conn:
        # lock_timeout bounds the wait (local to this transaction); the lock itself is held by
        # the session until unlocked below or the connection closes.
        conn.execute(select(func.set_config("lock_timeout", f"{int(timeout * 1000)}ms", True)))
        try:
            conn.execute(select(func.pg_advisory_lock(ADVISORY_KEY)))
        except OperationalError as exc:
            raise IndexingError(
                f"Another replica has been writing to the shared catalog for over "
                f"{timeout:.0f} s. Wait for it to finish; a writer that died releases the lock "
                "when its database connection closes."
            ) from exc
        conn.commit()
        try:
            yield
        finally:
            conn.execute(select(func.pg_advisory_unlock(ADVISORY_KEY)))
            conn.commit()
