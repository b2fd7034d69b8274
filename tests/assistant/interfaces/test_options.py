"""The one option parser every door uses: exact results and the messages users see."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import InvalidOption, http_status, user_message
from assistant.interfaces.options import is_url, parse_date, retrieval_options
from assistant.retrieval.filters import Filters


def test_choices_become_search_arguments():
    got = retrieval_options(mode="lexical", sources=["AP", ""], article_ids=["a1"],
                            since="2024-01-01", until=date(2024, 1, 31),
                            reference_date="2024-02-01")
    assert got == {"mode": "lexical",
                   "filters": Filters(("AP",), ("a1",), date(2024, 1, 1), date(2024, 1, 31)),
                   "reference_date": date(2024, 2, 1)}


def test_blank_choices_mean_no_restriction():
    got = retrieval_options(mode="", sources=None, since="  ", until=None)
    assert got == {"mode": None, "filters": Filters()}
    assert "reference_date" not in got


@pytest.mark.parametrize(("kwargs", "option", "says"), [
    ({"mode": "fuzzy"}, "mode", "use one of hybrid, dense, lexical"),
    ({"since": "last tuesday"}, "since", "'last tuesday' is not a date: use YYYY-MM-DD"),
    ({"until": "2024-13-01"}, "until", "use YYYY-MM-DD"),
    ({"since": "2024-02-01", "until": "2024-01-01"}, "since/until", "Swap the two dates"),
    ({"reference_date": "soon"}, "reference_date", "use YYYY-MM-DD"),
])
def test_bad_choices_name_the_option_and_the_fix(kwargs, option, says):
    with pytest.raises(InvalidOption) as caught:
        retrieval_options(**kwargs)
    assert caught.value.option == option and says in str(caught.value)
    assert http_status(caught.value) == 422 and says in user_message(caught.value)


def test_urls_and_dates():
    assert is_url("https://example.com/a?b=1") and is_url(" http://x.org ")
    assert not is_url("ftp://example.com") and not is_url("example.com")
    assert not is_url("https://exa mple.com")
    assert parse_date("2018-01-09", "since") == date(2018, 1, 9)
    assert parse_date(None, "since") is None and parse_date("", "since") is None
