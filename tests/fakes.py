"""A tiny deterministic ``Embeddings`` for unit tests of the pure stages (never for retrieval
tests: those use the bundled model).

``HashEmbeddings`` hashes the lower-cased, lightly stemmed content words of a text into a fixed
number of dimensions and L2-normalises the counts: texts that share words are similar, texts
that share none have cosine 0, and the same text always gets the same vector (on every machine:
the hash is BLAKE2b, not Python's salted ``hash``).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from langchain_core.embeddings import Embeddings

_WORD = re.compile(r"[a-z0-9]+")
# Words shared by unrelated sentences; left out so only topic words make texts similar.
_STOPWORDS = frozenset("""
a an the and or but of to in on at by for from with as is are was were be been being it its
this that these those he she they them his her their what which who whom when where why how
will would did do does has have had not no so than then there here into over after before
much many also said says
""".split())


def stem(word: str) -> str:
    """A crude stem: enough for "erupted", "erupts" and "erupt" to meet."""
    for suffix in ("ing", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]


def _bucket(term: str, dimension: int) -> int:
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % dimension


class HashEmbeddings(Embeddings):
    """Feature-hashed bag of word stems, L2-normalised (a text without words embeds to 0)."""

    def __init__(self, dimension: int = 512) -> None:
        self.dimension = dimension
        self.name = f"hash-embeddings-{dimension}"  # recorded with an index, as a model's name

    def encode(self, texts: list[str]) -> np.ndarray:
        """The vectors of ``texts`` as one ``(len(texts), dimension)`` float32 array."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text):
                out[row, _bucket(term, self.dimension)] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
