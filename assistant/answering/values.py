"""Conflicting values: when the passages give different answers of the asked kind, show each.

"Who won the Pemberton Prize?" — three outlets say Lena Ortiz, one says Marcus Hale. The
sentences that answer the question nearly as well as the best one are read for their answer
(the first entity of the kind asked for, ``Question.expected``: a PERSON for "who", a DATE for
"when"); sentences stating the same fact (alike once their values are masked, or naming
everything the question names) with different values are a conflict. The answer then quotes
each value, the one most independent sources give first (never only a value most sources
contradict), notes each value with its sources and their count (as ``Answer.sources`` counts
them: syndicated copies once), and fills ``Answer.conflicts``.

Figures (counts, amounts, dates) are weighed here only when one value has more independent
reports than any other; one report against one is ``reconcile.py``'s, where a newer report
updates an older one (a death toll that rose).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.answering.candidates import Candidates, answer_span, typed
from assistant.answering.compose import compose
from assistant.answering.question import VALUES, Question
from assistant.answering.sources import independent_sources
from assistant.answering.text import Sentence
from assistant.results import Answer, Conflict, Passage, StatedFigure

# Sentences scoring this share of the best one are read for values (at most CANDIDATES).
SHARE = 0.6
CANDIDATES = 10
# Two sentences with their values masked this alike (cosine) state the same fact.
SAME_FACT = 0.75
# ... or this alike when both name everything the question names.
NAMED_FACT = 0.5
# Each value is quoted from at most this many of its sentences.
QUOTES = 4

Choose = Callable[..., Answer]
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_]+")


def weighing(choose: Choose) -> Choose:
    """``choose`` (a form of the answerer), its answer replaced by the values side by side
    when the passages disagree on the value asked for."""
    def choose_and_weigh(answerer, q: Question, c: Candidates) -> Answer:
        answer = choose(answerer, q, c)
        return weigh(answerer, q, c.passages, c.sentences, c.scores, answer)
    return choose_and_weigh


def weigh(answerer, q: Question, passages: Sequence[Passage], sentences: Sequence[Sentence],
          scores: np.ndarray, answer: Answer) -> Answer:
    """``answer``, or the values the passages give side by side when they differ."""
    if answer.abstained or not q.expected or not len(sentences):
        return answer
    groups, holds = _values(answerer, q, sentences, scores)
    if len(groups) < 2:
        return answer
    story = [passages[s.passage].canonical_id or passages[s.passage].article_id
             for s in sentences]
    groups = _disputed(groups, holds, story)
    if len(groups) < 2:
        return answer
    groups = _same_fact(answerer, q, sentences, groups)
    if len(groups) < 2:
        return answer
    reports = {key: len({story[i] for _, i in stated}) for key, stated in groups.items()}
    ordered = sorted(groups.items(), key=lambda kv: (-reports[kv[0]],
                                                     -max(float(scores[i]) for _, i in kv[1])))
    if q.expected[0] in VALUES and reports[ordered[0][0]] <= reports[ordered[1][0]]:
        return answer  # one report against one: reconcile.py's (a newer one updates)
    picked = [(sentences[i], float(scores[i])) for _, stated in ordered for _, i in
              stated[:QUOTES]]
    laid = compose(q.text, passages, picked, separator="\n",
                   span_of=lambda s: answer_span(q, s, answerer.language()))
    numbered = {c.article_id: c for c in laid.citations}
    figures, notes = [], []
    for _, stated in ordered:
        cited = list({numbered[passages[sentences[i].passage].article_id].n:
                      numbered[passages[sentences[i].passage].article_id]
                      for _, i in stated[:QUOTES]}.values())
        sources = independent_sources(cited, ())
        first = cited[0]
        value = stated[0][0]
        figures.append(StatedFigure(value, first.n, first.source, first.published))
        names = ", ".join(s.name for s in sources)
        marks = "".join(f"[{c.n}]" for c in cited)
        count = f"{len(sources)} source{'s' if len(sources) != 1 else ''}"
        notes.append(f"\u201c{value}\u201d in {count} ({names}) {marks}")
    note = "Sources differ: " + "; ".join(notes) + "."
    return replace(laid, notes=answer.notes + (note,),
                   conflicts=answer.conflicts + (Conflict("differ", tuple(figures)),))


def _values(answerer, q: Question, sentences: Sequence[Sentence], scores: np.ndarray
            ) -> tuple[dict[str, list[tuple[str, int]]], dict[int, set[str]]]:
    """value key → [(the value as written, sentence index)], best sentence first: each
    sentence's answer, its first entity of the asked kind most of them hold; and the keys of
    every value each sentence holds."""
    best = float(scores.max())
    order = [int(i) for i in np.argsort(-scores, kind="stable")[:CANDIDATES]
             if float(scores[i]) >= SHARE * best > 0]
    found = [typed(q, entities) for entities in
             answerer.language().entities([sentences[i].text for i in order])]
    # A figure of the kind most of them state ("how long": kilometres in four, minutes in
    # one) or else of another kind asked for (the model reads "2.1 billion euros" as a
    # CARDINAL now and then); a name of any kind asked for (a rare person may be an ORG).
    held = [{e.label for e in answers} for answers in found]
    label = max(q.expected, key=lambda lab: sum(lab in h for h in held))
    groups: dict[str, list[tuple[str, int]]] = {}
    holds: dict[int, set[str]] = {}
    for i, answers in zip(order, found, strict=True):
        mine = [e for e in answers if label not in VALUES or _NUMBER.search(e.text)]
        if label in VALUES:  # a figure ("Monday" is none), of the usual kind when it has one
            mine.sort(key=lambda e: e.label != label)
        holds[i] = {_key(e.text, label) for e in mine}
        if mine:
            groups.setdefault(_key(mine[0].text, label), []).append((mine[0].text, i))
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1]))), holds


def _disputed(groups: dict[str, list[tuple[str, int]]], holds: dict[int, set[str]],
              story: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    """The most stated value's group, and the others in dispute with it: two values one
    sentence states together are no dispute ("called by the RMT …, this one by Unite"), nor
    are values only the same reports give."""
    top = next(iter(groups))
    mine = {story[i] for _, i in groups[top]}

    def against(key: str) -> bool:
        return not any(key in holds[i] for _, i in groups[top]) \
            and not any(top in holds[i] for _, i in groups[key]) \
            and not {story[i] for _, i in groups[key]} <= mine
    return {key: stated for key, stated in groups.items() if key == top or against(key)}


def _same_fact(answerer, q: Question, sentences: Sequence[Sentence],
               groups: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """The most stated value's group, and the others stating its fact: one of their sentences
    names all the question names and is alike one of its sentences once the values are
    masked (or very alike whatever it names)."""
    rows = [(key, sentences[i].text.replace(value, "\u2026"), i)
            for key, stated in groups.items() for value, i in stated]
    vectors = np.asarray(answerer.embed([text for _, text, _ in rows]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    names = [n.lower() for n in q.names]
    naming = [bool(names) and all(n in sentences[i].text.lower() for n in names)
              for _, _, i in rows]
    top = next(iter(groups))
    mine = [j for j, (key, _, _) in enumerate(rows) if key == top]

    def states(key: str) -> bool:
        theirs = [j for j, (k, _, _) in enumerate(rows) if k == key]
        alike = vectors[theirs] @ vectors[mine].T
        named = np.array([[naming[a] and naming[b] for b in mine] for a in theirs])
        return bool(np.any(alike >= SAME_FACT) or np.any(named & (alike >= NAMED_FACT)))
    shape = _shape(groups[top][0][0])  # figures of one kind: kilometres, not minutes

    def alike(key: str) -> bool:  # ("2.1 billion euros" and "1.3 billion" are)
        theirs = _shape(groups[key][0][0])
        return q.expected[0] not in VALUES or theirs <= shape or shape <= theirs
    return {key: groups[key] for key in groups if key == top or (states(key) and alike(key))}


def _key(value: str, label: str) -> str:
    """What two spellings of one value share: a figure's numbers and words ("14 March" and
    "March 14"; "4,812 metres" and "4,812-metre"), a name's words without "the"."""
    low = value.lower().replace("\u2019", "'").removesuffix("'s")
    if label in VALUES and _NUMBER.search(low):
        numbers = [n.replace(",", "") for n in _NUMBER.findall(low)]
        months = [w for w in _WORD.findall(low) if w in _MONTHS]
        return " ".join(sorted(numbers + months))
    words = low.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _shape(value: str) -> frozenset[str]:
    """What a figure counts, without its numbers and hedges: "about 12,500 people" and "3,000
    people" are people; "14 March" and "2 April" are days of a month; "48 hours" is hours."""
    low = value.lower()
    marks = {c for c in low if c in "$€£¥%"}
    words = {"month" if w in _MONTHS else w.removesuffix("s") for w in _WORD.findall(low)}
    return frozenset(marks | words - _HEDGES)


_HEDGES = frozenset("about around some nearly almost over roughly approximately estimated an "
                    "more than at least up to fewer less just".split())
_MONTHS = frozenset("january february march april may june july august september october "
                    "november december jan feb mar apr jun jul aug sep sept oct nov dec".split())
