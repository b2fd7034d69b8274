"""An answer by parts: each outlet the question names answered from its own articles.

A comparison ("Does the Verge article suggest A, while TechCrunch implies B?"), a sequence
("Between the report from Wired on 2023-11-25 and the one from The Verge …") or a question about
what several outlets reported gets one cited line per part, with its outlet and date::

    The Verge (2023-09-26) [1]: …
    The Age (2023-10-22) [2]: …

Each part's sentence is the one of that outlet's passages (of the day asked, when dated) that
best supports the question and the words around the outlet's name. A sequence is laid out by
date; one between two dated reports also quotes what its outlets reported in between. Where
the quotes plainly decide, a short verdict drawn from them comes first: the name of the kind
asked for that most parts' articles give ("Which company …?"), or for a yes/no question
that the quotes state the same or that one negates the other. It abstains when a part has no
evidence: an outlet with no indexed article, or none of its sentences supporting the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answering.candidates import Candidates, quotable_mask
from assistant.answering.parts import Outlet, negated, sequence_like, yes_no
from assistant.answering.question import VALUES, Question
from assistant.answering.text import Sentence
from assistant.results import ABSTAIN_TEXT, Answer, Citation, Passage

# A part's best sentence scores at least this (the mean of its score against the whole question
# and against the words around the outlet's name), else the part has no evidence: abstain.
# Swept on the MultiHop-RAG development half (0.12-0.3): from 0.25 up, answerable comparisons
# and inferences abstain more (0.11-0.2); down to 0.15 no null question is answered (at 0.14
# one is). With sequences quoting what came in between: 0.2 → 0.17 cites every needed article
# of more sequences (0.60 → 0.67) and comparisons (0.76 → 0.77), abstains on fewer inferences
# (0.07 → 0.04); 0.17 keeps a margin for null questions that name only indexed outlets.
PART_SUPPORT = 0.17
# Weight of the whole question in a part's score; the rest is the words around its outlet.
QUESTION_WEIGHT = 0.5
# A part quotes a second article of its outlet when its best sentence scores this share of the
# first's ("both articles from Sporting News", a story told over two reports). Swept on the same
# half (0.6-0.9): 0.7 cites every needed article most often (comparisons 0.71 → 0.76, sequences
# 0.41 → 0.46) at no cost in abstentions.
SECOND_SHARE = 0.7
# A sequence quotes at most this many reports of its outlets published between its parts,
# each scoring this against the question. Swept on the MultiHop-RAG development half (1-4
# reports, 0.2-0.6; any outlet or only those named): sequences citing every needed article
# 0.54 -> 0.60 at 2 and 0.2, the outlets named (any outlet's: 0.62 at 3, 0.63 at 4, padding).
BETWEEN = 2
BETWEEN_SUPPORT = 0.2
BETWEEN_SHARE = 0.5
# Two quotes this similar (cosine) state the same claim, unless one negates it.
SAME_CLAIM = 0.75


@dataclass(frozen=True)
class _Part:
    outlet: Outlet
    sentence: int  # index into the sentences
    score: float


def by_parts(answerer, q: Question, c: Candidates) -> Answer:
    """The answer laid out by the question's outlets (``q.outlets``)."""
    passages, sentences, scores, context = c.passages, c.sentences, c.scores, c.context
    missing = [o.mention for o in q.outlets if not o.sources]
    if missing:
        return _abstain(q, passages, f"No indexed article is from {' or '.join(missing)}.")
    texts = [s.text for s in sentences]
    quotable = quotable_mask(sentences)
    chosen: list[_Part] = []
    for i, outlet in enumerate(q.outlets):
        own = np.array([passages[s.passage].source in outlet.sources for s in sentences])
        dated = own & np.array([outlet.dated(passages[s.passage].published) for s in sentences])
        if outlet.implied and not dated.any():
            continue  # a date of something else than a report
        own = (dated if dated.any() else own) & quotable
        if not own.any():
            return _abstain(q, passages, f"No retrieved article is from {outlet.mention}.")
        local = answerer._scores(_around(q, i), texts, context)[0]
        part = QUESTION_WEIGHT * scores + (1 - QUESTION_WEIGHT) * local
        part[~own] = -1.0
        # The same outlet named twice ("another article from …"): another of its articles.
        used = {passages[sentences[p.sentence].passage].article_id for p in chosen
                if p.outlet.sources == outlet.sources}
        fresh = part.copy()
        fresh[[passages[s.passage].article_id in used for s in sentences]] = -1.0
        if float(fresh.max()) >= PART_SUPPORT:
            part = fresh
        elif used:
            continue  # that outlet has one report about it, already quoted
        best = int(np.argmax(part))
        if float(part[best]) < PART_SUPPORT:
            return _abstain(q, passages, f"Nothing in {outlet.mention}'s articles supports it.")
        chosen.append(_Part(outlet, best, float(part[best])))
        part[[passages[s.passage].article_id == passages[sentences[best].passage].article_id
              for s in sentences]] = -1.0
        second = int(np.argmax(part))
        if float(part[second]) >= max(PART_SUPPORT, SECOND_SHARE * chosen[-1].score):
            chosen.append(_Part(outlet, second, float(part[second])))
    verdict = _verdict(answerer, q, passages, sentences, chosen)
    if sequence_like(q.text):
        chosen += _between(passages, sentences, np.where(quotable, scores, -1.0), chosen,
                           q.outlets)
        chosen.sort(key=lambda p: passages[sentences[p.sentence].passage].published or "")
    answer = _compose(q, passages, sentences, chosen)
    return answer if verdict is None else Answer(
        question=answer.question, text=f"{verdict}\n{answer.text}", citations=answer.citations,
        passages=answer.passages)


