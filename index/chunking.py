"""Sentence-aware chunking: pure functions from an Article to its Chunks.

Every chunk records its character offsets in the article text (``text[start:end] == chunk``), so
citations can point back into the article. Chunks hold about 150-200 tokens and overlap by one
sentence; the text that is embedded carries the article title as context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.articles import Article
from index.news import parse_news

TARGET_TOKENS = 170
MAX_TOKENS = 200
# An article this short is one passage, whatever the target: cut in two, a short article (an
# abstract, a brief) becomes a passage and a fragment, each missing the other's words.
WHOLE_TOKENS = 400

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "gov", "sen", "rep", "lt",
    "col", "sgt", "capt", "cmdr", "adm", "rev", "hon", "pres", "inc", "ltd", "co", "corp", "vs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no",
    "u.s", "u.k", "u.n", "e.g", "i.e", "etc", "approx", "dept", "est", "fig", "al",
}
# A sentence ends at . ! ? (and any closing quotes/brackets) followed by whitespace, or at a
# blank line; the next sentence starts with something that can open one.
_BOUNDARY = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9#@À-ÖØ-Þ])|\n\s*\n""")


@dataclass(frozen=True)
class Chunk:
    """A passage of an article, located by character offsets in the article text."""

    article_id: str
    n: int
    text: str
    start: int
    end: int
    embed_text: str

    @property
    def id(self) -> str:
        return chunk_id(self.article_id, self.n)


def chunk_id(article_id: str, n: int) -> str:
    return f"{article_id}:{n}"


def count_tokens(text: str) -> int:
    """Word and punctuation count: close to a WordPiece count for news English, and cheap."""
    return len(_TOKEN.findall(text))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        # Put closing quotes/brackets with the sentence they close.
        while end < len(text) and text[end] in "\"'”’)]":
            end += 1
        if match.group(0).startswith("\n") or not _ends_with_abbreviation(text[start:end]):
            _append_span(text, start, end, spans)
            start = match.end()
    _append_span(text, start, len(text), spans)
    return spans


def _ends_with_abbreviation(sentence: str) -> bool:
    match = re.search(r"(\S+)\.[\"'”’)\]]*$", sentence)
    if not match:
        return False
    word = match.group(1).lower().lstrip("(\"'“‘")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _append_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _split_long(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into windows of at most ``max_tokens`` tokens."""
    tokens = list(_TOKEN.finditer(text, start, end))
    pieces = []
    for i in range(0, len(tokens), max_tokens):
        window = tokens[i: i + max_tokens]
        pieces.append((window[0].start(), window[-1].end()))
    return pieces


def chunk_text(
    text: str, *, target_tokens: int = TARGET_TOKENS, max_tokens: int = MAX_TOKENS,
    whole_tokens: int = WHOLE_TOKENS,
) -> list[tuple[int, int]]:
    """Spans of sentence-aligned chunks of about ``target_tokens`` with one sentence of overlap;
    a text of at most ``whole_tokens`` tokens is one chunk."""
    spans = split_sentences(text)
    if spans and count_tokens(text) <= whole_tokens:
        return [(spans[0][0], spans[-1][1])]
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for s, e in spans:
        n = count_tokens(text[s:e])
        if n > max_tokens:
            units.extend((a, b, count_tokens(text[a:b])) for a, b in _split_long(text, s, e,
                                                                                   max_tokens))
        else:
            units.append((s, e, n))
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] <= target_tokens):
            total += units[j][2]
            j += 1
        # Let the last chunk absorb a short tail instead of leaving a fragment.
        if j < len(units) and j == len(units) - 1 and total + units[j][2] <= max_tokens:
            j += 1
        chunks.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # One sentence of overlap, unless the chunk was a single unit (no progress otherwise).
        i = j - 1 if j - 1 > i else j
    return chunks


def chunk_article(
    article: Article, *, target_tokens: int = TARGET_TOKENS, max_tokens: int = MAX_TOKENS
) -> list[Chunk]:
    text = article.text
    spans = chunk_text(text, target_tokens=target_tokens, max_tokens=max_tokens)
    # The dateline ("PARIS (Reuters) - ") stays in the article but not in the first passage shown:
    # its start simply moves past it, so offsets stay exact.
    body_start = parse_news(text).body_start
    if spans and spans[0][0] < body_start < spans[0][1]:
        spans[0] = (body_start, spans[0][1])
    return [
        Chunk(
            article_id=article.id,
            n=n,
            text=text[s:e],
            start=s,
            end=e,
            embed_text=f"{article.title}\n{text[s:e]}" if article.title else text[s:e],
        )
        for n, (s, e) in enumerate(spans)
    ]
