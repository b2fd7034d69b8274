"""Errors of the assistant. Messages say what was received, what was expected and what to do.

AssistantError
 ├── ConfigError       a setting or prompt file that cannot work
 └── (from index)      BadArticle, IndexNotFound, ModelMismatch — all IndexingError
"""

from __future__ import annotations

from index.errors import BadArticle, IndexingError, IndexNotFound, ModelMismatch


class AssistantError(Exception):
    """Base class of the errors the assistant raises on purpose."""


class ConfigError(AssistantError):
    """A setting or a prompt template that cannot work as given."""


# Every error a user may see: the CLI and the UI show these as messages, never as tracebacks.
USER_ERRORS: tuple[type[Exception], ...] = (AssistantError, IndexingError)

__all__ = [
    "USER_ERRORS",
    "AssistantError",
    "BadArticle",
    "ConfigError",
    "IndexNotFound",
    "IndexingError",
    "ModelMismatch",
]
