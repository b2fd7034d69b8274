"""The UI's charts, drawn on the server as SVG: a story timeline and the articles per day.

Gradio's own plots (Vega) compile their specs with ``new Function``, which the server's
Content-Security-Policy (no ``unsafe-eval``) blocks, and so does ``gr.HTML``'s template: both
render blank. Plain SVG in a ``gr.Markdown`` needs no script, no new dependency and nothing from
a CDN, and a point can be a real link: each point on the timeline is an ``<a>`` to its article,
its ``<title>`` the tooltip. Every piece of article text is escaped here, and only http(s) links
are used; Gradio's sanitiser still runs (it drops ``viewBox``, ``aria-*`` and ``data-*``: the
sizes are fixed and the accessible name is the SVG's own ``<title>``).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from assistant.interfaces.render import story_note
from assistant.interfaces.ui_render import safe_url
from assistant.timeline import Timeline, TimelineEntry

# Colour-blind-safe (Okabe-Ito), then greys; a story or source past them reuses the last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#999999")
WIDTH, LEFT, RIGHT, TOP = 760, 170, 40, 16
ROW, AXIS, PAD = 46, 44, 24  # PAD: the first and last points clear the row labels and edge
# Bars for the latest this many publication days: older ones would be slivers.
MAX_DAYS = 60
MAX_SOURCES = 8  # the rest are drawn as "other sources"


def _esc(text: Any) -> str:
    return html.escape(" ".join(str(text or "").split()), quote=True)


def _day(e: TimelineEntry) -> date:
    return date.fromisoformat(e.date or "")


def _ticks(first: date, last: date, count: int = 5) -> list[date]:
    """About ``count`` days from ``first`` to ``last``, evenly spaced, both ends included."""
    span = (last - first).days
    if span == 0 or count < 2:
        return [first]
    step = max(1, round(span / (count - 1)))
    days = list(range(0, span, step))
    if span - days[-1] < step / 2:  # the last tick would crowd the end date's label
        days.pop()
    return [date.fromordinal(first.toordinal() + d) for d in [*days, span]]


def _point(e: TimelineEntry, x: float, y: float, colour: str) -> str:
    radius = 6 + 2 * min(len(e.outlets) - 1, 4)  # bigger: carried by more outlets
    tip = f"{e.date} — {e.title} ({e.source or 'unknown source'}; {story_note(e)})"
    circle = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" '
              f'fill-opacity="0.85" stroke="#fff" stroke-width="1.5"><title>{_esc(tip)}</title>'
              "</circle>")
    if len(e.outlets) > 1:
        circle += (f'<text x="{x + radius + 3:.1f}" y="{y + 4:.1f}" font-size="11" '
                   f'fill="currentColor">×{len(e.outlets)}</text>')
    url = safe_url(e.url)
    if url is None:
        return f'<g class="tl-point">{circle}</g>'
    return f'<a class="tl-point" href="{_esc(url)}">{circle}</a>'  # opened by ui_render.HEAD


def timeline_svg(timeline: Timeline) -> str:
    """The dated entries: x the publication date, one row per independent source, a colour per
    story (near-duplicate cluster), a bigger point for a story carried by several outlets."""
    entries = timeline.entries
    if not entries:
        return ""
    rows = list(dict.fromkeys(e.origin for e in entries))
    stories = list(dict.fromkeys(e.story_id for e in entries))
    first, last = _day(entries[0]), _day(entries[-1])
    span = max((last - first).days, 1)
    inner = WIDTH - LEFT - RIGHT - 2 * PAD
    height = TOP + ROW * len(rows) + AXIS

    def x_of(d: date) -> float:
        if first == last:
            return LEFT + PAD + inner / 2
        return LEFT + PAD + inner * (d - first).days / span

    parts = []
    for i, name in enumerate(rows):
        y = TOP + ROW * i + ROW / 2
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" '
                     'stroke="currentColor" stroke-opacity="0.15"/>')
        parts.append(f'<text x="{LEFT - 10}" y="{y + 4}" text-anchor="end" font-size="12" '
                     f'fill="currentColor">{_esc(name[:24])}</text>')
    axis_y = TOP + ROW * len(rows)
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{axis_y}" y2="{axis_y}" '
                 'stroke="currentColor" stroke-opacity="0.5"/>')
    for tick in _ticks(first, last):
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{axis_y}" y2="{axis_y + 5}" '
                     'stroke="currentColor"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 20}" text-anchor="middle" font-size="11" '
                     f'fill="currentColor">{tick.isoformat()}</text>')
    seen: Counter[tuple[str, date]] = Counter()
    for e in entries:
        d = _day(e)
        nudge = 16 * seen[(e.origin, d)]  # another article of that source that day: beside it
        seen[(e.origin, d)] += 1
        y = TOP + ROW * rows.index(e.origin) + ROW / 2
        colour = PALETTE[min(stories.index(e.story_id), len(PALETTE) - 1)]
        parts.append(_point(e, x_of(d) + nudge, y, colour))
    label = (f"Timeline of {len(entries)} articles from {first.isoformat()} to "
             f"{last.isoformat()}, one row per independent source")
    return (f'<div class="chart-wrap"><svg class="chart" id="timeline-svg" width="{WIDTH}" '
            f'height="{height}"><title>{_esc(label)}</title>{"".join(parts)}</svg></div>')


def timeline_list(timeline: Timeline) -> str:
    """Every entry as a link to its article: the chart's points, reachable from the keyboard
    and a screen reader too; undated articles last, apart."""
    def item(e: TimelineEntry) -> str:
        url = safe_url(e.url)
        title = (f'<a href="{_esc(url)}" target="_blank" rel="noopener noreferrer">'
                 f"{_esc(e.title)}</a>" if url else _esc(e.title))
        return (f'<li><span class="date">'
                f"{_esc(e.date or 'undated')}</span> {title} <span class=\"meta\">— "
                f"{_esc(e.source or 'unknown source')} · {_esc(story_note(e))}</span></li>")

    parts = []
    if timeline.entries:
        parts.append(f'<ol class="timeline-list">{"".join(map(item, timeline.entries))}</ol>')
    if timeline.undated:
        parts.append("<p><strong>Undated</strong></p><ul class=\"timeline-list\">"
                     f'{"".join(map(item, timeline.undated))}</ul>')
    return "".join(parts)


def per_day_svg(rows: Iterable[Any]) -> str:
    """Stacked bars of articles per publication day, a colour per source (``ArticleRow``s:
    ``published`` and ``source``); the latest ``MAX_DAYS`` days with articles, placed by date,
    labelled on evenly spaced days that never overlap."""
    counts: Counter[tuple[str, str]] = Counter()
    undated = 0
    for r in rows:
        if r.published:
            counts[(r.published[:10], r.source or "unknown source")] += 1
        else:
            undated += 1
    if not counts:
        return ""
    days = sorted({d for d, _ in counts})[-MAX_DAYS:]
    totals: Counter[str] = Counter()
    for (d, s), n in counts.items():
        if d >= days[0]:
            totals[s] += n
    named = [s for s, _ in totals.most_common(MAX_SOURCES)]

    def group(source: str) -> str:
        return source if source in named else "other sources"

    stacked: dict[str, Counter[str]] = {d: Counter() for d in days}
    for (d, s), n in counts.items():
        if d in stacked:
            stacked[d][group(s)] += n
    legend = named + (["other sources"] if len(totals) > len(named) else [])
    colour = {s: PALETTE[min(i, len(PALETTE) - 1)] for i, s in enumerate(legend)}
    top = max(sum(c.values()) for c in stacked.values())
    left, plot_h, width = 40, 160, WIDTH
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    span = (last - first).days
    inner = width - left - 10 - 2 * PAD
    # Dates are spaced by time: a quiet week is a gap, not a bar's width.
    bar = max(2.0, min(28.0, 0.7 * inner / (span + 1)))

    def x_of(d: date) -> float:  # the middle of that day's bar
        return left + PAD + (inner * (d - first).days / span if span else inner / 2)

    parts = [f'<line x1="{left}" x2="{width - 10}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
             'stroke="currentColor" stroke-opacity="0.5"/>',
             f'<text x="{left - 6}" y="{TOP + 4}" text-anchor="end" font-size="11" '
             f'fill="currentColor">{top}</text>',
             f'<text x="{left - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11" '
             'fill="currentColor">0</text>']
    for d in days:
        x, y = x_of(date.fromisoformat(d)) - bar / 2, TOP + plot_h
        for source in legend:
            n = stacked[d][source]
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            tip = f"{d} — {source}: {n} article{'s' * (n != 1)}"
            parts.append(f'<rect class="day-bar" x="{x:.1f}" y="{y:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{colour[source]}">'
                         f"<title>{_esc(tip)}</title></rect>")
    # Date labels on evenly spaced days (about 95 px apart, a label being about 60 px wide).
    for tick in _ticks(first, last, count=max(2, min(len(days), 1 + int(inner // 95)))):
        x = x_of(tick)
        parts.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + plot_h}" '
                     f'y2="{TOP + plot_h + 4}" stroke="currentColor"/>'
                     f'<text class="day-label" x="{x:.1f}" y="{TOP + plot_h + 17}" '
                     f'font-size="11" text-anchor="middle" fill="currentColor">'
                     f"{tick.isoformat()}</text>")
    keys = "".join(f'<span class="key"><span class="swatch" style="background:{colour[s]}">'
                   f"</span>{_esc(s)} ({_source_total(s, totals, named)})</span>"
                   for s in legend)
    note = f" {undated} undated article{'s' * (undated != 1)} not shown." if undated else ""
    older = " Older days not shown." if len({d for d, _ in counts}) > MAX_DAYS else ""
    caption = (f"Articles per publication day by source: {len(days)} day"
               f"{'s' * (len(days) != 1)} from {days[0]} to {days[-1]}.{note}{older}")
    return (f'<figure class="chart" id="per-day"><div class="chart-wrap"><svg width="{width}" '
            f'height="{TOP + plot_h + 26}"><title>{_esc(caption)}</title>{"".join(parts)}'
            "</svg></div>"
            f'<figcaption class="meta">{_esc(caption)}</figcaption>'
            f'<div class="legend">{keys}</div></figure>')


def _source_total(source: str, totals: Counter[str], named: Sequence[str]) -> int:
    if source in named:
        return totals[source]
    return sum(n for s, n in totals.items() if s not in named)
