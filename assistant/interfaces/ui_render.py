"""The UI's rendering: answers, citations and reports as safe Markdown/HTML, and the page's CSS.

Every piece of article text is HTML-escaped here before it reaches the page (and the Chatbot
sanitises HTML on top), so an article can never inject markup or script. Citations are plain
links (``<a class="cite" href="#src-…">``) to ``<details>`` blocks under the answer; a small
script in the page head opens and highlights the passage when one is clicked.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.answering.conversation import RELATED_MARK, SOURCES_MARK
from assistant.interfaces.options import URL_PATTERN
from assistant.interfaces.render import report_failures, report_summary
from assistant.results import Answer, Citation, Passage

if TYPE_CHECKING:
    from assistant.service import Assistant

TITLE = "News assistant"
EXAMPLE = "What did Catherine Deneuve and the other signatories call the #MeToo campaign?"
# The UI's own words for an empty index: its user adds articles in the Articles tab (the shared
# error message names the command line, which a UI user may not have).
EMPTY_INDEX = ("**No articles are indexed yet.** Add some in the *Articles* tab (upload .txt, "
               ".md, .html, .json, .pdf or .docx files, or fetch a page by its address), then "
               "ask again.")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")
# A web address, without the punctuation that ends the sentence around it.
_WEB_ADDRESS = re.compile(r"https?://\S+?(?=[.,:;!?)\]]*(?:\s|$))", re.I)

# The body typeface at the weights the page has whole files for. Gradio declares Source Sans Pro
# at 400 and 600, and its 600 file holds a few glyphs only ("A" and "B"): semibold and bold text
# came out as "A" in Source Sans and the rest in a fallback face. Its complete Bold file is
# served too, but never declared.
FONT_FILES = "static/fonts/SourceSansPro/SourceSansPro"
CSS = f"""
@font-face {{ font-family: "News Sans"; src: url("{FONT_FILES}-Regular.woff2") format("woff2");
             font-weight: 100 500; font-style: normal; }}
@font-face {{ font-family: "News Sans"; src: url("{FONT_FILES}-Bold.woff2") format("woff2");
             font-weight: 600 900; font-style: normal; }}
html:root, html:root .dark {{
  --font: "News Sans", "Source Sans Pro", ui-sans-serif, system-ui, sans-serif; }}
""" + """
.source { border: 1px solid var(--border-color-primary); border-radius: 8px;
          padding: 4px 10px; margin: 6px 0; }
