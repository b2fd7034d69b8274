"""Retrieval filters (source, article ids, published date range) for every retrieval path.

One ``Filters`` value turns into a Chroma ``where`` clause for the dense side and into a predicate
over chunk metadata for the lexical side, so both sides always agree on what is in scope. Chroma
compares numbers only with ``$gte``/``$lte``, so dates are matched on ``published_ord`` (the
published date as an int YYYYMMDD, written by ``index.metadata.chunk_metadata``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from index.metadata import date_ordinal


@dataclass(frozen=True)
class Filters:
    """What a retrieval may return; empty fields mean "no restriction"."""

    sources: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        # Accept any iterable (a single string stays one value, not its characters).
        for name in ("sources", "article_ids"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        for name in ("since", "until"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, date.fromisoformat(value))
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"The date range is empty: since {self.since} is after until "
                             f"{self.until}. Swap the two dates.")

    @property
    def empty(self) -> bool:
        return not (self.sources or self.article_ids or self.since or self.until)

    def with_dates(self, since: date | None, until: date | None) -> Filters:
        """These filters narrowed to a date range (the intersection with any range already set)."""
        lo = max((d for d in (self.since, since) if d), default=None)
        hi = min((d for d in (self.until, until) if d), default=None)
        if lo and hi and lo > hi:
            return self  # disjoint: the explicit filter wins rather than matching nothing
        return Filters(self.sources, self.article_ids, lo, hi)

    def where(self) -> dict[str, Any] | None:
        """The Chroma ``where`` clause, or None when nothing is filtered."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        if self.since:
            clauses.append({"published_ord": {"$gte": date_ordinal(self.since)}})
        if self.until:
            clauses.append({"published_ord": {"$lte": date_ordinal(self.until)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, metadata: Mapping[str, Any]) -> bool:
        """The same test as ``where()``, on one chunk's metadata (for the lexical index)."""
        if self.sources and metadata.get("source") not in self.sources:
            return False
        if self.article_ids and metadata.get("article_id") not in self.article_ids:
            return False
        if self.since or self.until:
            ordinal = metadata.get("published_ord")
            if ordinal is None:
                return False
            if self.since and ordinal < date_ordinal(self.since):
                return False
            if self.until and ordinal > date_ordinal(self.until):
                return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources), "article_ids": list(self.article_ids),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
