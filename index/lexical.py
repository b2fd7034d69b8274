"""The lexical side of retrieval: a BM25 index over the indexed chunks, kept in the data dir.

It is derived data, like the vector collection, and follows the catalog incrementally. Every
article it holds is recorded with its catalog version (content hash, canonical id, update time);
bringing it up to date compares those with the catalog, reads from the vector store only the
chunks of articles added or changed since, and drops the removed ones. Adding one article to a
100k-chunk index therefore tokenises one article, not 100k chunks; changes made by another process
or replica are caught the same way, on the next use.

Storage is a small log-structured merge under ``<data dir>/lexical/``: each update that adds
chunks writes one immutable segment (postings by term, chunk lengths, the chunks' text and
metadata); removed articles are tombstones in the manifest; a segment is merged into the one
before it when it grows to half that one's size (so a chunk is rewritten O(log n) times), and
rewritten alone when most of it is dead. Scores are computed at query time from the live
statistics (chunk count, document frequencies, average length), so a segmented index ranks
exactly like one built at once: BM25 as in bm25s's "lucene" variant, k1 1.5, b 0.75, over English
stopword-free, Snowball-stemmed tokens of title + chunk text.

Hits are ``StoredChunk`` values like the dense side's, so both feed the same Passage type.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.catalog import Catalog
from index.store import ChunkStore, StoredChunk

FORMAT = 3
K1, B = 1.5, 0.75
_PAGE = 5000  # chunks fetched from Chroma per request
_IDS_PER_FETCH = 500  # article ids per "$in" filter
_GC_AGE_S = 60.0  # unreferenced segment folders older than this are deleted

class _Tokenizer:
    """bm25s's tokenizer with English stopwords and the Snowball English stemmer."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        import bm25s

        if not texts:
            return []
        return bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer,
                              return_ids=False, show_progress=False)


_TOKENIZE: _Tokenizer | None = None


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    global _TOKENIZE
    if _TOKENIZE is None:
        _TOKENIZE = _Tokenizer()
    return _TOKENIZE(texts)