.source summary { cursor: pointer; }
.source blockquote { margin: 6px 0 4px; font-size: 0.95em; }
.source mark { background: #fde68a; color: inherit; padding: 0 1px; }
.source.flash, .source blockquote.flash { outline: 2px solid #f59e0b; }
a.cite { text-decoration: none; font-weight: 600; }
.meta, .provenance { opacity: 0.75; font-size: 0.9em; }
.date { white-space: nowrap; }
#articles .header-table, #articles .virtual-row, #articles input { font-family: var(--font); }
"""
# The article table's columns on a narrow screen, in pixels (they override the shares of the
# frame that Gradio writes on each cell).
ARTICLE_COLUMNS = (150, 320, 110, 140, 90, 150)
CSS += "@media (max-width: 720px) {\n  #articles table { width: auto !important; }\n" + "".join(
    f"  #articles th:nth-child({i}), #articles .body-cell:nth-child({i}) {{"
    f" width: {px}px !important; min-width: {px}px !important; max-width: {px}px !important;"
    f" flex: 0 0 {px}px !important; }}\n"
    for i, px in enumerate(ARTICLE_COLUMNS, start=1)) + "}\n" + """
#conversations input { text-overflow: ellipsis; padding-right: 30px; }
#example { white-space: normal; text-align: left; height: auto; justify-content: flex-start; }
#articles-result, #delete-result { min-height: 1.5em; }
.chart-wrap { overflow-x: auto; }
.chart .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 0.9em; }
.chart .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.timeline-list { margin: 6px 0 6px 1.4em; }
.timeline-list li { margin: 2px 0; }
#timeline-svg a.tl-point:hover circle, #timeline-svg a.tl-point:focus circle { stroke: #f59e0b; }
.typing { display: inline-flex; gap: 3px; font-size: 1.4em; line-height: 1; }
.typing span { animation: typing 1.2s infinite ease-in-out; opacity: 0.25; }
.typing span:nth-child(2) { animation-delay: 0.2s; }
.typing span:nth-child(3) { animation-delay: 0.4s; }
@keyframes typing { 0%, 60%, 100% { opacity: 0.25; } 30% { opacity: 1; } }
"""

# Opens the cited passage when its [n] is clicked (the sanitiser keeps href/id/class only).
HEAD = r"""
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  const id = (link.getAttribute("href") || "").slice(1);
  const target = id && document.getElementById(id);
  if (!target) return;
  // A second passage of an article is a quote inside that article's one source block.
  const box = target.closest("details") || target;
  event.preventDefault();
  event.stopPropagation();
  box.open = true;
  target.classList.add("flash");
  target.scrollIntoView({behavior: "smooth", block: "nearest"});
  setTimeout(() => target.classList.remove("flash"), 1600);
}, true);
// A timeline point is an SVG link, whose target the sanitiser drops: open it in a new tab, as
// the links listed under the chart do, and keep the app open.
document.addEventListener("click", (event) => {
  const point = event.target.closest && event.target.closest("#timeline-svg a.tl-point");
  if (!point) return;
  event.preventDefault();
  window.open(point.getAttribute("href"), "_blank", "noopener");
}, true);
// The Conversations picker is narrow: its whole title shows on hover.
setInterval(() => {
  const picker = document.querySelector("#conversations input");
  if (picker && picker.title !== picker.value) picker.title = picker.value;
}, 500);
// The chat gives each message an aria-label made of its raw content (HTML and Markdown); a
// screen reader should hear the answer's words: tags and escapes removed, the sources left out.
{
  const spoken = (label) => {
    const [who, ...rest] = label.split(": ");
    const body = rest.join(": ").split("**Sources**")[0].split("**Related passages**")[0];
    const text = new DOMParser().parseFromString(body, "text/html").body.textContent || "";
    return `${who}: ${text.replace(/\\(.)/g, "$1").replace(/\s+/g, " ").trim()}`;
  };
  new MutationObserver(() => {
    for (const el of document.querySelectorAll("#chat [aria-label*='message: ']")) {
      const label = el.getAttribute("aria-label");
      if (el.dataset.spoken === label) continue;  // already relabelled: no loop
      el.dataset.spoken = spoken(label);
      el.setAttribute("aria-label", el.dataset.spoken);
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["aria-label"]});
}
</script>
"""


def escape_md(text: str) -> str:
    """Plain text that renders as itself in Markdown (and never as HTML). A web address goes in
    a code span: escaped like the rest, the page's autolinking would show its backslashes."""
    parts, pos = [], 0
    for match in _WEB_ADDRESS.finditer(text):
        url = match.group(0)
        fence = "`" * (max(map(len, re.findall(r"`+", url)), default=0) + 1)
        parts += [_MD_SPECIAL.sub(r"\\\1", html.escape(text[pos:match.start()], quote=False)),
                  f"{fence} {url} {fence}" if "`" in url else f"{fence}{url}{fence}"]
        pos = match.end()
    parts.append(_MD_SPECIAL.sub(r"\\\1", html.escape(text[pos:], quote=False)))
    return "".join(parts)


def _esc(text: str | None) -> str:
    return html.escape(" ".join((text or "").split()), quote=True)


def safe_url(url: str | None) -> str | None:
    """A link that can go in an href: http(s), with nothing that could leave the attribute."""
    return url if url and re.match(URL_PATTERN, url) and not re.search(r"[\"'<>]", url) \
        else None


def render_citation(c: Citation, anchor: str,
                    more: Sequence[tuple[Citation, str]] = ()) -> str:
    """One numbered source as a <details> block: title, date, source, link, and the passage
    with its supporting sentences marked. ``more``: the same article's other cited passages
    (and their anchors), shown in the same block under all their numbers, so an article is
    listed once. One line of HTML, so Markdown leaves it alone."""
    numbers = " ".join(f"[{n}]" for n in (c.n, *(m.n for m, _ in more)))
    quotes = "".join(f'<blockquote id="{a}">{_highlight(m)}</blockquote>' for m, a in more)
    meta = _meta(c.source, c.published)
    if agencies := _other_agencies(c.source, c.agencies):  # "Reuters · … · Reuters" once
        meta.append(_esc(", ".join(agencies)))
    if url := safe_url(c.url):
        meta.append(f'<a href="{_esc(url)}" target="_blank" rel="noopener noreferrer">link</a>')
    return (
        f'<details class="source" id="{anchor}" data-article="{_esc(c.article_id)}"><summary>'
        f'<strong>{numbers} {_esc(c.title)}'
        f'</strong> <span class="meta">{" · ".join(meta)}</span></summary>'
        f"<blockquote>{_highlight(c)}</blockquote>{quotes}</details>"
    )


def _meta(source: str | None, published: str | None) -> list[str]:
    """Source and date, the date kept on one line (a narrow window would break it at "-")."""
    meta = [_esc(source)] if source else []
    return meta + ([f'<span class="date">{_esc(published)}</span>'] if published else [])


def _other_agencies(source: str | None, agencies: Sequence[str]) -> list[str]:
    """The wire agencies the source does not already name ("Reuters/AFP" names both)."""
    named = set(re.findall(r"\w+", (source or "").casefold()))
    seen: list[str] = []
    for agency in agencies:
        words = re.findall(r"\w+", agency.casefold())
        if words and not set(words) <= named and agency.casefold() not in map(str.casefold, seen):
            seen.append(agency)
    return seen


def _highlight(c: Citation) -> str:
    parts, pos = [], 0
    for start, end in sorted(c.sentences):
        a, b = max(start - c.start, pos), max(end - c.start, pos)
        parts.append(_esc(c.passage[pos:a]))
        if b > a:
            parts.append(f"<mark>{_esc(c.passage[a:b])}</mark>")
        pos = b
    parts.append(_esc(c.passage[pos:]))
    return " ".join(parts)


def render_answer(answer: Answer) -> str:
    """The chat message: answer text with clickable [n] and the asked-for phrase in bold, then
    the numbered sources; an abstention with the passages that look related, as such."""
    if answer.abstained or not answer.citations:
        message = f"_{escape_md(answer.text)}_"
        if answer.related:
            uid = uuid.uuid4().hex[:8]
            shown = "\n".join(render_related(p, f"rel-{uid}-{i}")
                               for i, p in enumerate(answer.related, 1))
            message += f"{RELATED_MARK} (not an answer)\n\n{shown}"
        return message
    uid = uuid.uuid4().hex[:8]
    numbers = {c.n for c in answer.citations}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="cite" href="#src-{uid}-{n}">[{n}]</a>'

    text = re.sub(r"\\\[(\d+)\\\]", link, _bold_spans(answer.text, answer.answer_spans))
    by_article: dict[str, list[Citation]] = {}
    for c in answer.citations:
        by_article.setdefault(c.article_id, []).append(c)
    sources = "\n".join(
        render_citation(first, f"src-{uid}-{first.n}", [(c, f"src-{uid}-{c.n}") for c in more])
        for first, *more in by_article.values())
    return f"{text}{SOURCES_MARK}{render_provenance(answer)}\n\n{sources}"


def render_provenance(answer: Answer) -> str:
    """After the sources heading: how many independent sources, as of which date, and the
    notes (old news for a question about now) — kept out of what a follow-up reads."""
    head = escape_md(answer.provenance)
    notes = "".join(f"\n\n> ⚠️ {escape_md(n)}" for n in answer.notes)
    return (f' <span class="provenance">· {head}</span>' if head else "") + notes


def _bold_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` escaped, with the spans in bold; lines kept (a digest has one story a line)."""
    parts, pos = [], 0
    for start, end in sorted(spans):
        if start < pos or end > len(text):
            continue
        parts += [escape_md(text[pos:start]), f"<strong>{escape_md(text[start:end])}</strong>"]
        pos = end
    parts.append(escape_md(text[pos:]))
    return "".join(parts).replace("\n", "  \n")


def render_related(p: Passage, anchor: str) -> str:
    """A passage shown beside an abstention: title, date, source, link and its text."""
    meta = _meta(p.source, p.published)
    if url := safe_url(p.url):
        meta.append(f'<a href="{_esc(url)}" target="_blank" rel="noopener noreferrer">link</a>')
    return (f'<details class="source related" id="{anchor}"><summary>{_esc(p.title)} '
            f'<span class="meta">{" · ".join(meta)}</span></summary>'
            f"<blockquote>{_esc(p.text)}</blockquote></details>")


def render_rewritten(answer: Answer) -> str:
    """The standalone question a follow-up was read as, so the user can see what was searched."""
    if not answer.rewritten_question:
        return ""
    return f"_Understood as: {escape_md(answer.rewritten_question)}_\n\n"


def render_dates(answer: Answer) -> str:
    """The publication dates a date in the question was read as, and whether they were used."""
    r = answer.date_range
    if r is None:
        return ""
    span = " – ".join(d.isoformat() if d else "…" for d in (r.start, r.end))
    how = ("searched articles published" if answer.date_filter_applied
           else "ranked first the articles published" if answer.dates_preferred
           else "no article was published then, so all dates were searched:")
    return f"_\u201c{escape_md(r.expression)}\u201d: {how} {escape_md(span)}_\n\n"


def report_text(report: Any) -> str:
    """An indexing report as Markdown: the summary line, then what was not indexed."""
    summary = escape_md(report_summary(report))
    summary = summary[:1].upper() + summary[1:]
    problems = [f"- {escape_md(line)}" for line in report_failures(report)]
    if problems:
        summary += "\n\nNot indexed:\n" + "\n".join(problems)
    return summary


def status_text(assistant: Assistant) -> str:
    stats = assistant.stats()
    if stats.articles == 0:
        return EMPTY_INDEX
    return (f"Ask about the **{stats.articles}** indexed article"
            f"{'s' if stats.articles != 1 else ''} ({stats.chunks} passages). "
            "Every answer cites its sources: click a [n] to read the passage.")
