"""The BM25 engine: the chunks' terms in a tantivy index, plus which catalog version of every
article it holds.

``<data dir>/lexical/`` holds tantivy's files (segments, deletes, merges and the clean-up of unused
files are tantivy's), the chunks' records (``records``; tantivy keeps only each chunk's key to its
record) and ``state.tsv``: a JSON header line (the format, the catalog generation the index was
last brought up to date with, the records file and its size then), then one line per article it
holds: id, catalog version, number of terms (for the average chunk length), bytes of its records.
An update runs under tantivy's writer lock (one writer per folder across processes; the operating
system releases it when its holder dies): it re-reads the state if another process held the
writer meanwhile, compares it with the catalog's versions, deletes the chunks of removed and
changed articles, appends the new ones' records (fsynced) and adds them to tantivy, commits, and
only then replaces ``state.tsv``. So the state can lag the index (a crash after the commit), never
lead it: the next update re-adds those articles — deleting by article id first, so nothing is
doubled — and never misses one. A state naming a records file that is missing or shorter than it
was is a damaged index (rebuilt).

Terms are the project's tokens (``tokens.tokenize``) joined by spaces under tantivy's whitespace
tokenizer, so tantivy indexes exactly those terms. tantivy finds and ranks the candidates with its
BM25 (Lucene's, k1 fixed at 1.2, chunk lengths kept on one byte); the ``k`` it returns are then
scored with the project's BM25 (bm25s's "lucene" variant, k1 1.5, b 0.75, exact lengths) from
their records' term counts, so the ranking is the one measured on SciFact (k1 1.2 cost 0.01
nDCG@10 there). Document frequencies are tantivy's: a deleted chunk counts in them until tantivy
merges its segment away.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from index.lexical.records import Records, encode, loads, term_hash
from index.metadata import ARTICLE_ID
from index.store import StoredChunk

FORMAT = 2  # of the schema, the tokens and the state file: an index in another format is rebuilt
STATE = "state.tsv"
_HEAP = 64_000_000  # tantivy's indexing memory; it writes a segment when full
K1, B = 1.5, 0.75
_ARTICLE, _TERMS, _KEY = "article", "terms", "key"
Entry = tuple[int, bytes, bytes, bytes]  # a record: terms, distinct terms' hashes, counts, JSON
Seen = tuple[int, int, int]  # inode, modification time, size: whether a file was replaced


def _schema() -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    # Deleting an article's chunks is a delete by this exact term.
    builder.add_text_field(_ARTICLE, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(_TERMS, tokenizer_name="whitespace", index_option="freq")
    # Where the chunk's line is in the records files (its terms for the final BM25, and the
    # chunk as the vector store holds it): nothing is read from tantivy's document store.
    builder.add_integer_field(_KEY, fast=True)
    return builder.build()


def saved(path: Path) -> bool:
    """Whether something was saved at ``path`` (this format's files or an older format's)."""
    return any((path / name).exists() for name in (STATE, "meta.json", "manifest.json"))


class LexicalEngine:
    """One tantivy index and its state. ``search`` ranks chunks; ``update`` follows the catalog.
    A search reads one searcher (a snapshot): an update committing meanwhile does not disturb it."""

    def __init__(self, index: Any, path: Path | None, records: Records, *,
                 generation: int | None = None,
                 versions: Mapping[str, tuple[str, int, int]] | None = None) -> None:
        self._index = index
        self.path = path  # None: kept in memory only
        self._records = records
        self.generation = generation  # of the catalog this index reflects (None: unknown)
        # article id → (its catalog version, how many terms its chunks hold, their lines' bytes)
        self._set_versions(dict(versions or {}))
        self._searcher = index.searcher()
        self._state_seen: Seen | None = None  # the state file last read

    def _set_versions(self, versions: dict[str, tuple[str, int, int]]) -> None:
        self.versions = versions
        self._terms = sum(v[1] for v in versions.values())  # for the average length
        self._bytes = sum(v[2] for v in versions.values())  # of live records
        self._lines: dict[str, str] = {}  # the state file's lines, made when first written

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def in_memory(cls) -> LexicalEngine:
        import tantivy

        return cls(tantivy.Index(_schema()), None, Records(None))

    @classmethod
    def of(cls, chunks: Sequence[StoredChunk]) -> LexicalEngine:
        """An in-memory index of these chunks (benchmarks, tests)."""
        engine = cls.in_memory()
        counts = Counter(str(c.metadata.get(ARTICLE_ID)) for c in chunks)
        engine.update({a: ("", n) for a, n in counts.items()}, 0, lambda _ids: chunks)
        return engine

    @classmethod
    def open(cls, path: Path) -> LexicalEngine | None:
        """The index saved at ``path``, or None when missing, of another format, or unreadable
        (a truncated or missing file fails tantivy's footer checks when its searcher opens)."""
        import tantivy

        state = _read_state(path)
        if state is None:
            return None
        records = Records(path, state[3]["records"])
        try:  # the records file the state names, at least as long as it was then
            if records.file(state[3]["file"]).stat().st_size < state[3]["size"]:
                return None
        except OSError:
            return None
        try:
            index = tantivy.Index.open(str(path))
            index.config_reader("Manual", 0)  # reloaded when the catalog's generation moves
            engine = cls(index, path, records, generation=state[0], versions=state[1])
            engine._state_seen = state[2]
            return engine
        except ValueError:
            return None

    @classmethod
    def create(cls, path: Path) -> LexicalEngine:
        """An empty index at ``path``, replacing whatever was there."""
        import tantivy

        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        index = tantivy.Index(_schema(), path=str(path), reuse=False)
        index.config_reader("Manual", 0)
        engine = cls(index, path, Records(path))
        engine._write_state()
        return engine

    def reload(self) -> None:
        """See what other processes committed. The state is read before the index, so what is
        read of the state is never newer than the index. Raises ValueError / OSError when the
        folder was removed or damaged meanwhile."""
        if self.path is not None:
            seen = _stat(self.path / STATE)
            if seen is None or seen != self._state_seen:  # else nothing was committed since
                state = _read_state(self.path)
                if state is None:
                    raise ValueError(f"{self.path / STATE} is missing or unreadable")
                if state[3]["records"] != self._records.token:
                    raise ValueError(f"{self.path} was rebuilt by another process")
                self.generation, versions, self._state_seen, _ = state
                self._set_versions(versions)
            self._index.reload()
        self._searcher = self._index.searcher()

    # -- searching -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._searcher.num_docs)

    def search(
        self, query: str, *, k: int, keep: Callable[[Mapping[str, Any]], bool] | None = None
    ) -> list[StoredChunk]:
        """The ``k`` best chunks with a positive BM25 score (those ``keep`` accepts)."""
        import tantivy

        from index.lexical.tokens import tokenize

        searcher = self._searcher
        terms = Counter(tokenize([query])[0])
        if k <= 0 or not terms or searcher.num_docs == 0:
            return []
        schema = self._index.schema
        # A term repeated in the question counts that many times, as in a BM25 sum over tokens.
        query_ = tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.term_query(schema, _TERMS, t) if n == 1 else
             tantivy.Query.boost_query(tantivy.Query.term_query(schema, _TERMS, t), float(n)))
            for t, n in terms.items()])
        # Try the best few first; only a filter that rejects most of them needs every match.
        window = k if keep is None else 4 * k + 16
        while True:
            hits = searcher.search(query_, limit=window, count=False).hits
            chosen: list[tuple[dict[str, Any], Entry]] = []
            for key in searcher.fast_field_values(_KEY, [address for _, address in hits]):
                entry = self._records.get(int(key))  # type: ignore[arg-type]
                record = loads(entry[3])
                if keep is None or keep(record["metadata"]):
                    chosen.append((record, entry))
                    if len(chosen) == k:
                        break
            if len(chosen) == k or len(hits) < window:
                break
            window = searcher.num_docs
        n = searcher.num_docs
        weights = [(term_hash(t), q * math.log(1 + (n - df + 0.5) / (df + 0.5)))
                   for t, q in terms.items() if (df := searcher.doc_freq(_TERMS, t))]
        scores = _bm25([entry for _, entry in chosen], weights, max(self._terms / n, 1.0))
        scored = [StoredChunk(id=record["id"], text=record["text"], metadata=record["metadata"],
                              score=score) for (record, _), score in zip(chosen, scores,
                                                                         strict=True)]
        return sorted(scored, key=lambda h: (-h.score, h.id))

    # -- following the catalog -----------------------------------------------------------------

    def update(self, versions: Mapping[str, tuple[str, int]], generation: int,
               fetch: Callable[[Sequence[str]], Sequence[StoredChunk]], *,
               wait: float = 60.0) -> bool:
        """Bring the index in line with the catalog's ``versions`` (id → (version key, chunk
        count), read at ``generation``): removed and changed articles' chunks deleted, new and
        changed ones read with ``fetch`` (article ids → their chunks) and added. Returns False,
        changing nothing, when another process held the writer for ``wait`` seconds."""
        writer, waited = self._writer(wait)
        if writer is None:
            return False
        try:
            if waited and self.path is not None:
                self.reload()  # another process updated it while we waited
            if self.generation != generation:
                self._apply(writer, versions, generation, fetch)
        finally:
            writer.wait_merging_threads()  # lets merges finish; releases the writer lock
        self._searcher = self._index.searcher()
        return True

    def _apply(self, writer: Any, versions: Mapping[str, tuple[str, int]], generation: int,
               fetch: Callable[[Sequence[str]], Sequence[StoredChunk]]) -> None:
        import tantivy

        from index.lexical.tokens import lexical_text, tokenize

        records = self._records
        records.number = max(records.numbers(), default=0)  # another process may have moved on
        # Nothing known (a new index, or its state lost), or a records file mostly dead lines:
        # every article is added again (a compaction reads the chunks like a first build).
        rebuild = not self.versions or records.wasteful(self._bytes)
        if rebuild and self.versions:
            records.compacting()
        gone = {a for a, v in self.versions.items() if versions.get(a, (None,))[0] != v[0]}
        wanted = [a for a, (v, _) in versions.items()
                  if rebuild or self.versions.get(a, (None,))[0] != v]
        fetched: dict[str, list[StoredChunk]] = {}
        for chunk in fetch(wanted) if wanted else ():
            fetched.setdefault(str(chunk.metadata.get(ARTICLE_ID)), []).append(chunk)
        # An article whose chunks are not all there yet (a write in progress) is left out:
        # the commit that completes it changes the catalog, and the next update fetches it.
        complete = [a for a in wanted if len(fetched.get(a, ())) == versions[a][1]]
        if rebuild:
            writer.delete_all_documents()
            gone = set(self.versions)
        # Articles new to the state may be in the index already (a state that lagged a commit).
        for article_id in gone | set(complete):
            writer.delete_documents_by_term(_ARTICLE, article_id)
        chunks = sorted((c for a in complete for c in fetched[a]), key=lambda c: c.id)
        tokens = tokenize([lexical_text(c.text, c.metadata) for c in chunks])
        hashes: dict[str, int] = {}
        lines = [encode(terms, c.id, c.text, dict(c.metadata), hashes)
                 for c, terms in zip(chunks, tokens, strict=True)]
        keys = records.append(lines) if lines else []  # fsynced before the commit refers to it
        lengths: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        for chunk, terms, raw, key in zip(chunks, tokens, lines, keys, strict=True):
            article_id = str(chunk.metadata.get(ARTICLE_ID))
            lengths[article_id] += len(terms)
            sizes[article_id] += len(raw)
            writer.add_document(tantivy.Document(**{
                _ARTICLE: article_id, _TERMS: "  ".join(terms), _KEY: key}))
        if gone or complete or rebuild:
            writer.commit()
            self._index.reload()
        for article_id in gone:
            _, terms, size = self.versions.pop(article_id)
            self._lines.pop(article_id, None)
            self._terms -= terms
            self._bytes -= size
        for article_id in complete:
            self.versions[article_id] = entry = (versions[article_id][0], lengths[article_id],
                                                 sizes[article_id])
            if self._lines:
                self._lines[article_id] = _line(article_id, entry)
            self._terms += lengths[article_id]
            self._bytes += sizes[article_id]
        self.generation = generation
        self._write_state()  # after the commit: the state never claims more than the index holds
        if rebuild:
            records.drop_old()

    def _writer(self, wait: float) -> tuple[Any, bool]:
        """tantivy's writer (None after ``wait`` seconds), and whether it had to wait for it."""
        deadline = time.monotonic() + wait
        waited = False
        while True:
            try:
                return self._index.writer(_HEAP, 1), waited
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    return None, True
                waited = True
                time.sleep(0.05)

    def _write_state(self) -> None:
        if self.path is None:
            return
        if not self._lines:  # kept from then on, so a write formats only the articles it changed
            self._lines = {a: _line(a, entry) for a, entry in self.versions.items()}
        header = json.dumps({"format": FORMAT, "generation": self.generation,
                             "records": self._records.token, "file": self._records.number,
                             "size": self._records.size()})
        tmp = self.path / f"{STATE}.{os.getpid()}.tmp"
        tmp.write_text("\n".join((header, *self._lines.values())) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / STATE)
        self._state_seen = _stat(self.path / STATE)