@dataclass(frozen=True)
class _Entry:
    id: str
    text: str
    metadata: Mapping[str, Any]

    @classmethod
    def of(cls, chunk: StoredChunk) -> _Entry:
        return cls(chunk.id, chunk.text, dict(chunk.metadata))

    @property
    def article_id(self) -> str:
        return str(self.metadata.get("article_id") or self.id.rsplit(":", 1)[0])

    def to_json(self) -> bytes:
        return json.dumps({"id": self.id, "text": self.text, "metadata": dict(self.metadata)},
                          ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> _Entry:
        d = json.loads(raw)
        return cls(d["id"], d["text"], d["metadata"])


def _lexical_text(entry: _Entry) -> str:
    # The title is part of what a chunk is about (as in the embedded text).
    title = entry.metadata.get("title") or ""
    return f"{title}\n{entry.text}" if title else entry.text


class _Records:
    """The chunks of a segment as JSON records, parsed only when a search returns them: a saved
    segment's records stay in its file (memory-mapped), so loading an index reads no text."""

    def __init__(self, raw: Sequence[bytes] | None = None, *, buffer: Any = None,
                 offsets: np.ndarray | None = None) -> None:
        self._raw = list(raw) if raw is not None else None
        self._buffer, self._offsets = buffer, offsets

    def __len__(self) -> int:
        return len(self._raw) if self._raw is not None else len(self._offsets) - 1

    def raw(self, i: int) -> bytes:
        if self._raw is not None:
            return self._raw[i]
        return self._buffer[self._offsets[i]:self._offsets[i + 1]].rstrip(b"\n")

    def __getitem__(self, i: int) -> _Entry:
        return _Entry.from_json(self.raw(i))


class Segment:
    """An immutable run of chunks with postings by term: ``docs[indptr[t]:indptr[t+1]]`` are the
    chunks holding term ``t`` and ``tfs`` how often; ``article_of`` maps chunks to articles."""

    def __init__(self, records: _Records, article_ids: Sequence[str], article_of: np.ndarray,
                 versions: Mapping[str, str], terms: Mapping[str, int], indptr: np.ndarray,
                 docs: np.ndarray, tfs: np.ndarray, lengths: np.ndarray,
                 name: str | None = None) -> None:
        self.records = records
        self.article_ids = list(article_ids)
        self.article_of = article_of
        self.versions = dict(versions)  # article id → version key of the chunks held here
        self.terms = terms
        self.indptr, self.docs, self.tfs, self.lengths = indptr, docs, tfs, lengths
        self.name = name  # its folder once saved
        order = np.argsort(article_of, kind="stable")
        bounds = np.cumsum(np.bincount(article_of, minlength=len(self.article_ids)))[:-1]
        self.rows = {a: r for a, r in zip(self.article_ids, np.split(order, bounds), strict=True)
                     if len(r)}

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def build(cls, entries: Sequence[_Entry], versions: Mapping[str, str]) -> Segment:
        tokens = tokenize([_lexical_text(e) for e in entries])
        terms: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(entries), dtype=np.int32)
        for doc, doc_tokens in enumerate(tokens):
            lengths[doc] = len(doc_tokens)
            for term, n in Counter(doc_tokens).items():
                term_ids.append(terms.setdefault(term, len(terms)))
                doc_ids.append(doc)
                counts.append(n)
        article_ids: dict[str, int] = {}
        article_of = np.asarray([article_ids.setdefault(e.article_id, len(article_ids))
                                 for e in entries], dtype=np.int32)
        return cls._from_postings(
            _Records([e.to_json() for e in entries]), list(article_ids), article_of, versions,
            terms, np.asarray(term_ids, dtype=np.int64), np.asarray(doc_ids, dtype=np.int32),
            np.asarray(counts, dtype=np.int32), lengths)

    @classmethod
    def _from_postings(cls, records: _Records, article_ids: Sequence[str],
                       article_of: np.ndarray, versions: Mapping[str, str],
                       terms: Mapping[str, int], term_ids: np.ndarray, doc_ids: np.ndarray,
                       counts: np.ndarray, lengths: np.ndarray) -> Segment:
        order = np.lexsort((doc_ids, term_ids))
        indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_ids, minlength=len(terms)), out=indptr[1:])
        return cls(records, article_ids, article_of, versions, terms, indptr, doc_ids[order],
                   counts[order], lengths)

    @classmethod
    def merge(cls, parts: Sequence[tuple[Segment, np.ndarray]]) -> Segment:
        """One segment holding the live chunks (``alive`` masks) of several, in order."""
        terms: dict[str, int] = {}
        raw: list[bytes] = []
        article_ids: dict[str, int] = {}
        versions: dict[str, str] = {}
        term_ids, doc_ids, counts, lengths, article_of = [], [], [], [], []
        for segment, alive in parts:
            new_row = np.cumsum(alive) - 1 + len(raw)  # old row → new row (where alive)
            remap = np.empty(len(segment.terms), dtype=np.int64)
            for term, t in segment.terms.items():
                remap[t] = terms.setdefault(term, len(terms))
            keep = alive[segment.docs]
            per_term = np.diff(segment.indptr)
            term_ids.append(remap[np.repeat(np.arange(len(per_term)), per_term)][keep])
            doc_ids.append(new_row[segment.docs[keep]].astype(np.int32))
            counts.append(segment.tfs[keep])
            lengths.append(segment.lengths[alive])
            live = np.flatnonzero(alive)
            raw += [segment.records.raw(i) for i in live]
            live_articles = {segment.article_ids[a] for a in np.unique(segment.article_of[live])}
            to_new = np.asarray([article_ids.setdefault(a, len(article_ids)) if a in live_articles
                                 else -1 for a in segment.article_ids], dtype=np.int32)
            article_of.append(to_new[segment.article_of[live]])
            versions.update({a: v for a, v in segment.versions.items() if a in live_articles})

        def joined(arrays: list[np.ndarray], dtype: Any) -> np.ndarray:
            return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)

        return cls._from_postings(
            _Records(raw), list(article_ids), joined(article_of, np.int32), versions, terms,
            joined(term_ids, np.int64), joined(doc_ids, np.int32), joined(counts, np.int32),
            joined(lengths, np.int32))

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        t = self.terms.get(term)
        if t is None:
            return None
        a, b = self.indptr[t], self.indptr[t + 1]
        return self.docs[a:b], self.tfs[a:b]

    # -- on disk -----------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        with (tmp / "chunks.jsonl").open("wb") as f:
            for i in range(len(self)):
                line = self.records.raw(i) + b"\n"
                f.write(line)
                offsets[i + 1] = offsets[i] + len(line)
        np.savez(tmp / "postings.npz", indptr=self.indptr, docs=self.docs, tfs=self.tfs,
                 lengths=self.lengths, offsets=offsets, article_of=self.article_of)
        (tmp / "terms.json").write_text(json.dumps(list(self.terms), ensure_ascii=False))
        (tmp / "articles.json").write_text(json.dumps(
            {"ids": self.article_ids, "versions": self.versions}))
        tmp.rename(folder)
        self.name = folder.name

    @classmethod
    def load(cls, folder: Path) -> Segment:
        """Raises OSError / ValueError / KeyError when the folder is missing or damaged."""
        import mmap

        with np.load(folder / "postings.npz") as arrays:
            indptr, docs, tfs, lengths, offsets, article_of = (
                arrays[k] for k in ("indptr", "docs", "tfs", "lengths", "offsets", "article_of"))
        terms = {t: i for i, t in enumerate(json.loads((folder / "terms.json").read_text()))}
        articles = json.loads((folder / "articles.json").read_text())
        with (folder / "chunks.jsonl").open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            buffer = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        if (len(offsets) != len(lengths) + 1 or offsets[-1] != size
                or len(article_of) != len(lengths) or len(indptr) != len(terms) + 1
                or len(docs) != indptr[-1] or len(tfs) != len(docs)
                or (len(article_of) and article_of.max() >= len(articles["ids"]))):
            raise ValueError(f"inconsistent lexical segment {folder}")
        return cls(_Records(buffer=buffer, offsets=offsets), articles["ids"], article_of,
                   articles["versions"], terms, indptr, docs, tfs, lengths, name=folder.name)


