"""Errors a user may see, and how every interface shows them.

Two trees, one per package (``index`` never imports ``assistant``):

    AssistantError                     raised by the assistant on purpose
     ├── ConfigError                   a setting or prompt file that cannot work
     ├── InvalidOption                 a search option a user gave (mode, dates, …)
     ├── Busy                          too much of one kind of work at once; try again soon
     └── LLMError                      the chat model's server failed, went away or ran too long
    IndexingError  (index.errors)      raised by the indexing library on purpose
     ├── BadArticle                    a file or record that cannot become an article
     ├── IndexNotFound                 nothing is indexed in this data directory yet
     ├── ModelMismatch                 the vectors come from another embedding model
     └── DamagedIndex                  a store in the data directory is unreadable or missing

``USER_ERRORS`` holds both roots: the CLI, the HTTP API and the UI show these as their message
(``user_message``) with the HTTP status of ``http_status``; anything else is an internal error,
logged with its traceback and shown as a short apology.
"""

from __future__ import annotations

from index.errors import BadArticle, DamagedIndex, IndexingError, IndexNotFound, ModelMismatch


class AssistantError(Exception):
    """Base class of the errors the assistant raises on purpose."""


class ConfigError(AssistantError):
    """A setting or a prompt template that cannot work as given."""


class InvalidOption(AssistantError):
    """A search option that cannot work as given; ``option`` names it."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


class Busy(AssistantError):
    """Too many requests of one kind (fetches of web pages) are already running."""


class LLMError(AssistantError):
    """The chat model's server could not be reached, stopped in the middle of an answer, refused
    the request, or did not finish within ``ASSISTANT_LLM_TIMEOUT``."""


USER_ERRORS: tuple[type[Exception], ...] = (AssistantError, IndexingError)

INTERNAL_ERROR = "Something went wrong; the server log has the details."


def is_user_error(exc: BaseException) -> bool:
    return isinstance(exc, USER_ERRORS)


def user_message(exc: BaseException) -> str:
    """What to tell the user: the message of an error raised on purpose, else an apology (the
    caller logs the traceback)."""
    return str(exc) if is_user_error(exc) else INTERNAL_ERROR


def http_status(exc: BaseException) -> int:
    """The HTTP status that answers a request which raised ``exc``."""
    if isinstance(exc, BadArticle | InvalidOption):
        return 422
    if isinstance(exc, IndexNotFound | ModelMismatch):
        return 409
    if isinstance(exc, Busy | DamagedIndex | LLMError):
        return 503
    if is_user_error(exc):
        return 400
    return 500


__all__ = [
    "INTERNAL_ERROR",
    "USER_ERRORS",
    "AssistantError",
    "BadArticle",
    "Busy",
    "ConfigError",
    "DamagedIndex",
    "IndexNotFound",
    "IndexingError",
    "InvalidOption",
    "LLMError",
    "ModelMismatch",
    "http_status",
    "is_user_error",
    "user_message",
]