def _between(passages: Sequence[Passage], sentences: Sequence[Sentence], scores: np.ndarray,
             chosen: Sequence[_Part], outlets: Sequence[Outlet]) -> list[_Part]:
    """For a sequence ("between the report of … and the one of …"), the reports of its outlets
    published between its parts' first and last day that support the question best (at most
    ``BETWEEN`` articles, each scoring ``BETWEEN_SUPPORT``): what they reported in between."""
    days = sorted({(passages[sentences[p.sentence].passage].published or "")[:10]
                   for p in chosen} - {""})
    if len(days) < 2:
        return []
    used = {passages[sentences[p.sentence].passage].article_id for p in chosen}
    best: dict[str, int] = {}
    for i, s in enumerate(sentences):
        p = passages[s.passage]
        day = (p.published or "")[:10]
        if p.article_id in used or not days[0] <= day <= days[-1] \
                or not any(p.source in o.sources for o in outlets):
            continue
        if p.article_id not in best or scores[i] > scores[best[p.article_id]]:
            best[p.article_id] = i
    found = sorted(best.values(), key=lambda i: -float(scores[i]))[:BETWEEN]
    outlet = Outlet("", (), 0, 0)
    floor = max(BETWEEN_SUPPORT, BETWEEN_SHARE * min(p.score for p in chosen))
    return [_Part(outlet, i, float(scores[i])) for i in found if float(scores[i]) >= floor]


def _around(q: Question, i: int) -> str:
    """The words of the question around its ``i``-th outlet, up to the neighbouring ones."""
    outlets = q.outlets
    start = outlets[i - 1].end if i else 0
    end = outlets[i + 1].start if i + 1 < len(outlets) else len(q.text)
    return q.text[start:end]


def _compose(q: Question, passages: Sequence[Passage], sentences: Sequence[Sentence],
             chosen: Sequence[_Part]) -> Answer:
    numbers: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    support: dict[int, float] = {}
    lines = []
    for part in chosen:
        s = sentences[part.sentence]
        p = passages[s.passage]
        n = numbers.setdefault(s.passage, len(numbers) + 1)
        spans.setdefault(s.passage, []).append((s.start, s.end))
        support[s.passage] = max(support.get(s.passage, 0.0), part.score)
        day = f" ({p.published[:10]})" if p.published else ""
        lines.append(f"{p.source or part.outlet.mention}{day} [{n}]: {s.text}")
    citations = tuple(Citation.of(passages[i], n=n, score=support[i], sentences=spans[i])
                      for i, n in numbers.items())
    return Answer(question=q.text, text="\n".join(lines), citations=citations,
                  passages=tuple(passages))


def _verdict(answerer, q: Question, passages: Sequence[Passage], sentences: Sequence[Sentence],
             chosen: Sequence[_Part]) -> str | None:
    """A short conclusion the quotes plainly support, or None."""
    if q.expected and q.expected[0] not in VALUES:
        return _named(answerer, q, passages, sentences, chosen)
    if yes_no(q.text) and len(chosen) == 2:
        a, b = (sentences[p.sentence].text for p in chosen)
        if negated(a) != negated(b):
            return None if _similarity(answerer, a, b) < SAME_CLAIM else \
                "Drawn from the quotes: one report negates what the other states."
        if _similarity(answerer, a, b) >= SAME_CLAIM:
            return "Drawn from the quotes: both reports state the same."
    return None


def _named(answerer, q: Question, passages: Sequence[Passage], sentences: Sequence[Sentence],
           chosen: Sequence[_Part]) -> str | None:
    """The name of the kind asked for that most parts' articles give ("Which company …?")."""
    texts = list(dict.fromkeys(passages[sentences[p.sentence].passage].text for p in chosen))
    outlets = {o.mention.lower() for o in q.outlets} | {
        (passages[sentences[p.sentence].passage].source or "").lower() for p in chosen}
    asked = q.text.lower()
    counts: dict[str, set[int]] = {}
    longest: dict[str, str] = {}
    for i, ents in enumerate(answerer.language().entities(texts)):
        for e in ents:
            name = e.text.removesuffix("'s").removesuffix("’s").strip()
            if e.label not in q.expected or not name or name.lower() in outlets \
                    or name.lower() in asked:
                continue
            key = name.split()[-1].lower()  # "Sam Bankman-Fried" and "Bankman-Fried" are one
            counts.setdefault(key, set()).add(i)
            if len(name) > len(longest.get(key, "")):
                longest[key] = name
    if not counts:
        return None
    key = max(counts, key=lambda k: len(counts[k]))
    if len(counts[key]) < min(2, len(texts)):
        return None
    return (f"{longest[key]}, named in {len(counts[key])} of the {len(texts)} reports quoted "
            "(drawn from the quotes).")


def _similarity(answerer, a: str, b: str) -> float:
    va, vb = np.asarray(answerer.embed([a, b]), dtype=np.float32)
    return float(va @ vb) / (float(np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0)


def _abstain(q: Question, passages: Sequence[Passage], why: str) -> Answer:
    return Answer.abstaining(q.text, passages, text=f"{ABSTAIN_TEXT} {why}")
