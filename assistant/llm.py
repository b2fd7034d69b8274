"""LLM backends: the chat model from the settings, and answers written by it over the passages.

``make_chat_model`` builds ChatOpenAI (OpenAI or any OpenAI-compatible server) or ChatOllama,
importing their packages only then (the ``llm`` extra). ``LLMAnswerer`` sends the system prompt
and the numbered passages, streams the reply, and hands it to the citation verifier; it also
condenses follow-up questions with the condense prompt.

Article text is data, never instructions: passages go inside ``<passage n="…">`` delimiters, and
anything inside an article that looks like such a delimiter is neutralised so an article cannot
close its passage early and speak as the user or the system.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.answer import ABSTAIN_TEXT, Answer
from assistant.conversation import Turn, format_history
from assistant.errors import ConfigError
from assistant.prompts import Prompts
from assistant.retrieval import Passage
from assistant.verify import CitationVerifier

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.settings import Settings

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


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model the settings ask for; None for the extractive backend."""
    if settings.llm == "extractive":
        return None
    if not settings.llm_model:
        raise ConfigError(f"ASSISTANT_LLM={settings.llm} needs a model name: set "
                          "ASSISTANT_LLM_MODEL (e.g. gpt-4o-mini, or llama3.2 for Ollama).")
    if settings.llm == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise ConfigError("ASSISTANT_LLM=openai needs langchain-openai: "
                              "pip install 'news-assistant[llm]'.") from exc
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return ChatOpenAI(
            model=settings.llm_model, base_url=settings.llm_base_url,
            # OpenAI-compatible local servers accept any key; the client insists on one.
            api_key=key or "not-needed", temperature=settings.llm_temperature,
            timeout=settings.llm_timeout, max_retries=1,
        )
    if settings.llm == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise ConfigError("ASSISTANT_LLM=ollama needs langchain-ollama: "
                              "pip install 'news-assistant[llm]'.") from exc
        return ChatOllama(model=settings.llm_model,
                          base_url=settings.llm_base_url or "http://127.0.0.1:11434",
                          temperature=settings.llm_temperature)
    raise ConfigError(f"Unknown ASSISTANT_LLM={settings.llm!r}; use extractive, openai or "
                      "ollama.")


class LLMAnswerer:
    """Answers with a chat model over numbered passages; every reply is verified."""

    def __init__(self, chat_model: BaseChatModel, prompts: Prompts,
                 verifier: CitationVerifier) -> None:
        self.chat_model = chat_model
        self.prompts = prompts
        self.verifier = verifier

    def messages(self, question: str, passages: Sequence[Passage]) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [
            SystemMessage(self.prompts.system.format(abstain_text=ABSTAIN_TEXT)),
            HumanMessage(self.prompts.answer.format(passages=format_passages(passages),
                                                    question=question)),
        ]

    def __call__(self, question: str, passages: Sequence[Passage]) -> Answer:
        *_, final = self.stream(question, passages)
        assert isinstance(final, Answer)
        return final

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str | Answer]:
        """The model's tokens as they come, then the verified Answer."""
        if not passages:
            yield Answer(question=question, text=ABSTAIN_TEXT, abstained=True)
            return
        parts = []
        for chunk in self.chat_model.stream(self.messages(question, passages)):
            delta = _text(chunk.content)
            if delta:
                parts.append(delta)
                yield delta
        yield self.verifier(question, "".join(parts), passages)

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
