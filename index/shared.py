"""One data dir, several processes: the vector store as the catalog says it is.

A server and CLI processes (or a second server) may write to the same data dir. Chroma's embedded
client keeps a view of the collection per process (its HNSW graphs in memory) that does not see
other processes' writes: their new vectors are missed, and a filtered query that meets a chunk id
its graph lacks fails ("Error finding id"). ``SharedStore`` keeps a process's view current:

- Every read first compares the catalog's generation (raised in the same transaction as every
  article change) with the one the view was opened at, and opens a fresh view when it moved:
  one small read per question. While this process writes, its own view is current by
  construction and is kept.
- A query that still fails that way (chunks of another process's write not committed yet, or
  left by a killed one) is answered from a fresh view.
- Dense hits are kept only if the catalog holds their article at the same content hash: chunks
  a killed writer left without a catalog row, or of a version the catalog never recorded, are
  never returned (``Indexer.repair_orphans`` removes them).

Replaced views are released after a grace period (a question may still be reading one), not at
once and not whenever the garbage collector gets to them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from index.catalog import Catalog
from index.metadata import ARTICLE_ID, CONTENT_HASH
from index.store import ChunkStore, StoredChunk

GRACE = 60.0  # seconds a replaced view stays open for the reads that may still use it
ATTEMPTS = 3  # fresh views tried for a query that meets chunks its view lacks


class SharedStore:
    """The chunk store of a data dir that other processes may write to, kept current."""

    def __init__(self, catalog: Catalog, open_store: Callable[[], ChunkStore]) -> None:
        self.catalog = catalog
        self._open = open_store  # a store with a fresh view of the collection
        self._store: ChunkStore | None = None
        self._generation: int | None = None
        self._writing = False
        self._retired: list[tuple[float, ChunkStore]] = []
        # (generation, article id → content hash or None): the catalog's answers for the
        # articles of recent hits, good until the generation moves.
        self._hashes: tuple[int | None, dict[str, str | None]] = (None, {})
        self._lock = threading.Lock()

    def current(self) -> ChunkStore:
        """The store, on a fresh view if another process changed the catalog since it opened."""
        return self._current()[0]

    def _current(self) -> tuple[ChunkStore, int | None]:
        """(the store, the catalog generation read for it; None while this process writes)."""
        store = self._store
        if store is not None and self._writing:
            return store, None
        generation = self.catalog.generation()  # read first: the view is at least this new
        if store is not None and self._generation == generation:
            return store, generation
        with self._lock:
            if self._store is None or (self._generation != generation and not self._writing):
                self._install(self._open(), generation)
            assert self._store is not None
            return self._store, generation

    def replace(self, store: ChunkStore) -> None:
        """Use ``store`` from now on (a rebuilt collection)."""
        with self._lock:
            self._install(store, self.catalog.generation())

    @contextmanager
    def writing(self) -> Iterator[ChunkStore]:
        """The store for one write by this process (under the writers' lock): its view is not
        replaced meanwhile, and after the write it is current at the catalog's new generation."""
        store = self.current()
        self._writing = True
        try:
            yield store
        finally:
            self._writing = False
        with self._lock:
            if self._store is store:
                self._generation = self.catalog.generation()

    def query(
        self, vector: Sequence[float], *, k: int, where: Mapping[str, Any] | None = None
    ) -> list[StoredChunk]:
        """The ``k`` nearest chunks (as ``ChunkStore.query``) of articles the catalog holds."""
        n = k
        while True:
            hits, generation = self._query(vector, k=n, where=where)
            kept = self.in_catalog(hits, generation)
            if len(kept) >= k or len(hits) < n or n >= 4 * k:
                return kept[:k]
            n *= 2  # orphans took places: look further

    def _query(self, vector: Sequence[float], *, k: int,
               where: Mapping[str, Any] | None) -> tuple[list[StoredChunk], int | None]:
        from chromadb.errors import InternalError

        for attempt in range(ATTEMPTS):
            store, generation = self._current()
            try:
                return store.query(vector, k=k, where=where), generation
            except InternalError:
                # Chunk ids the view's graph lacks: written since it opened, not committed.
                if attempt == ATTEMPTS - 1:
                    raise
                with self._lock:
                    if self._writing:  # our own write in flight: its view catches up
                        time.sleep(0.05)
                    elif self._store is store:
                        self._install(self._open(), self.catalog.generation())
        raise AssertionError("unreachable")

    def in_catalog(self, hits: Sequence[StoredChunk], generation: int | None = None
                   ) -> list[StoredChunk]:
        """The hits whose article the catalog holds, at the version the chunk was made from
        (asked of the catalog once per article and ``generation``; always when it is None)."""
        if not hits:
            return []
        seen, hashes = self._hashes
        if generation is None or seen != generation:
            hashes = {}
        missing = {str(h.metadata.get(ARTICLE_ID)) for h in hits} - hashes.keys()
        if missing:
            found = self.catalog.content_hashes(missing)
            hashes.update({i: found.get(i) for i in missing})
        self._hashes = (generation, hashes)
        kept = []
        for hit in hits:
            known = hashes.get(str(hit.metadata.get(ARTICLE_ID)))
            if known is not None and hit.metadata.get(CONTENT_HASH, known) == known:
                kept.append(hit)
        return kept

    def _install(self, store: ChunkStore, generation: int) -> None:
        """Make ``store`` the current one (under ``_lock``); release views replaced long ago."""
        now = time.monotonic()
        if self._store is not None and self._store is not store:
            self._retired.append((now, self._store))
        self._store, self._generation = store, generation
        while self._retired and now - self._retired[0][0] > GRACE:
            self._retired.pop(0)[1].close()

    def close(self) -> None:
        with self._lock:
            for _, store in self._retired:
                store.close()
            self._retired.clear()
            if self._store is not None:
                self._store.close()
                self._store = None
