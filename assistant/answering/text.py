"""Sentences of retrieved passages, and a cache of their embeddings.

Both the extractive answerer and the citation verifier compare text with the sentences of the
retrieved passages. The same passages come back for related questions (and for each turn of a
conversation), so their sentence vectors are cached by text and only new sentences are embedded,
in one batch.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.answering.lexicon import words
from assistant.results import Passage
from index.chunking import split_sentences

_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9#@][\w'’#@-]*")
# Words that carry no topic: left out of term matching everywhere (``lexicon/en/stopwords.txt``).
STOPWORDS = words("stopwords")


_local = threading.local()  # a PyStemmer stemmer is not safe to share between threads


def _stem(words: list[str]) -> list[str]:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer  # PyStemmer, as the lexical index uses

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


@lru_cache(maxsize=20_000)  # the same sentences and contexts come back turn after turn
def content_terms(text: str) -> frozenset[str]:
    """Lower-cased key terms, stemmed as the lexical index stems them (Snowball English:
    "companies" and "company", "approved" and "approve" meet); stopwords removed."""
    words = [w.strip("'’-").removesuffix("'s").removesuffix("’s")
             for w in _WORD.findall(text.lower())]
    words = [w for w in words if w and w not in STOPWORDS]
    return frozenset(w for w in _stem(words) if w and w not in STOPWORDS)


@dataclass(frozen=True)
class Sentence:
    passage: int  # index into the passages list
    start: int  # offsets in the article
    end: int
    text: str


def passage_sentences(passages: Sequence[Passage], *, min_words: int = 4) -> list[Sentence]:
    """The sentences of the passages in rank order; a sentence shared by two overlapping chunks
    of one article is kept once (with the better-ranked passage)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for i, p in enumerate(passages):
        for s, e in split_sentences(p.text):
            key = (p.article_id, p.start + s)
            text = p.text[s:e]
            if key in seen or len(_WORD.findall(text)) < min_words:
                continue
            seen.add(key)
            out.append(Sentence(i, p.start + s, p.start + e, text))
    return out


class CachedEncoder:
    """Wraps an ``encode(list[str]) -> array`` with a bounded, thread-safe cache by text."""

    def __init__(self, encode: Callable[[list[str]], Any], *, max_items: int = 50_000) -> None:
        self.encode = encode
        self.max_items = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = np.asarray(self.encode(missing), dtype=np.float32)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        with self._lock:
            found = [self._cache.get(t) for t in texts]
        if any(v is None for v in found):  # evicted meanwhile by another thread: embed again
            return np.asarray(self.encode(texts), dtype=np.float32)
        if not found:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack(found)
