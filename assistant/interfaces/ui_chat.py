"""The chat tab's handlers: ask (streamed), stop, retry, edit, undo, switch and start
conversations, export one as Markdown, and the ``/ask`` endpoint for gradio_client.

Conversations live in the browser (``ui_conversations``); each handler takes the store the page
sends and returns the new one, so the server keeps no session state and needs no login of its
own beyond the app's.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering.conversation import normalise_history
from assistant.errors import IndexNotFound, InvalidOption, is_user_error, user_message
from assistant.interfaces import ui_conversations as conv
from assistant.interfaces.options import check_question, retrieval_options, whole_number
from assistant.interfaces.ui_render import (
    EMPTY_INDEX,
    escape_md,
    render_answer,
    render_dates,
    render_rewritten,
)
from assistant.results import MAX_K, Answer, Final

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)
STOPPED = "_Stopped._"


def problem(exc: Exception) -> str:
    """An error as a chat or result message; internal errors are logged, not shown. An empty
    index points to the Articles tab, not to the command line a UI user may not have."""
    if isinstance(exc, IndexNotFound):
        return EMPTY_INDEX
    if not is_user_error(exc):
        log.error("UI action failed", exc_info=exc)
    return f"⚠️ {escape_md(user_message(exc))}"


def render_reply(answer: Answer) -> str:
    return render_rewritten(answer) + render_dates(answer) + render_answer(answer)


def _text(content: Any) -> str:
    """A chat message's text, whether Gradio sends it as a string or as content parts."""
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


