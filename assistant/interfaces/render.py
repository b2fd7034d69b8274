"""Results as plain text: indexing reports, answers, passages, articles and stats.

The CLI prints these; the UI and the API reuse the report summary, so an indexing run reads the
same everywhere. ``terminal_safe`` is applied to everything the CLI prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.results import Answer, Citation, Passage, RetrievalResult, Stats
    from assistant.retrieval.dates import DateRange
    from assistant.timeline import Timeline, TimelineEntry


def report_summary(report: Any) -> str:
    """One line for an indexing report (add, sync, feed, rebuild)."""
    parts = [f"added {len(report.added)}", f"updated {len(report.updated)}"]
    removed = getattr(report, "removed", None)  # only a folder sync removes
    if removed is not None:
        parts.append(f"removed {len(removed)}")
    parts += [f"unchanged {len(report.unchanged)}", f"failed {len(report.failed)}"]
    if report.duplicates:
        parts.append(f"duplicates skipped {len(report.duplicates)}")
    if report.near_duplicates:
        parts.append(f"near-duplicates linked {len(report.near_duplicates)}")
    return ", ".join(parts) + f" ({report.chunks_embedded} chunks embedded)"


def report_failures(report: Any) -> list[str]:
    """``source: reason`` for each input that was not indexed."""
    return [f"{failure.source}: {failure.reason}" for failure in report.failed]


def nothing_indexed(report: Any) -> bool:
    """Every input failed: nothing was added, updated, kept or recognised as a copy."""
    return bool(report.failed) and not (report.added or report.updated or report.unchanged
                                        or report.duplicates)


def merge_reports(first: Any, second: Any) -> Any:
    """One report for a run that read both files and web pages."""
    return type(first)(*(getattr(first, f.name) + getattr(second, f.name)
                         for f in fields(first)))


def date_note(date_range: DateRange | None, applied: bool, preferred: bool = False
              ) -> str | None:
    """The dates a question named, and whether retrieval was limited to them or ranked them
    first."""
    if date_range is None:
        return None
    state = "applied" if applied else "ranked first" if preferred else "no match, not applied"
    return (f'dates: "{date_range.expression}" → {date_range.start or "…"} to '
            f'{date_range.end or "…"} ({state})')


def citation_line(c: Citation, *, with_url: bool = True, also: Sequence[int] = ()) -> str:
    """``[1] Title (source · date · link)``; ``also``: the article's other citation numbers."""
    meta = " · ".join(x for x in (c.source, c.published, c.url if with_url else None) if x)
    numbers = " ".join(f"[{n}]" for n in (c.n, *also))
    return f"{numbers} {c.title}" + (f" ({meta})" if meta else "")


def citation_lines(citations: Sequence[Citation], *, short: bool = False) -> list[str]:
    """One line per cited article, under every number it is cited by; ``short``: the title and
    date only (the chat's)."""
    by_article: dict[str, list[Citation]] = {}
    for c in citations:
        by_article.setdefault(c.article_id, []).append(c)
    if short:
        return [f"  {' '.join(f'[{c.n}]' for c in cs)} {cs[0].title}"
                + (f" ({cs[0].published})" if cs[0].published else "")
                for cs in by_article.values()]
    return [citation_line(first, also=[c.n for c in more])
            for first, *more in by_article.values()]


def answer_text(answer: Answer) -> str:
    """The answer, then its numbered sources; an abstention, then what looks related; last, on
    a line of its own, the dates the question named."""
    lines = [answer.text]
    if answer.citations:
        lines += ["", *citation_lines(answer.citations)]
    lines += provenance_lines(answer)
    lines += related_lines(answer)
    return "\n".join(lines + _date_lines(answer))


def provenance_lines(answer: Answer) -> list[str]:
    """How many independent sources, as of which date, and the notes for the reader."""
    head = answer.provenance
    return ([""] if head or answer.notes else []) + ([head] if head else []) + \
        [f"Note: {n}" for n in answer.notes]


def retrieval_text(result: RetrievalResult) -> str:
    """The numbered passages (or that none matched), then the dates the question named."""
    lines = [passages_text(result) if result.passages else "No passage matches."]
    return "\n".join(lines + _date_lines(result))


def _date_lines(result: Answer | RetrievalResult) -> list[str]:
    note = date_note(result.date_range, result.date_filter_applied, result.dates_preferred)
    return ["", note] if note else []


def story_note(e: TimelineEntry) -> str:
    """Where an article on a timeline comes from: "Reuters story, carried by 4 outlets"."""
    note = f"{e.origin} story" if e.agency or e.origin != e.source else "own story"
    return note + (f", carried by {len(e.outlets)} outlets" if len(e.outlets) > 1 else "")


