"""The lexical index's tokenizer: what decides a chunk's terms and a query's.

bm25s's tokenizer, written out: lower-cased ``\\w\\w+`` words, its English stopwords (Lucene's
33-word English stop set) left out, then the Snowball English stemmer (PyStemmer), over title +
chunk text. The engine stores these terms as given (joined by spaces under tantivy's whitespace
tokenizer), so the terms it matches are exactly the ones produced here. Importing bm25s itself
would load scipy (0.2-0.3 s on every cold question) for this one function; a test checks the
terms are bm25s's, text for text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from index.metadata import TITLE

_WORD = re.compile(r"(?u)\b\w\w+\b")
# bm25s.stopwords.STOPWORDS_EN (Lucene's English stop set).
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split())


class _Tokenizer:
    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        words = [[w for w in _WORD.findall(text.lower()) if w not in STOPWORDS] for text in texts]
        distinct = list(dict.fromkeys(w for ws in words for w in ws))
        stems = dict(zip(distinct, self._stemmer.stemWords(distinct), strict=True))
        return [[stems[w] for w in ws] for ws in words]


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
