"""The lexical side of retrieval: a BM25 index over the indexed chunks, kept in the data dir.

It is derived data, like the vector collection, and follows the catalog incrementally. Every
article it holds is recorded with its catalog version (content hash, canonical id, update time);
bringing it up to date compares those with the catalog, reads from the vector store only the
chunks of articles added or changed since, and drops the removed ones. Adding one article to a
100k-chunk index therefore tokenises one article, not 100k chunks; changes made by another process
or replica are caught the same way, on the next use.

``engine`` keeps the index in tantivy (see its docstring for the files and crash safety),
``tokens`` holds the tokenizer that decides the terms. Hits are ``StoredChunk`` values like the
dense side's, so both feed the same Passage type.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from index.catalog import Catalog
from index.lexical.engine import LexicalEngine, saved
from index.metadata import ARTICLE_ID
from index.store import IDS_PER_GET, ChunkStore, StoredChunk

__all__ = ["LexicalEngine", "LexicalIndex"]

log = logging.getLogger(__name__)

# How long a question waits for another process's update of the index before searching it as it
# is (its dense side still sees the new articles); a writer waits longer.
READ_WAIT_S = 5.0
WRITE_WAIT_S = 120.0


class LexicalIndex:
    """The BM25 index of one data dir, kept in step with the catalog and the vector store."""

    def __init__(self, path: Path | None, catalog: Catalog, store: Callable[[], ChunkStore]
                 ) -> None:
        self.path = path  # None: kept in memory only
        self.catalog = catalog
        self._store = store
        self._engine: LexicalEngine | None = None
        self._lock = threading.Lock()

    def current(self) -> LexicalEngine:
        """The index for the catalog as it is now: opened, then updated with what changed.

        Reading every article's version costs time in proportion to the catalog, so it is
        skipped while the catalog's generation is the one the index was brought up to date
        with (in this process, or by the process that saved it)."""
        generation = self.catalog.generation()
        engine = self._engine
        if engine is not None and engine.generation == generation:
            return engine
        with self._lock:
            return self._follow(generation, wait=READ_WAIT_S)

    def refresh(self) -> LexicalEngine:
        """Bring the index up to date after a write (a no-op when nothing changed). Called by
        the writer, under its lock."""
        with self._lock:
            return self._follow(self.catalog.generation(), wait=WRITE_WAIT_S)

    def damaged(self) -> bool:
        """Whether an index was saved at ``path`` but cannot be read back."""
        return (self.path is not None and saved(self.path)
                and LexicalEngine.open(self.path) is None)

    def reset(self) -> None:
        """Forget the index (memory and disk): the next use builds it from every chunk."""
        with self._lock, self._creating():
            self._engine = None
            if self.path is not None:
                shutil.rmtree(self.path, ignore_errors=True)

    def search(
        self, query: str, *, k: int, keep: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[StoredChunk]:
        return self.current().search(query, k=k, keep=keep)

    def _follow(self, generation: int, *, wait: float) -> LexicalEngine:
        engine = self._engine
        if engine is not None and engine.generation != generation:
            try:
                engine.reload()
            except (ValueError, OSError):  # removed (a rebuild) or damaged meanwhile
                engine = None
        if engine is None:
            engine = self._engine = self._open()
        if engine.generation == generation:  # saved by a process that saw this catalog
            return engine
        # The generation first, then the catalog's versions, then the chunks: a write landing
        # in between (chunks are written before the catalog) only makes what is read newer
        # than the generation says, which the next call notices and re-reads.
        try:
            if not engine.update(self.catalog.article_versions(), generation,
                                 lambda ids: self._fetch(ids), wait=wait):
                log.info("Another process is updating the lexical index at %s; searching it "
                         "as it is.", self.path)
        except (ValueError, OSError) as exc:
            # Its folder removed by a rebuild, or a disk error: searched as it is, opened again
            # on the next use.
            log.warning("Could not update the lexical index at %s (%s); searching it as it is.",
                        self.path, exc)
            self._engine = None
        return engine

    def _open(self) -> LexicalEngine:
        if self.path is None:
            return LexicalEngine.in_memory()
        engine = LexicalEngine.open(self.path)
        if engine is not None:
            return engine
        with self._creating():  # one process creates it; the others open what it created
            engine = LexicalEngine.open(self.path)
            if engine is None:
                if saved(self.path):
                    # Derived data: rebuilt from the catalog and the vector store.
                    log.warning("The lexical index at %s is damaged or from another version; "
                                "rebuilding it from the catalog.", self.path)
                engine = LexicalEngine.create(self.path)
            return engine

    def _creating(self) -> Any:
        from contextlib import nullcontext

        from filelock import FileLock

        if self.path is None:
            return nullcontext()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path.parent / f".{self.path.name}.lock"))

    def _fetch(self, article_ids: Sequence[str]) -> list[StoredChunk]:
        store = self._store()
        if len(article_ids) > IDS_PER_GET and len(article_ids) > store.count() / 8:
            # Most of the index (a first build, a rebuild): one paged scan beats thousands of
            # "$in" lookups.
            wanted = set(article_ids)
            return [c for c in store.all_chunks() if str(c.metadata.get(ARTICLE_ID)) in wanted]
        return store.article_chunks(article_ids)