def timeline_text(timeline: Timeline) -> str:
    """One line per article, oldest first (undated ones last), then the counts."""
    if not timeline.entries and not timeline.undated:
        return f"No indexed article is about {timeline.query!r}."
    lines = [f"{e.date or 'undated':<10}  {e.title} — {e.source or 'unknown source'} "
             f"({story_note(e)})" + (f"\n            {e.url}" if e.url else "")
             for e in (*timeline.entries, *timeline.undated)]
    count = len(timeline.entries) + len(timeline.undated)
    sources = timeline.sources
    return "\n".join([*lines, "", f"{count} article{'s' * (count != 1)}, {timeline.stories} "
                       f"stor{'ies' if timeline.stories != 1 else 'y'}, {len(sources)} "
                       f"independent source{'s' * (len(sources) != 1)}: {', '.join(sources)}"])


def removal_text(removed: int, requested: int, unknown: list[str]) -> str:
    """What ``index remove`` did, and why an id removed nothing."""
    text = f"removed {removed} of {requested}"
    if unknown:
        text += (f"; not in the index: {', '.join(unknown)} (\"assistant index list\" shows the "
                 "ids)")
    return text


def related_lines(answer: Answer) -> list[str]:
    """The passages that look related to an unanswered question, labelled as such."""
    if not answer.related:
        return []
    lines = ["", "Related passages (not an answer):"]
    for p in answer.related:
        meta = " · ".join(x for x in (p.source, p.published, p.url) if x)
        lines.append(f"- {p.title}" + (f" ({meta})" if meta else ""))
        lines.append("  " + " ".join(p.text.split())[:200] + ("…" if len(p.text) > 200 else ""))
    return lines


def chat_turn(answer: Answer, *, streamed: bool) -> str:
    """A chat answer: how the follow-up was understood, the text (unless it was streamed
    already) and the sources."""
    lines = [""] if streamed else []
    if answer.rewritten_question:
        lines.append(f"(understood as: {answer.rewritten_question})")
    if not streamed:
        lines.append(answer.text)
    lines += citation_lines(answer.citations, short=True)
    return "\n".join([*lines, *provenance_lines(answer), *related_lines(answer), ""])


def passages_text(result: RetrievalResult, *, width: int = 300) -> str:
    return "\n".join(_passage(i, p, width) for i, p in enumerate(result.passages, start=1))


def _passage(i: int, p: Passage, width: int) -> str:
    text = p.text[:width].replace("\n", " ") + ("…" if len(p.text) > width else "")
    return f"{i}. [{p.score:.3f}] {p.title} ({p.published or 'no date'})\n   {text}"


def article_line(row: Any) -> str:
    link = f"  (duplicate of {row.canonical_id})" if row.canonical_id else ""
    meta = " · ".join(x for x in (row.source, row.published) if x)
    return f"{row.id}  {row.title}" + (f" ({meta})" if meta else "") + link


def stats_text(s: Stats) -> str:
    return (f"{s.articles} articles, {s.chunks} chunks in {s.data_dir} "
            f"(model {s.embedding_model}, {s.embedding_dimension} dimensions)")


# Escape sequences whole (so their parameters do not remain as litter): CSI (ESC [ or 0x9B, up
# to a final byte), OSC/DCS/APC/PM/SOS strings (up to BEL, ST or the line's end), and
# two-byte ESC sequences; then any other C0 control but newline and tab, DEL, and C1 controls.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x7e]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def terminal_safe(text: str) -> str:
    """``text`` without control characters or escape sequences: an article's title or text
    must not retitle the terminal, move the cursor, recolour or hide what follows."""
    return _ESCAPES.sub("", text)


def check_text(report: Any) -> str:
    """An ``index check`` report: the counts, what a repair did, each problem with its fix."""
    def count(n: int | None) -> str:
        return "not read" if n is None else f"{n} chunks"

    lines = [f"catalog: {report.articles} articles, {report.chunks} chunks; vector store "
             f"({report.embedding_model}): {count(report.stored_chunks)}; lexical index: "
             f"{count(report.lexical_chunks)}"]
    lines += [f"repaired: {done}" for done in report.repaired]
    lines += [f"problem ({p.store}): {p.message.rstrip('.')}. {p.fix}"
              for p in report.problems]
    lines.append("ok: the stores agree" if report.ok else
                 f"{len(report.problems)} problem(s) remain")
    return "\n".join(lines)
