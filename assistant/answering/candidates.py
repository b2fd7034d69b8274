"""Answer candidates: the passages' sentences that may be quoted, and the entities they hold.

A page carries more than its story: photo captions ("Hide Caption 83 of 226"), credits, bylines,
prompts, and subheadings that are questions ("What happens next?"). None of them answers a
question, so they are never candidates (``lexicon/en/furniture.txt``); they still count as the
context of the sentences around them.

The entities of the best candidates come from the English pipeline (``language.py``), only for
the few sentences that can still win (recognising every retrieved sentence would cost more than
the rest of the answer): a sentence holding an entity of the kind the question asks for (a
PERSON for "who", a DATE for "when") is a likelier answer, and that entity is the answer's bold
span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.answering.compose import measured
from assistant.answering.forms import measure_words
from assistant.answering.language import English, Entity
from assistant.answering.lexicon import lines
from assistant.answering.question import VALUES, Question
from assistant.answering.text import Sentence
from assistant.results import Passage

# A sentence that may not be quoted (page furniture, a question) scores this.
UNQUOTABLE = -1.0


@dataclass(frozen=True)
class Candidates:
    """The passages' sentences scored against a question: what the choice by form reads."""

    passages: Sequence[Passage]
    sentences: list[Sentence]
    context: list[str]  # per sentence, what it is about beyond its words (``evidence.py``)
    scores: np.ndarray  # similarity, terms and priors; UNQUOTABLE for furniture
    semantic: np.ndarray  # the cosine alone

    @property
    def best(self) -> int:
        return int(np.argmax(self.scores))


@lru_cache(maxsize=1)
def _furniture() -> re.Pattern[str]:
    patterns = lines("furniture")
    for n, pattern in enumerate(patterns, 1):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"lexicon/en/furniture.txt: pattern {n} ({pattern!r}): {exc}") \
                from exc
    return re.compile(r"^\W*(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", re.IGNORECASE)


def quotable(text: str) -> bool:
    """Whether a sentence may be quoted as an answer: not page furniture, not a question."""
    stripped = text.strip()
    return not (stripped.rstrip("\"'’”)").endswith("?") or _furniture().match(stripped))


def quotable_mask(sentences: Sequence[Sentence]) -> np.ndarray:
    return np.array([quotable(s.text) for s in sentences], dtype=bool)


def typed(question: Question, entities: Sequence[Entity]) -> list[Entity]:
    """The entities of a sentence that answer ``question``'s kind, in the order of the labels it
    asks for (the likeliest first), then of position."""
    rank = {label: n for n, label in enumerate(question.expected)}
    found = [e for e in entities if question.answers_with(e)]
    return sorted(found, key=lambda e: (rank[e.label], e.start))


def type_bonus(question: Question, sentences: Sequence[Sentence], scores: np.ndarray,
               english: English, *, top: int, bonus: float) -> np.ndarray:
    """``bonus`` for each of the ``top`` best sentences that holds an entity of the asked kind
    (nothing when the question asks for no kind of entity)."""
    out = np.zeros(len(sentences), dtype=np.float32)
    if not question.expected or not len(sentences):
        return out
    best = [int(i) for i in np.argsort(-scores, kind="stable")[:top]]
    found = english.entities([sentences[i].text for i in best])
    for i, ents in zip(best, found, strict=True):
        if typed(question, ents):
            out[i] = bonus
    return out


def answer_span(question: Question, sentence: Sentence, english: English
                ) -> list[tuple[int, int]]:
    """Where in the sentence the answer is: its first entity of the asked kind (none when the
    question asks for no kind, or the sentence holds none)."""
    if not question.expected:
        return []
    found = typed(question, english.entities([sentence.text])[0])
    return [(found[0].start, found[0].end)] if found else []


