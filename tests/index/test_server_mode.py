"""Server mode: replicas sharing one `chroma run` server and one article store."""

from __future__ import annotations

import uuid

import pytest

from assistant import Assistant, Settings
from assistant.wiring import chroma_client
from index import Article, ModelMismatch
from index.store import ChunkStore, http_client
from tests.services import create_chroma_database, fresh_store

pytestmark = pytest.mark.slow

FERRY = Article(title="Ferry strike", text="Ferry crews of the Hjaltland line walked out on "
                "Monday over pay, stranding travellers on the islands for two days.",
                url="https://news.test/ferry", published="2024-05-06")
VOLCANO = Article(title="Volcano", text="A volcano erupted in Iceland, closing the airport at "
                  "Keflavik while ash drifted east.", url="https://news.test/volcano")


@pytest.fixture
def replicas(tmp_path, embeddings, chroma_server, postgres_server_url):
    """Two app replicas: own data dirs (file lock, lexical index), shared vectors and catalog
    (on PostgreSQL when it runs here, else one SQLite file both open)."""
    shared = {"catalog_url": f"sqlite:///{tmp_path / 'shared.db'}",
              **fresh_store(chroma_server, postgres_server_url)}
    made = [Assistant.from_settings(Settings(data_dir=tmp_path / r, **shared),
                                    embeddings=embeddings) for r in ("a", "b")]
    yield made
    for a in made:
        a.close()


def test_a_write_in_one_replica_is_read_in_the_other(replicas):
    a, b = replicas
    a.add_articles([VOLCANO])
    assert b.retrieve("volcano in Iceland", k=1)[0].title == "Volcano"  # b builds its indexes
    assert not (b.data_dir / "chroma").exists()  # vectors live on the server only

    a.add_articles([FERRY])
    question = "Hjaltland ferry crews"
    for mode in ("dense", "lexical", "hybrid"):
        assert b.retrieve(question, k=1, mode=mode)[0].title == "Ferry strike", mode
    assert b.stats().articles == 2 and b.store.count() == a.store.count()

    b.remove([FERRY.id])
    assert [p.title for p in a.retrieve(question, k=3, mode="lexical")] == []
    assert all(p.title != "Ferry strike" for p in a.retrieve(question, k=3, mode="dense"))


def test_a_rebuild_in_one_replica_keeps_the_other_answering(replicas):
    a, b = replicas
    a.add_articles([VOLCANO, FERRY])
    assert b.retrieve("ash over Keflavik", k=1, mode="dense")[0].title == "Volcano"
    a.rebuild()  # swaps a new collection in on the server
    assert b.retrieve("ash over Keflavik", k=1, mode="dense")[0].title == "Volcano"
    assert b.store.count() == a.store.count() > 0


def test_server_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "chroma.internal")
    monkeypatch.setenv("ASSISTANT_CHROMA_HEADERS", '{"Authorization": "Bearer s3cret"}')
    monkeypatch.setenv("ASSISTANT_CATALOG_URL", "postgresql+psycopg://u@db/news")
    settings = Settings(data_dir=tmp_path)
    assert settings.chroma_headers == {"Authorization": "Bearer s3cret"}
    assert (settings.chroma_host, settings.chroma_port) == ("chroma.internal", 8000)
    assert settings.catalog_url == "postgresql+psycopg://u@db/news"
    monkeypatch.delenv("ASSISTANT_CATALOG_URL")
    default = Settings(data_dir=tmp_path)
    assert default.catalog_url == f"sqlite:///{tmp_path / 'articles.db'}"
    # The default follows the data dir, also in a copy (as "eval" makes for its own index).
    moved = default.model_copy(update={"data_dir": tmp_path / "eval"})
    assert moved.catalog_url == f"sqlite:///{tmp_path / 'eval' / 'articles.db'}"


def test_settings_choose_the_server_and_refuse_another_model(chroma_server, tmp_path):
    host, port = chroma_server
    database = create_chroma_database(host, port, f"t_{uuid.uuid4().hex[:12]}")
    client = chroma_client(Settings(data_dir=tmp_path, chroma_host=host, chroma_port=port,
                                    chroma_database=database))
    assert type(client).__name__ == "Client" and client.get_settings().chroma_server_host == host
    assert client.heartbeat() > 0
    ChunkStore(client, model_name="all-MiniLM-L6-v2", dimension=384)
    other = http_client(host, port, database=database)
    with pytest.raises(ModelMismatch, match="assistant index rebuild"):
        ChunkStore(other, model_name="other-model", dimension=768)
    assert Settings(data_dir=tmp_path).chroma_host is None  # embedded stays the default
