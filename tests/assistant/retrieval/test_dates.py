"""Date expressions in questions, resolved against a fixed reference date (Wed 10 Jan 2018)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.retrieval.dates import DateRange, resolve_dates, without_phrase

REF = date(2018, 1, 10)  # a Wednesday


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("What happened yesterday?", date(2018, 1, 9), date(2018, 1, 9)),
        ("What happened today?", REF, REF),
        ("What did ministers say last week?", date(2018, 1, 1), date(2018, 1, 7)),
        ("Any news this week?", date(2018, 1, 8), date(2018, 1, 14)),
        ("What happened this month?", date(2018, 1, 1), date(2018, 1, 31)),
        ("What happened last month?", date(2017, 12, 1), date(2017, 12, 31)),
        ("Who resigned last year?", date(2017, 1, 1), date(2017, 12, 31)),
        ("What was said in January 2018?", date(2018, 1, 1), date(2018, 1, 31)),
        ("What was signed in Feb. 2016?", date(2016, 2, 1), date(2016, 2, 29)),
        ("Who won the election in 2023?", date(2023, 1, 1), date(2023, 12, 31)),
        ("What happened on 9 January 2018?", date(2018, 1, 9), date(2018, 1, 9)),
        ("What happened on January 9, 2018?", date(2018, 1, 9), date(2018, 1, 9)),
        ("What happened on 2017-12-24?", date(2017, 12, 24), date(2017, 12, 24)),
        ("What happened in December?", date(2017, 12, 1), date(2017, 12, 31)),
        ("Protests in the last 3 days", date(2018, 1, 8), REF),
        ("Storms over the past week", date(2018, 1, 4), REF),
        ("What happened two weeks ago?", date(2017, 12, 25), date(2017, 12, 31)),
        ("What did he say on Monday?", date(2018, 1, 8), date(2018, 1, 8)),
        ("Strikes since 2016", date(2016, 1, 1), REF),
        ("Reports before March 2017", None, date(2017, 2, 28)),
    ],
)
def test_resolves_against_the_reference_date(question, start, end):
    found = resolve_dates(question, REF)
    assert found is not None, question
    assert (found.start, found.end) == (start, end)
    assert found.expression.lower() in question.lower()


@pytest.mark.parametrize("question", [
    "Who is Marlene Schiappa?",
    "May I ask what the council decided?",     # "may" the verb, not the month
    "How many people signed the letter in may?",
    "What is flight 2023X?",
])
def test_no_date_expression(question):
    assert resolve_dates(question, REF) is None


def test_impossible_day_falls_back_to_the_month():
    found = resolve_dates("What happened on 31 February 2018?", REF)
    assert (found.start, found.end) == (date(2018, 2, 1), date(2018, 2, 28))


def test_result_is_serialisable():
    assert resolve_dates("in January 2018", REF).to_dict() == {
        "start": "2018-01-01", "end": "2018-01-31", "expression": "in January 2018"}


@pytest.mark.parametrize(
    ("question", "reference", "start", "end"),
    [
        ("What happened in the last 800000 days?", REF, date.min, REF),
        ("Storms in the last 99999999999999999999 weeks", REF, date.min, REF),
        ("Who resigned in the last 800000 years?", REF, date.min, REF),
        ("What happened 800000 months ago?", REF, date.min, date(1, 1, 31)),
        ("What happened 800000 days ago?", REF, date.min, date.min),
        ("What happened yesterday?", date.min, date.min, date.min),
        ("What did ministers say last week?", date.min, date.min, date(1, 1, 7)),
        ("Who resigned last year?", date.min, date.min, date.min),
        ("Anything this week?", date.max, date(9999, 12, 27), date.max),
        ("What happened after December 2023?", date.max, date(2024, 1, 1), date.max),
    ],
)
def test_ranges_past_the_calendar_are_clamped(question, reference, start, end):
    found = resolve_dates(question, reference)
    assert (found.start, found.end) == (start, end)


def test_a_relative_date_leaves_the_question_a_calendar_date_stays():
    assert without_phrase("What happened in London last week?", "last week") == \
        "What happened in London?"
    # An article of another year than the one asked is a near miss: the year must stay…
    assert without_phrase("Who won the election in 1975?", "in 1975") == \
        "Who won the election in 1975?"
    # … unless the article answering is of that period: its date answers the date.
    december = DateRange(date(2023, 12, 1), date(2023, 12, 31), "in December 2023")
    assert without_phrase("What erupted in December 2023?", "in December 2023",
                          within=december, dated="2023-12-19") == "What erupted?"
    assert without_phrase("What erupted in December 2023?", "in December 2023",
                          within=december, dated="2024-02-01") == "What erupted in December 2023?"
