"""The Article type, and the normalisers that give every article a stable id, a content hash,
an ISO date and a tuple of authors, whatever the input looked like.

Pure functions: no I/O. The file loaders that build articles live in ``index.loaders``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article. ``id`` is derived from the URL when there is one, else from the text."""

    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError("Article.text is empty: an article needs some text to index.")
        object.__setattr__(self, "title", (self.title or "").strip() or guess_title(self.text))
        object.__setattr__(self, "published", normalise_date(self.published))
        if isinstance(self.authors, str):
            object.__setattr__(self, "authors", split_authors(self.authors))
        else:
            object.__setattr__(self, "authors", tuple(a for a in self.authors if a))
        object.__setattr__(self, "metadata", dict(self.metadata))
        if not self.url:
            object.__setattr__(self, "url", None)
        elif not is_web_url(self.url):  # a link shown with every citation: never javascript:
            raise ValueError(f"Article.url must be an http:// or https:// address, not "
                             f"{str(self.url)[:100]!r}")
        if not self.id:
            object.__setattr__(self, "id", article_id(url=self.url, text=self.text))

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is indexed or shown with a citation changes."""
        payload = json.dumps(
            [self.title, self.text, self.url, self.source, self.published, list(self.authors),
             self.metadata],
            sort_keys=True, ensure_ascii=False, default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "text": self.text, "url": self.url,
            "source": self.source, "published": self.published, "authors": list(self.authors),
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True)
class Failure:
    """An input that could not be indexed, and why."""

    source: str
    reason: str


_WEB_URL = re.compile(r"https?://[^\s/?#@\"'<>\\]+(?:[/?#][^\s\"'<>\\]*)?", re.I)


def is_web_url(url: Any) -> bool:
    """An http(s) address with a host and nothing that could leave an HTML attribute."""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


def normalise_text(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def text_hash(text: str) -> str:
    """Same for two texts that differ only in case and whitespace: exact duplicates."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def article_id(*, url: str | None, text: str) -> str:
    """A stable id: the same URL (or, without one, the same text) always gives the same id."""
    if url:
        key = "url:" + url.strip().rstrip("/").lower()
    else:
        key = "text:" + normalise_text(text)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def guess_title(text: str) -> str:
    """The first line when it is short, else the first sentence, cut to a readable length."""
    first_line = text.strip().splitlines()[0].strip().lstrip("#").strip()
    if len(first_line) > 150:
        sentence = re.split(r"(?<=[.!?])\s", first_line, maxsplit=1)[0]
        first_line = sentence if len(sentence) <= 150 else sentence[:147].rsplit(" ", 1)[0] + "…"
    return first_line


def normalise_date(value: Any) -> str | None:
    """ISO date (YYYY-MM-DD) from a date, datetime or common date string; None when unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    for fmt in ("%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d", "%a, %d %b %Y"):
        try:
            return datetime.strptime(text[: len(fmt) + 12].strip(), fmt).date().isoformat()
        except ValueError:
            continue
    try:  # RFC 2822 dates, as in RSS feeds and e-mail headers
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def split_authors(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = re.split(r"\s*(?:;|,|\band\b|&)\s*", value.removeprefix("By ").removeprefix("by "))
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, Iterable):
        names: list[str] = []
        for item in value:
            if isinstance(item, Mapping):
                item = item.get("name")
            if item:
                names.append(str(item).strip())
        return tuple(names)
    return (str(value),)
