"""Conflicting values: when the passages give different answers of the asked kind, show each.

"Who won the Pemberton Prize?" — three outlets say Lena Ortiz, one says Marcus Hale. (Differing
figures, counts and amounts, are ``reconcile.py``'s: there a newer report updates an older one.) The
sentences that answer the question nearly as well as the best one are read for the value of the
kind asked for (``Question.expected``: a PERSON for "who"); sentences stating the same fact (alike
once their values are masked) with different values are a conflict. The answer then quotes each
value, the one most independent sources give first (never only a value most sources
contradict), notes each value with its sources and their count (as ``Answer.sources`` counts
them: syndicated copies once), and fills ``Answer.conflicts``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.answering.candidates import Candidates, answer_span
from assistant.answering.compose import compose
from assistant.answering.question import VALUES, Question
from assistant.answering.sources import independent_sources
from assistant.answering.text import Sentence
from assistant.results import Answer, Conflict, Passage, StatedFigure

# Sentences scoring this share of the best one are read for values (at most CANDIDATES).
SHARE = 0.8
CANDIDATES = 10
# Two sentences with their values masked this alike (cosine) state the same fact.
SAME_FACT = 0.75
# Each value is quoted from at most this many of its sentences.
QUOTES = 3

Choose = Callable[..., Answer]


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
    if answer.abstained or not q.expected or q.expected[0] in VALUES:
        return answer  # figures are reconcile.py's: a later report updates a count
    groups = _values(answerer, q, sentences, scores)
    if len(groups) < 2:
        return answer
    groups = _same_fact(answerer, sentences, groups)
    if len(groups) < 2:
        return answer
    story = [passages[s.passage].canonical_id or passages[s.passage].article_id
             for s in sentences]
    ordered = sorted(groups.items(), key=lambda kv: (-len({story[i] for _, i in kv[1]}),
                                                     -max(float(scores[i]) for _, i in kv[1])))
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
            ) -> dict[str, list[tuple[str, int]]]:
    """value key → [(the value as written, sentence index)], best sentence first. A value only
    ever stated beside another (a novel's title beside its author) goes with it; two values one
    sentence states together are no dispute."""
    best = float(scores.max())
    order = [int(i) for i in np.argsort(-scores, kind="stable")[:CANDIDATES]
             if float(scores[i]) >= SHARE * best]
    stated: dict[str, list[tuple[str, int]]] = {}
    found = answerer.language().entities([sentences[i].text for i in order])
    for i, entities in zip(order, found, strict=True):
        for value in dict.fromkeys(e.text for e in entities if q.answers_with(e)):
            stated.setdefault(_key(value), []).append((value, i))
    groups: dict[str, list[tuple[str, int]]] = {}
    for key in sorted(stated, key=lambda k: -len(stated[k])):
        mine = {i for _, i in stated[key]}
        if all(not mine & {i for _, i in group} for group in groups.values()):
            groups[key] = stated[key]
    return groups


def _same_fact(answerer, sentences: Sequence[Sentence],
               groups: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """The most stated value's group, and the others stating its fact: one of their sentences
    alike one of its sentences once the values are masked."""
    rows = [(key, sentences[i].text.replace(value, "\u2026"))
            for key, stated in groups.items() for value, i in stated]
    vectors = np.asarray(answerer.embed([text for _, text in rows]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    top = next(iter(groups))
    mine = vectors[[j for j, (key, _) in enumerate(rows) if key == top]]
    keep = [key for key in groups if key == top or float(np.max(
        vectors[[j for j, (k, _) in enumerate(rows) if k == key]] @ mine.T)) >= SAME_FACT]
    return {key: groups[key] for key in keep}


def _key(value: str) -> str:
    words = value.lower().replace("\u2019", "'").removesuffix("'s").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)