class Chat:
    """The chat's event handlers over one Assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        # Exports are written here and copied by Gradio into its own file cache when served;
        # the folder goes with the app.
        self.exports = Path(tempfile.mkdtemp(prefix="assistant-exports-"))
        weakref.finalize(self, shutil.rmtree, self.exports, True)

    # -- answering ------------------------------------------------------------------------------

    def _answer(self, question: str, store: conv.Store, before: list[conv.Turn], k: float,
                mode: str, sources: list[str] | None, since: str, until: str) -> Iterator[Any]:
        """Stream the reply to ``question`` after the turns ``before``; yields (messages,
        question box, store, stop button). The store changes once, when the reply is done."""
        import gradio as gr

        shown = [*conv.messages(before),
                 {"role": "user", "content": conv.shown_question(question)},
                 {"role": "assistant", "content": ""}]
        yield shown, "", gr.skip(), gr.update(interactive=True)
        turn = None
        try:
            check_question(question)
            options = retrieval_options(mode=mode, sources=sources, since=since, until=until)
            for event in self.assistant.stream(question, history=conv.history(before),
                                               k=int(k), **options):
                if isinstance(event, Final):
                    turn = conv.answer_turn(event.answer, render_reply(event.answer))
                else:
                    shown[-1] = {"role": "assistant",
                                 "content": shown[-1]["content"] + escape_md(event.text)}
                    yield shown, "", gr.skip(), gr.skip()
        except Exception as exc:  # shown as a message, never as a traceback
            turn = conv.message_turn(question, problem(exc), "error")
        if turn is None:  # a stream always ends with its Final; say so if it did not
            turn = conv.message_turn(question, problem(RuntimeError("no final answer")), "error")
        turns = [*before, turn]
        yield conv.messages(turns), "", conv.with_turns(store, turns), \
            gr.update(interactive=False)

    def respond(self, message: str, store: Any, k: float, mode: str,
                sources: list[str] | None, since: str, until: str) -> Iterator[Any]:
        import gradio as gr

        store = conv.checked(store)
        message = (message or "").strip()
        if not message:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self._answer(message, store, conv.turns_of(store), k, mode, sources, since,
                                until)

    def retry(self, store: Any, k: float, mode: str, sources: list[str] | None, since: str,
              until: str) -> Iterator[Any]:
        """Ask the last question again (after a stop, an error, or changed filters)."""
        import gradio as gr

        store = conv.checked(store)
        turns = conv.turns_of(store)
        if not turns:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self._answer(str(turns[-1]["question"]), store, turns[:-1], k, mode, sources,
                                since, until)

    def edit(self, edited: Any, store: Any, k: float, mode: str, sources: list[str] | None,
             since: str, until: str) -> Iterator[Any]:
        """An edited question replaces it and everything after it, and is answered anew."""
        import gradio as gr

        store = conv.checked(store)
        turns = conv.turns_of(store)
        index = edited.index[0] if isinstance(edited.index, list | tuple) else edited.index
        question = conv.typed_question(_text(edited.value)).strip()
        if not question or not 0 <= index // 2 < len(turns):
            yield conv.messages(turns), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self._answer(question, store, turns[: index // 2], k, mode, sources, since,
                                until)

    def undo(self, undone: Any, store: Any) -> tuple[Any, str, conv.Store]:
        """Take back the last exchange; its question goes back into the box to be changed."""
        store = conv.checked(store)
        turns = conv.turns_of(store)
        index = undone.index[0] if isinstance(undone.index, list | tuple) else undone.index
        keep = min(max(index // 2, 0), len(turns))
        question = str(turns[keep]["question"]) if keep < len(turns) else ""
        turns = turns[:keep]
        return conv.messages(turns), question, conv.with_turns(store, turns)

    def stop(self, shown: list[dict[str, Any]] | None, store: Any) -> tuple[Any, Any, Any]:
        """Keep what was shown of a stopped reply as a turn marked stopped (retry asks again)."""
        import gradio as gr

        store = conv.checked(store)
        turns = conv.turns_of(store)
        shown = shown or []
        if len(shown) >= 2 and len(shown) // 2 > len(turns):
            question = conv.typed_question(_text(shown[-2].get("content"))).strip()
            partial = _text(shown[-1].get("content")).strip()
            html = f"{partial}\n\n{STOPPED}" if partial else STOPPED
            turns = [*turns, conv.message_turn(question, html, "stopped")]
            store = conv.with_turns(store, turns)
        return conv.messages(turns), store, gr.update(interactive=False)

    # -- conversations --------------------------------------------------------------------------

    def restore(self, store: Any) -> tuple[Any, ...]:
        """The page's state from the browser's store: messages, picker, export."""
        store = conv.checked(store)
        return (conv.messages(conv.turns_of(store)), *self.listed(store))

    def listed(self, store: Any) -> tuple[Any, Any]:
        """The conversation picker and the export button for a store."""
        import gradio as gr

        store = conv.checked(store)
        picker = gr.update(choices=conv.choices(store), value=store["current"])
        return picker, self.export(store)

    def new(self, store: Any) -> tuple[Any, conv.Store]:
        store = conv.started(store)
        return [], store

    def cleared(self, store: Any) -> conv.Store:
        """The chat's own Clear button empties the current conversation for good."""
        return conv.with_turns(store, [])

    def switch(self, conversation_id: str | None, store: Any) -> tuple[Any, conv.Store]:
        store = conv.switched(store, conversation_id)
        return conv.messages(conv.turns_of(store)), store

    def export(self, store: Any) -> Any:
        """The download button, holding the current conversation as a Markdown file."""
        import gradio as gr

        store = conv.checked(store)
        if not conv.turns_of(store):
            return gr.update(value=None, interactive=False)
        folder = self.exports / conv.current_id(store)
        folder.mkdir(exist_ok=True)
        for old in folder.glob("*.md"):  # a renamed title leaves no stale file behind
            old.unlink()
        path = folder / conv.export_name(store)
        path.write_text(conv.export_markdown(store), encoding="utf-8")
        return gr.update(value=str(path), interactive=True)

    # -- gradio_client --------------------------------------------------------------------------

    def api(self) -> Any:
        """``/ask`` for scripts: only the question is required; the reply is the answer's
        ``to_dict()`` (as the HTTP API and ``--json`` return it) with ``answer`` (its text),
        ``html`` (the reply as the chat renders it) and ``error`` (what went wrong, or None)."""
        default_k, default_mode = self.assistant.options.k, self.assistant.options.mode

        def ask(question: str, history: list | None = None, k: int = default_k,
                mode: str = default_mode, sources: list | None = None, since: str = "",
                until: str = "") -> dict:
            """Answer a question with [n] citations to the indexed articles."""
            try:
                check_question(question or "")
                k = whole_number(k, "k", 1, MAX_K)
                try:
                    normalise_history(history)
                except ValueError as exc:  # says which entry and what it should look like
                    raise InvalidOption("history", str(exc)) from exc
                options = retrieval_options(mode=mode, sources=sources, since=since,
                                            until=until)
                answer = self.assistant.ask(question, history=history, k=int(k), **options)
            except Exception as exc:  # a message (internal errors logged), never a traceback
                return reply(Answer(question=question or "", text=""), html=problem(exc),
                             error=user_message(exc))
            return reply(answer, html=render_reply(answer), error=None)

        return ask


def reply(answer: Answer, *, html: str, error: str | None) -> dict[str, Any]:
    """What gradio's ``/ask`` returns: the answer's one schema, plus the chat's rendering."""
    return {**answer.to_dict(), "answer": answer.text, "html": html, "error": error}
