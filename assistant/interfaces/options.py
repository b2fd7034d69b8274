"""The one parser from what a user typed (CLI flags, API fields, UI boxes) to search arguments.

Every door calls ``retrieval_options``: the same checks, the same messages. A bad value raises
``InvalidOption`` naming the option; the CLI shows it as a usage error, the API as a 422 and the
UI as a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from assistant.errors import InvalidOption
from assistant.results import MODES
from assistant.retrieval.filters import Filters

URL_PATTERN = r"^https?://\S+$"
_URL = re.compile(URL_PATTERN)
# The longest question any door accepts (API, UI, CLI): a question, not a document.
MAX_QUESTION_CHARS = 2000


def check_question(question: str) -> str:
    """The question, unless it is blank or longer than ``MAX_QUESTION_CHARS``."""
    if not question.strip():
        raise InvalidOption("question", "The question is empty: ask something, e.g. \"Who is "
                                        "Marlene Schiappa?\".")
    if len(question) > MAX_QUESTION_CHARS:
        raise InvalidOption("question", f"The question is {len(question):,} characters long; "
                            f"ask in at most {MAX_QUESTION_CHARS:,}.")
    return question


# The longest article search (titles, sources, URLs) any door accepts.
MAX_SEARCH_CHARS = 200


def check_search(query: str | None) -> str | None:
    """The article search, unless it is longer than ``MAX_SEARCH_CHARS``."""
    if query is not None and len(query) > MAX_SEARCH_CHARS:
        raise InvalidOption("q", f"The search is {len(query):,} characters long; search with at "
                            f"most {MAX_SEARCH_CHARS}.")
    return query


def whole_number(value: object, option: str, low: int, high: int) -> int:
    """``value`` as a whole number from ``low`` to ``high``; InvalidOption saying so else."""
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)  # a JSON client may send 5.0
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise InvalidOption(option, f"{option} is {value!r}; give a whole number between {low} "
                            f"and {high}.")
    return number


def is_url(text: str) -> bool:
    """An http(s) address (what a page or feed is added by)."""
    return bool(_URL.match(text.strip()))


def parse_date(value: str | date | None, option: str) -> date | None:
    """A YYYY-MM-DD date; blank means none."""
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidOption(option, f"{value!r} is not a date: use YYYY-MM-DD.") from exc


def retrieval_options(
    *,
    mode: str | None = None,
    sources: Iterable[str] | None = None,
    article_ids: Iterable[str] | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    reference_date: str | date | None = None,
) -> dict[str, Any]:
    """Keyword arguments of ``Assistant.search``/``ask``/``stream`` from a user's choices."""
    mode = mode or None
    if mode is not None and mode not in MODES:
        raise InvalidOption("mode", f"{mode!r} is not a mode: use one of {', '.join(MODES)}.")
    start, end = parse_date(since, "since"), parse_date(until, "until")
    try:
        filters = Filters(tuple(s for s in sources or () if s),
                          tuple(a for a in article_ids or () if a), start, end)
    except ValueError as exc:
        raise InvalidOption("since/until", str(exc)) from exc
    options: dict[str, Any] = {"mode": mode, "filters": filters}
    reference = parse_date(reference_date, "reference_date")
    if reference is not None:
        options["reference_date"] = reference
    return options
