"""Retrieval: passages for a question, as typed results and as a LangChain BaseRetriever."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.store import ChunkStore, StoredChunk


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of an article, with where it sits in the article text."""

    article_id: str
    chunk_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    text: str
    start: int
    end: int
    score: float
    authors: tuple[str, ...] = ()
    place: str | None = None  # from the dateline: "PARIS (Reuters) - …"
    agencies: tuple[str, ...] = ()
    canonical_id: str | None = None  # set when the article near-duplicates another one

    @classmethod
    def from_stored(cls, chunk: StoredChunk) -> Passage:
        meta = chunk.metadata
        return cls(
            authors=_split(meta.get("authors")),
            place=meta.get("place"),
            agencies=_split(meta.get("agencies")),
            canonical_id=meta.get("canonical_id"),
            article_id=str(meta.get("article_id", "")),
            chunk_id=chunk.id,
            title=str(meta.get("title", "")),
            url=meta.get("url"),
            published=meta.get("published"),
            source=meta.get("source"),
            text=chunk.text,
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            score=round(chunk.score, 4),
        )

    @classmethod
    def from_document(cls, doc: Document) -> Passage:
        meta = dict(doc.metadata)
        return cls(**{**{k: meta.get(k) for k in cls.__dataclass_fields__}, "text":
                      doc.page_content})

    def to_document(self) -> Document:
        meta = {k: v for k, v in asdict(self).items() if k != "text"}
        return Document(page_content=self.text, metadata=meta, id=self.chunk_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class DenseRetriever(BaseRetriever):
    """Top-k chunks by cosine similarity in Chroma; drops into any LangChain chain."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ChunkStore
    embeddings: Embeddings
    k: int = 5

    def search(
        self, query: str, *, k: int | None = None, where: Mapping[str, Any] | None = None
    ) -> list[Passage]:
        from assistant.dedupe import collapse_duplicates

        vector = self.embeddings.embed_query(query)
        k = k or self.k
        # Over-fetch so that dropping near-duplicate copies still leaves k passages.
        found = [Passage.from_stored(c) for c in self.store.query(vector, k=2 * k, where=where)]
        return collapse_duplicates(found)[:k]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [p.to_document() for p in self.search(query)]


def _split(value: object) -> tuple[str, ...]:
    """Chroma keeps scalars only: lists are stored as "a; b"."""
    if not value:
        return ()
    return tuple(part.strip() for part in str(value).split(";") if part.strip())
