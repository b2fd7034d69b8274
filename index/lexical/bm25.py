"""BM25Index: BM25 scoring over segments, their log-structured merge, and saving and loading.

Storage is a small log-structured merge under ``<data dir>/lexical/``: each update that adds
chunks writes one immutable segment; removed articles are tombstones in the manifest; a segment is
merged into the one before it when it grows to half that one's size (so a chunk is rewritten
O(log n) times), and rewritten alone when most of it is dead. The manifest is replaced atomically;
segment folders and temporary files no manifest names any more are deleted once they are old
enough. Scores are computed at query time from the live statistics (chunk count, document
frequencies, average length), so a segmented index ranks exactly like one built at once: BM25 as
in bm25s's "lucene" variant, k1 1.5, b 0.75.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.lexical.segment import FORMAT, Record, Segment, tokenize
from index.metadata import ARTICLE_ID
from index.store import StoredChunk

K1, B = 1.5, 0.75
_GC_AGE_S = 60.0  # unreferenced segment folders older than this are deleted


class BM25Index:
    """Segments and which of their chunks are alive; ``search`` ranks chunks, optionally
    filtered. Never changed in place: ``updated`` returns a new one, so readers keep a
    consistent view while a writer brings it up to date."""

    def __init__(self, segments: Sequence[Segment], alive: Sequence[np.ndarray] | None = None,
                 *, generation: int | None = None) -> None:
        # The catalog generation this index reflects (None: unknown).
        self.generation = generation
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
        return cls([Segment.build([Record.of(c) for c in chunks], versions or {})])

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
            fetched.setdefault(str(chunk.metadata.get(ARTICLE_ID)), []).append(chunk)
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
            segments.append(Segment.build([Record.of(c) for c in chunks],
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
        def entry(j: int) -> Record:
            return self.segments[at[j, 0]].records[at[j, 1]]

        # Try the best few first; only a filter that rejects most of them needs a full sort.
        chosen: list[tuple[int, Record]] = []
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
        manifest = {"format": FORMAT, "generation": self.generation, "segments": [
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
        except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
            return None
        return cls(segments, alive, generation=manifest.get("generation"))


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
