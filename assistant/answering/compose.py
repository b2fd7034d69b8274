"""Answer texts from chosen sentences: one fact, several facts, or a digest of stories.

Pure functions over sentences already scored against the question (``extractive.py`` scores them):
each sentence is quoted as written, followed by an ``[n]`` marker; citations are numbered in order
of first use and carry the offsets of their supporting sentences in the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.forms import AnswerType
from assistant.answering.text import Sentence
from assistant.results import Answer, Citation, Passage
from assistant.retrieval.dates import DateRange

Picked = Sequence[tuple[Sentence, float]]


def compose(question: str, passages: Sequence[Passage], picked: Picked, *,
            answer_type: AnswerType | None = None, separator: str = " ") -> Answer:
    """Answer text with [n] markers, and citations numbered in order of first use; the phrases
    of ``answer_type`` in the text are located as ``Answer.answer_spans``."""
    numbers: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    support: dict[int, float] = {}
    parts: list[str] = []
    found: list[tuple[int, int]] = []
    at = 0
    for sentence, score in picked:
        n = numbers.setdefault(sentence.passage, len(numbers) + 1)
        spans.setdefault(sentence.passage, []).append((sentence.start, sentence.end))
        support[sentence.passage] = max(support.get(sentence.passage, 0.0), score)
        if parts:
            at += len(separator)
        found += [(at + s, at + e) for s, e in typed_spans(sentence.text, answer_type, question)]
        part = f"{sentence.text} [{n}]"
        parts.append(part)
        at += len(part)
    citations = tuple(
        Citation.of(passages[i], n=n, score=support[i], sentences=spans[i])
        for i, n in numbers.items()
    )
    return Answer(question=question, text=separator.join(parts), citations=citations,
                  passages=tuple(passages), answer_spans=tuple(found))


def nothing_published(question: str, period: DateRange) -> Answer:
    """The answer to a digest of a period no article was published in."""
    span = " to ".join(d.isoformat() for d in (period.start, period.end) if d)
    return Answer.abstaining(question, text=f"No indexed article was published {span} "
                             f"(\u201c{period.expression}\u201d).")


def one_per_article(
    sentences: Sequence[Sentence], scores: Sequence[float], passages: Sequence[Passage], *,
    floor: float, limit: int,
) -> list[int]:
    """The best sentence of each distinct story (syndicated copies count once) scoring at
    least ``floor``, best first, at most ``limit``."""
    best: dict[str, int] = {}
    for i in sorted(range(len(sentences)), key=lambda i: -scores[i]):
        if scores[i] < floor:
            break
        p = passages[sentences[i].passage]
        best.setdefault(p.canonical_id or p.article_id, i)
    return list(best.values())[:limit]


def lead_sentences(sentences: Sequence[Sentence], passages: Sequence[Passage], *,
                   limit: int) -> list[int]:
    """The first sentence of each distinct story among the passages, newest story first."""
    first: dict[str, int] = {}
    for i, s in enumerate(sentences):
        p = passages[s.passage]
        story = p.canonical_id or p.article_id
        if story not in first or s.start < sentences[first[story]].start:
            first[story] = i
    order = sorted(first.values(), key=lambda i: (passages[sentences[i].passage].published or "",
                                                  -sentences[i].passage), reverse=True)
    return order[:limit]


_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_DATE = re.compile(
    rf"\b(?:(?:on |)(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:,? (?:{_MONTHS})"
    rf" \d{{1,2}})?|(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?|\d{{1,2}} (?:{_MONTHS})"
    rf"(?: \d{{4}})?|(?:in |)(?:{_MONTHS}) \d{{4}}|\d{{4}}|\d{{1,2}}:\d{{2}}(?: ?[ap]\.?m\.?)?)\b")
_QUANTITY = re.compile(
    r"(?:[$£€¥]\s?)?\d[\d,.:]*(?:\s?(?:%|percent|per cent|percentage points?))?"
    r"(?:\s(?:million|billion|trillion|thousand|hundred))?"
    r"(?:\s(?:[a-zA-Z]{1,12}))?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|a quarter|half|a third)(?: of a)?(?: percentage point| percent)?\b")
_UNIT = re.compile(r"\s(?:the|a|an|and|or|of|in|on|at|to|for|by|from|with|is|was|were|will|"
                   r"has|have|had|its|their|his|her|who|which|that)$")
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:of |de |la |van |von |the )?[A-Z][\w’'-]+)*")


def measured(sentence: str, unit: re.Pattern[str]) -> bool:
    """Whether a number of ``sentence`` comes with a word of ``unit`` ("1,800 jobs", "90
    million years ago", "£42 million")."""
    for m in re.finditer(r"\d[\d,.:]*", sentence):
        if unit.search(sentence[max(0, m.start() - 2):m.end() + 30]):
            return True
    return False


def typed_spans(sentence: str, answer_type: AnswerType | None, question: str
                ) -> list[tuple[int, int]]:
    """Where in ``sentence`` the phrase of the asked type is (at most one): the first date, the
    first quantity, or the first name the question does not already hold."""
    if answer_type is None:
        return []
    if answer_type == "date":
        m = _DATE.search(sentence)
        return [m.span()] if m else []
    if answer_type == "number":
        for m in _QUANTITY.finditer(sentence):
            text = _UNIT.sub("", m.group(0)).rstrip(" ,.")
            if any(c.isdigit() for c in text) or text.split()[0].lower() != "a":
                return [(m.start(), m.start() + len(text))]
        return []
    asked = question.lower()
    for m in _NAME.finditer(sentence):
        if m.start() == 0 and " " not in m.group(0):
            continue  # a capitalised first word is no name
        if m.group(0).lower() not in asked and m.group(0).split()[0].lower() not in asked:
            return [m.span()]
    return []
