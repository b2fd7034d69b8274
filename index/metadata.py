"""The metadata stored with every chunk: its key names and how an article's fields become it.

The vector store keeps it beside each chunk, the lexical index copies it into its segments, and
retrieval reads it back to filter and cite, so every reader and writer takes the key names from
here. Chroma stores scalars only: authors and agencies are joined with "; ", and the published
date is also kept as an int YYYYMMDD (``published_ord``) because Chroma's ``$gte``/``$lte``
compare numbers only. Pure: no database, no Chroma, no model.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from index.articles import Article
from index.chunking import Chunk
from index.news import parse_news

# Fields of the article, the same on each of its chunks (``chunk_metadata``).
TITLE = "title"
URL = "url"
SOURCE = "source"
PUBLISHED = "published"
PUBLISHED_ORD = "published_ord"
AUTHORS = "authors"
CONTENT_HASH = "content_hash"
PLACE = "place"
AGENCIES = "agencies"
CANONICAL_ID = "canonical_id"
# Fields of one chunk (``chunk_position``): its article, its number and its span in the text.
ARTICLE_ID = "article_id"
N = "n"
START = "start"
END = "end"


def chunk_metadata(article: Article, *, canonical_id: str | None = None) -> dict[str, Any]:
    """The article fields stored with each of its chunks (Chroma takes scalars only)."""
    news = parse_news(article.text)
    agencies = "; ".join(news.agencies)
    return {
        TITLE: article.title, URL: article.url,
        SOURCE: article.source or (agencies or None),
        PUBLISHED: article.published,
        AUTHORS: "; ".join(article.authors or news.byline),
        CONTENT_HASH: article.content_hash,
        PUBLISHED_ORD: date_ordinal(article.published),
        PLACE: news.place, AGENCIES: agencies, CANONICAL_ID: canonical_id,
    }


def chunk_position(chunk: Chunk) -> dict[str, Any]:
    """The fields that differ between the chunks of one article."""
    return {ARTICLE_ID: chunk.article_id, N: chunk.n, START: chunk.start, END: chunk.end}


def date_ordinal(value: date | str | None) -> int | None:
    """``2018-01-09`` (a date or its ISO string) → ``20180109``; None when there is no date."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.year * 10000 + value.month * 100 + value.day
