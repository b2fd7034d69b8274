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
from typing import Any

import numpy as np

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


def from_bytes(raw: bytes) -> Any:
    from datasketch import MinHash

    values = np.frombuffer(raw, dtype=np.uint64)
    return MinHash(num_perm=len(values), hashvalues=values, scheme=SCHEME)


class NearDuplicateFinder:
    """Finds, for a new article, the canonical article it near-duplicates (or None)."""

    def __init__(
        self,
        known: Iterable[tuple[str, str | None, bytes]] = (),
        *,
        threshold: float = THRESHOLD,
        num_perm: int = NUM_PERM,
    ) -> None:
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._hashes: dict[str, Any] = {}
        self._canonical: dict[str, str] = {}
        for article_id, canonical_id, raw in known:
            self.add(article_id, from_bytes(raw), canonical_id=canonical_id)

    def add(self, article_id: str, minhash: Any, *, canonical_id: str | None = None) -> None:
        if article_id in self._hashes:
            self._lsh.remove(article_id)
        self._lsh.insert(article_id, minhash)
        self._hashes[article_id] = minhash
        self._canonical[article_id] = canonical_id or article_id

    def find(self, article_id: str, minhash: Any) -> tuple[str, float] | None:
        """(canonical id, estimated Jaccard) of the closest earlier article over the threshold."""
        best: tuple[str, float] | None = None
        for other in self._lsh.query(minhash):
            if other == article_id or self._canonical.get(other) == article_id:
                continue
            score = float(minhash.jaccard(self._hashes[other]))
            if score >= self.threshold and (best is None or score > best[1]):
                best = (self._canonical[other], score)
        return best
