"""Question answering over news articles, with cited passages. Offline by default.

    from assistant import Assistant, Settings
    a = Assistant.from_settings(Settings(data_dir="data"))
    a.add_paths(["articles/"])
    print(a.ask("What did the minister say?").text)
"""

from __future__ import annotations

from assistant.errors import (
    AssistantError,
    BadArticle,
    Busy,
    ConfigError,
    IndexNotFound,
    ModelMismatch,
)
from assistant.results import Answer, Citation, Delta, Final, Passage, RetrievalResult, Stats
from assistant.retrieval.dates import DateRange
from assistant.retrieval.filters import Filters
from assistant.retrieval.hybrid import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings
from index.indexer import ReindexReport

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
    "ModelMismatch",
    "Passage",
    "ReindexReport",
    "RetrievalResult",
    "Settings",
    "Stats",
]
