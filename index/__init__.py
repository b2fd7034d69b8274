"""The indexing library: articles, chunking, embeddings, the article store and the vector store.

It takes explicit arguments and never imports the ``assistant`` package. Importing it is cheap:
Chroma, SQLAlchemy and sentence-transformers load only when first used.
"""

from __future__ import annotations

from index.articles import Article, Failure
from index.chunking import Chunk, chunk_article, split_sentences
from index.errors import BadArticle, IndexingError, IndexNotFound, ModelMismatch
from index.loaders import LoadResult, load_file, load_paths

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
