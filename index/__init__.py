"""The indexing library: articles, chunking, embeddings, the article store and the vector store.

It takes explicit arguments and never imports the ``assistant`` package. Importing it is cheap:
the names below load on first use (module ``__getattr__``), so ``index.errors`` alone costs
nothing more; Chroma, SQLAlchemy and sentence-transformers load only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.lazy import lazy_exports

if TYPE_CHECKING:
    from index.articles import Article, Failure
    from index.chunking import Chunk, chunk_article, split_sentences
    from index.errors import BadArticle, IndexingError, IndexNotFound, ModelMismatch
    from index.loaders import LoadResult, load_file, load_paths

# Public name → the module that defines it.
_WHERE = {
    "Article": "index.articles",
    "BadArticle": "index.errors",
    "Chunk": "index.chunking",
    "Failure": "index.articles",
    "IndexNotFound": "index.errors",
    "IndexingError": "index.errors",
    "LoadResult": "index.loaders",
    "ModelMismatch": "index.errors",
    "chunk_article": "index.chunking",
    "load_file": "index.loaders",
    "load_paths": "index.loaders",
    "split_sentences": "index.chunking",
}

__all__ = [
    "Article",
    "BadArticle",
    "Chunk",
    "Failure",
    "IndexNotFound",
    "IndexingError",
    "LoadResult",
    "ModelMismatch",
    "chunk_article",
    "load_file",
    "load_paths",
    "split_sentences",
]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
