"""A PDF's publication date: the date printed at the top of its first page wins over the file's
creation date (when it was exported), which is only a fallback."""

from __future__ import annotations

from datetime import datetime

import pytest

from index.documents import printed_date
from index.loaders import parse_bytes
from tests.documents import BRIDGE, make_pdf

EXPORTED = datetime(2027, 2, 1, 9, 30)


def test_the_printed_date_wins_over_the_creation_date():
    raw = make_pdf([["Springfield, 14 November 2026", *BRIDGE]], title="Bridge vote",
                   created=EXPORTED)
    [article] = parse_bytes(raw, "bridge.pdf")
    assert article.published == "2026-11-14"


def test_without_a_printed_date_the_creation_date_is_kept():
    [article] = parse_bytes(make_pdf([BRIDGE], title="Bridge vote", created=EXPORTED), "b.pdf")
    assert article.published == "2027-02-01"


def test_a_date_deep_in_the_text_is_not_the_articles():
    body = [*BRIDGE, *BRIDGE, "The first bridge there opened on 3 May 1921."]
    [article] = parse_bytes(make_pdf([body], title="Bridge vote", created=EXPORTED), "b.pdf")
    assert article.published == "2027-02-01"


@pytest.mark.parametrize("text,expected", [
    ("PARIS, 14 November 2026 — The council", "2026-11-14"),
    ("By Jane Roe · Nov. 14, 2026", "2026-11-14"),
    ("Published 2026-11-14 08:00", "2026-11-14"),
    ("Updated September 3rd, 2025; first published 1 September 2025", "2025-09-03"),
    ("31 February 2026, then 2 March 2026", "2026-03-02"),  # no 31 February
    ("Page 14 of 2026 pages", None),
])
def test_printed_dates(text, expected):
    assert printed_date(text) == expected
