"""Question answering over news articles, with cited passages. Offline by default.

    from assistant import Assistant, Settings
    a = Assistant.from_settings(Settings(data_dir="data"))
    a.add_paths(["articles/"])
    print(a.ask("What did the minister say?").text)

The names below are imported on first use (module ``__getattr__``): importing a submodule, as the
command line does for ``assistant --help``, must not pull in langchain-core, SQLAlchemy and the
retrieval stack that the facade needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.lazy import lazy_exports

if TYPE_CHECKING:
    from assistant.errors import (
        AssistantError,
        BadArticle,
        Busy,
        ConfigError,
        IndexNotFound,
        LLMError,
        ModelMismatch,
    )
    from assistant.results import (
        Answer,
        Citation,
        Delta,
        Final,
        Passage,
        RetrievalResult,
        Stats,
    )
    from assistant.retrieval.dates import DateRange
    from assistant.retrieval.filters import Filters
    from assistant.retrieval.hybrid import HybridRetriever
    from assistant.service import Assistant
    from assistant.settings import Settings
    from assistant.timeline import Timeline, TimelineEntry
    from index.indexer import ReindexReport

# Public name → the module that defines it.
_WHERE = {
    "Answer": "assistant.results",
    "Assistant": "assistant.service",
    "AssistantError": "assistant.errors",
    "BadArticle": "assistant.errors",
    "Busy": "assistant.errors",
    "Citation": "assistant.results",
    "ConfigError": "assistant.errors",
    "DateRange": "assistant.retrieval.dates",
    "Delta": "assistant.results",
    "Filters": "assistant.retrieval.filters",
    "Final": "assistant.results",
    "HybridRetriever": "assistant.retrieval.hybrid",
    "IndexNotFound": "assistant.errors",
    "LLMError": "assistant.errors",
    "ModelMismatch": "assistant.errors",
    "Passage": "assistant.results",
    "ReindexReport": "index.indexer",
    "RetrievalResult": "assistant.results",
    "Settings": "assistant.settings",
    "Stats": "assistant.results",
    "Timeline": "assistant.timeline",
    "TimelineEntry": "assistant.timeline",
}

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "BadArticle",
    "Busy",
    "Citation",
    "ConfigError",
    "DateRange",
    "Delta",
    "Filters",
    "Final",
    "HybridRetriever",
    "IndexNotFound",
    "LLMError",
    "ModelMismatch",
    "Passage",
    "ReindexReport",
    "RetrievalResult",
    "Settings",
    "Stats",
    "Timeline",
    "TimelineEntry",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
