"""The vector store: one Chroma collection (cosine) of chunk embeddings with their metadata.

Embeddings are always passed in, so Chroma's default embedding function (which downloads ONNX
weights) never runs. Chunk ids are deterministic (``"{article_id}:{n}"``). The collection records
the embedding model that built it; opening it with another model raises ModelMismatch. Reads
go through one helper that finds the collection again when a rebuild has swapped it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from index.chunking import Chunk
from index.errors import DamagedIndex, ModelMismatch
from index.metadata import ARTICLE_ID, CANONICAL_ID, CONTENT_HASH, N, chunk_position
from index.offline import ensure_offline

COLLECTION = "articles"
PAGE = 5000  # chunks per request when scanning the whole collection
IDS_PER_GET = 500  # article ids per "$in" filter
T = TypeVar("T")


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    metadata: Mapping[str, Any]
    score: float


def persistent_client(path: str | Path, *, fresh: bool = False) -> Any:
    """An embedded Chroma client persisting under ``path``, telemetry off.

    Chroma keeps one view of a path per process (its HNSW graphs in memory), shared by every
    client made for that path, and that view does not see what other processes write. With
    ``fresh``, the client gets a view of its own, read from the files as they are now (and the
    clients made after it share that one); ``close_client`` releases it.
    """
    ensure_offline()
    Path(path).mkdir(parents=True, exist_ok=True)
    try:
        return _open(path, fresh=fresh)
    except Exception as exc:
        if not (Path(path) / "chroma.sqlite3").exists():
            raise
        # Chroma keeps the client that failed to start, by path: forget it, so the folder can
        # be set aside and rebuilt in this process.
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
        raise DamagedIndex(
            str(path), f"the vector store cannot be opened ({exc})",
            'It is derived from the catalog: run "assistant index rebuild" (or "assistant '
            'index check --repair") to rebuild it.') from exc


def _open(path: str | Path, *, fresh: bool) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not fresh:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    from chromadb.api import ServerAPI
    from chromadb.api.client import Client
    from chromadb.config import System
    from chromadb.telemetry.product import ProductTelemetryClient

    settings.persist_directory = str(path)
    settings.is_persistent = True
    system = System(settings)  # what PersistentClient does, minus the per-path cache lookup
    system.instance(ProductTelemetryClient)
    system.instance(ServerAPI)
    system.start()
    client = Client.from_system(system)
    _FRESH[client] = system
    return client


def unused_segment_folders(path: str | Path) -> list[Path]:
    """The vector-segment folders of an embedded store that its ``chroma.sqlite3`` no longer
    references (Chroma leaves a dropped collection's folder on disk)."""
    import sqlite3

    root = Path(path)
    db = root / "chroma.sqlite3"
    if not db.is_file():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        used = {row[0] for row in conn.execute("SELECT id FROM segments")}
    return [child for child in root.iterdir()
            if child.is_dir() and _is_uuid(child.name) and child.name not in used]


def _is_uuid(name: str) -> bool:
    import uuid

    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False


def close_client(client: Any) -> None:
    """Release a fresh client's view now: its HNSW graphs and SQLite connections. (Chroma's
    objects hold each other in reference cycles, so without this they wait for a full garbage
    collection.) Calls on it fail afterwards; a no-op for other clients."""
    system = _FRESH.pop(client, None)
    if system is None:
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    # Clients made later for the path must not be handed this stopped view (the per-path
    # cache has no public way to forget one).
    cache = SharedSystemClient._identifier_to_system
    for key in [k for k, v in cache.items() if v is system]:
        cache.pop(key, None)
    system.stop()


_FRESH: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def http_client(
    host: str,
    port: int = 8000,
    *,
    ssl: bool = False,
    headers: Mapping[str, str] | None = None,
    tenant: str | None = None,
    database: str | None = None,
) -> Any:
    """A client of a Chroma server (``chroma run``, or a distributed deployment), telemetry off.

    Several app replicas share one such server; embeddings are still computed by the app.
    """
    import chromadb
    from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
    from chromadb.config import Settings as ChromaSettings

    return chromadb.HttpClient(
        host=host, port=port, ssl=ssl, headers=dict(headers or {}),
        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
        tenant=tenant or DEFAULT_TENANT, database=database or DEFAULT_DATABASE,
    )


class ChunkStore:
    """Chunks of articles in one Chroma collection, with the article fields each citation needs."""

    def __init__(
        self, client: Any, *, model_name: str, dimension: int, collection: str = COLLECTION
    ) -> None:
        self.client = client
        self.model_name = model_name
        self.dimension = dimension
        self.name = collection
        self.collection = client.get_or_create_collection(
            name=collection,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_model": model_name, "embedding_dimension": dimension},
        )
        built_by = (self.collection.metadata or {}).get("embedding_model")
        built_dim = (self.collection.metadata or {}).get("embedding_dimension")
        if (built_by, built_dim) != (model_name, dimension):
            raise ModelMismatch(
                f"The index was built with embedding model {built_by!r} (dimension {built_dim}) "
                f"but {model_name!r} (dimension {dimension}) is configured. Set the same model "
                "(and ASSISTANT_ENCODER, the part after '+') "
                'again, or run "assistant index rebuild" to re-embed every article with the '
                "new one."
            )

    def add_many(
        self, items: Sequence[tuple[Sequence[Chunk], Any, Mapping[str, Any]]]
    ) -> None:
        """Add (or overwrite) the chunks of several articles in one upsert (Chroma's cost is
        mostly per call): (chunks, their vectors, the article's metadata) per article."""
        ids: list[str] = []
        vectors: list[Any] = []
        documents: list[str] = []
        metadatas: list[dict[str, Any]] = []
        for chunks, article_vectors, metadata in items:
            base = {k: v for k, v in metadata.items() if v is not None and v != ""}
            ids += [c.id for c in chunks]
            vectors += list(article_vectors)
            documents += [c.text for c in chunks]
            metadatas += [{**base, **chunk_position(c)} for c in chunks]
        if ids:
            self.collection.upsert(ids=ids, embeddings=vectors, documents=documents,
                                   metadatas=metadatas)

    def delete_article(self, article_id: str, *, keep: int = 0) -> None:
        """Remove the article's chunks numbered ``keep`` and above (all of them by default)."""
        where: dict[str, Any] = {ARTICLE_ID: article_id}
        if keep:
            where = {"$and": [where, {N: {"$gte": keep}}]}
        self.collection.delete(where=where)

    def delete_ids(self, ids: Sequence[str]) -> None:
        """Remove these chunks (orphans no catalog article accounts for)."""
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=list(ids[start:start + PAGE]))

    def rename(self, name: str) -> None:
        """Give the collection another name (a rebuilt collection takes the live one's place)."""
        self.collection.modify(name=name)
        self.name = name

    def _read(self, call: Callable[[Any], T]) -> T:
        """Run a read; if a rebuild swapped the collection under us, find it again by name."""
        from chromadb.errors import NotFoundError

        try:
            return call(self.collection)
        except NotFoundError:
            self.collection = self.client.get_collection(self.name, embedding_function=None)
            return call(self.collection)

    def set_canonical(self, article_id: str, canonical_id: str | None) -> None:
        """Re-link an article's chunks to another canonical article (None: it is one)."""
        ids = self.ids(article_id)
        if ids:  # Chroma deletes a metadata key updated to None
            self.collection.update(ids=ids, metadatas=[{CANONICAL_ID: canonical_id}] * len(ids))

    def query(
        self, vector: Sequence[float], *, k: int, where: Mapping[str, Any] | None = None
    ) -> list[StoredChunk]:
        # No count() first: Chroma returns fewer results when it holds fewer, and counting a
        # 100k-chunk collection took 12 ms of a 66 ms retrieve.
        result = self._read(lambda c: c.query(
            query_embeddings=[list(vector)], n_results=k,
            where=dict(where) if where else None,
            include=["documents", "metadatas", "distances"],
        ))
        return [
            StoredChunk(id=i, text=doc or "", metadata=meta or {}, score=1.0 - float(dist))
            for i, doc, meta, dist in zip(result["ids"][0], result["documents"][0],
                                          result["metadatas"][0], result["distances"][0],
                                          strict=True)
        ]

    def ids(self, article_id: str | None = None) -> list[str]:
        """The chunk ids of one article, or of every article."""
        where = {ARTICLE_ID: article_id} if article_id else None
        return list(self._read(lambda c: c.get(where=where, include=[]))["ids"])

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk with its text and metadata, in id order (read a page at a time)."""
        chunks: list[StoredChunk] = []
        offset = 0
        while True:
            page = self._read(lambda c, offset=offset: c.get(
                include=["documents", "metadatas"], limit=PAGE, offset=offset))
            chunks += _stored(page)
            if len(page["ids"]) < PAGE:
                break
            offset += PAGE
        chunks.sort(key=lambda c: c.id)
        return chunks

    def article_chunks(self, article_ids: Sequence[str]) -> list[StoredChunk]:
        """The chunks of these articles, with text and metadata."""
        chunks: list[StoredChunk] = []
        for start in range(0, len(article_ids), IDS_PER_GET):
            ids = list(article_ids[start:start + IDS_PER_GET])
            where = {ARTICLE_ID: ids[0]} if len(ids) == 1 else {ARTICLE_ID: {"$in": ids}}
            chunks += _stored(self._read(lambda c, where=where: c.get(
                where=where, include=["documents", "metadatas"])))
        return chunks

    def count(self) -> int:
        return int(self._read(lambda c: c.count()))

    def chunk_articles(self) -> list[tuple[str, str, str | None]]:
        """(chunk id, article id, content hash) of every chunk (read a page at a time)."""
        found: list[tuple[str, str, str | None]] = []
        offset = 0
        while True:
            page = self._read(lambda c, offset=offset: c.get(
                include=["metadatas"], limit=PAGE, offset=offset))
            for i, meta in zip(page["ids"], page["metadatas"], strict=True):
                meta = meta or {}
                found.append((i, str(meta.get(ARTICLE_ID, i.rsplit(":", 1)[0])),
                              meta.get(CONTENT_HASH)))
            if len(page["ids"]) < PAGE:
                return found
            offset += PAGE

    def delete_chunks(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=list(ids[start:start + PAGE]))

    def close(self) -> None:
        """Release the client's view if it is a fresh one (``persistent_client``)."""
        close_client(self.client)


def _stored(page: Mapping[str, Any]) -> Iterable[StoredChunk]:
    for i, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
        yield StoredChunk(id=i, text=doc or "", metadata=meta or {}, score=0.0)


def drop_collection(client: Any, name: str = COLLECTION) -> None:
    """Delete the collection (whatever model built it), so it can be rebuilt from the catalog."""
    existing = {getattr(c, "name", c) for c in client.list_collections()}
    if name in existing:
        client.delete_collection(name)
