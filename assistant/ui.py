"""The Gradio UI: a chat with streamed, cited answers, and an Articles tab to manage the index.

Every piece of article text is HTML-escaped here before it reaches the page (and the Chatbot
sanitises HTML on top), so an article can never inject markup or script. Citations are plain
links (``<a class="cite" href="#src-…">``) to ``<details>`` blocks under the answer; a small
script in the page head opens and highlights the passage when one is clicked.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answer import Answer, Citation
from assistant.errors import USER_ERRORS, ConfigError
from index.errors import BadArticle
from index.loaders import SUPPORTED_SUFFIXES, parse_bytes
from index.offline import ensure_offline

if TYPE_CHECKING:
    import gradio as gr

    from assistant.core import Assistant
    from assistant.settings import Settings

log = logging.getLogger(__name__)

TITLE = "News assistant"
EXAMPLE = "What did Catherine Deneuve and the other signatories call the #MeToo campaign?"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")

CSS = """
.source { border: 1px solid var(--border-color-primary); border-radius: 8px;
          padding: 4px 10px; margin: 6px 0; }
.source summary { cursor: pointer; }
.source blockquote { margin: 6px 0 4px; font-size: 0.95em; }
.source mark { background: #fde68a; color: inherit; padding: 0 1px; }
.source.flash { outline: 2px solid #f59e0b; }
a.cite { text-decoration: none; font-weight: 600; }
.meta { opacity: 0.75; font-size: 0.9em; }
"""

# Opens the cited passage when its [n] is clicked (the sanitiser keeps href/id/class only).
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a.cite");
  if (!link) return;
  const id = (link.getAttribute("href") || "").slice(1);
  const box = id && document.getElementById(id);
  if (!box) return;
  event.preventDefault();
  event.stopPropagation();
  box.open = true;
  box.classList.add("flash");
  box.scrollIntoView({behavior: "smooth", block: "nearest"});
  setTimeout(() => box.classList.remove("flash"), 1600);
}, true);
</script>
"""


def escape_md(text: str) -> str:
    """Plain text that renders as itself in Markdown (and never as HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _esc(text: str | None) -> str:
    return html.escape(" ".join((text or "").split()), quote=True)


def _safe_url(url: str | None) -> str | None:
    return url if url and re.match(r"^https?://[^\s\"'<>]+$", url) else None


def render_citation(c: Citation, anchor: str) -> str:
    """One numbered source as a <details> block: title, date, source, link, and the passage
    with its supporting sentences marked. One line of HTML, so Markdown leaves it alone."""
    meta = [_esc(x) for x in (c.source, c.published) if x]
    agencies = getattr(c, "agencies", ()) or ()
    if agencies:
        meta.append(_esc(", ".join(agencies)))
    if url := _safe_url(c.url):
        meta.append(f'<a href="{_esc(url)}" target="_blank" rel="noopener noreferrer">link</a>')
    return (
        f'<details class="source" id="{anchor}"><summary><strong>[{c.n}] {_esc(c.title)}'
        f'</strong> <span class="meta">{" · ".join(meta)}</span></summary>'
        f"<blockquote>{_highlight(c)}</blockquote></details>"
    )


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
    """The chat message: answer text with clickable [n], then the numbered sources."""
    if answer.abstained or not answer.citations:
        return f"_{escape_md(answer.text)}_"
    uid = uuid.uuid4().hex[:8]
    numbers = {c.n for c in answer.citations}

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        return f'<a class="cite" href="#src-{uid}-{n}">[{n}]</a>'

    text = re.sub(r"\\\[(\d+)\\\]", link, escape_md(answer.text))
    sources = "\n".join(render_citation(c, f"src-{uid}-{c.n}") for c in answer.citations)
    return f"{text}\n\n**Sources**\n\n{sources}"


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
           else "no article was published then, so all dates were searched:")
    return f"_\u201c{escape_md(r.expression)}\u201d: {how} {escape_md(span)}_\n\n"


def retrieval_options(mode: str | None, sources: list[str] | None, since: str | None,
                      until: str | None) -> dict[str, Any]:
    """The side panel's choices as keyword arguments of Assistant.stream/search."""
    from assistant.filters import Filters

    try:
        filters = Filters(tuple(s for s in (sources or ()) if s), (), (since or "").strip()
                          or None, (until or "").strip() or None)
    except ValueError as exc:
        raise ConfigError(f"Filters: {exc} Dates are written YYYY-MM-DD.") from exc
    return {"mode": mode or None, "filters": filters}


def report_text(report: Any, problems: list[str] | None = None) -> str:
    problems = list(problems or ())
    problems += [f"- {escape_md(f.source)}: {escape_md(f.reason)}" for f in report.failed]
    summary = (f"Added {len(report.added)}, updated {len(report.updated)}, unchanged "
               f"{len(report.unchanged)}; {report.chunks_embedded} passages embedded.")
    linked = getattr(report, "near_duplicates", ())
    if linked:
        summary += f" {len(linked)} linked as copies of a story already indexed."
    if problems:
        summary += "\n\nNot indexed:\n" + "\n".join(problems)
    return summary


def status_text(assistant: Assistant) -> str:
    stats = assistant.stats()
    if stats.articles == 0:
        return ("**No articles indexed yet.** Add some in the *Articles* tab, or with "
                "`assistant index add PATH` (files or folders of .txt, .md, .html, .json, "
                ".jsonl), then ask away.")
    return (f"Ask about the **{stats.articles}** indexed article"
            f"{'s' if stats.articles != 1 else ''} ({stats.chunks} passages). "
            "Every answer cites its sources: click a [n] to read the passage.")


def _user_message(exc: Exception) -> str:
    if isinstance(exc, USER_ERRORS):
        return str(exc)
    log.error("UI action failed", exc_info=exc)
    return "Something went wrong; the server log has the details."


def build_ui(assistant: Assistant, *, max_upload_bytes: int = 10 * 1024 * 1024) -> gr.Blocks:
    ensure_offline()
    import gradio as gr

    def respond(message: str, history: list[dict[str, Any]], k: float, mode: str,
                sources: list[str] | None, since: str, until: str) -> Iterator[Any]:
        message = (message or "").strip()
        if not message:
            yield history, ""
            return
        earlier = list(history)
        history = [*history, {"role": "user", "content": message},
                   {"role": "assistant", "content": ""}]
        yield history, ""
        try:
            options = retrieval_options(mode, sources, since, until)
            for item in assistant.stream(message, history=earlier, k=int(k), **options):
                if isinstance(item, Answer):
                    history[-1] = {"role": "assistant",
                                   "content": render_rewritten(item) + render_dates(item)
                                   + render_answer(item)}
                else:
                    history[-1] = {"role": "assistant",
                                   "content": history[-1]["content"] + escape_md(item)}
                yield history, ""
        except Exception as exc:  # shown as a message, never as a traceback
            history[-1] = {"role": "assistant", "content": f"⚠️ {escape_md(_user_message(exc))}"}
            yield history, ""

    def list_articles(query: str) -> list[list[Any]]:
        _, rows = assistant.catalog.search_rows(query or None, limit=200)
        return [[r.id, r.title, r.published or "", r.source or "", r.chunks,
                 r.canonical_id or ""] for r in rows]

    def source_choices() -> Any:
        return gr.update(choices=assistant.catalog.sources())

    def add_url(url: str, query: str,
                progress: gr.Progress = gr.Progress()) -> tuple[str, Any, str]:  # noqa: B008
        url = (url or "").strip()
        if not re.match(r"^https?://\S+$", url):
            return ("Give the full address of a page, starting with http:// or https://.",
                    list_articles(query), status_text(assistant))
        progress(0.1, desc="Fetching and indexing the page…")
        try:
            report = assistant.add_urls([url])
        except Exception as exc:
            return f"⚠️ {escape_md(_user_message(exc))}", list_articles(query), status_text(
                assistant)
        return report_text(report), list_articles(query), status_text(assistant)

    def add_files(files: list[str] | None, query: str,
                  progress: gr.Progress = gr.Progress()) -> tuple[str, Any, str]:  # noqa: B008
        if not files:
            return "Choose one or more files first.", list_articles(query), status_text(assistant)
        articles, problems = [], []
        for path in progress.tqdm(files, desc="Reading files"):
            name = Path(path).name
            try:
                data = Path(path).read_bytes()
                if len(data) > max_upload_bytes:
                    raise BadArticle(name, f"over the {max_upload_bytes:,}-byte upload limit")
                articles.extend(parse_bytes(data, name))
            except BadArticle as exc:
                problems.append(f"- {escape_md(str(exc))}")
        progress(0.5, desc=f"Indexing {len(articles)} article(s)…")
        try:
            report = assistant.add_articles(articles)
        except Exception as exc:
            return f"⚠️ {escape_md(_user_message(exc))}", list_articles(query), status_text(
                assistant)
        return report_text(report, problems), list_articles(query), status_text(assistant)

    def delete_article(article_id: str, query: str) -> tuple[str, Any, str]:
        article_id = (article_id or "").strip()
        if not article_id:
            message = "Click an article in the table (or paste its id) first."
        elif assistant.catalog.entry(article_id) is None:
            message = f"No article with id `{escape_md(article_id)}`."
        else:
            assistant.remove([article_id])
            message = f"Deleted `{escape_md(article_id)}`."
        return message, list_articles(query), status_text(assistant)

    def pick(evt: gr.SelectData, table: Any) -> str:
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        try:
            return str(table.iloc[row, 0])
        except (AttributeError, IndexError):
            return str(table[row][0])

    # Gradio finds event-data parameters by their annotation object, not its postponed string.
    pick.__annotations__["evt"] = gr.SelectData
    add_files.__annotations__["progress"] = gr.Progress
    add_url.__annotations__["progress"] = gr.Progress

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}")
        status = gr.Markdown(elem_id="status")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=4):
                        chatbot = gr.Chatbot(
                            label="Chat", height=560, sanitize_html=True, elem_id="chat",
                            buttons=["copy"], feedback_options=None,
                        )
                        with gr.Row():
                            box = gr.Textbox(placeholder="Ask a question about the articles…",
                                             show_label=False, scale=8, elem_id="question",
                                             autofocus=True)
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        gr.Examples([[EXAMPLE]], inputs=[box])
                    with gr.Column(scale=1, min_width=240):
                        gr.Markdown("**Filters**")
                        sources = gr.Dropdown(choices=[], multiselect=True, label="Sources",
                                              allow_custom_value=True, elem_id="sources")
                        since = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD",
                                           elem_id="since")
                        until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD",
                                           elem_id="until")
                        mode = gr.Radio(["hybrid", "dense", "lexical"], value=assistant.mode,
                                        label="Retrieval", elem_id="mode")
                        k = gr.Slider(1, 20, value=assistant.k, step=1, label="Passages (k)",
                                      elem_id="k")
                        clear = gr.Button("New conversation", size="sm")
            with gr.Tab("Articles", id="articles-tab"):
                with gr.Row():
                    query = gr.Textbox(placeholder="Search titles, sources, links…",
                                       show_label=False, scale=4, elem_id="article-search")
                    refresh = gr.Button("Search", scale=1)
                table = gr.Dataframe(
                    headers=["id", "title", "published", "source", "passages", "duplicate of"],
                    datatype=["str", "str", "str", "str", "number", "str"], interactive=False,
                    wrap=True, elem_id="articles", label="Indexed articles",
                )
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label="Add article files", file_count="multiple",
                                        file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                        add = gr.Button("Index files", variant="primary", elem_id="add-files")
                        url = gr.Textbox(label="…or a page's address", elem_id="url",
                                         placeholder="https://…")
                        add_link = gr.Button("Fetch and index", elem_id="add-url")
                    with gr.Column():
                        selected = gr.Textbox(label="Selected article id", elem_id="selected")
                        delete = gr.Button("Delete article", variant="stop", elem_id="delete")
                result = gr.Markdown(elem_id="articles-result")

        asked = [box, chatbot, k, mode, sources, since, until]
        send.click(respond, asked, [chatbot, box], api_name="ask")
        box.submit(respond, asked, [chatbot, box], api_visibility="private")
        clear.click(lambda: [], None, chatbot, api_visibility="private")
        refresh.click(list_articles, query, table, api_name="list_articles")
        query.submit(list_articles, query, table, api_visibility="private")
        add.click(add_files, [files, query], [result, table, status], api_name="add_files")
        add_link.click(add_url, [url, query], [result, table, status], api_name="add_url")
        delete.click(delete_article, [selected, query], [result, table, status],
                     api_name="delete_article")
        table.select(pick, table, selected, api_visibility="private")
        demo.load(lambda q: (status_text(assistant), list_articles(q)), query,
                  [status, table], api_name="stats")
        demo.load(source_choices, None, sources, api_visibility="private")
        for changed in (add, add_link, delete):
            changed.click(source_choices, None, sources, api_visibility="private")
    return demo


def launch(assistant: Assistant, settings: Settings, *, host: str | None = None,
           port: int | None = None) -> None:
    """Serve the UI and the HTTP API until interrupted (refusing unsafe binds first)."""
    import uvicorn

    from assistant.server import check_bind, create_app

    host = host or settings.host
    check_bind(host, token=settings.token, ui_auth=settings.ui_auth)
    app = create_app(assistant, token=settings.token, ui_auth=settings.ui_auth,
                     max_upload_bytes=settings.max_upload_bytes)
    uvicorn.run(app, host=host, port=port or settings.port, log_level="info")
