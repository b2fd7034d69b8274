"""The chat tab's handlers: ask (streamed), stop, retry, edit, undo, switch and start
conversations, export one as Markdown, and the ``/ask`` endpoint for gradio_client.

Conversations live in the browser (``ui_conversations``); each handler takes the store the page
sends and returns the new one, so the server keeps no conversation of its own and needs no
login beyond the app's.

Stop does not cancel the answering event: a cancelled stream's updates still in flight were
applied to the chat Stop had already replaced, and the page covered chat and box with "Error".
The reply's own handler is the only writer of the chat while it streams: the stream runs in a
worker thread (``until_stopped``), the handler looks at a flag between its events, and Stop
sets the flag of the page's running reply (``Replies``); the handler ends the reply as stopped.
"""

from __future__ import annotations

import logging
import queue
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
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
# The reply bubble before its first words: three pulsing dots (CSS in ``ui_render``).
TYPING = ('<span class="typing" title="Writing the answer…">'
          "<span>•</span><span>•</span><span>•</span></span>")
POLL = 0.1  # seconds between looks at the Stop flag while the stream is quiet
_END = object()


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


def _session(request: Any) -> str:
    """The page's session (Gradio's hash for one page), the key of its running reply."""
    return str(getattr(request, "session_hash", None) or "")


def _text(content: Any) -> str:
    """A chat message's text, whether Gradio sends it as a string or as content parts."""
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


class Replies:
    """The Stop flag of each page's running reply, keyed by the page's session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}

    def start(self, session: str) -> threading.Event:
        flag = threading.Event()
        with self._lock:
            if (old := self._running.get(session)) is not None:
                old.set()  # one reply at a time per page: a new question ends the old one
            self._running[session] = flag
        return flag

    def stop(self, session: str) -> None:
        with self._lock:
            flag = self._running.get(session)
        if flag is not None:
            flag.set()

    def done(self, session: str, flag: threading.Event) -> None:
        with self._lock:
            if self._running.get(session) is flag:
                del self._running[session]


def until_stopped(events: Iterable[Any], stop: threading.Event) -> Iterator[Any]:
    """``events`` read in a worker thread and handed on until ``stop`` is set; then this ends
    at once and the worker drops the stream at its next event. The stream's error is raised."""
    box: queue.Queue[Any] = queue.Queue()

    def work() -> None:
        stream = iter(events)
        try:
            for event in stream:
                box.put(event)
                if stop.is_set():
                    break
        except Exception as exc:  # handed to the reader, which raises it
            box.put(exc)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            box.put(_END)

    threading.Thread(target=work, name="chat-reply", daemon=True).start()
    while not stop.is_set():
        try:
            event = box.get(timeout=POLL)
        except queue.Empty:
            continue
        if event is _END:
            return
        if isinstance(event, Exception):
            raise event
        yield event


class Chat:
    """The chat's event handlers over one Assistant."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.replies = Replies()
        # Exports are written here and copied by Gradio into its own file cache when served;
        # the folder goes with the app.
        self.exports = Path(tempfile.mkdtemp(prefix="assistant-exports-"))
        weakref.finalize(self, shutil.rmtree, self.exports, True)

    # -- answering ------------------------------------------------------------------------------

    def _answer(self, question: str, store: conv.Store, before: list[conv.Turn], k: float,
                mode: str, sources: list[str] | None, since: str, until: str,
                session: str) -> Iterator[Any]:
        """Stream the reply to ``question`` after the turns ``before``; yields (messages,
        question box, store, stop button). The store changes once, when the reply is done or
        stopped."""
        import gradio as gr

        shown = [*conv.messages(before),
                 {"role": "user", "content": conv.shown_question(question)},
                 {"role": "assistant", "content": TYPING}]
        stop = self.replies.start(session)
        yield shown, "", gr.skip(), gr.update(interactive=True)
        written, turn = "", None
        try:
            check_question(question)
            options = retrieval_options(mode=mode, sources=sources, since=since, until=until)
            stream = self.assistant.stream(question, history=conv.history(before), k=int(k),
                                           **options)
            for event in until_stopped(stream, stop):
                if isinstance(event, Final):
                    turn = conv.answer_turn(event.answer, render_reply(event.answer))
                else:
                    written += escape_md(event.text)
                    shown[-1] = {"role": "assistant", "content": written or TYPING}
                    yield shown, "", gr.skip(), gr.skip()
        except Exception as exc:  # shown as a message, never as a traceback
            turn = conv.message_turn(question, problem(exc), "error")
        finally:
            self.replies.done(session, stop)
        if turn is None and stop.is_set():  # what was written stays, marked stopped
            turn = conv.message_turn(question, f"{written.strip()}\n\n{STOPPED}".lstrip(),
                                     "stopped")
        if turn is None:  # a stream always ends with its Final; say so if it did not
            turn = conv.message_turn(question, problem(RuntimeError("no final answer")), "error")
        turns = [*before, turn]
        yield conv.messages(turns), "", conv.with_turns(store, turns), \
            gr.update(interactive=False)

    def respond(self, message: str, store: Any, k: float, mode: str,
                sources: list[str] | None, since: str, until: str,
                request: Any = None) -> Iterator[Any]:
        import gradio as gr

        store = conv.checked(store)
        message = (message or "").strip()
        if not message:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self._answer(message, store, conv.turns_of(store), k, mode, sources, since,
                                until, _session(request))

    def retry(self, store: Any, k: float, mode: str, sources: list[str] | None, since: str,
              until: str, request: Any = None) -> Iterator[Any]:
        """Ask the last question again (after a stop, an error, or changed filters)."""
        import gradio as gr

        store = conv.checked(store)
        turns = conv.turns_of(store)
        if not turns:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from self._answer(str(turns[-1]["question"]), store, turns[:-1], k, mode, sources,
                                since, until, _session(request))

    def edit(self, edited: Any, store: Any, k: float, mode: str, sources: list[str] | None,
             since: str, until: str, request: Any = None) -> Iterator[Any]:
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
                                until, _session(request))

    def undo(self, undone: Any, store: Any) -> tuple[Any, str, conv.Store]:
        """Take back the last exchange; its question goes back into the box to be changed."""
        store = conv.checked(store)
        turns = conv.turns_of(store)
        index = undone.index[0] if isinstance(undone.index, list | tuple) else undone.index
        keep = min(max(index // 2, 0), len(turns))
        question = str(turns[keep]["question"]) if keep < len(turns) else ""
        turns = turns[:keep]
        return conv.messages(turns), question, conv.with_turns(store, turns)

    def stop(self, request: Any) -> Any:
        """Ask the page's running reply to stop; its handler keeps what was written, marked
        stopped, and disables this button. The chat itself is left to that handler."""
        import gradio as gr

        self.replies.stop(_session(request))
        return gr.update(interactive=False)

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
