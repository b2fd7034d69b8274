"""The UI's Timeline tab (the articles about a question or topic, by date, as a chart and as
links) and the Articles tab's chart of articles per day by source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.interfaces.options import check_question
from assistant.interfaces.ui_charts import per_day_svg, timeline_list, timeline_svg
from assistant.interfaces.ui_chat import problem
from assistant.interfaces.ui_render import escape_md

if TYPE_CHECKING:
    from assistant.service import Assistant

TIMELINE_HELP = ("One row per independent source, a colour per story; a bigger point (×n) is a "
                 "story carried by n outlets. Hover a point for its headline; click it, or a "
                 "link below, to open the article.")
TIMELINE_EXAMPLE = "Rotterdam port strike"


def show_timeline(assistant: Assistant, query: str) -> tuple[str, str, str]:
    """(chart, links, message) for the Timeline tab."""
    query = (query or "").strip()
    if not query:
        return "", "", "Type a question or topic first, e.g. *" + TIMELINE_EXAMPLE + "*."
    try:
        timeline = assistant.timeline(check_question(query))
    except Exception as exc:
        return "", "", problem(exc)
    count = len(timeline.entries) + len(timeline.undated)
    if not count:
        return "", "", f"No indexed article is about *{escape_md(query)}*."
    sources = ", ".join(timeline.sources)
    message = (f"{count} article{'s' * (count != 1)}, {timeline.stories} "
               f"stor{'ies' if timeline.stories != 1 else 'y'}, {len(timeline.sources)} "
               f"independent source{'s' * (len(timeline.sources) != 1)}: {escape_md(sources)}. "
               + TIMELINE_HELP)
    return timeline_svg(timeline), timeline_list(timeline), message


def per_day_chart(assistant: Assistant) -> str:
    """The Articles tab's chart, from the catalog's listing (every article, without its text)."""
    return per_day_svg(assistant.list_articles())


def timeline_tab(assistant: Assistant) -> None:
    """The Timeline tab, built inside the app's ``gr.Tabs`` with its events."""
    import gradio as gr

    with gr.Tab("Timeline", id="timeline-tab"):
        with gr.Row():
            box = gr.Textbox(placeholder="A question or topic, e.g. " + TIMELINE_EXAMPLE,
                             show_label=False, scale=8, elem_id="timeline-query")
            go = gr.Button("Show timeline", variant="primary", scale=1, elem_id="timeline-go")
        message = gr.Markdown(elem_id="timeline-message")
        chart = gr.Markdown(elem_id="timeline-chart")
        links = gr.Markdown(elem_id="timeline-links")

    for event in (go.click, box.submit):
        event(lambda query: show_timeline(assistant, query), box, [chart, links, message],
              api_visibility="private", show_progress_on=message)
