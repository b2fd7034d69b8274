"""A story timeline: the articles a question or topic brings up, in order of publication.

A wide retrieval (``Assistant.search`` with ``TIMELINE_K`` passages) is grouped by article. An
article is kept when its best passage scores at least ``min_share`` (``MIN_SHARE``) of the best
article's: the tail of a wide retrieval is mostly other stories that share a word or two with
the query. Each
entry names its story (near-duplicate cluster, exact duplicates included) and the independent
source it comes from, by the rules an answer's sources follow (``answering.sources``): a Reuters
story carried by three outlets is one source, Reuters, and three outlets. Undated articles are
listed apart. Pure: the copies come from the catalog (``Catalog.story_copies``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from assistant.answering.sources import Copy, distinct_outlets, independent_sources
from assistant.results import Passage

# Passages read for a timeline: several per article, for a few dozen articles at most.
TIMELINE_K = 30
# An article stays when its best passage scores at least this share of the best article's.
# Chosen for mean F1 on the tune half of ``tests/data/timeline_topics`` (``bench/timeline_sweep
# .py``); 0.5 kept 65 % of a topic's articles there, 0.4 keeps 84 % at 93 % precision.
MIN_SHARE = 0.4


@dataclass(frozen=True)
class TimelineEntry:
    """One article on the timeline, with its story and the independent source it rests on."""

    article_id: str
    title: str
    published: str | None  # YYYY-MM-DD (or with a time), as indexed
    source: str | None  # the outlet that published this copy
    url: str | None
    story_id: str  # the story's canonical article: copies of one story share it
    origin: str  # the independent source: the wire agency, else the first outlet
    agency: bool  # ``origin`` is a wire agency named in a dateline
    outlets: tuple[str, ...]  # every outlet that carried this story (its copies)
    score: float  # the best passage's retrieval score

    @property
    def date(self) -> str | None:
        return self.published[:10] if self.published else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outlets"] = list(self.outlets)
        data["date"] = self.date
        return data


@dataclass(frozen=True)
class Timeline:
    """The articles about ``query``: ``entries`` dated, oldest first; ``undated`` apart."""

    query: str
    entries: tuple[TimelineEntry, ...]
    undated: tuple[TimelineEntry, ...] = ()

    @property
    def stories(self) -> int:
        """How many distinct stories (near-duplicate clusters) the timeline holds."""
        return len({e.story_id for e in (*self.entries, *self.undated)})

    @property
    def sources(self) -> tuple[str, ...]:
        """The independent sources, in order of first appearance."""
        return tuple(dict.fromkeys(e.origin for e in (*self.entries, *self.undated)))

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "stories": self.stories, "sources": list(self.sources),
                "entries": [e.to_dict() for e in self.entries],
                "undated": [e.to_dict() for e in self.undated]}


@dataclass(frozen=True)
class _Cited:
    """An article as ``independent_sources`` reads a citation: ``n`` is its place in the list."""

    n: int
    article_id: str
    source: str | None
    agencies: tuple[str, ...]
    title: str
    story_id: str
    url: str | None = None


def originals(passages: Iterable[Passage], entry_of: Callable[[str], Any]) -> list[Passage]:
    """The passages with each syndicated copy standing for its story's original (the canonical
    article, ``Catalog.entry``), by which a timeline dates and names the story: retrieval keeps
    whichever copy ranked best, often a later one with a headline closer to the query."""
    shown = []
    for p in passages:
        story = p.canonical_id
        if story and story != p.article_id and (entry := entry_of(story)) is not None:
            a = entry.article
            p = replace(p, article_id=a.id, title=a.title, published=a.published,
                        source=a.source, url=a.url)
        shown.append(p)
    return shown


def build_timeline(
    query: str,
    passages: Sequence[Passage],
    copies_of: Callable[[Iterable[str]], Iterable[Copy]],
    *,
    min_share: float = MIN_SHARE,
) -> Timeline:
    """The timeline of these retrieved passages (any order); ``copies_of`` gives the copies of
    story ids, as ``Catalog.story_copies`` does."""
    if not _shares_a_word(query, passages):
        passages = []  # a query that matches nothing lists nothing, not the nearest stories
    best: dict[str, Passage] = {}
    for p in passages:
        if p.article_id not in best or p.score > best[p.article_id].score:
            best[p.article_id] = p
    top = max((p.score for p in best.values()), default=0.0)
    # Fused scores are not on a fixed scale; only a positive best gives a share to compare to.
    kept = [p for p in best.values() if top <= 0 or p.score >= min_share * top]
    cited = [_Cited(n, p.article_id, p.source, p.agencies, p.title,
                    p.canonical_id or p.article_id, p.url) for n, p in enumerate(kept, start=1)]
    copies = list(copies_of({c.story_id for c in cited}))
    outlets: dict[str, list[str | None]] = {}
    for c in [*cited, *copies]:
        outlets.setdefault(c.story_id, []).append(c.source)
    origins: dict[int, list[Any]] = {}  # a joint dateline's story rests on each agency
    for source in independent_sources(cited, copies):
        for n in source.citations:
            origins.setdefault(n, []).append(source)
    entries = [
        TimelineEntry(
            article_id=p.article_id, title=p.title, published=p.published, source=p.source,
            url=p.url, story_id=c.story_id,
            origin=" and ".join(s.name for s in origins[c.n]),
            agency=any(s.agency for s in origins[c.n]), score=p.score,
            outlets=distinct_outlets(outlets.get(c.story_id, ())))
        for p, c in zip(kept, cited, strict=True)
    ]
    dated = sorted((e for e in entries if e.published),
                   key=lambda e: (e.published or "", e.title.casefold(), e.article_id))
    undated = sorted((e for e in entries if not e.published), key=lambda e: -e.score)
    return Timeline(query, tuple(dated), tuple(undated))


_STOP = frozenset("the and for with from that this what who how when where which about into "
                  "over after before news story stories article articles".split())


def _stems(text: str) -> set[str]:
    """Words of three letters or more, cut to five (so "strikes" meets "striking")."""
    return {w[:5] for w in re.findall(r"[^\W\d_]{3,}", text.lower()) if w not in _STOP}


def _shares_a_word(query: str, passages: Sequence[Passage]) -> bool:
    """Whether any passage (or its title) shares a word with the query. Dense retrieval always
    returns the nearest passages, however far: with no word in common anywhere, they are noise.
    One shared word is enough, so articles found by meaning alone stay beside it."""
    wanted = _stems(query)
    return not wanted or any(wanted & _stems(f"{p.title} {p.text}") for p in passages)