def by_entity(question: Question, sentences: Sequence[Sentence], scores: np.ndarray,
              english: English, *, floor: float, limit: int, top: int,
              named: set[str] | None = None) -> list[int]:
    """For a list question ("Which countries …?"): the best sentences that between them name
    every distinct entity of the asked kind the supported sentences hold (other than those
    already ``named``), each sentence adding at least one, best first."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")[:top]
             if float(scores[int(i)]) >= floor]
    found = english.entities([sentences[i].text for i in order])
    named = set(named or ())
    chosen: list[int] = []
    for i, ents in zip(order, found, strict=True):
        new = {e.text.lower().removeprefix("the ") for e in typed(question, ents)} - named
        if new:
            named |= new
            chosen.append(i)
        if len(chosen) >= limit:
            break
    return chosen


def enumerates(question: Question, text: str, english: English) -> list[str]:
    """The names a sentence lists as things of the asked kind: names coordinated with each other
    ("headed by Austria's Brunnhof Bau, Greece's Kallisto Erga and Ireland's Tullamore
    Structures"), one of them recognised as of that kind, or the recogniser unsure of them (it
    labels coordinated names, which are of one kind, differently: unfamiliar names). Names
    it agrees are of another kind ("Paris, London and Berlin" for "which companies") are
    none."""
    if not question.expected or question.expected[0] in VALUES:
        return []
    doc = english.parse(text)
    names = {e.root.i: e for e in doc.ents if e.label_ not in VALUES}
    groups: dict[int, set[int]] = {}  # the names each coordination joins, by its first
    for i, ent in names.items():
        root = ent.root
        while root.dep_ == "conj" and root.head.i in names:
            root = root.head
        if root.i != i or any(c.dep_ == "conj" and c.i in names for c in ent.root.children):
            groups.setdefault(root.i, {root.i}).add(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        found = [names[i] for i in members]
        labels = {e.label_ for e in found}
        if any(question.answers_with(Entity(e.text, e.label_, e.start_char, e.end_char))
               for e in found) or len(labels) > 1:
            return [e.text for e in sorted(found, key=lambda e: e.start)]
    return []


def asked_unit(question: Question) -> re.Pattern[str] | None:
    """The unit a number answering ``question`` comes in ("how many jobs": jobs; "how long":
    hours or days), when it asks for a measure."""
    if question.cue == "how many":  # "how many yes votes": the number comes with "votes"
        return re.compile(rf"\b{re.escape(question.counted[:4])}", re.IGNORECASE) \
            if question.counted else None
    unit, _ = measure_words(question.text)
    if question.answer_type == "number" or (question.cue or "").startswith("how "):
        return unit
    return None


def completed(question: Question, picked: list[int], sentences: Sequence[Sentence],
              scores: np.ndarray, story: Sequence[str], english: English, *, floor: float,
              top: int) -> list[int]:
    """``picked`` (sentences of one story, best first), with the story's best sentence that
    holds what the question asks for (an entity of its kind; a number in the asked unit) when
    none of ``picked`` does and that sentence scores at least ``floor``: one story's answer to
    "how many workers …" holds the number, not only the lead. For a name ("Name the new
    species", "the names of the projects"), the lead's own names do not count: a lead
    describes what a later sentence names ("The animal, named Limaytitan velox, …")."""
    if not question.expected or not picked:
        return picked
    mine = [int(i) for i in np.argsort(-scores, kind="stable")
            if story[int(i)] == story[picked[0]] and float(scores[int(i)]) >= floor][:top]
    seen = ""
    if question.cue == "name":  # the names of the story's first sentence do not count
        first = min((i for i in range(len(sentences)) if story[i] == story[picked[0]]),
                    key=lambda i: sentences[i].start)
        seen = sentences[first].text.lower()
    order = [*picked, *(i for i in mine if i not in picked)]
    ents = dict(zip(order, english.entities([sentences[i].text for i in order]), strict=True))

    def holds(i: int, unit: re.Pattern[str] | None) -> bool:
        if unit is not None and measured(sentences[i].text, unit):
            return True  # "48 million euros", though recognised as a CARDINAL
        return unit is None and any(e.text.lower() not in seen
                                    for e in typed(question, ents[i]))

    unit = asked_unit(question)
    if unit is not None and not any(holds(i, unit) for i in order):
        unit = None  # no sentence of the story counts in that unit: any number will do
    if any(holds(i, unit) for i in picked):
        return picked
    more = next((i for i in mine if i not in picked and holds(i, unit)), None)
    return picked if more is None else [*picked, more]
