"""The Article type: stable ids, content hashes, normalised dates."""

from __future__ import annotations

import pytest

from index import Article
from index.articles import normalise_date


def test_ids_are_stable():
    with_url = Article(title="a", text="x", url="https://site.test/story/")
    assert with_url.id == Article(title="b", text="y", url="https://site.test/story").id
    assert Article(title="a", text="Same  text").id == Article(title="b", text="same text").id
    assert Article(title="a", text="one").id != Article(title="a", text="two").id


def test_changed_text_changes_hash_but_not_id():
    a = Article(title="t", text="v1", url="https://s.test/1")
    b = Article(title="t", text="v2", url="https://s.test/1")
    assert a.id == b.id and a.content_hash != b.content_hash


def test_empty_article_text_is_refused():
    with pytest.raises(ValueError, match="empty"):
        Article(title="t", text="  ")


@pytest.mark.parametrize(("raw", "expected"), [
    ("2018-01-09", "2018-01-09"), ("2018-01-09T10:00:00+01:00", "2018-01-09"),
    ("9 January 2018", "2018-01-09"), ("January 9, 2018", "2018-01-09"),
    ("Tue, 09 Jan 2018 10:00:00 GMT", "2018-01-09"), ("soon", None), (None, None),
])
def test_dates_are_normalised(raw, expected):
    assert normalise_date(raw) == expected
