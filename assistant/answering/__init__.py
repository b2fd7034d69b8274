"""Answering: from a question and its retrieved passages to an Answer with [n] citations.

Every backend is an ``Answerer``: the extractive one (``extractive.py``, no LLM) and the chat-model
one (``llm.py``). The service calls only the methods declared here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the package itself stays light: its English helper process imports it
    from assistant.answering.conversation import Turn
    from assistant.results import Answer, Passage, StreamEvent


class Answerer(Protocol):
    """What the service needs of an answer backend."""

    #: True when ``stream``'s final Answer already went through the citation verifier; else the
    #: service verifies it (and streams the verified text).
    verifies_itself: bool

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        """The answer to ``question`` from ``passages`` (or an abstaining one)."""
        ...

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[StreamEvent]:
        """``Delta`` events as the text is produced, then one ``Final`` with the Answer."""
        ...

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """A follow-up rewritten to stand on its own given the conversation; None if it needs
        no rewriting."""
        ...


__all__ = ["Answerer"]
