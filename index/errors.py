"""Errors raised by the indexing library.

IndexingError
 ├── BadArticle      a file or record that cannot become an article (names the file and the fix)
 ├── IndexNotFound   nothing has been indexed in this data directory yet
 ├── ModelMismatch   the vector collection was built by another embedding model
 └── DamagedIndex    a file of the data directory cannot be read (names it and the fix)
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


class DamagedIndex(IndexingError):
    """A store of the data directory (catalog, vector store, lexical index) is unreadable or
    disagrees with the catalog; the message names the path, the problem and the command that
    fixes it."""

    def __init__(self, path: str, problem: str, fix: str) -> None:
        super().__init__(f"{path}: {problem}. {fix}")
        self.path = path
        self.problem = problem
        self.fix = fix
