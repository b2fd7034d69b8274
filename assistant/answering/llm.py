"""Answers written by a chat model over the retrieved passages.

``LLMAnswerer`` sends the system prompt
and the numbered passages, streams the reply, and hands it to the citation verifier; it also
condenses follow-up questions with the condense prompt.

Article text is data, never instructions: passages go inside ``<passage n="…">`` delimiters, and
anything inside an article that looks like such a delimiter is neutralised so an article cannot
close its passage early and speak as the user or the system.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from assistant.answering.conversation import Turn, format_history
from assistant.answering.prompts import Prompts
from assistant.answering.question import parse_question
from assistant.answering.verify import CitationVerifier
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
    """Answers with a chat model over numbered passages; every reply is verified."""

    verifies_itself = True

    def __init__(self, chat_model: BaseChatModel, prompts: Prompts,
                 verifier: CitationVerifier) -> None:
        self.chat_model = chat_model
        self.prompts = prompts
        self.verifier = verifier

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
        parts = []
        for chunk in self.chat_model.stream(self.messages(question, passages)):
            delta = _text(chunk.content)
            if delta:
                parts.append(delta)
                yield Delta(delta)
        checked = self.verifier(question, "".join(parts), passages)
        yield Final(replace(checked, form=parse_question(question).form))

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """The follow-up as a standalone question, written by the model."""
        from langchain_core.messages import HumanMessage

        prompt = self.prompts.condense.format(history=format_history(history),
                                              question=question)
        reply = _text(self.chat_model.invoke([HumanMessage(prompt)]).content).strip()
        reply = reply.splitlines()[0].strip().strip('"“”') if reply else ""
        return reply if reply and reply != question else None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or ())