def _bm25(entries: Sequence[Entry], weights: Sequence[tuple[int, float]], average: float
          ) -> list[float]:
    """The BM25 score of each record for the question's (term hash, weight)s: numpy finds the
    terms in the records' hashes; each score then sums its terms in the question's order."""
    import numpy as np

    if not entries or not weights:
        return [0.0] * len(entries)
    hashes = np.frombuffer(b"".join(e[1] for e in entries), dtype=np.uint64)
    counts = np.frombuffer(b"".join(e[2] for e in entries), dtype=np.uint32)
    found = np.flatnonzero(np.isin(hashes, np.array([h for h, _ in weights], dtype=np.uint64)))
    ends = np.cumsum([len(e[1]) // 8 for e in entries])
    rank = {h: i for i, (h, _) in enumerate(weights)}
    scores = [0.0] * len(entries)
    norms = [K1 * (1 - B + B * e[0] / average) for e in entries]
    for d, r, tf in sorted(zip(np.searchsorted(ends, found, side="right").tolist(),
                               [rank[h] for h in hashes[found].tolist()],
                               counts[found].tolist(), strict=True)):
        scores[d] += weights[r][1] * tf / (tf + norms[d])
    return scores


def _line(article_id: str, entry: tuple[str, int, int]) -> str:
    return f"{_id(article_id)}\t{entry[0]}\t{entry[1]}\t{entry[2]}"


def _id(article_id: str) -> str:
    # Ids are written as they are unless a tab or newline (or a leading quote) would garble the
    # line; those are written as JSON strings.
    if "\t" in article_id or "\n" in article_id or article_id.startswith('"'):
        return json.dumps(article_id)
    return article_id


def _stat(path: Path) -> Seen | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_state(path: Path) -> tuple[int | None, dict[str, tuple[str, int, int]], Seen | None,
                                      dict[str, Any]] | None:
    """(generation, versions, stat, header) of the state file; None when missing, damaged or of
    another format."""
    try:
        seen = _stat(path / STATE)
        text = (path / STATE).read_text(encoding="utf-8")
        header, _, body = text.partition("\n")
        meta = json.loads(header)
        if (meta.get("format") != FORMAT or not text.endswith("\n")
                or not isinstance(meta.get("records"), str)
                or not all(isinstance(meta.get(f), int) for f in ("file", "size"))):
            return None
        versions: dict[str, tuple[str, int, int]] = {}
        for entry in body.splitlines():
            article_id, version, terms, size = entry.rsplit("\t", 3)
            if article_id.startswith('"'):
                article_id = json.loads(article_id)
            versions[article_id] = (version, int(terms), int(size))
        return meta.get("generation"), versions, seen, meta
    except (OSError, ValueError, AttributeError, TypeError):
        return None
