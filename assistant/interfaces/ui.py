"""The Gradio UI: a chat with streamed, cited answers, and an Articles tab to manage the index.

The handlers parse the inputs (``options``), call one Assistant method and render the result
(``ui_render``, which escapes every piece of article text).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import is_user_error, user_message
from assistant.interfaces.options import check_question, is_url, retrieval_options
from assistant.interfaces.ui_render import (
    EXAMPLE,
    TITLE,
    escape_md,
    render_answer,
    render_dates,
    render_rewritten,
    report_text,
    status_text,
)
from assistant.results import MODES, Final
from index.loaders import SUPPORTED_SUFFIXES
from index.offline import ensure_offline

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant

log = logging.getLogger(__name__)


def _problem(exc: Exception) -> str:
    """An error as a chat or result message; internal errors are logged, not shown."""
    if not is_user_error(exc):
        log.error("UI action failed", exc_info=exc)
    return f"⚠️ {escape_md(user_message(exc))}"


def build_ui(assistant: Assistant, *, max_upload_bytes: int) -> gr.Blocks:
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
            check_question(message)
            options = retrieval_options(mode=mode, sources=sources, since=since, until=until)
            for event in assistant.stream(message, history=earlier, k=int(k), **options):
                if isinstance(event, Final):
                    answer = event.answer
                    content = render_rewritten(answer) + render_dates(answer) \
                        + render_answer(answer)
                else:
                    content = history[-1]["content"] + escape_md(event.text)
                history[-1] = {"role": "assistant", "content": content}
                yield history, ""
        except Exception as exc:  # shown as a message, never as a traceback
            history[-1] = {"role": "assistant", "content": _problem(exc)}
            yield history, ""

    def list_articles(query: str) -> list[list[Any]]:
        _, rows = assistant.find_articles(query or None, limit=200)
        return [[r.id, r.title, r.published or "", r.source or "", r.chunks,
                 r.canonical_id or ""] for r in rows]

    def source_choices() -> Any:
        return gr.update(choices=assistant.sources())

    def add_url(url: str, query: str,
                progress: gr.Progress = gr.Progress()) -> tuple[str, Any, str]:  # noqa: B008
        url = (url or "").strip()
        if not is_url(url):
            return ("Give the full address of a page, starting with http:// or https://.",
                    list_articles(query), status_text(assistant))
        progress(0.1, desc="Fetching and indexing the page…")
        try:
            report = assistant.add_urls([url])
        except Exception as exc:
            return _problem(exc), list_articles(query), status_text(assistant)
        return report_text(report), list_articles(query), status_text(assistant)

    def add_files(files: list[str] | None, query: str,
                  progress: gr.Progress = gr.Progress()) -> tuple[str, Any, str]:  # noqa: B008
        if not files:
            return "Choose one or more files first.", list_articles(query), status_text(assistant)
        progress(0.2, desc=f"Indexing {len(files)} file(s)…")
        try:
            report = assistant.add_files(((Path(path).name, Path(path).read_bytes())
                                          for path in files), max_bytes=max_upload_bytes)
        except Exception as exc:
            return _problem(exc), list_articles(query), status_text(assistant)
        return report_text(report), list_articles(query), status_text(assistant)

    def delete_article(article_id: str, query: str) -> tuple[str, Any, str]:
        article_id = (article_id or "").strip()
        if not article_id:
            message = "Click an article in the table (or paste its id) first."
        elif assistant.get_article(article_id) is None:
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
                        mode = gr.Radio(list(MODES), value=assistant.options.mode,
                                        label="Retrieval", elem_id="mode")
                        k = gr.Slider(1, 20, value=assistant.options.k, step=1,
                                      label="Passages (k)",
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
