"""How current an answer is: "as of" the newest article it cites, and a plain note when a
question about the present ("latest", "now", "currently", "this week") rests on older news.

News answers age: "How many people have been rescued?" has one answer on Monday and another on
Friday. An answer is as current as the newest article it cites. A question asking for the
present state has a window — its date expression's range ("this week", "today"), else the
``CURRENT_DAYS`` before the reference date — and when the newest support is older than that
window starts, the answer says so instead of presenting old news as current. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from assistant.retrieval.dates import DateRange

# A question with one of these asks for the present state of things.
_PRESENT = re.compile(
    r"\b(?:latest|newest|most recent|up[- ]to[- ]date|now|right now|currently|current(?!\s+"
    r"account)|at the moment|at present|presently|these days|so far|to date|still|anymore|"
    r"any more|today|tonight|this (?:week|morning|afternoon|evening|month))\b",
    re.IGNORECASE)

# How recent "now" is when the question names no period: a week of news.
CURRENT_DAYS = 7


def as_of(published: Iterable[str | None]) -> str | None:
    """The newest of the cited articles' publication dates (ISO), None when none is dated."""
    dates = [p[:10] for p in published if p]
    return max(dates) if dates else None


def asks_for_present(question: str) -> bool:
    return _PRESENT.search(question) is not None


def stale_note(question: str, newest: str | None, *, reference: date,
               window: DateRange | None = None) -> str | None:
    """A note for the reader when ``question`` asks about the present and the newest cited
    article (``newest``) is older than the question's window; None otherwise."""
    if not newest or not asks_for_present(question):
        return None
    recent = reference - timedelta(days=CURRENT_DAYS)
    if window is not None and window.end is not None and window.end < recent:
        return None  # "Was the bridge still closed in 2018?" asks about the past
    start = window.start if window is not None and window.start is not None \
        else recent
    try:
        newest_day = date.fromisoformat(newest[:10])
    except ValueError:
        return None
    if newest_day >= start:
        return None
    age = (reference - newest_day).days
    ago = _days(age) + f" before {reference.isoformat()}" if age > 0 else "before that"
    return (f"The newest article this rests on is from {newest_day.isoformat()} ({ago}); "
            "nothing newer on it is indexed, so this may not be the current state.")


def _days(n: int) -> str:
    if n >= 14:
        return f"{n // 7} weeks"
    return "1 day" if n == 1 else f"{n} days"
