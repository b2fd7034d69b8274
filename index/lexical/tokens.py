"""The lexical index's tokenizer: what decides a chunk's terms and a query's.

bm25s's tokenizer (lower-cased ``\\w\\w+`` words) with English stopwords and the Snowball English
stemmer, over title + chunk text. The engine stores these terms as given (joined by spaces under
tantivy's whitespace tokenizer), so the terms it matches are exactly the ones produced here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from index.metadata import TITLE


class _Tokenizer:
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


def lexical_text(text: str, metadata: Mapping[str, Any]) -> str:
    # The title is part of what a chunk is about (as in the embedded text).
    title = metadata.get(TITLE) or ""
    return f"{title}\n{text}" if title else text
