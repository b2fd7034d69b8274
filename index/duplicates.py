"""Near-duplicate detection: the same wire story syndicated with small edits.

Each article gets a MinHash signature of its word 5-gram shingles (datasketch); an LSH index over
the stored signatures finds candidates, and a candidate whose estimated Jaccard similarity reaches
the threshold makes the new article a near-duplicate, linked to the candidate's canonical article.
Headlines are left out on purpose: syndicators rewrite them, the body is what they copy.
bench/duplicates.py compares this with embedding similarity on hand-made variants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from index.catalog import Catalog

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.4  # bench/duplicates.py: copies score 0.49-0.91, different stories 0.0
# Fixed so that signatures stored by one datasketch version compare with those of the next.
SCHEME = "affine32"

_WORD = re.compile(r"\w+")


def shingles(text: str, *, k: int = SHINGLE_WORDS) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) <= k:
        return {" ".join(words)}
    return {" ".join(words[i: i + k]) for i in range(len(words) - k + 1)}


def signature(text: str, *, num_perm: int = NUM_PERM) -> Any:
    from datasketch import MinHash

    minhash = MinHash(num_perm=num_perm, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return minhash


def to_bytes(minhash: Any) -> bytes:
    return np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    """A stored signature's hash values."""
    return np.frombuffer(raw, dtype=np.uint64)


@lru_cache(maxsize=8)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's MinHashLSH picks for this threshold (its public
    ``b`` and ``r``; choosing them integrates error curves, ~0.2 s, hence the cache)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


class NearDuplicateFinder:
    """Finds, for a new article, the canonical article it near-duplicates (or None).

    A banded LSH index over signatures' hash values (plain dicts: no MinHash object is built per
    stored signature). It can be kept between writes: ``sync`` brings it in line with the catalog
    by reading only the signatures of articles added or changed since, so a write to a large
    catalog does not load every signature again.
    """

    def __init__(
        self,
        known: Iterable[tuple[str, str | None, bytes]] = (),
        *,
        threshold: float = THRESHOLD,
        num_perm: int = NUM_PERM,
    ) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = lsh_params(threshold, num_perm)
        self._tables: list[dict[bytes, set[str]]] = [{} for _ in range(self.bands)]
        self._values: dict[str, np.ndarray] = {}
        self._canonical: dict[str, str] = {}
        self._versions: dict[str, tuple[str | None, str | None]] = {}
        for article_id, canonical_id, raw in known:
            self.add(article_id, from_bytes(raw), canonical_id=canonical_id)

    def __len__(self) -> int:
        return len(self._values)

    def _keys(self, values: np.ndarray) -> list[bytes]:
        return [values[b * self.rows:(b + 1) * self.rows].tobytes() for b in range(self.bands)]

    def add(self, article_id: str, minhash: Any, *, canonical_id: str | None = None,
            content_hash: str | None = None) -> None:
        """Index a signature (a datasketch MinHash or its hash values)."""
        values = np.asarray(getattr(minhash, "hashvalues", minhash), dtype=np.uint64)
        if len(values) != self.num_perm:
            raise ValueError(f"signature of {article_id!r} has {len(values)} hash values, "
                             f"expected {self.num_perm}")
        self.remove(article_id)
        for table, key in zip(self._tables, self._keys(values), strict=True):
            table.setdefault(key, set()).add(article_id)
        self._values[article_id] = values
        self._canonical[article_id] = canonical_id or article_id
        self._versions[article_id] = (canonical_id, content_hash)

    def remove(self, article_id: str) -> None:
        values = self._values.pop(article_id, None)
        if values is None:
            return
        for table, key in zip(self._tables, self._keys(values), strict=True):
            holders = table.get(key)
            if holders is not None:
                holders.discard(article_id)
                if not holders:
                    del table[key]
        del self._canonical[article_id]
        del self._versions[article_id]

    def sync(self, catalog: Catalog) -> NearDuplicateFinder:
        """Follow the catalog: drop removed or changed articles, read the new ones' signatures."""
        versions = catalog.signature_versions()
        for article_id in [i for i, v in self._versions.items() if versions.get(i) != v]:
            self.remove(article_id)
        missing = [i for i in versions if i not in self._values]
        for article_id, canonical_id, raw in catalog.signatures(missing) if missing else ():
            self.add(article_id, from_bytes(raw), canonical_id=canonical_id,
                     content_hash=versions[article_id][1])
        return self

    def find(self, article_id: str, minhash: Any) -> tuple[str, float] | None:
        """(canonical id, estimated Jaccard) of the closest earlier article over the threshold."""
        values = np.asarray(getattr(minhash, "hashvalues", minhash), dtype=np.uint64)
        candidates: set[str] = set()
        for table, key in zip(self._tables, self._keys(values), strict=True):
            candidates |= table.get(key, set())
        best: tuple[str, float] | None = None
        for other in sorted(candidates):
            if other == article_id or self._canonical.get(other) == article_id:
                continue
            score = float(np.count_nonzero(values == self._values[other])) / len(values)
            if score >= self.threshold and (best is None or score > best[1]):
                best = (self._canonical[other], score)
        return best
