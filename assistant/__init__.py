"""Question answering over news articles, with cited passages. Offline by default.

    from assistant import Assistant, Settings
    a = Assistant.from_settings(Settings(data_dir="data"))
    a.add_paths(["articles/"])
    print(a.ask("What did the minister say?").text)
"""

from __future__ import annotations

from assistant.answer import Answer, Citation
from assistant.core import Assistant, Stats
from assistant.dates import DateRange
from assistant.errors import AssistantError, BadArticle, ConfigError, IndexNotFound, ModelMismatch
from assistant.filters import Filters
from assistant.hybrid import HybridRetriever, RetrievalResult
from assistant.retrieval import Passage
from assistant.settings import Settings
from index.indexer import ReindexReport

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "BadArticle",
    "Citation",
    "ConfigError",
    "IndexNotFound",
    "ModelMismatch",
    "Passage",
    "ReindexReport",
    "Settings",
    "Stats",
    "DateRange",
    "Filters",
    "HybridRetriever",
    "RetrievalResult",
]
