"""Articles from the web: a page URL (httpx + trafilatura) or an RSS/Atom feed (feedparser).

A feed entry's page is fetched and extracted; when that fails (paywall, timeout, no main text)
the entry's own content or summary is used instead. Entries whose article id (derived from the
link) is already known are skipped without fetching. The HTTP client is passed in, so callers
choose its policy (``index.fetcher.Fetcher``: allowed addresses, size cap, deadline).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from index.articles import (
    Article,
    Failure,
    article_id,
    is_web_url,
    normalise_date,
    split_authors,
)
from index.errors import BadArticle
from index.loaders import parse_html
from index.textfiles import decode_bytes

if TYPE_CHECKING:
    from index.fetcher import Fetcher


@dataclass
class FeedResult:
    articles: list[Article] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # links already indexed
    title: str | None = None


def make_client(**policy: Any) -> Fetcher:
    """A ``Fetcher`` (timeout, max_bytes, allow, allow_private): public addresses only."""
    from index.fetcher import Fetcher  # httpx loads only when something is fetched

    return Fetcher(**policy)


def fetch(client: Fetcher, url: str) -> bytes:
    """The body of ``url``; BadArticle naming the URL and the problem otherwise."""
    return client.fetch(url)


def load_url(client: Fetcher, url: str) -> Article:
    html = decode_bytes(fetch(client, url), url)
    return parse_html(html, source=url, url=url)


def load_urls(client: Fetcher, urls: Iterable[str]) -> tuple[list[Article], list[Failure]]:
    articles, failures = [], []
    for url in urls:
        try:
            articles.append(load_url(client, url))
        except BadArticle as exc:
            failures.append(Failure(exc.source, exc.reason))
    return articles, failures


def load_feed(
    client: Fetcher,
    feed_url: str,
    *,
    is_known: Callable[[str], bool] = lambda _id: False,
) -> FeedResult:
    """The new articles of a feed. ``is_known(article_id)`` says which entries to skip."""
    import feedparser

    try:
        raw = fetch(client, feed_url)
    except BadArticle as exc:
        return FeedResult(failures=[Failure(exc.source, exc.reason)])
    feed = feedparser.parse(raw)
    if not feed.entries and (feed.bozo or not feed.get("version")):
        reason = getattr(feed, "bozo_exception", None) or "no RSS or Atom found at this address"
        return FeedResult(failures=[Failure(feed_url, f"cannot parse the feed ({reason})")])
    result = FeedResult(title=feed.feed.get("title"))
    for n, entry in enumerate(feed.entries):
        link = entry.get("link")
        where = link or f"{feed_url}#entry-{n}"
        if link and is_known(article_id(url=link, text="")):
            result.skipped.append(link)
            continue
        try:
            result.articles.append(_entry_article(client, entry, link, result.title))
        except BadArticle as exc:
            result.failures.append(Failure(where, exc.reason))
    return result


def _entry_article(
    client: Fetcher, entry: Any, link: str | None, feed_title: str | None
) -> Article:
    published = normalise_date(entry.get("published") or entry.get("updated"))
    # RSS <author> is "e-mail (Name)"; feedparser puts the name alone in author_detail.
    detail = entry.get("author_detail") or {}
    authors = split_authors(detail.get("name") or entry.get("author"))
    if link and not is_web_url(link):
        raise BadArticle(link, "the entry's link is not an http(s) address")
    page: Article | None = None
    if link:
        try:
            page = load_url(client, link)
        except BadArticle:
            page = None  # fall back to the feed's own copy of the story below
    if page is None:
        text = _entry_text(entry)
        if not text:
            raise BadArticle(link or "<entry>", "page could not be fetched and the entry has "
                             "no content or summary")
        page = Article(title=entry.get("title") or "", text=text, url=link)
    return replace(
        page,
        title=page.title if page.title else entry.get("title", ""),
        published=page.published or published,
        authors=page.authors or authors,
        source=page.source or feed_title,
        url=link or page.url,
        id=page.id,
    )


def _entry_text(entry: Any) -> str:
    html = ""
    if entry.get("content"):
        html = entry["content"][0].get("value", "")
    html = html or entry.get("summary", "")
    if not html:
        return ""
    from lxml import html as lxml_html

    try:
        text = lxml_html.fromstring(html).text_content()
    except Exception:  # lxml raises ParserError or ValueError on fragments it cannot parse
        text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[ \t]+", " ", text).strip()
