"""Text files' bytes as text, and the limits every article's text is held to, whatever its format.

Decoding: a UTF-16/32 byte-order mark, else UTF-8, else Windows-1252 when the bytes read as
Western European text in it (the most common undeclared encoding of news text), else the charset
charset-normalizer detects. The limits (``check_text``): at most ``MAX_TEXT_CHARS`` characters,
and no unbroken run of ``MAX_WORD_CHARS`` characters (encoded or minified data, not prose).
Every check here is linear in the text's length.
"""

from __future__ import annotations

import codecs
import re

from index.errors import BadArticle

MAX_TEXT_CHARS = 2_000_000  # a long report; more is a book or a data dump, not an article
# Prose has spaces; a longer unbroken run is encoded or minified data pasted into a text file.
MAX_WORD_CHARS = 10_000

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# What Windows-1252 gives Western European text beyond ASCII: Latin-1 letters, typographic
# quotes, dashes and symbols. Other code pages read as Windows-1252 give these too, but as whole
# words of accented letters (Cyrillic, Greek) rather than accents inside Latin words.
_WESTERN = re.compile(r"[^\x00-\x7f\u00a0-\u00ff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_ACCENTED_WORD = re.compile(r"[^\W\d_]*[\u00c0-\u00ff][^\W\d_]*")
# Linear: an attempt starts only where a run starts (``\S{n,}`` alone retries from every
# character of a shorter run, quadratic in its length — minutes for a few megabytes).
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS}}}")
_RUN_END = re.compile(r"\s|\Z")


def decode_bytes(raw: bytes, source: str) -> str:
    if not raw.strip():
        raise BadArticle(source, "file is empty")
    # UTF-16/32 text is full of NUL bytes: recognise it by its byte-order mark before the
    # binary check below would refuse it.
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise BadArticle(source, f"starts with a {codec} byte-order mark but is not "
                                 f"valid {codec} ({exc.reason})") from exc
            if not text.strip():
                raise BadArticle(source, "file is empty")
            return text
    if b"\x00" in raw[:4096]:
        raise BadArticle(source, "looks like a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    western = _as_western(raw)
    if western is not None:
        return western
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset-normalizer comes with requests/chromadb
        from_bytes = None
    if from_bytes is not None:
        matches = list(from_bytes(raw))
        if matches:
            # Ties in chaos are common among single-byte code pages; Windows-1252 (Western
            # European) is by far the most frequent of them in news text, so it wins a tie.
            least = min(m.chaos for m in matches)
            tied = [m for m in matches if m.chaos <= least + 1e-9]
            best = next((m for m in tied if m.encoding == "cp1252"), tied[0])
            return str(best)
    raise BadArticle(source, "text is not UTF-8 and its encoding could not be detected; "
                     "save it as UTF-8")


def _as_western(raw: bytes) -> str | None:
    """The bytes as Windows-1252 when they read as Western European text in it: only Latin-1
    letters and typographic marks beyond ASCII, and accented letters mostly inside words that
    also hold plain letters ("café", "Zürich") — not whole words of them, as Cyrillic or Greek
    bytes give."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if _WESTERN.search(text):
        return None
    words = _ACCENTED_WORD.findall(text)
    plain = sum(1 for w in words if re.search(r"[A-Za-z]", w))
    return text if plain >= 0.6 * len(words) else None


def check_text(text: str, source: str) -> str:
    """``text`` if it is within the limits every article's text is held to; BadArticle else."""
    if len(text) > MAX_TEXT_CHARS:
        raise BadArticle(source, f"holds {len(text):,} characters of text, over the "
                         f"{MAX_TEXT_CHARS:,}-character limit; split it into articles")
    return check_prose(text, source)


def check_prose(text: str, source: str) -> str:
    longest = 0
    for match in _LONG_RUN.finditer(text):
        end = _RUN_END.search(text, match.end())
        longest = max(longest, (end.start() if end else len(text)) - match.start())
    if longest:
        raise BadArticle(source, f"holds a run of {longest:,} characters without a space: "
                         "encoded or minified data, not article text")
    return text
