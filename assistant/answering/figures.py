"""Figures in news sentences, and whether two of them state the same fact.

A figure is a number with what it counts: "2.8 million journeys", "12 people", "$4.5 billion",
"4.2%". Two figures state the same fact when they count the same thing (the same unit word,
stemmed, or both percentages, or the same currency) about the same subject: the words around
each figure overlap, and neither side is set apart by a word of its own that the other sentence
and headline lack ("journeys on the Tube" and "journeys on buses" count different things). Two
statements of one fact agree when their values are equal, or within 10 % when either is hedged
("about 3 million", "nearly 3 million"). Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.text import content_terms

_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mln": 1e6, "billion": 1e9,
           "bn": 1e9, "trillion": 1e12}
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
          "thirty": 30, "fifty": 50, "hundred": 100, "dozen": 12}
_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_HEDGES = ("about", "around", "some", "nearly", "almost", "roughly", "approximately", "close to",
           "more than", "over", "at least", "fewer than", "less than", "up to", "an estimated")

_FIGURE = re.compile(
    r"(?P<hedge>\b(?:" + "|".join(h.replace(" ", r"\s+") for h in _HEDGES) + r")\s+)?"
    r"(?P<cur>[$€£¥])?\s?"
    r"(?P<num>\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b|\b\d+(?:\.\d+)?\b|\b(?:"
    + "|".join(_WORDS) + r")\b)"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|mln|bn|m|k)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per\s+cent\b))?",
    re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-zÀ-ÿ][\w'’-]*")
# Words between a number and what it counts: "12 more people", "4,000 of its workers".
_FILLER = frozenset("more additional new other extra of its their the his her our people's "
                    "were was are is had have has been".split())
# Where a clause ends: a figure's own words stop there.
_CLAUSE = re.compile(r"[,;:()—–]|\s-\s|\b(?:and|but|while|whereas|or)\b")
_WINDOW = 6  # words either side of a figure that say what it is about
_PREPOSITIONS = frozenset("on in at for from of by across among within inside outside".split())
_ARTICLES = frozenset("the a an its their his her our this that these those".split())
_TIMES = content_terms(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight week "
    "weekend month year morning afternoon evening night day hours january february march april "
    "may june july august september october november december")


@dataclass(frozen=True)
class Figure:
    text: str  # as written: "about 3 million journeys"
    value: float
    unit: str  # "%", "$", or the stem of the counted word ("journey")
    hedged: bool
    start: int  # offsets in the sentence
    end: int
    about: frozenset[str]  # key terms of the words around it
    # (preposition, stem of its noun) around it: "on the Tube" → ("on", "tube")
    slots: frozenset[tuple[str, str]] = frozenset()
    # The key terms next to it in its clause (two before, one after): what happened to the number
    # ("killing 12 people" → kill; "412 people were injured" → injur).
    near: frozenset[str] = frozenset()


def figures(sentence: str) -> list[Figure]:
    """The figures of a sentence; years, dates, times and bare numbers are not figures."""
    out = []
    for m in _FIGURE.finditer(sentence):
        value = _value(m)
        if value is None or _is_date_or_time(sentence, m):
            continue
        unit, end = _unit(sentence, m)
        if not unit:
            continue
        start = m.start("cur") if m.group("cur") else m.start("num")
        if m.group("hedge"):
            start = m.start("hedge")
        before, after = _TOKEN.findall(sentence[:start]), _TOKEN.findall(sentence[end:])
        words = before[-_WINDOW:] + after[:_WINDOW]
        about = content_terms(" ".join(words)) - content_terms(sentence[start:end]) - {unit}
        near = _keys(_TOKEN.findall(_CLAUSE.split(sentence[:start])[-1]))[-2:] + \
            _keys(_TOKEN.findall(_CLAUSE.split(sentence[end:])[0]))[:1]
        out.append(Figure(sentence[start:end], value, unit, bool(m.group("hedge")), start, end,
                          about, _slots(before[-_WINDOW - 2:]) | _slots(after[:_WINDOW + 2]),
                          frozenset(near) - {unit}))
    return out


def same_fact(a: Figure, a_sentence: str, a_title: str, b: Figure, b_sentence: str,
              b_title: str) -> bool:
    """Whether figures ``a`` and ``b`` (of those sentences, under those headlines) count the
    same thing about the same subject."""
    a_context, b_context = f"{a_sentence} {a_title}", f"{b_sentence} {b_title}"
    if a.unit != b.unit or not (a.about & b.about):
        return False
    if a.near and b.near and not (a.near & b.near):
        return False  # "killing 12 people" / "412 people were injured"
    # The same preposition with different nouns that the other side never mentions sets them
    # apart: "journeys on the Tube" / "journeys on buses". Times do not ("on Monday" /
    # "on Wednesday" is how an updated figure reads).
    a_terms, b_terms = content_terms(a_context), content_terms(b_context)
    # Names the other report never mentions, on both sides: two banks, two plants, two unions
    # ("New Zealand's central bank raised to 2.75%" / "the Bank of Thailand kept 1.25%").
    if names(a_sentence) - b_terms and names(b_sentence) - a_terms:
        return False
    for prep, noun in a.slots:
        for other_prep, other in b.slots:
            if prep == other_prep and noun != other and noun not in b_terms \
                    and other not in a_terms:
                return False
    return True


def agree(a: Figure, b: Figure) -> bool:
    """Equal values, or within 10 % when either figure is hedged ("about 3 million")."""
    if a.value == b.value:
        return True
    if a.hedged or b.hedged:
        return abs(a.value - b.value) <= 0.1 * max(abs(a.value), abs(b.value))
    return False


def _keys(words: list[str]) -> list[str]:
    """The key terms of ``words``, in order (stopwords dropped)."""
    return [t for w in words for t in content_terms(w)]


def names(text: str) -> frozenset[str]:
    """Key terms of the capitalised words of ``text`` that are not its first word (names,
    mostly), times excluded."""
    words = [m.group(0) for m in _TOKEN.finditer(text)
             if m.start() > 0 and m.group(0)[0].isupper() and text[m.start() - 1] != "\n"
             and not re.search(r"[.!?]\s*$", text[:m.start()])]
    return content_terms(" ".join(words)) - _TIMES


def _slots(words: list[str]) -> frozenset[tuple[str, str]]:
    out = set()
    for i, word in enumerate(words[:-1]):
        prep = word.lower()
        if prep not in _PREPOSITIONS:
            continue
        rest = [w for w in words[i + 1:i + 4] if w.lower() not in _ARTICLES]
        terms = content_terms(rest[0]) if rest else frozenset()
        if terms and not (terms & _TIMES):
            out.add((prep, next(iter(terms))))
    return frozenset(out)


def _value(m: re.Match[str]) -> float | None:
    raw = m.group("num").lower()
    if raw in _WORDS:
        value = float(_WORDS[raw])
    else:
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            return None
    scale = (m.group("scale") or "").lower()
    return value * _SCALES.get(scale, 1.0)


def _is_date_or_time(sentence: str, m: re.Match[str]) -> bool:
    raw = m.group("num")
    if m.group("cur") or m.group("pct") or m.group("scale"):
        return False
    if re.fullmatch(r"(?:1[89]|20)\d\d", raw):
        return True  # a year
    before = sentence[max(0, m.start("num") - 12):m.start("num")].lower()
    after = sentence[m.end("num"):m.end("num") + 12].lower()
    return bool(re.search(rf"\b(?:{_MONTHS})\.?\s*$", before)
                or re.match(rf"\s*(?:st|nd|rd|th)?\s*(?:{_MONTHS})\b", after)
                or re.match(r"\s*(?::\d\d|[ap]\.?m\b|o'clock)", after))


def _unit(sentence: str, m: re.Match[str]) -> tuple[str, int]:
    """What the figure counts (a stem, "%" or a currency sign) and where the figure ends."""
    if m.group("pct"):
        return "%", m.end()
    if m.group("cur"):
        return m.group("cur"), m.end()
    at = m.end()
    for word in _TOKEN.finditer(sentence, at):
        gap = sentence[at:word.start()]
        if gap.strip() not in ("", "-"):
            return "", m.end()  # punctuation: "in 2019, 12" counts nothing
        lower = word.group(0).lower()
        if lower in _FILLER:
            at = word.end()
            continue
        terms = content_terms(lower)
        return (next(iter(terms)), word.end()) if terms else ("", m.end())
    return "", m.end()
