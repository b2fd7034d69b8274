"""Conflicting and updated figures: an answer never silently picks one of two reports.

For each figure of the answer's cited sentences, the retrieved passages of other articles are
read for a sentence stating the same fact (``figures.same_fact``) with a value that does not
agree. When both reports are dated on different days, the newer one is the answer ("updated":
it leads, the older figure is marked superseded); when they are of the same day (or undated) and
come from different sources, both are shown, each with its citation ("differ"). Reports from the
same outlet on the same day are left alone (they are more likely two facts than a dispute).
Works on any backend's answer, after citation checking. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answering.figures import Figure, agree, figures, same_fact
from assistant.answering.text import content_terms, passage_sentences
from assistant.results import Answer, Citation, Conflict, Passage, StatedFigure


@dataclass(frozen=True)
class _Stated:
    figure: Figure
    sentence: str
    start: int  # offsets in the article
    end: int
    article_id: str
    story: str
    title: str
    source: str | None
    published: str | None


SameStory = Callable[[str, str], bool]  # two headlines → whether they report one story


def reconcile(answer: Answer, same_story: SameStory | None = None) -> Answer:
    """``answer`` with the reports that change or contradict its figures, flagged.
    ``same_story`` tells whether two headlines report one story (by default: they share a key
    term both ways)."""
    if answer.abstained or not answer.citations or not answer.passages or answer.conflicts:
        return answer  # (values.py has laid out the values the sources give)
    asked = content_terms(answer.rewritten_question or answer.question)
    # The answer's figures the question is about: what it counts or what happened to it.
    own = [s for c in answer.citations for s in _cited(c)
           if s.figure.unit in asked or s.figure.near & asked]
    if not own:
        return answer
    others = _retrieved(answer.passages)
    same_story = same_story or _shared_terms
    for mine in own:
        counters = [o for o in others if _counter(mine, o, asked, same_story)]
        if counters:  # the statement closest in what it is about
            best = max(counters, key=lambda o: len(o.figure.about & mine.figure.about))
            return _flag(answer, mine, best)
    return answer


def _counter(mine: _Stated, other: _Stated, asked: frozenset[str], same_story: SameStory
             ) -> bool:
    """Whether ``other`` states ``mine``'s fact with a value that does not agree, in a report
    that can be set against it (another story, about the question)."""
    if other.story == mine.story or other.article_id == mine.article_id:  # (itself too)
        return False
    if not (content_terms(other.sentence + " " + other.title) & asked):
        return False
    if not same_fact(mine.figure, mine.sentence, mine.title, other.figure, other.sentence,
                     other.title) or agree(mine.figure, other.figure):
        return False
    # Only reports of one story ("Peru quake death toll rises to 31" / "Earthquake kills 12 in
    # Peru"), or two sentences saying nearly the same thing, are set against each other: a
    # figure of another story is another fact.
    if not (same_story(mine.title, other.title) or same_story(mine.sentence, other.sentence)):
        return False
    if _day(mine) and _day(other) and _day(mine) != _day(other):
        return True  # an update
    return (mine.source or "").casefold() != (other.source or "").casefold() \
        or not mine.source


def _flag(answer: Answer, mine: _Stated, other: _Stated) -> Answer:
    citations, n = _cite(answer, other)
    own_n = next(c.n for c in answer.citations if c.article_id == mine.article_id)
    stated = {id(mine): StatedFigure(mine.figure.text, own_n, mine.source, mine.published),
              id(other): StatedFigure(other.figure.text, n, other.source, other.published)}
    if _day(mine) and _day(other) and _day(mine) != _day(other):
        newer, older = (other, mine) if _day(other) > _day(mine) else (mine, other)
        conflict = Conflict("updated", (stated[id(newer)], stated[id(older)]))
        old = stated[id(older)]
        superseded = (f"(Superseded: an earlier report of {older.published} gave "
                      f"{old.text} [{old.n}].)")
        quoted = f"{newer.sentence} [{stated[id(newer)].n}]"
        at = answer.text.find(quoted)
        if at == -1 or at > answer.text.find(f"{older.sentence} [{old.n}]") != -1:
            # The newer report leads (moved up when the answer quoted it after the older one).
            lead = f"Updated {newer.published}: {quoted}\n"
            rest = answer.text if at == -1 else \
                (answer.text[:at] + answer.text[at + len(quoted):]).replace("  ", " ").strip()
            text = lead + rest + "\n" + superseded
            # The asked-for phrase keeps its place when the text only moved down; a reordered
            # text has none (rare: an update quoted after its first report).
            spans = tuple((s + len(lead), e + len(lead)) for s, e in answer.answer_spans) \
                if at == -1 else ()
        else:
            text, spans = answer.text + "\n" + superseded, answer.answer_spans
    else:
        conflict = Conflict("differ", (stated[id(mine)], stated[id(other)]))
        a, b = conflict.figures
        text = (answer.text + f"\nSources differ on this figure: {a.text} [{a.n}] "
                f"({_who(a)}) against {b.text} [{b.n}] ({_who(b)}).")
        spans = answer.answer_spans
    return replace(answer, text=text, citations=citations, answer_spans=spans,
                   conflicts=answer.conflicts + (conflict,))


def _cite(answer: Answer, other: _Stated) -> tuple[tuple[Citation, ...], int]:
    """The citations with ``other``'s sentence among them, and its number."""
    span = (other.start, other.end)
    for i, c in enumerate(answer.citations):
        if c.article_id == other.article_id and c.start <= other.start < c.end:
            cited = replace(c, sentences=tuple(dict.fromkeys((*c.sentences, span))))
            return answer.citations[:i] + (cited,) + answer.citations[i + 1:], c.n
    passage = next(p for p in answer.passages
                   if p.article_id == other.article_id and p.start <= other.start < p.end)
    n = max(c.n for c in answer.citations) + 1
    return answer.citations + (Citation.of(passage, n=n, score=passage.score,
                                           sentences=[span]),), n


def _cited(c: Citation) -> list[_Stated]:
    out = []
    for start, end in c.sentences:
        text = c.passage[start - c.start:end - c.start]
        out += [_Stated(f, text, start, end, c.article_id, c.story_id, c.title, c.source,
                        c.published) for f in figures(text)]
    return out


def _retrieved(passages: tuple[Passage, ...]) -> list[_Stated]:
    out = []
    for s in passage_sentences(passages):
        p = passages[s.passage]
        out += [_Stated(f, s.text, s.start, s.end, p.article_id, p.canonical_id or p.article_id,
                        p.title, p.source, p.published) for f in figures(s.text)]
    return out


def _shared_terms(a: str, b: str) -> bool:
    return bool(content_terms(a) & content_terms(b))


def _day(s: _Stated) -> str:
    return (s.published or "")[:10]


def _who(f: StatedFigure) -> str:
    return ", ".join(x for x in (f.source or "unnamed source", f.published) if x)
