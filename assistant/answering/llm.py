"""Answers written by a chat model over the retrieved passages.

``LLMAnswerer`` sends the system prompt
and the numbered passages, streams the reply, and hands it to the citation verifier; it also
condenses follow-up questions with the condense prompt.

A reply has a time limit for the whole of it: an HTTP client's timeout only bounds the wait for
each piece, and a server streaming tokens slowly would never hit it. A server that cannot be
reached, fails, or drops the connection mid-answer is reported as ``LLMError`` naming the server;
a reply cut at the length limit gets a note saying so.

Article text is data, never instructions: passages go inside ``<passage n="…">`` delimiters, and
anything inside an article that looks like such a delimiter is neutralised so an article cannot
close its passage early and speak as the user or the system.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.answering.conversation import Turn, format_history
from assistant.answering.prompts import Prompts
from assistant.answering.question import parse_question
from assistant.answering.verify import CitationVerifier
from assistant.errors import LLMError
from assistant.results import ABSTAIN_TEXT, Answer, Delta, Final, Passage, StreamEvent

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Tag look-alikes inside article text: <passage …>, </passage>, < / passage >, &lt;passage
_TAG_LOOKALIKE = re.compile(r"<\s*/?\s*passages?\b[^>]*>?|&lt;\s*/?\s*passages?", re.IGNORECASE)


def neutralise(text: str) -> str:
    """Article text with anything that could pass for a passage delimiter defused."""
    return _TAG_LOOKALIKE.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›")
                              .replace("&lt;", "‹"), text)


def format_passages(passages: Sequence[Passage]) -> str:
    """The passages, numbered from 1, each between ``<passage n="…">`` and ``</passage>``."""
    blocks = []
    for n, p in enumerate(passages, 1):
        meta = " · ".join(x for x in (p.title, p.source, p.published) if x)
        blocks.append(f'<passage n="{n}">\n{neutralise(meta)}\n{neutralise(p.text)}\n</passage>')
    return "\n\n".join(blocks)


class LLMAnswerer:
    """Answers with a chat model over numbered passages; every reply is verified.

    ``time_limit`` bounds each reply as a whole (seconds; None = no limit); ``max_tokens`` is
    the length limit the chat model was built with (for the note on a cut reply); ``server``
    names the backend in error messages."""

    verifies_itself = True

    def __init__(self, chat_model: BaseChatModel, prompts: Prompts,
                 verifier: CitationVerifier, *, time_limit: float | None = None,
                 max_tokens: int | None = None, server: str = "The chat model") -> None:
        self.chat_model = chat_model
        self.prompts = prompts
        self.verifier = verifier
        self.time_limit = time_limit
        self.max_tokens = max_tokens
        self.server = server

    def messages(self, question: str, passages: Sequence[Passage]) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [
            SystemMessage(self.prompts.system.format(abstain_text=ABSTAIN_TEXT)),
            HumanMessage(self.prompts.for_form(parse_question(question).form).format(
                passages=format_passages(passages), question=question)),
        ]

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        *_, final = self.stream(question, passages)
        assert isinstance(final, Final)
        return final.answer

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[StreamEvent]:
        """The model's tokens as they come, then the verified Answer."""
        if not passages:
            yield Final(Answer.abstaining(question))
            return
        parts: list[str] = []
        finish: str | None = None
        for chunk in self._reply(self.messages(question, passages)):
            finish = _finish_reason(chunk) or finish
            delta = _text(chunk.content)
            if delta:
                parts.append(delta)
                yield Delta(delta)
        checked = self.verifier(question, "".join(parts), passages)
        notes = checked.notes
        if finish == "length":
            notes += (f"The model's reply reached the answer-length limit ({self.max_tokens} "
                      "tokens, ASSISTANT_LLM_MAX_TOKENS) and was cut there.",)
        yield Final(replace(checked, form=parse_question(question).form, notes=notes))

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """The follow-up as a standalone question, written by the model."""
        from langchain_core.messages import HumanMessage

        prompt = self.prompts.condense.format(history=format_history(history),
                                              question=question)
        # One call, not a stream: the client's timeout then bounds the whole reply.
        with self._failures():
            reply = _text(self.chat_model.invoke([HumanMessage(prompt)]).content).strip()
        reply = reply.splitlines()[0].strip().strip('"“”') if reply else ""
        return reply if reply and reply != question else None

    def _reply(self, messages: list[Any]) -> Iterator[Any]:
        """The chat model's reply chunks, within the time limit; its failures as ``LLMError``."""
        deadline = None if self.time_limit is None else time.monotonic() + self.time_limit
        chunks = self.chat_model.stream(messages)
        try:
            while True:
                with self._failures():
                    chunk = next(chunks, None)
                if chunk is None:
                    return
                yield chunk
                if deadline is not None and time.monotonic() > deadline:
                    raise LLMError(f"{self.server} did not finish its reply within "
                                   f"{self.time_limit:g} s (ASSISTANT_LLM_TIMEOUT); a smaller "
                                   "ASSISTANT_LLM_MAX_TOKENS or a faster model would help.")
        finally:
            chunks.close()  # closes the connection, so the server stops generating

    @contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except _backend_errors() as exc:
            raise LLMError(f"{self.server} failed: {_reason(exc)}. Check that the server is "
                           "running and answers, or set ASSISTANT_LLM=extractive to answer "
                           "without it.") from exc


def _backend_errors() -> tuple[type[BaseException], ...]:
    """What a chat model's client raises when its server fails: connection and protocol errors
    (httpx under both clients), and the openai and ollama clients' own errors."""
    import httpx

    errors: list[type[BaseException]] = [httpx.HTTPError, ConnectionError, TimeoutError]
    try:
        import openai
    except ImportError:
        pass
    else:
        errors.append(openai.APIError)
    try:
        import ollama
    except ImportError:
        pass
    else:
        errors.append(ollama.ResponseError)
    return tuple(errors)


def _reason(exc: BaseException) -> str:
    """The error's own words and those of its causes: a client's generic "Connection error."
    wraps what happened ("peer closed connection without sending complete message body")."""
    said: list[str] = []
    cause: BaseException | None = exc
    while cause is not None and len(said) < 4:
        words = str(cause).strip().rstrip(".")
        if words and words not in said:
            said.append(words)
        cause = cause.__cause__ or cause.__context__
    return ": ".join(said) or type(exc).__name__


def _finish_reason(chunk: Any) -> str | None:
    """Why the reply ended, from its last chunk: OpenAI's ``finish_reason``, Ollama's
    ``done_reason`` ("stop", "length", …)."""
    meta = getattr(chunk, "response_metadata", None) or {}
    return meta.get("finish_reason") or meta.get("done_reason")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or ())
