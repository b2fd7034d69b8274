"""Dates in questions: "yesterday", "last week", "in January 2018", "since 2020" → a date range.

Pure functions: ``resolve_dates(question, reference)`` finds the first date expression in a
question and resolves it against a reference date (the settings' ``reference_date``, default
today) into an inclusive ``DateRange``, which retrieval turns into a published-date filter and
shows in its result. Questions without a date expression resolve to None. A range that would
reach past the calendar ("the last 800000 days") is clamped to ``date.min``/``date.max``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "a": 1, "a few": 3, "few": 3, "couple of": 2}

_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_COUNT = r"(?P<count>\d+|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
_WEEKDAY = r"(?P<weekday>" + "|".join(_WEEKDAYS) + r")"
# "since"/"after" open the range to the reference date, "before"/"until" close it from the past.
_PREFIX = r"(?:(?P<prefix>since|after|before|until|till|prior to)\s+)?"


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of publication dates and the words of the question it came from."""

    start: date | None
    end: date | None
    expression: str

    def holds(self, day: str) -> bool:
        """Whether the ISO date ``day`` falls in the range."""
        try:
            when = date.fromisoformat(day[:10])
        except ValueError:
            return False
        return (self.start or date.min) <= when <= (self.end or date.max)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None,
                "expression": self.expression}


def _back(day: date, days: int) -> date:
    """``day`` minus ``days``, stopping at the first day of the calendar."""
    return day - timedelta(days=days) if days <= (day - date.min).days else date.min


def _forward(day: date, days: int) -> date:
    """``day`` plus ``days``, stopping at the last day of the calendar."""
    return day + timedelta(days=days) if days <= (date.max - day).days else date.max


def _year_start(year: int) -> date:
    return date.min if year < date.min.year else date(min(year, date.max.year), 1, 1)


def _year_end(year: int) -> date:
    return date.min if year < date.min.year else date(min(year, date.max.year), 12, 31)


def _month_range(year: int, month: int) -> tuple[date, date]:
    if not date.min.year <= year <= date.max.year:
        day = date.min if year < date.min.year else date.max
        return day, day
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _week_start(day: date) -> date:
    return _back(day, day.weekday())


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if not date.min.year <= year <= date.max.year:
        return date.min if year < date.min.year else date.max
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS.get(text, 1)


def _full_date(m: re.Match[str], ref: date) -> tuple[date, date]:
    day = date(int(m["year"]), _MONTHS[m["month"]], int(m["day"]))
    return day, day


def _iso_date(m: re.Match[str], ref: date) -> tuple[date, date]:
    day = date.fromisoformat(m[0][-10:])
    return day, day


def _month_year(m: re.Match[str], ref: date) -> tuple[date, date]:
    return _month_range(int(m["year"]), _MONTHS[m["month"]])


def _month_only(m: re.Match[str], ref: date) -> tuple[date, date]:
    # "in March" means the latest March that has begun by the reference date.
    month = _MONTHS[m["month"]]
    year = ref.year if month <= ref.month else ref.year - 1
    return _month_range(year, month)


def _year(m: re.Match[str], ref: date) -> tuple[date, date]:
    year = int(m["year"])
    return date(year, 1, 1), date(year, 12, 31)


def _last_n(m: re.Match[str], ref: date) -> tuple[date, date]:
    n, unit = _count(m["count"]), m["unit"]
    if unit == "day":
        start = _back(ref, n - 1)
    elif unit == "week":
        start = _back(ref, 7 * n - 1)
    elif unit == "month":
        shifted = _shift_months(ref, -n)
        start = shifted if shifted == date.min else _forward(shifted, 1)
    elif ref.year - n < date.min.year:
        start = date.min
    else:
        start = _forward(date(ref.year - n, ref.month, min(ref.day, 28)), 1)
    return start, ref


def _ago(m: re.Match[str], ref: date) -> tuple[date, date]:
    n, unit = _count(m["count"]), m["unit"]
    if unit == "day":
        day = _back(ref, n)
        return day, day
    if unit == "week":
        start = _back(_week_start(ref), 7 * n)
        return start, _forward(start, 6)
    if unit == "month":
        shifted = _shift_months(ref, -n)
        return _month_range(shifted.year, shifted.month)
    return _year_start(ref.year - n), _year_end(ref.year - n)


def _relative(m: re.Match[str], ref: date) -> tuple[date, date]:
    which, unit = m["which"], m["unit"]
    offset = -1 if which in ("last", "previous") else 0
    if unit == "week":
        start = _back(_week_start(ref), -7 * offset)
        return start, _forward(start, 6)
    if unit == "month":
        shifted = _shift_months(ref.replace(day=1), offset)
        return _month_range(shifted.year, shifted.month)
    return _year_start(ref.year + offset), _year_end(ref.year + offset)


def _named_day(m: re.Match[str], ref: date) -> tuple[date, date]:
    word = m["word"]
    day = _back(ref, {"today": 0, "yesterday": 1, "the day before yesterday": 2}[word])
    return day, day


def _weekday(m: re.Match[str], ref: date) -> tuple[date, date]:
    # "on Monday" / "last Monday": the most recent such day before the reference date.
    back = (ref.weekday() - _WEEKDAYS[m["weekday"]]) % 7 or 7
    day = _back(ref, back)
    return day, day


