"""The article store on PostgreSQL behaves as on SQLite (a real server started by the tests)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, inspect

from index import Article
from index.catalog import Catalog, FileRecord
from index.errors import IndexingError
from index.locking import catalog_lock

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'articles.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    c = Catalog.from_url(url)
    assert c.engine.dialect.name == request.param
    yield c
    c.close()


def art(i: str, published: str | None, title: str = "Story") -> Article:
    return Article(title=f"{title} {i}", text=f"Text of story {i} — café, naïve, 東京.",
                   url=f"https://news.test/{i}", published=published, authors=("Zoë",),
                   metadata={"section": "world", "tags": ["a", "b"]})


def test_upsert_inserts_then_updates_keeping_added_at(catalog):
    catalog.upsert(art("1", "2024-01-02"), chunks=2, minhash=b"\x00\x01\xff")
    first = catalog.entry(art("1", None).id)
    changed = Article(title="Story 1", text="A new text.", url="https://news.test/1",
                      published="2024-01-03")
    time.sleep(0.01)
    catalog.upsert(changed, chunks=1, origin="https://news.test/1")
    second = catalog.entry(changed.id)
    assert second.article.text == "A new text." and second.chunks == 1
    assert second.added_at == first.added_at and second.updated_at > first.updated_at
    assert first.article.authors == ("Zoë",) and first.article.metadata["tags"] == ["a", "b"]
    assert first.minhash == b"\x00\x01\xff" and second.origin == "https://news.test/1"
    assert catalog.counts() == (1, 1)


def test_listings_order_and_search_match_sqlite(catalog):
    for i, day in [("1", "2024-01-01"), ("2", None), ("3", "2024-03-01")]:
        catalog.upsert(art(i, day, title="Harbour" if i != "2" else "Volcano"), chunks=1)
    # Undated articles come last on both databases (PostgreSQL sorts NULL first by default).
    assert [r.published for r in catalog.all_rows()] == ["2024-03-01", "2024-01-01", None]
    assert [e.article.published for e in catalog.all_entries()] \
        == ["2024-03-01", "2024-01-01", None]
    total, page = catalog.search_rows("harb", limit=1)
    assert total == 2 and page[0].title == "Harbour 3"
    assert catalog.search_rows("100%_")[0] == 0


def test_file_records_hold_nanosecond_mtimes_and_aliases(catalog):
    mtime = time.time_ns()  # > 2**31: needs a 64-bit column on PostgreSQL
    catalog.record_files([FileRecord("/news/a.md", 3_000_000_000, mtime, ("x", "y"))])
    catalog.record_files([FileRecord("/news/a.md", 10, mtime + 1, ("x",))])
    assert catalog.files() == {"/news/a.md": FileRecord("/news/a.md", 10, mtime + 1, ("x",))}
    catalog.upsert(art("1", None), chunks=1)
    stored = art("1", None).id
    catalog.add_aliases([("alias-1", stored)])
    assert catalog.known_ids(["alias-1", stored, "nope"]) == {"alias-1", stored}
    assert catalog.delete([stored]) == 1 and catalog.known_ids(["alias-1"]) == set()


def test_story_copies_gather_near_and_exact_duplicates_with_their_outlets(catalog):
    wire = Article(title="Port strike", text="ROTTERDAM (Reuters) - Dockworkers walked out.",
                   source="Reuters")
    copy = Article(title="Dockers strike", text="Dockworkers walked out on Monday.",
                   source="Daily Gazette")
    other = Article(title="Other", text="ANTWERP (AFP) - Another strike.", source="AFP")
    for a in (wire, copy, other):
        catalog.upsert(a, chunks=1)
    catalog.set_canonical([copy.id], wire.id)
    catalog.add_aliases([("exact-1", wire.id), ("exact-2", copy.id)],
                        {"exact-1": "Port News", "exact-2": None})
    found = {(c.article_id, c.story_id, c.source, c.agencies, c.exact)
             for c in catalog.story_copies([wire.id])}
    assert found == {
        (wire.id, wire.id, "Reuters", ("Reuters",), False),
        (copy.id, wire.id, "Daily Gazette", (), False),
        ("exact-1", wire.id, "Port News", ("Reuters",), True),
        ("exact-2", wire.id, None, (), True),
    }
    assert [c.agencies for c in catalog.story_copies([other.id])] == [("AFP",)]
    assert catalog.story_copies([]) == []


def test_generation_and_versions_follow_every_article_change(catalog):
    """What a replica's lexical index relies on to skip work while nothing changed."""
    first, versions = catalog.generation(), catalog.article_versions()
    assert first is not None and versions == {}
    catalog.upsert(art("1", None), chunks=1)
    catalog.upsert(art("2", None), chunks=3)
    one, two = art("1", None).id, art("2", None).id
    after_add, versions = catalog.generation(), catalog.article_versions()
    assert after_add != first and set(versions) == {one, two} and versions[two][1] == 3
    catalog.content_hashes([one]), catalog.all_rows()  # reads change nothing
    assert catalog.generation() == after_add
    catalog.set_canonical([two], one)
    assert catalog.generation() != after_add and catalog.article_versions()[two] != versions[two]
    before_delete = catalog.generation()
    catalog.delete([one])
    assert catalog.generation() != before_delete and set(catalog.article_versions()) == {two}


def test_an_older_catalog_is_migrated(postgres_url):
    engine = create_engine(postgres_url)
    old = Table("articles", MetaData(), Column("id", String(64), primary_key=True),
                *(Column(n, Text) for n in ("title", "text", "url", "source", "authors",
                                            "metadata", "content_hash", "added_at",
                                            "updated_at")),
                Column("published", String(10)), Column("chunks", Integer))
    Table("aliases", old.metadata, Column("alias", String(64), primary_key=True),
          Column("article_id", String(64)))
    old.metadata.create_all(engine)
    engine.dispose()
    catalog = Catalog.from_url(postgres_url)
    Catalog.from_url(postgres_url).close()  # a second replica starting finds nothing to do
    columns = {c["name"]: c for c in inspect(catalog.engine).get_columns("articles")}
    assert {"text_hash", "canonical_id", "origin", "minhash"} <= set(columns)
    assert "source" in {c["name"] for c in inspect(catalog.engine).get_columns("aliases")}
    catalog.upsert(art("1", None), chunks=1, minhash=b"sig")
    assert catalog.signatures() == [(art("1", None).id, None, b"sig")]
    catalog.close()


def test_advisory_lock_serialises_writers_across_connections(postgres_url):
    a, b = Catalog.from_url(postgres_url), Catalog.from_url(postgres_url)  # two "replicas"
    events: list[str] = []
    with catalog_lock(a.engine):
        def other() -> None:
            with catalog_lock(b.engine):
                events.append("b writes")

        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)
        events.append("a done")
    thread.join(10)
    assert events == ["a done", "b writes"]
    with catalog_lock(a.engine), pytest.raises(IndexingError, match="Another replica"), \
            catalog_lock(b.engine, timeout=0.2):
        pass
    a.close()
    b.close()
