"""How many independent sources an answer rests on.

Three outlets printing one Reuters story are one source, not three. A cited article belongs to a
story (its near-duplicate cluster: ``Citation.story_id``), and a story to an origin: the wire
agency of its dateline when any copy names one ("LONDON (Reuters) -"), else the outlet that
published the story first (the cluster's canonical article). A joint dateline ("PARIS (Reuters,
AFP) -") names two agencies that both reported it: the story rests on each, and counts for both
("2 sources: Reuters, AFP", not "1 source: AFP and Reuters"). Citations are grouped by origin;
each group is one ``Source``, with every outlet that carried its stories (near-duplicates and
exact duplicates included). A story nobody is named for is its own source, called by its web
site's name or else its title. Pure: the copies come from the catalog (``Catalog.story_copies``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from assistant.results import Source

_WEB = re.compile(r"https?://", re.I)


class Copy(Protocol):
    """A copy of a story, as ``index.catalog.StoryCopy`` gives it."""

    article_id: str
    story_id: str
    source: str | None
    agencies: tuple[str, ...]


class Cited(Protocol):
    n: int
    article_id: str
    source: str | None
    agencies: tuple[str, ...]
    title: str

    @property
    def story_id(self) -> str: ...


def independent_sources(citations: Sequence[Cited], copies: Iterable[Copy]) -> tuple[Source, ...]:
    """The answer's sources, in the order of their first citation."""
    by_story: dict[str, list[Copy]] = {}
    for copy in copies:
        by_story.setdefault(copy.story_id, []).append(copy)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for c in sorted(citations, key=lambda c: c.n):
        story = by_story.get(c.story_id, [])
        for key, name, agency in _origins(c, story):
            group = groups.setdefault(key, {"name": name, "agency": agency, "n": [],
                                            "outlets": []})
            group["n"].append(c.n)
            group["outlets"] += [c.source, *(copy.source for copy in story)]
    return tuple(Source(g["name"], tuple(dict.fromkeys(g["n"])), distinct_outlets(g["outlets"]),
                        g["agency"]) for g in groups.values())


def distinct_outlets(names: Iterable[str | None]) -> tuple[str, ...]:
    """The outlet names, trimmed, each once whatever its case, in order of appearance."""
    seen: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            seen.setdefault(name.strip().casefold(), name.strip())
    return tuple(seen.values())


def _origins(c: Cited, story: Sequence[Copy]) -> list[tuple[tuple[str, ...], str, bool]]:
    """(grouping key, display name, is an agency) of each origin of a citation's story: its
    agencies in dateline order, else its first outlet, else the story itself."""
    agencies = c.agencies or next((copy.agencies for copy in story if copy.agencies), ())
    if agencies:
        names: dict[str, str] = {}
        for agency in agencies:
            if agency.strip():
                names.setdefault(agency.strip().casefold(), agency.strip())
        return [((key,), name, True) for key, name in names.items()]
    first = next((copy for copy in story if copy.article_id == c.story_id), None)
    outlet = (first.source if first and first.source else None) or c.source
    if outlet and outlet.strip():
        # Keyed by name like an agency: an outlet called "Reuters" is the agency Reuters.
        return [((outlet.strip().casefold(),), outlet.strip(), False)]
    # No outlet named: its web site is its outlet; without one (a PDF uploaded bare) the story
    # is its own source, never merged with another such, and called by its title.
    url = getattr(c, "url", None) or ""
    if _WEB.match(url) and (host := urlsplit(url).hostname):
        return [((host.removeprefix("www."),), host.removeprefix("www."), False)]
    name = f"“{c.title}”" if c.title else "an unnamed source"
    return [(("\0story", c.story_id), name, False)]
