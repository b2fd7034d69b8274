"""The lexical index's building blocks: the tokenizer, the chunk records and the segment format.

A segment is an immutable run of chunks with postings by term, saved as one folder: the chunks'
JSON records (``chunks.jsonl``, memory-mapped when loaded, parsed only when a search returns
them), the postings and lengths (``postings.npz``), the terms and the articles held with their
versions. Tokens are bm25s's, with English stopwords and the Snowball English stemmer, over
title + chunk text.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.metadata import ARTICLE_ID, TITLE
from index.store import StoredChunk

FORMAT = 3  # of segments and manifest: a saved index in another format is rebuilt


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
class Record:
    """One chunk as the lexical index keeps it: its id, text and metadata (as in the store)."""

    id: str
    text: str
    metadata: Mapping[str, Any]

    @classmethod
    def of(cls, chunk: StoredChunk) -> Record:
        return cls(chunk.id, chunk.text, dict(chunk.metadata))

    @property
    def article_id(self) -> str:
        return str(self.metadata.get(ARTICLE_ID) or self.id.rsplit(":", 1)[0])

    def to_json(self) -> bytes:
        return json.dumps({"id": self.id, "text": self.text, "metadata": dict(self.metadata)},
                          ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Record:
        d = json.loads(raw)
        return cls(d["id"], d["text"], d["metadata"])


def _lexical_text(record: Record) -> str:
    # The title is part of what a chunk is about (as in the embedded text).
    title = record.metadata.get(TITLE) or ""
    return f"{title}\n{record.text}" if title else record.text


class _LazyRecords:
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

    def __getitem__(self, i: int) -> Record:
        return Record.from_json(self.raw(i))


class Segment:
    """An immutable run of chunks with postings by term: ``docs[indptr[t]:indptr[t+1]]`` are the
    chunks holding term ``t`` and ``tfs`` how often; ``article_of`` maps chunks to articles."""

    def __init__(self, records: _LazyRecords, article_ids: Sequence[str], article_of: np.ndarray,
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
    def build(cls, entries: Sequence[Record], versions: Mapping[str, str]) -> Segment:
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
            _LazyRecords([e.to_json() for e in entries]), list(article_ids), article_of, versions,
            terms, np.asarray(term_ids, dtype=np.int64), np.asarray(doc_ids, dtype=np.int32),
            np.asarray(counts, dtype=np.int32), lengths)

    @classmethod
    def _from_postings(cls, records: _LazyRecords, article_ids: Sequence[str],
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
            _LazyRecords(raw), list(article_ids), joined(article_of, np.int32), versions, terms,
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
        return cls(_LazyRecords(buffer=buffer, offsets=offsets), articles["ids"], article_of,
                   articles["versions"], terms, indptr, docs, tfs, lengths, name=folder.name)
