"""The lexical side of retrieval: a BM25 index (bm25s) over the indexed chunks, in the data dir.

It is derived data, like the vector collection: built from the chunks Chroma holds (title + chunk
text, English stopwords removed, Snowball-stemmed), saved under ``<data dir>/lexical/`` with a
fingerprint of the catalog it was built from, and rebuilt whenever that fingerprint no longer
matches (articles added, changed or removed — by this process or another one — or the folder is
missing or unreadable). bm25s has no incremental update, so a rebuild re-tokenises every chunk:
about a second per 5,000 chunks, far less than embedding them.

Hits are ``StoredChunk`` values like the dense side's, so both feed the same Passage type.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from index.catalog import Catalog, articles_table
from index.store import ChunkStore, StoredChunk

FORMAT = 1
_PAGE = 5000  # chunks fetched from Chroma per request while rebuilding


def catalog_fingerprint(catalog: Catalog) -> str:
    """Changes whenever an article is added, changed or removed (ids and content hashes)."""
    digest = hashlib.sha256()
    with catalog.engine.connect() as conn:
        rows = conn.execute(select(articles_table.c.id, articles_table.c.content_hash)
                            .order_by(articles_table.c.id))
        for row in rows:
            digest.update(f"{row.id}\t{row.content_hash}\n".encode())
    return digest.hexdigest()


class _Tokenizer:
    """bm25s's tokenizer with English stopwords and the Snowball English stemmer."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        import bm25s

        return bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer,
                              return_ids=False, show_progress=False)


@dataclass(frozen=True)
class _Entry:
    id: str
    text: str
    metadata: Mapping[str, Any]


class BM25Index:
    """A built BM25 index over chunks; ``search`` ranks them, optionally filtered."""

    def __init__(self, model: Any, entries: Sequence[_Entry], fingerprint: str) -> None:
        self._model = model
        self._entries = list(entries)
        self.fingerprint = fingerprint
        self._tokenize = _Tokenizer()

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def build(cls, chunks: Sequence[StoredChunk], fingerprint: str) -> BM25Index:
        import bm25s

        entries = [_Entry(c.id, c.text, dict(c.metadata)) for c in chunks]
        model = bm25s.BM25()
        if entries:
            model.index(_Tokenizer()([_lexical_text(e) for e in entries]), show_progress=False)
        return cls(model if entries else None, entries, fingerprint)

    def search(
        self, query: str, *, k: int, keep: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[StoredChunk]:
        """The ``k`` best chunks with a positive BM25 score (those ``keep`` accepts)."""
        if self._model is None or k <= 0:
            return []
        tokens = self._tokenize([query])[0]
        if not tokens:
            return []
        scores = np.asarray(self._model.get_scores(tokens), dtype=np.float64)
        if keep is not None:
            mask = np.fromiter((keep(e.metadata) for e in self._entries), dtype=bool,
                               count=len(self._entries))
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [StoredChunk(id=self._entries[i].id, text=self._entries[i].text,
                            metadata=self._entries[i].metadata, score=float(scores[i]))
                for i in order]

    def save(self, path: Path) -> None:
        """Write to a sibling folder, then swap it in: readers never see half an index."""
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._model is not None:
            self._model.save(str(tmp), show_progress=False)
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
            for e in self._entries:
                f.write(json.dumps({"id": e.id, "text": e.text, "metadata": dict(e.metadata)},
                                   ensure_ascii=False) + "\n")
        (tmp / "manifest.json").write_text(json.dumps(
            {"format": FORMAT, "fingerprint": self.fingerprint, "chunks": len(self._entries)}))
        old = path.with_name(path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> BM25Index | None:
        """The saved index, or None when it is missing, from another format, or unreadable."""
        import bm25s

        try:
            manifest = json.loads((path / "manifest.json").read_text())
            if manifest.get("format") != FORMAT:
                return None
            with (path / "chunks.jsonl").open(encoding="utf-8") as f:
                entries = [_Entry(d["id"], d["text"], d["metadata"]) for d in map(json.loads, f)]
            if len(entries) != manifest["chunks"]:
                return None
            model = bm25s.BM25.load(str(path), show_progress=False) if entries else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(model, entries, manifest["fingerprint"])


def _lexical_text(entry: _Entry) -> str:
    # The title is part of what a chunk is about (as in the embedded text).
    title = entry.metadata.get("title") or ""
    return f"{title}\n{entry.text}" if title else entry.text


def all_chunks(store: ChunkStore) -> list[StoredChunk]:
    """Every chunk in the vector store with its text and metadata, in id order."""
    chunks: list[StoredChunk] = []
    offset = 0
    while True:
        page = store.collection.get(include=["documents", "metadatas"], limit=_PAGE,
                                    offset=offset)
        for i, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
            chunks.append(StoredChunk(id=i, text=doc or "", metadata=meta or {}, score=0.0))
        if len(page["ids"]) < _PAGE:
            break
        offset += _PAGE
    chunks.sort(key=lambda c: c.id)
    return chunks


class LexicalIndex:
    """The BM25 index of one data dir, kept in step with the catalog and the vector store."""

    def __init__(self, path: Path | None, catalog: Catalog, store: Callable[[], ChunkStore]
                 ) -> None:
        self.path = path  # None: kept in memory only
        self.catalog = catalog
        self._store = store
        self._index: BM25Index | None = None
        self._token: int | None = None  # the catalog's change token when _index was checked
        self._lock = threading.Lock()
        self.rebuilds = 0  # how many times this process rebuilt it (for tests and stats)

    def current(self) -> BM25Index:
        """The index for the catalog as it is now: loaded, or rebuilt when missing or stale.

        Hashing every article's id and content hash costs time in proportion to the catalog, so
        on SQLite it is skipped while no commit happened since the last check (the token is read
        before the fingerprint, so a commit in between is caught on the next call)."""
        token = self.catalog.change_token()
        index = self._index
        if token is not None and index is not None and token == self._token:
            return index
        fingerprint = catalog_fingerprint(self.catalog)
        if index is not None and index.fingerprint == fingerprint:
            self._token = token
            return index
        with self._lock:
            if self._index is None and self.path is not None:
                self._index = BM25Index.load(self.path)
            if self._index is None or self._index.fingerprint != fingerprint:
                self._index = self._rebuild(fingerprint)
            self._token = token
            return self._index

    def refresh(self) -> BM25Index:
        """Bring the index up to date after a write (a no-op when nothing changed)."""
        return self.current()

    def search(
        self, query: str, *, k: int, keep: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[StoredChunk]:
        return self.current().search(query, k=k, keep=keep)

    def _rebuild(self, fingerprint: str) -> BM25Index:
        index = BM25Index.build(all_chunks(self._store()), fingerprint)
        if self.path is not None:
            index.save(self.path)
        self.rebuilds += 1
        return index
