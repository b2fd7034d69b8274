"""The lexical side of retrieval: a BM25 index over the indexed chunks, kept in the data dir.

It is derived data, like the vector collection, and follows the catalog incrementally. Every
article it holds is recorded with its catalog version (content hash, canonical id, update time);
bringing it up to date compares those with the catalog, reads from the vector store only the
chunks of articles added or changed since, and drops the removed ones. Adding one article to a
100k-chunk index therefore tokenises one article, not 100k chunks; changes made by another process
or replica are caught the same way, on the next use.

``segment`` holds the tokenizer and the on-disk segment format, ``bm25`` the scoring, merging and
storage (see their docstrings). Hits are ``StoredChunk`` values like the dense side's, so both
feed the same Passage type.
"""

from __future__ import annotations

import copy
import logging
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from index.catalog import Catalog
from index.lexical.bm25 import BM25Index
from index.metadata import ARTICLE_ID
from index.store import IDS_PER_GET, ChunkStore, StoredChunk

__all__ = ["BM25Index", "LexicalIndex"]

log = logging.getLogger(__name__)


class LexicalIndex:
    """The BM25 index of one data dir, kept in step with the catalog and the vector store."""

    def __init__(self, path: Path | None, catalog: Catalog, store: Callable[[], ChunkStore]
                 ) -> None:
        self.path = path  # None: kept in memory only
        self.catalog = catalog
        self._store = store
        self._index: BM25Index | None = None
        self._saved: BM25Index | None = None  # the version last written to (or read from) disk
        self._lock = threading.Lock()

    def current(self) -> BM25Index:
        """The index for the catalog as it is now: loaded, then updated with what changed.

        Reading every article's version costs time in proportion to the catalog, so it is
        skipped while the catalog's generation is the one the index was brought up to date
        with (in this process, or by the process that saved it)."""
        generation = self.catalog.generation()
        index = self._index
        if index is not None and index.generation == generation:
            return index
        with self._lock:
            if self._index is None and self.path is not None:
                self._index = self._saved = BM25Index.load(self.path)
                if self._index is None and self.damaged():
                    # Derived data: rebuilt below from the catalog and the vector store.
                    log.warning("The lexical index at %s is damaged or from another version; "
                                "rebuilding it from the catalog.", self.path)
            if self._index is None:
                self._index = BM25Index([])
            if self._index.generation == generation:  # saved by a process that saw this catalog
                return self._index
            # The generation first, then the catalog's versions, then the chunks: a write landing
            # in between (chunks are written before the catalog) only makes what is read newer
            # than the generation says, which the next call notices and re-reads.
            updated = self._index.updated(self.catalog.article_versions(), self._fetch)
            if updated is self._index:
                updated = copy.copy(updated)
            updated.generation = generation
            self._index = updated
            if self._saved is None and self.path is not None:
                # A first build is the expensive case: keep it for the next process. (Saving
                # outside the writer lock is safe: an older manifest winning a race only makes
                # the next loader catch up with the catalog.)
                self._index.save(self.path)
                self._saved = self._index
            return self._index

    def damaged(self) -> bool:
        """Whether an index was saved at ``path`` but cannot be read back."""
        return (self.path is not None and (self.path / "manifest.json").exists()
                and BM25Index.load(self.path) is None)

    def refresh(self) -> BM25Index:
        """Bring the index up to date after a write and save it (a no-op when nothing changed).
        Called by the writer, under its lock, so saves never race each other."""
        index = self.current()
        if self.path is not None and index is not self._saved:
            index.save(self.path)
            self._saved = index
        return index

    def reset(self) -> None:
        """Forget the index (memory and disk): the next use builds it from every chunk."""
        with self._lock:
            self._index = self._saved = None
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)

    def search(
        self, query: str, *, k: int, keep: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[StoredChunk]:
        return self.current().search(query, k=k, keep=keep)

    def _fetch(self, article_ids: Sequence[str]) -> list[StoredChunk]:
        store = self._store()
        if len(article_ids) > IDS_PER_GET and len(article_ids) > store.count() / 8:
            # Most of the index (a first build, a rebuild): one paged scan beats thousands of
            # "$in" lookups.
            wanted = set(article_ids)
            return [c for c in store.all_chunks() if str(c.metadata.get(ARTICLE_ID)) in wanted]
        return store.article_chunks(article_ids)