class BM25Index:
    """Segments and which of their chunks are alive; ``search`` ranks chunks, optionally
    filtered. Never changed in place: ``updated`` returns a new one, so readers keep a
    consistent view while a writer brings it up to date."""

    def __init__(self, segments: Sequence[Segment], alive: Sequence[np.ndarray] | None = None,
                 *, token: int | None = None) -> None:
        self.token = token  # the catalog's change token this index reflects (None: unknown)
        self.segments = list(segments)
        self.alive = list(alive) if alive is not None else [np.ones(len(s), dtype=bool)
                                                             for s in self.segments]
        self.versions: dict[str, str] = {}
        for segment, live in zip(self.segments, self.alive, strict=True):
            self.versions.update({a: segment.versions[a] for a, rows in segment.rows.items()
                                  if live[rows[0]] and a in segment.versions})
        self._live = sum(int(a.sum()) for a in self.alive)
        self._total_length = sum(int(s.lengths[a].sum())
                                 for s, a in zip(self.segments, self.alive, strict=True))

    def __len__(self) -> int:
        return self._live

    @classmethod
    def build(cls, chunks: Sequence[StoredChunk], versions: Mapping[str, str] | None = None
              ) -> BM25Index:
        """An index of these chunks (``versions``: article id → version key, when known)."""
        if not chunks:
            return cls([])
        return cls([Segment.build([_Entry.of(c) for c in chunks], versions or {})])

    def updated(self, versions: Mapping[str, tuple[str, int]],
                fetch: Callable[[Sequence[str]], Sequence[StoredChunk]]) -> BM25Index:
        """This index brought in line with the catalog's ``versions``: removed and changed
        articles dropped, new and changed ones read with ``fetch`` (article ids → their chunks)
        and added. Returns ``self`` when nothing changed."""
        gone = {a for a, v in self.versions.items() if versions.get(a, (None,))[0] != v}
        wanted = [a for a, (v, _) in versions.items() if self.versions.get(a) != v]
        if not gone and not wanted:
            return self
        fetched: dict[str, list[StoredChunk]] = {}
        for chunk in fetch(wanted) if wanted else ():
            fetched.setdefault(str(chunk.metadata.get("article_id")), []).append(chunk)
        # An article whose chunks are not all there yet (a write in progress) is left out:
        # the commit that completes it changes the catalog, and the next update fetches it.
        complete = [a for a in wanted if len(fetched.get(a, ())) == versions[a][1]]
        alive = list(self.alive)
        for i, segment in enumerate(self.segments):
            rows = [segment.rows[a] for a in gone if a in segment.rows]
            if rows:
                alive[i] = alive[i].copy()
                alive[i][np.concatenate(rows)] = False
        segments = list(self.segments)
        if complete:
            chunks = sorted((c for a in complete for c in fetched[a]), key=lambda c: c.id)
            segments.append(Segment.build([_Entry.of(c) for c in chunks],
                                          {a: versions[a][0] for a in complete}))
            alive.append(np.ones(len(segments[-1]), dtype=bool))
        return BM25Index(*_compact(segments, alive))

    def search(
        self, query: str, *, k: int, keep: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[StoredChunk]:
        """The ``k`` best chunks with a positive BM25 score (those ``keep`` accepts)."""
        if self._live == 0 or k <= 0:
            return []
        tokens = Counter(tokenize([query])[0])
        if not tokens:
            return []
        found = [(s, a, {t: p for t in tokens if (p := s.postings(t)) is not None})
                 for s, a in zip(self.segments, self.alive, strict=True)]
        df = Counter({t: 0 for t in tokens})
        for _, alive, postings in found:
            for t, (docs, _) in postings.items():
                df[t] += int(np.count_nonzero(alive[docs]))
        n, avg = self._live, self._total_length / self._live
        idf = {t: np.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items() if d}
        scores, where = [], []
        for i, (segment, alive, postings) in enumerate(found):
            if not postings:
                continue
            s = np.zeros(len(segment), dtype=np.float64)
            for t, (docs, tfs) in postings.items():
                if t in idf:  # else every chunk holding it is dead
                    norm = K1 * ((1 - B) + B / avg * segment.lengths[docs])
                    s[docs] += tokens[t] * idf[t] * tfs / (norm + tfs)
            hits = np.flatnonzero((s > 0) & alive)
            scores.append(s[hits])
            where.append(np.stack([np.full(len(hits), i), hits], axis=1))
        if not scores:
            return []
        score = np.concatenate(scores)
        at = np.concatenate(where)
        return self._best(score, at, k, keep)

    def _best(self, score: np.ndarray, at: np.ndarray, k: int,
              keep: Callable[[Mapping[str, Any]], bool] | None) -> list[StoredChunk]:
        def entry(j: int) -> _Entry:
            return self.segments[at[j, 0]].records[at[j, 1]]

        # Try the best few first; only a filter that rejects most of them needs a full sort.
        chosen: list[tuple[int, _Entry]] = []
        for window in (4 * k + 16, len(score)):
            if window < len(score):
                order = np.argpartition(-score, window - 1)[:window]
                order = order[np.argsort(-score[order], kind="stable")]
            else:
                order = np.argsort(-score, kind="stable")
            chosen = []
            for j in order:
                e = entry(j)
                if keep is None or keep(e.metadata):
                    chosen.append((j, e))
                    if len(chosen) == k:
                        break
            if len(chosen) == k or window >= len(score):
                break
        hits = [StoredChunk(id=e.id, text=e.text, metadata=e.metadata, score=float(score[j]))
                for j, e in chosen]
        return sorted(hits, key=lambda h: (-h.score, h.id))

    # -- on disk -----------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the segments not on disk yet, then the manifest (atomically): readers see the
        old index or the new one, never half of one. Unreferenced segments are cleaned up."""
        path.mkdir(parents=True, exist_ok=True)
        for segment in self.segments:
            if segment.name is None or not (path / segment.name).is_dir():
                segment.save(path / f"seg-{uuid.uuid4().hex[:16]}")
        manifest = {"format": FORMAT, "token": self.token, "segments": [
            {"name": s.name,
             "dead": sorted(s.article_ids[i] for i in np.unique(s.article_of[~a]))}
            for s, a in zip(self.segments, self.alive, strict=True)]}
        tmp = path / f"manifest.json.{uuid.uuid4().hex[:8]}.tmp"
        tmp.write_text(json.dumps(manifest))
        os.replace(tmp, path / "manifest.json")
        _collect_garbage(path, {s.name for s in self.segments})

    @classmethod
    def load(cls, path: Path) -> BM25Index | None:
        """The saved index, or None when it is missing, from another format, or unreadable."""
        for _ in range(3):  # a writer may retire a segment while we read it: read again
            before = _mtime(path / "manifest.json")
            index = cls._load(path)
            if index is not None or _mtime(path / "manifest.json") == before:
                return index
        return None

    @classmethod
    def _load(cls, path: Path) -> BM25Index | None:
        try:
            manifest = json.loads((path / "manifest.json").read_text())
            if manifest.get("format") != FORMAT:
                return None
            segments, alive = [], []
            for item in manifest["segments"]:
                segment = Segment.load(path / item["name"])
                live = np.ones(len(segment), dtype=bool)
                for article_id in item["dead"]:
                    if article_id in segment.rows:
                        live[segment.rows[article_id]] = False
                segments.append(segment)
                alive.append(live)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(segments, alive, token=manifest.get("token"))


def _compact(segments: list[Segment], alive: list[np.ndarray]
             ) -> tuple[list[Segment], list[np.ndarray]]:
    """Drop empty segments, rewrite mostly-dead ones, and merge a segment into the one before it
    once it holds half as many live chunks (sizes shrink geometrically: O(log n) segments)."""
    live = [int(a.sum()) for a in alive]
    parts = [(s, a, n) for s, a, n in zip(segments, alive, live, strict=True) if n]
    out: list[tuple[Segment, np.ndarray, int]] = []
    for segment, mask, n in parts:
        if n < len(segment) / 2:
            segment, mask = Segment.merge([(segment, mask)]), np.ones(n, dtype=bool)
        out.append((segment, mask, n))
        while len(out) >= 2 and 2 * out[-1][2] >= out[-2][2]:
            (s1, a1, n1), (s2, a2, n2) = out[-2], out[-1]
            merged = Segment.merge([(s1, a1), (s2, a2)])
            out[-2:] = [(merged, np.ones(n1 + n2, dtype=bool), n1 + n2)]
    return [s for s, _, _ in out], [a for _, a, _ in out]


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _collect_garbage(path: Path, keep: set[str | None]) -> None:
    """Delete segment folders no manifest names any more, and leftover temporary files. Young
    ones are left alone: another process may have just written them and be about to publish its
    manifest."""
    now = time.time()
    for child in path.iterdir():
        unused = child.name.startswith("seg-") and child.name not in keep
        if not (unused or child.name.endswith(".tmp")):
            continue
        try:
            if now - child.stat().st_mtime > _GC_AGE_S:
                (shutil.rmtree if child.is_dir() else os.remove)(child)
        except OSError:
            pass  # gone already, or in use: the next save tries again


def _chunks(page: Mapping[str, Any]) -> Iterable[StoredChunk]:
    for i, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
        yield StoredChunk(id=i, text=doc or "", metadata=meta or {}, score=0.0)


def all_chunks(store: ChunkStore) -> list[StoredChunk]:
    """Every chunk in the vector store with its text and metadata, in id order."""
    chunks: list[StoredChunk] = []
    offset = 0
    while True:
        page = store.collection.get(include=["documents", "metadatas"], limit=_PAGE,
                                    offset=offset)
        chunks += _chunks(page)
        if len(page["ids"]) < _PAGE:
            break
        offset += _PAGE
    chunks.sort(key=lambda c: c.id)
    return chunks


def article_chunks(store: ChunkStore, article_ids: Sequence[str]) -> list[StoredChunk]:
    """The chunks of these articles, with text and metadata."""
    chunks: list[StoredChunk] = []
    for start in range(0, len(article_ids), _IDS_PER_FETCH):
        ids = list(article_ids[start:start + _IDS_PER_FETCH])
        where = {"article_id": ids[0]} if len(ids) == 1 else {"article_id": {"$in": ids}}
        chunks += _chunks(store.collection.get(where=where, include=["documents", "metadatas"]))
    return chunks


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
        self.rebuilds = 0  # full builds from every chunk by this process (for tests and stats)

    def current(self) -> BM25Index:
        """The index for the catalog as it is now: loaded, then updated with what changed.

        Reading every article's version costs time in proportion to the catalog, so it is
        skipped while the catalog's change token is the one the index was brought up to date
        with (in this process, or by the process that saved it)."""
        token = self.catalog.generation()
        index = self._index
        if index is not None and index.token == token:
            return index
        with self._lock:
            if self._index is None and self.path is not None:
                self._index = self._saved = BM25Index.load(self.path)
            if self._index is None:
                self._index = BM25Index([])
                self.rebuilds += 1
            if self._index.token == token:  # saved by a process that saw this very catalog
                return self._index
            # The token first, then the catalog's versions, then the chunks: a write landing
            # in between (chunks are written before the catalog) only makes what is read newer
            # than the token says, which the next call notices and re-reads.
            updated = self._index.updated(self.catalog.article_versions(), self._fetch)
            if updated is self._index:
                updated = copy.copy(updated)
            updated.token = token
            self._index = updated
            if self._saved is None and self.path is not None:
                # A first build is the expensive case: keep it for the next process. (Saving
                # outside the writer lock is safe: an older manifest winning a race only makes
                # the next loader catch up with the catalog.)
                self._index.save(self.path)
                self._saved = self._index
            return self._index

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
        if len(article_ids) > _IDS_PER_FETCH and len(article_ids) > store.count() / 8:
            # Most of the index (a first build, a rebuild): one paged scan beats thousands of
            # "$in" lookups.
            wanted = set(article_ids)
            return [c for c in all_chunks(store) if str(c.metadata.get("article_id")) in wanted]
        return article_chunks(store, article_ids)
