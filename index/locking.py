"""The writers' lock: one process at a time changes an index (a CLI sync, the UI, a feed watcher).

A file lock in the data directory (filelock), so it also works between processes. Readers never
take it: questions keep being answered while an index is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
