"""What an answer says about where it comes from and how current it is: reports that update or
contradict its figures (``reconcile``), its independent sources (``sources``), the date it is
as of and a note when it may be out of date (``currency``). Applied to every answer, whichever
backend wrote it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from assistant.answering.currency import as_of, stale_note
from assistant.answering.evidence import SAME_STORY
from assistant.answering.reconcile import SameStory, reconcile
from assistant.answering.sources import Copy, independent_sources
from assistant.results import Answer
from assistant.retrieval.dates import DateRange

CopiesOf = Callable[[Iterable[str]], Sequence[Copy]]  # story ids → their copies (the catalog)


def annotate(answer: Answer, *, copies_of: CopiesOf, reference: date,
             window: DateRange | None = None, same_story: SameStory | None = None) -> Answer:
    """``answer`` with its sources, its "as of" date and a staleness note when one is due."""
    if answer.abstained or not answer.citations:
        return answer
    answer = reconcile(answer, same_story)
    cited = answer.citations
    newest = as_of(c.published for c in cited)
    note = stale_note(answer.rewritten_question or answer.question, newest,
                      reference=reference, window=window)
    return replace(
        answer, as_of=newest, notes=answer.notes + ((note,) if note else ()),
        sources=independent_sources(cited, copies_of({c.story_id for c in cited})))


def headline_likeness(embed: Callable[[list[str]], Sequence[Sequence[float]]]) -> SameStory:
    """Whether two headlines report one story: their embeddings' cosine ≥ ``SAME_STORY``.
    ``embed`` is the answerer's cached encoder, which has already seen the headlines."""
    import numpy as np

    def same(a: str, b: str) -> bool:
        va, vb = np.asarray(embed([a, b]), dtype=np.float32)
        return float(va @ vb) / (float(np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0) \
            >= SAME_STORY
    return same
