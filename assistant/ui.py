"""The Gradio chat: streamed answers with their numbered sources beneath them.

Article text is escaped before it reaches the page (and the Chatbot sanitises HTML on top), so an
article can never inject markup or script.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.answer import Answer, Citation
from assistant.errors import USER_ERRORS
from index.offline import ensure_offline

if TYPE_CHECKING:
    import gradio as gr

    from assistant.core import Assistant

log = logging.getLogger(__name__)

TITLE = "News assistant"
EXAMPLE = "What did Catherine Deneuve and the other signatories call the #MeToo campaign?"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


def escape_md(text: str) -> str:
    """Plain text that renders as itself in Markdown (and never as HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def render_citation(c: Citation) -> str:
    """One numbered source: title, date, source, link, and the passage with its support in bold."""
    meta = [escape_md(x) for x in (c.source, c.published) if x]
    if c.url and re.match(r"^https?://", c.url):
        meta.append(f"[link]({c.url.replace(')', '%29').replace(' ', '%20')})")
    passage = _highlight(c)
    head = f"**[{c.n}] {escape_md(c.title)}**" + (f" — {' · '.join(meta)}" if meta else "")
    return f"{head}\n\n> {passage}"


def _highlight(c: Citation) -> str:
    parts, pos = [], 0
    for start, end in sorted(c.sentences):
        a, b = max(start - c.start, pos), max(end - c.start, pos)
        parts.append(escape_md(c.passage[pos:a]))
        if b > a:
            parts.append(f"**{escape_md(c.passage[a:b])}**")
        pos = b
    parts.append(escape_md(c.passage[pos:]))
    return " ".join("".join(parts).split())


def render_answer(answer: Answer) -> str:
    if answer.abstained or not answer.citations:
        return f"_{escape_md(answer.text)}_"
    sources = "\n\n".join(render_citation(c) for c in answer.citations)
    return f"{_escape_answer(answer.text)}\n\n---\n**Sources**\n\n{sources}"


def render_rewritten(answer: Answer) -> str:
    """The standalone question a follow-up was read as, so the user can see what was searched."""
    if not answer.rewritten_question:
        return ""
    return f"_Understood as: {escape_md(answer.rewritten_question)}_\n\n"


def _escape_answer(text: str) -> str:
    """Escape the answer but keep its [n] markers readable as they are."""
    return re.sub(r"\\\[(\d+)\\\]", r"[\1]", escape_md(text))


def _empty_state(assistant: Assistant) -> str:
    stats = assistant.stats()
    if stats.articles == 0:
        return ("**No articles indexed yet.** Add some with `assistant index add PATH` "
                "(files or folders of .txt, .md, .html, .json, .jsonl), then ask away.")
    return (f"Ask about the **{stats.articles}** indexed article"
            f"{'s' if stats.articles != 1 else ''} ({stats.chunks} passages). "
            "Every answer cites its sources.")


def build_ui(assistant: Assistant) -> gr.Blocks:
    ensure_offline()
    import gradio as gr

    def respond(message: str, history: list[dict[str, Any]]) -> Iterator[Any]:
        message = (message or "").strip()
        if not message:
            yield history, ""
            return
        earlier = list(history)
        history = [*history, {"role": "user", "content": message},
                   {"role": "assistant", "content": ""}]
        yield history, ""
        try:
            for item in assistant.stream(message, history=earlier):
                if isinstance(item, Answer):
                    history[-1] = {"role": "assistant",
                                   "content": render_rewritten(item) + render_answer(item)}
                else:
                    history[-1] = {"role": "assistant",
                                   "content": history[-1]["content"] + item}
                yield history, ""
        except USER_ERRORS as exc:
            history[-1] = {"role": "assistant", "content": f"⚠️ {escape_md(str(exc))}"}
            yield history, ""
        except Exception:  # never show a traceback in the page; keep it in the server log
            log.exception("answering %r failed", message)
            history[-1] = {"role": "assistant",
                           "content": "⚠️ Something went wrong while answering; the server log "
                                      "has the details."}
            yield history, ""

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}")
        status = gr.Markdown(lambda: _empty_state(assistant))
        chatbot = gr.Chatbot(
            label="Chat", height=520, sanitize_html=True, elem_id="chat",
            buttons=["copy"], feedback_options=None,
        )
        with gr.Row():
            box = gr.Textbox(placeholder="Ask a question about the articles…", show_label=False,
                             scale=8, elem_id="question", autofocus=True)
            send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
        gr.Examples([[EXAMPLE]], inputs=[box])
        clear = gr.Button("New conversation", size="sm")
        send.click(respond, [box, chatbot], [chatbot, box], api_name="ask")
        box.submit(respond, [box, chatbot], [chatbot, box], api_visibility="private")
        clear.click(lambda: [], None, chatbot, api_visibility="private")
        demo.load(lambda: _empty_state(assistant), None, status, api_visibility="private")
    return demo


def launch(assistant: Assistant, *, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the UI (behind the HTTP app) until interrupted."""
    import uvicorn

    from assistant.server import create_app

    uvicorn.run(create_app(assistant), host=host, port=port, log_level="info")
