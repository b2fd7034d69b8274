"""The Gradio UI: a chat with streamed, cited answers, a Timeline tab (``ui_timeline``), and an
Articles tab to manage the index, with a chart of articles per day by source.

The handlers parse the inputs (``options``), call one Assistant method and render the result
(``ui_render``, which escapes every piece of article text). The chat's handlers and its
conversations, kept in the browser, are in ``ui_chat`` and ``ui_conversations``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import InvalidOption, user_message
from assistant.interfaces.options import check_search, is_url
from assistant.interfaces.ui_chat import Chat, problem
from assistant.interfaces.ui_conversations import new_store
from assistant.interfaces.ui_render import EXAMPLE, TITLE, escape_md, report_text, status_text
from assistant.interfaces.ui_timeline import per_day_chart, timeline_tab
from assistant.results import MAX_K, MODES
from index.loaders import SUPPORTED_SUFFIXES
from index.offline import ensure_offline

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant

# Where the browser keeps the conversations (localStorage). Gradio sends BrowserState's secret to
# every page, so it hides nothing from the page's own user; a fixed one keeps conversations
# readable after a server restart, which a random one per start would lose.
STORAGE_KEY = "news-assistant-conversations"
STORAGE_SECRET = "news-assistant-conversations-v1"
NO_SELECTION = "_Select an article in the table to delete it._"
# Uploaded and exported files are deleted from Gradio's folder after an hour (checked hourly).
CACHE_SECONDS = 3600


def build_ui(assistant: Assistant, *, max_upload_bytes: int) -> gr.Blocks:
    ensure_offline()
    import gradio as gr

    def list_articles(query: str) -> list[list[Any]]:
        try:
            check_search(query)
        except InvalidOption as exc:
            raise gr.Error(user_message(exc)) from None  # a message, never a traceback
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
            return problem(exc), list_articles(query), status_text(assistant)
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
            return problem(exc), list_articles(query), status_text(assistant)
        return report_text(report), list_articles(query), status_text(assistant)

    def delete_article(article_id: str, query: str) -> tuple[str, Any, str]:
        article_id = (article_id or "").strip()
        if not article_id:
            message = "Select an article in the table first."
        elif assistant.get_article(article_id) is None:
            message = f"No article with id `{escape_md(article_id)}`."
        else:
            assistant.remove([article_id])
            message = f"Deleted `{escape_md(article_id)}`."
        return message, list_articles(query), status_text(assistant)

    def pick(evt: gr.SelectData, table: Any) -> tuple[str, str, Any]:
        """A clicked row becomes the selection: its id, its title shown, Delete enabled."""
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        try:
            article_id, title = str(table.iloc[row, 0]), str(table.iloc[row, 1])
        except (AttributeError, IndexError):
            article_id, title = str(table[row][0]), str(table[row][1])
        return (article_id, f"Selected: **{escape_md(title)}** (`{escape_md(article_id)}`)",
                gr.update(interactive=True))

    def stats() -> dict:
        """The index's counts and embedding model, as GET /api/v1/stats returns them."""
        return assistant.stats().to_dict()

    def unselect() -> tuple[str, str, Any]:
        return "", NO_SELECTION, gr.update(interactive=False)

    # Gradio finds event-data parameters by their annotation object, not its postponed string.
    pick.__annotations__["evt"] = gr.SelectData
    add_files.__annotations__["progress"] = gr.Progress
    add_url.__annotations__["progress"] = gr.Progress
    chat = Chat(assistant)
    chat.edit.__func__.__annotations__["edited"] = gr.EditData
    chat.undo.__func__.__annotations__["undone"] = gr.UndoData
    for handler in (chat.respond, chat.retry, chat.edit, chat.stop):  # the page's session
        handler.__func__.__annotations__["request"] = gr.Request

    with gr.Blocks(title=TITLE, analytics_enabled=False,
                   delete_cache=(CACHE_SECONDS, CACHE_SECONDS)) as demo:
        gr.Markdown(f"# {TITLE}")
        status = gr.Markdown(elem_id="status")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=4):
                        chatbot = gr.Chatbot(
                            label="Chat", height=560, sanitize_html=True, elem_id="chat",
                            buttons=["copy"], feedback_options=None, editable="user",
                        )
                        with gr.Row():
                            box = gr.Textbox(placeholder="Ask about the articles…",
                                             show_label=False, scale=8, elem_id="question",
                                             autofocus=True)
                            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                            stop = gr.Button("Stop", variant="stop", scale=1, elem_id="stop",
                                             interactive=False)
                        # A button, not gr.Examples: its table cuts a long question off.
                        example = gr.Button(EXAMPLE, size="sm", elem_id="example")
                    with gr.Column(scale=1, min_width=240):
                        new = gr.Button("New conversation", size="sm", elem_id="new")
                        picker = gr.Dropdown(choices=[], label="Conversations",
                                             elem_id="conversations")
                        export = gr.DownloadButton("Export as Markdown", size="sm",
                                                   elem_id="export", interactive=False)
                        gr.Markdown("**Filters**")
                        sources = gr.Dropdown(choices=[], multiselect=True, label="Sources",
                                              allow_custom_value=True, elem_id="sources")
                        since = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD",
                                           elem_id="since")
                        until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD",
                                           elem_id="until")
                        mode = gr.Radio(list(MODES), value=assistant.options.mode,
                                        label="Retrieval", elem_id="mode")
                        k = gr.Slider(1, MAX_K, value=assistant.options.k, step=1,
                                      label="Passages (k)",
                                      elem_id="k")
                store = gr.BrowserState(new_store(), storage_key=STORAGE_KEY,
                                        secret=STORAGE_SECRET)
            timeline_tab(assistant)
            with gr.Tab("Articles", id="articles-tab"):
                with gr.Row():
                    query = gr.Textbox(placeholder="Search titles, sources, links…",
                                       show_label=False, scale=4, elem_id="article-search")
                    refresh = gr.Button("Search", scale=1)
                table = gr.Dataframe(
                    headers=["id", "title", "published", "source", "passages", "duplicate of"],
                    datatype=["str", "str", "str", "str", "number", "str"], interactive=False,
                    wrap=True, elem_id="articles", label="Indexed articles",
                    # Shares of the frame, which the table fills; on a phone, fixed widths
                    # (``ui_render.ARTICLE_COLUMNS``): shares of its width squeezed columns to a
                    # few pixels and broke dates ("2026-11-" / "20"); the table scrolls instead.
                    column_widths=["15%", "34%", "11%", "15%", "9%", "16%"],
                )
                per_day = gr.Markdown(elem_id="per-day-chart")
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label="Add article files", file_count="multiple",
                                        file_types=list(SUPPORTED_SUFFIXES), elem_id="upload")
                        add = gr.Button("Index files", variant="primary", elem_id="add-files")
                        result = gr.Markdown(elem_id="articles-result")
                        url = gr.Textbox(label="…or a page's address", elem_id="url",
                                         placeholder="https://…")
                        add_link = gr.Button("Fetch and index", elem_id="add-url")
                        url_result = gr.Markdown(elem_id="url-result")
                    with gr.Column():
                        # The id travels hidden: a row is selected by clicking it, not typed.
                        selected = gr.Textbox(visible=False, elem_id="selected")
                        chosen = gr.Markdown(NO_SELECTION, elem_id="chosen")
                        delete = gr.Button("Delete article", variant="stop", elem_id="delete",
                                           interactive=False)
                        deleted = gr.Markdown(elem_id="delete-result")

        options = [k, mode, sources, since, until]
        reply = [chatbot, box, store, stop]
        send.click(chat.respond, [box, store, *options], reply, api_visibility="private")
        box.submit(chat.respond, [box, store, *options], reply, api_visibility="private")
        chatbot.retry(chat.retry, [store, *options], reply, api_visibility="private")
        chatbot.edit(chat.edit, [store, *options], reply, api_visibility="private")
        # Not ``cancels=``: the reply's handler ends it (see ``ui_chat``).
        stop.click(chat.stop, None, stop, api_visibility="private", queue=False)
        chatbot.undo(chat.undo, store, [chatbot, box, store], api_visibility="private")
        example.click(lambda: EXAMPLE, None, box, api_visibility="private")
        chatbot.clear(chat.cleared, store, store, api_visibility="private")
        new.click(chat.new, store, [chatbot, store], api_visibility="private")
        picker.input(chat.switch, [picker, store], [chatbot, store], api_visibility="private")
        store.change(chat.listed, store, [picker, export], api_visibility="private",
                     show_progress="hidden")
        demo.load(chat.restore, store, [chatbot, picker, export], api_visibility="private",
                  show_progress="hidden")
        gr.api(chat.api(), api_name="ask")
        refresh.click(list_articles, query, table, api_name="list_articles")
        query.submit(list_articles, query, table, api_visibility="private")
        # Progress is drawn on the result under the button, not over the header and the table.
        changes = [
            add.click(add_files, [files, query], [result, table, status], api_name="add_files",
                      show_progress_on=result).then(lambda: None, None, files,
                                                    api_visibility="private"),
            add_link.click(add_url, [url, query], [url_result, table, status],
                           api_name="add_url", show_progress_on=url_result),
            delete.click(delete_article, [selected, query], [deleted, table, status],
                         api_name="delete_article", show_progress_on=deleted,
                         ).then(unselect, None, [selected, chosen, delete],
                                api_visibility="private")]
        table.select(pick, table, [selected, chosen, delete], api_visibility="private")
        demo.load(lambda q: (status_text(assistant), list_articles(q)), query,
                  [status, table], api_visibility="private")
        gr.api(stats, api_name="stats")
        demo.load(source_choices, None, sources, api_visibility="private")
        demo.load(lambda: per_day_chart(assistant), None, per_day, api_visibility="private",
                  show_progress="hidden")
        for changed in (add, add_link, delete):
            changed.click(source_choices, None, sources, api_visibility="private")
        for done in changes:  # drawn once the articles are in (or out), not beside the write
            done.then(lambda: per_day_chart(assistant), None, per_day, api_visibility="private",
                      show_progress="hidden")
    return demo
