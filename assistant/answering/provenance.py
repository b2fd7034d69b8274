"""What an answer says about where it comes from and how current it is: its independent
sources (``sources``), the date it is as of and a note when it may be out of date
(``currency``). Applied to every answer, whichever backend wrote it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date

from assistant.answering.currency import as_of, stale_note
from assistant.answering.sources import Copy, independent_sources
from assistant.results import Answer
from assistant.retrieval.dates import DateRange

CopiesOf = Callable[[Iterable[str]], Sequence[Copy]]  # story ids → their copies (the catalog)


def annotate(answer: Answer, *, copies_of: CopiesOf, reference: date,
             window: DateRange | None = None) -> Answer:
    """``answer`` with its sources, its "as of" date and a staleness note when one is due."""
    if answer.abstained or not answer.citations:
        return answer
    cited = answer.citations
    newest = as_of(c.published for c in cited)
    note = stale_note(answer.rewritten_question or answer.question, newest,
                      reference=reference, window=window)
    return replace(
        answer, as_of=newest, notes=answer.notes + ((note,) if note else ()),
        sources=independent_sources(cited, copies_of({c.story_id for c in cited})))
