"""The outlets a question names, as parts to answer one by one.

"Does the Verge article suggest A, while TechCrunch implies B?" asks two outlets: each is a part,
answered from that outlet's articles. A name is matched against the indexed sources with their
usual forms, whatever the case and punctuation: "The Verge", "the Verge", "theverge.com" and
"TheVerge" are one outlet; "The Independent" is every "The Independent - …" section; "Cnbc" is
"Cnbc | World Business News Leader". A name that no source matches counts as an outlet only where
the question uses it as one ("an article by CNET", "a Bloomberg report":
``lexicon/en/outlets.txt``); such a part has no indexed articles, and the answer says so
instead of answering from others.

An outlet named with a date ("the report from Wired on 2023-11-25", "published on October 1st")
selects that day's report; a sequence between two such reports also retrieves what the outlets
published in between. Pure: the sources come from the catalog (the service) or from the
retrieved passages (the answerer).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.answering.forms import digest_like
from assistant.answering.lexicon import table
from assistant.retrieval.filters import Filters

if TYPE_CHECKING:
    from assistant.answering.question import Question
    from assistant.results import Passage, RetrievalResult
_WORD = re.compile(r"[\w.&'’|-]+")
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SPELLED = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?\b")
_DOMAIN = re.compile(r"^(www\.)|\.(com|org|net|io|co\.uk|com\.au|co)$")
# Passages retrieved from each outlet a question names, beside the question's own.
OUTLET_K = 4
# The form "Guardian" for "The Guardian"; shorter ones ("Age", "Verge") are ordinary words.
_SHORT_FORM = 6


@dataclass(frozen=True)
class Outlet:
    """An outlet the question names: where, the indexed sources it means (none: not indexed),
    and the day of the report it asks about ("2023-11-25", or "--10-01" without a year)."""

    mention: str
    sources: tuple[str, ...]
    start: int
    end: int
    day: str | None = None
    implied: bool = False  # a date alone names it ("… and the one on 2023-11-06")

    def dated(self, published: str | None) -> bool:
        """Whether a report published on ``published`` is the one asked about."""
        if self.day is None:
            return True
        day = (published or "")[:10]
        return day.endswith(self.day[1:]) if self.day.startswith("--") else day == self.day


@lru_cache(maxsize=1)
def cues() -> dict[str, tuple[str, ...]]:
    """The roles of ``lexicon/en/outlets.txt``: after, before, sequence, yes_no, negation."""
    found = table("outlets", needs=("after", "before", "sequence", "yes_no", "negation"))
    return {role: tuple(w.replace("_", " ") for w in words) for role, words in found.items()}


def normal(name: str) -> str:
    """A name's form for matching: lower case, letters and digits only, no web prefix or
    suffix ("theverge.com" and "The Verge" are both "theverge")."""
    return re.sub(r"[\W_]+", "", _DOMAIN.sub("", name.strip().lower()))


def forms(source: str) -> set[str]:
    """The forms an outlet goes by: its name, the name before a section ("The Independent -
    Sports", "Cnbc | World Business News Leader"), and either without a leading "The"."""
    names = {source, re.split(r"\s+[|\-–:]\s+", source)[0]}
    out = set()
    for name in names:
        out.add(normal(name))
        bare = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
        if len(normal(bare)) >= _SHORT_FORM:
            out.add(normal(bare))
    return {f for f in out if f}


def find_outlets(text: str, sources: Iterable[str], names: Sequence[str] = ()) -> list[Outlet]:
    """The outlets ``text`` names, in order: the longest runs of words that are a form of one of
    ``sources`` (a capitalised word among them: "the age of 30" is no outlet), then the
    ``names`` (the question's proper names) used as outlets that no source matches."""
    by_form: dict[str, list[str]] = {}
    for source in dict.fromkeys(s for s in sources if s and s.strip()):
        for form in forms(source):
            by_form.setdefault(form, []).append(source)
    words = [(m.start(), m.end(), m.group().strip(".'’|-")) for m in _WORD.finditer(text)]
    found: list[Outlet] = []
    taken: set[int] = set()
    for size in range(min(12, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            if taken & set(range(i, i + size)) or not run[0][2] or not run[-1][2]:
                continue
            start, end = run[0][0], run[-1][1]
            mention = text[start:end].strip(".'’|-")
            mention = mention.removesuffix("'s").removesuffix("’s")
            matched = by_form.get(normal(mention))
            if matched and _capitalised(mention):
                taken.update(range(i, i + size))
                found.append(Outlet(mention, tuple(matched), start, start + len(mention)))
    for name in names:
        for m in re.finditer(re.escape(name), text):
            if any(o.start <= m.start() < o.end or m.start() <= o.start < m.end()
                   for o in found):
                continue
            if re.fullmatch(r"[\w .&-]+", name) and _used_as_outlet(text, m.start(), m.end()):
                found.append(Outlet(name, (), m.start(), m.end()))
    found.sort(key=lambda o: o.start)
    found = [replace(o, day=_day_after(text, o, found)) for o in found]
    return _implied(text, found)


def _implied(text: str, outlets: list[Outlet]) -> list[Outlet]:
    """Each date no outlet's name claims ("… by Sporting News on 2023-10-02 and the one on
    2023-11-06") as a report of the outlet named before it."""
    claimed = {o.day for o in outlets if o.day}
    out = list(outlets)
    for m in [*_ISO.finditer(text), *_SPELLED.finditer(text)]:
        before = [o for o in outlets if o.end <= m.start() and o.sources]
        day = _day_after(text[:m.start()] + "on " + text[m.start():],
                         Outlet("", (), m.start(), m.start()), ())
        if not before or day is None or day in claimed:
            continue
        claimed.add(day)
        last = before[-1]
        out.append(replace(last, start=m.start(), end=m.end(), day=day, implied=True))
    return sorted(out, key=lambda o: o.start)


def sequence_like(text: str) -> bool:
    """Whether the question asks how reports follow each other ("before", "between")."""
    return bool(set(re.findall(r"[a-z]+", text.lower())) & set(cues()["sequence"]))


def yes_no(text: str) -> bool:
    """Whether the question is answered yes or no ("Does …", "Was there …")."""
    return (text.split() or [""])[0].lower() in cues()["yes_no"]


def asks_of_reports(text: str) -> bool:
    """Whether a question with digest words ("the latest", "recently", "results") still asks
    something of the reports it names: a sequence, a yes/no question ("Does …", not "Is there
    any news …") or one asking for a name ("Which company, recently noted by TechCrunch …")."""
    first = (text.split() or [""])[0].lower()
    return sequence_like(text) or first in _ASKING or (
        first in cues()["yes_no"] and first not in _DIGEST_OPENERS)


_ASKING = frozenset("which who whom whose when where how why".split())
_DIGEST_OPENERS = frozenset("is are was were".split())  # "Were there any …"


def negated(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
    return any(w in cues()["negation"] or w.endswith("n't") for w in words)


def with_outlets(q: Question, passages: Sequence[Passage]) -> Question:
    """``q`` as a question by parts (form "parts") when it names an outlet; the outlets are
    matched against the retrieved passages' sources (the service retrieves each named outlet's
    articles)."""
    if q.form == "digest" and not asks_of_reports(q.text):
        return q  # "the latest from The Verge": its leads, as any digest
    # An unindexed outlet is an organisation or a run of proper nouns, never a person or place.
    others = {e.text for e in q.entities if e.label not in {"ORG", "WORK_OF_ART", "PRODUCT"}}
    outlets = find_outlets(q.text, [p.source for p in passages if p.source],
                           [n for n in q.names if n not in others])
    if not outlets:
        return q
    return replace(q, form="parts", outlets=tuple(outlets))


def outlet_filters(question: str, sources: Iterable[str], names: Sequence[str] = ()
                   ) -> list[Filters]:
    """A retrieval filter per indexed outlet the question names (its day when dated)."""
    return _filters(find_outlets(question, sources, names))


def _filters(outlets: Iterable[Outlet]) -> list[Filters]:
    filters = []
    for o in outlets:
        if not o.sources:
            continue
        day = date.fromisoformat(o.day) if o.day and not o.day.startswith("--") else None
        f = Filters(sources=o.sources, since=day, until=day)
        if f not in filters:
            filters.append(f)
    return filters


def _spans(outlets: Sequence[Outlet], question: str) -> list[Filters]:
    """For a sequence between two dated reports, each named outlet's reports from the first
    day to the last: what it published in between."""
    first, last = _span(outlets, question)
    if first is None or last is None:
        return []
    spans = [Filters(sources=o.sources, since=date.fromisoformat(first),
                     until=date.fromisoformat(last)) for o in outlets if o.sources]
    return list(dict.fromkeys(spans))


def _span(outlets: Sequence[Outlet], question: str) -> tuple[str | None, str | None]:
    """The first and last day of a sequence's dated reports (None: not a sequence between
    two days)."""
    days = sorted({o.day for o in outlets if o.day and not o.day.startswith("--")})
    if len(days) < 2 or not sequence_like(question):
        return None, None
    return days[0], days[-1]


def widen(found: RetrievalResult, question: str, sources: Iterable[str],
          search: Callable[..., RetrievalResult]) -> RetrievalResult:
    """``found`` with the passages of each indexed outlet the question names (``OUTLET_K``
    each), each chunk once; an outlet named only with a date keeps only that day's reports (the
    service takes the date out of the question the answerer reads). A digest, or a search the
    caller already filtered, is left as it is."""
    if (digest_like(question) and not asks_of_reports(question)) or not found.filters.empty:
        return found
    outlets = [o for o in find_outlets(question, sources) if o.sources]
    if not outlets:
        return found
    passages = list(found.passages)
    seen = {p.chunk_id for p in passages}
    for f in _filters(outlets) + _spans(outlets, question):  # the outlets found once
        for p in search(question, k=OUTLET_K, filters=f, date_filter=False).passages:
            if p.chunk_id not in seen:
                seen.add(p.chunk_id)
                passages.append(p)

    return replace(found, passages=_dated(passages, outlets, question))


def _dated(passages: list[Passage], outlets: Sequence[Outlet], question: str) -> list[Passage]:
    """The passages without the other days' reports of an outlet named with a day, when every
    date of the question is an outlet's and some report of the outlet is of that day (a date
    that matches none is another event's)."""
    written = len(_ISO.findall(question)) + sum(m.group(1).lower() in _MONTHS
                                                for m in _SPELLED.finditer(question))
    if written > sum(o.day is not None for o in outlets):
        return passages
    days = [o if any(p.source in o.sources and o.dated(p.published) for p in passages)
            else replace(o, day=None) for o in outlets]

    first, last = _span(outlets, question)

    def asked(p: Passage) -> bool:
        if first and last and first <= (p.published or "")[:10] <= last:
            return True  # a report between the two of a sequence
        return all(o.day is None for o in days if p.source in o.sources) or any(
            o.dated(p.published) for o in days if p.source in o.sources)
    return [p for p in passages if asked(p)]


def _capitalised(mention: str) -> bool:
    words = mention.split()
    return "." in mention or any(w[:1].isupper() for w in words if w.lower() != "the")


def _used_as_outlet(text: str, start: int, end: int) -> bool:
    c = cues()
    after = text[end:end + 40].lower()
    owner = re.match(r"^['’]s?\b", after) is not None
    after = re.sub(r"^['’]s\b|^['’]", "", after).strip()
    if (after.split() or [""])[0].strip(",.;?'’") in c["after"]:
        return True
    if owner:  # "according to Mozilla's perspective": someone's view, not a report
        return False
    before = " ".join(re.findall(r"[a-z]+", text[max(0, start - 40):start].lower())[-3:])
    before = re.sub(r"\b(a|an|the)\b", " ", before)
    before = " ".join(before.split())
    return any(before == cue or before.endswith(" " + cue) for cue in c["before"])


def _day_after(text: str, outlet: Outlet, outlets: Sequence[Outlet]) -> str | None:
    """The date written right after the outlet's name ("… from Wired on 2023-11-25"), up to the
    next outlet's name."""
    nxt = min((o.start for o in outlets if o.start > outlet.start), default=len(text))
    window = text[outlet.end:min(nxt, outlet.end + 100)]
    for on in re.finditer(r"\b(?:on|dated)\s+", window):
        rest = text[outlet.end + on.end():]
        if m := _ISO.match(rest):
            return m.group(0)
        if (m := _SPELLED.match(rest)) and m.group(1).lower() in _MONTHS \
                and 1 <= int(m.group(2)) <= 31:
            month, dom = _MONTHS[m.group(1).lower()], int(m.group(2))
            return f"{m.group(3)}-{month:02d}-{dom:02d}" if m.group(3) else \
                f"--{month:02d}-{dom:02d}"
    return None
