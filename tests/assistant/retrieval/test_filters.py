"""Filters: the Chroma where clause and the lexical predicate agree."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.retrieval.filters import Filters
from index.metadata import date_ordinal

CHUNKS = [
    {"article_id": "a", "source": "Reuters", "published_ord": 20180109},
    {"article_id": "b", "source": "AFP", "published_ord": 20171231},
    {"article_id": "c", "source": "Reuters"},  # no date
]


def test_where_clause():
    assert Filters().where() is None and Filters().empty
    assert Filters(sources=("Reuters",)).where() == {"source": {"$in": ["Reuters"]}}
    f = Filters(article_ids="a", since=date(2018, 1, 1), until="2018-01-31")
    assert f.article_ids == ("a",) and f.until == date(2018, 1, 31)
    assert f.where() == {"$and": [{"article_id": {"$in": ["a"]}},
                                  {"published_ord": {"$gte": 20180101}},
                                  {"published_ord": {"$lte": 20180131}}]}


def test_predicate_matches_the_where_clause():
    def kept(f):
        return [c["article_id"] for c in CHUNKS if f.matches(c)]

    assert kept(Filters()) == ["a", "b", "c"]
    assert kept(Filters(sources=("Reuters",))) == ["a", "c"]
    assert kept(Filters(article_ids=("b", "c"))) == ["b", "c"]
    assert kept(Filters(since=date(2018, 1, 1))) == ["a"]      # undated articles are out
    assert kept(Filters(until=date(2017, 12, 31))) == ["b"]
    assert kept(Filters(sources=("Reuters",), until=date(2017, 12, 31))) == []


def test_date_ranges():
    assert date_ordinal("2018-01-09") == 20180109 and date_ordinal(None) is None
    with pytest.raises(ValueError, match="since 2018-02-01 is after until"):
        Filters(since=date(2018, 2, 1), until=date(2018, 1, 1))
    base = Filters(since=date(2018, 1, 1), until=date(2018, 12, 31))
    narrowed = base.with_dates(date(2018, 3, 1), date(2018, 3, 31))
    assert (narrowed.since, narrowed.until) == (date(2018, 3, 1), date(2018, 3, 31))
    assert base.with_dates(date(2017, 1, 1), date(2018, 1, 31)).since == date(2018, 1, 1)
    assert base.with_dates(date(2020, 1, 1), date(2020, 1, 31)) == base  # disjoint: kept
    assert Filters().with_dates(None, date(2017, 2, 28)).until == date(2017, 2, 28)