_Resolver = Callable[[re.Match[str], date], tuple[date, date]]
# Most specific first: a full date wins over its month, a month over its year.
_RULES: list[tuple[re.Pattern[str], _Resolver]] = [
    (re.compile(rf"\b{_PREFIX}(?:on\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
     _full_date),
    (re.compile(rf"\b{_PREFIX}(?:on\s+)?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"), _full_date),
    (re.compile(rf"\b{_PREFIX}(?:on\s+)?\d{{4}}-\d\d-\d\d\b"), _iso_date),
    (re.compile(rf"\b{_PREFIX}(?:in\s+|during\s+)?{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
     _month_year),
    (re.compile(r"\b(?:in|over|during)\s+the\s+(?:last|past)\s+" + _COUNT + r"\s+" + _UNIT
                + r"\b"), _last_n),
    (re.compile(r"\b(?:the\s+)?(?:last|past)\s+" + _COUNT + r"\s+" + _UNIT + r"\b"), _last_n),
    (re.compile(r"\b" + _COUNT + r"\s+" + _UNIT + r"\s+ago\b"), _ago),
    (re.compile(rf"\b{_PREFIX}(?P<which>this|last|previous)\s+{_UNIT}\b"), _relative),
    (re.compile(r"\b(?:the\s+)?past\s+(?P<count>)(?P<unit>day|week|month|year)\b"), _last_n),
    (re.compile(r"\b(?P<word>the day before yesterday|yesterday|today)\b"), _named_day),
    (re.compile(rf"\b(?:on|last)\s+{_WEEKDAY}\b"), _weekday),
    (re.compile(rf"\b{_PREFIX}(?:in|during)\s+{_MONTH}(?!\s+\d)\b"), _month_only),
    (re.compile(rf"\b(?:(?P<prefix>since|after|before|until|prior to)\s+|in\s+|during\s+)"
                rf"{_YEAR}\b"), _year),
]


def resolve_dates(question: str, reference: date | None = None) -> DateRange | None:
    """The date range a question asks about, resolved against ``reference`` (default today)."""
    ref = reference or date.today()
    text = question.lower()
    for pattern, resolve in _RULES:
        match = pattern.search(text)
        if not match:
            continue
        if resolve is _month_only and not question[match.start("month")].isupper():
            continue  # "in may" is a verb more often than a month; "in May" is a month
        try:
            start, end = resolve(match, ref)
        except ValueError:  # "31 February 2018": not a date, so not a date filter
            continue
        prefix, begin = match.groupdict().get("prefix"), match.start()
        if prefix and re.match(r"['’]s\b", text[match.end():]):
            # "after this month's decisions": the decisions of this month
            prefix, begin = None, match.end("prefix") + 1
        if prefix == "since":
            end = max(ref, start)
        elif prefix == "after":
            start, end = _forward(end, 1), max(ref, _forward(end, 1))
        elif prefix in ("before", "prior to"):
            start, end = None, _back(start, 1)
        elif prefix in ("until", "till"):
            start = None
        return DateRange(start, end, question[begin: match.end()].strip())
    return None


_RELATIVE = re.compile(r"\b(?:this|last|past|next|coming|previous|recent(?:ly)?|today|tonight|"
                       r"yesterday|tomorrow|ago|latest|weekend|so far)\b", re.IGNORECASE)


def without_phrase(question: str, phrase: str, *, dated: str | None = None,
                   within: DateRange | None = None) -> str:
    """The question without the date ``phrase``, unless too little would be left: when the
    date is relative to today ("last week": no article says it), or when the answer's article
    was published ``within`` it (``dated``: its ISO date), which answers the date by itself. A
    calendar date the article's own date does not match ("in 1975" of an undated page) stays:
    an article that reports another year is a near miss to be caught."""
    if not _RELATIVE.search(phrase) and not (within and dated and within.holds(dated)):
        return question
    rest = re.sub(re.escape(phrase), " ", question, count=1, flags=re.IGNORECASE)
    rest = re.sub(r"\s+([?.!,])", r"\1", " ".join(rest.split()))
    return rest if len(rest.strip(" ?.!")) >= 3 else question


class _Dated(Protocol):
    published: str | None
    score: float


D = TypeVar("D", bound=_Dated)


def prefer_dates(passages: Sequence[D], dates: DateRange, *, near_days: int = 7,
                 weight: float = 0.3) -> list[D]:
    """The passages re-ranked so that articles published in ``dates`` come first, and those of
    the ``near_days`` before it next (news questions often rest on the days before "this
    week"), by a bonus of ``weight`` (half for the days before) of the scores' spread. Undated
    articles and others keep their scores: nothing is excluded."""
    if not passages:
        return []
    scores = [p.score for p in passages]
    spread = (max(scores) - min(scores)) or 1.0
    start = dates.start - timedelta(days=near_days) \
        if dates.start and dates.start > date.min + timedelta(days=near_days) else dates.start

    def bonus(p: D) -> float:
        try:
            day = date.fromisoformat((p.published or "")[:10])
        except ValueError:
            return 0.0
        if (dates.start is None or day >= dates.start) and (dates.end is None or day <= dates.end):
            return weight * spread
        if start is not None and start <= day < dates.start and (dates.end is None
                                                                 or day <= dates.end):
            return weight * spread / 2
        return 0.0

    rescored = [replace(p, score=round(p.score + bonus(p), 4)) for p in passages]
    return sorted(rescored, key=lambda p: -p.score)
