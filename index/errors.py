"""Errors raised by the indexing library.

IndexingError
 ├── BadArticle      a file or record that cannot become an article (names the file and the fix)
 ├── IndexNotFound   nothing has been indexed in this data directory yet
 └── ModelMismatch   the vector collection was built by another embedding model
"""

from __future__ import annotations


class IndexingError(Exception):
    """Base class of every error the indexing library raises on purpose."""


class BadArticle(IndexingError):
    """An input that cannot be turned into an article."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class IndexNotFound(IndexingError):
    """Raised when asking questions of a data directory that holds no articles."""


class ModelMismatch(IndexingError):
    """The collection's vectors come from another embedding model than the configured one."""
