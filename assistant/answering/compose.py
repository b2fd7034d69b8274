"""Answer texts from chosen sentences: one fact, several facts, or a digest of stories.

Pure functions over sentences already scored against the question (``extractive.py`` scores them):
each sentence is quoted as written, followed by an ``[n]`` marker; citations are numbered in order
of first use and carry the offsets of their supporting sentences in the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.answering.text import Sentence
from assistant.results import Answer, Citation, Passage
from assistant.retrieval.dates import DateRange

Picked = Sequence[tuple[Sentence, float]]


def compose(question: str, passages: Sequence[Passage], picked: Picked, *,
            span_of: Callable[[Sentence], list[tuple[int, int]]] | None = None,
            separator: str = " ") -> Answer:
    """Answer text with [n] markers, and citations numbered in order of first use; the
    answer's phrase in each sentence (``span_of``) is located as ``Answer.answer_spans``. A
    sentence is quoted once, however many parts of the answer picked it."""
    numbers: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    support: dict[int, float] = {}
    parts: list[str] = []
    found: list[tuple[int, int]] = []
    quoted: set[str] = set()
    at = 0
    for sentence, score in picked:
        key = " ".join(sentence.text.lower().split())
        if key in quoted:
            continue
        quoted.add(key)
        n = numbers.setdefault(sentence.passage, len(numbers) + 1)
        spans.setdefault(sentence.passage, []).append((sentence.start, sentence.end))
        support[sentence.passage] = max(support.get(sentence.passage, 0.0), score)
        if parts:
            at += len(separator)
        found += [(at + s, at + e) for s, e in (span_of(sentence) if span_of else [])]
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


# A number in figures or, as news writes the small ones, in words ("four people").
_NUMBER = re.compile(r"\d[\d,.:]*|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|"
                     r"twelve|twenty|thirty|forty|fifty|hundreds|thousands|dozens)\b",
                     re.IGNORECASE)


def measured(sentence: str, unit: re.Pattern[str]) -> bool:
    """Whether a number of ``sentence`` comes with a word of ``unit`` ("1,800 jobs", "90
    million years ago", "£42 million", "four people")."""
    for m in _NUMBER.finditer(sentence):
        if unit.search(sentence[max(0, m.start() - 2):m.end() + 30]):
            return True
    return False
