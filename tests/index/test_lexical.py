"""The BM25 index: persisted in the data dir, kept in step with every write, rebuilt when stale."""

from __future__ import annotations

import shutil

from index import Article
from index.lexical import BM25Index, LexicalIndex

ARTICLES = [
    Article(id="ferry", title="Ferry strike ends", source="Port News",
            text="Ferry crews returned to work after the union accepted a new pay offer."),
    Article(id="bridge", title="Bridge approved", source="City Desk",
            text="The council voted to build a new bridge over the estuary by 2027."),
]


def test_built_on_index_and_reloaded_without_rebuilding(make_assistant, tmp_path):
    a = make_assistant()
    a.add_articles(ARTICLES)
    folder = tmp_path / "data" / "lexical"
    assert (folder / "manifest.json").is_file()
    # Stemming and stopwords: "ferries striking" finds "Ferry strike".
    assert [c.metadata["article_id"] for c in a.lexical.search("the ferries striking", k=5)] \
        == ["ferry"]
    assert a.lexical.search("the of and", k=5) == []  # stopwords only

    b = make_assistant()  # another process opening the same data dir
    assert [c.id for c in b.lexical.search("estuary bridge", k=5)] == ["bridge:0"]
    assert b.lexical.rebuilds == 0  # loaded from disk, fingerprint matches


def test_updated_on_add_and_remove(make_assistant):
    a = make_assistant()
    a.add_articles(ARTICLES[:1])
    assert a.lexical.search("estuary", k=5) == []
    a.add_articles(ARTICLES[1:])
    assert [c.metadata["article_id"] for c in a.lexical.search("estuary", k=5)] == ["bridge"]
    changed = Article(id="bridge", title="Bridge approved", source="City Desk",
                      text="The council voted to build a tunnel under the estuary instead.")
    a.add_articles([changed])
    assert "tunnel" in a.lexical.search("tunnel", k=5)[0].text
    a.remove(["bridge"])
    assert a.lexical.search("estuary tunnel", k=5) == []


def test_rebuilt_when_stale_or_missing(make_assistant, tmp_path):
    a = make_assistant()
    a.add_articles(ARTICLES[:1])
    a.lexical.search("ferry", k=1)
    other = make_assistant()  # a second writer on the same data dir
    other.add_articles(ARTICLES[1:])
    # ``a`` never saw that write, but its catalog fingerprint changed: it rebuilds on use.
    assert [c.metadata["article_id"] for c in a.lexical.search("estuary", k=5)] == ["bridge"]

    shutil.rmtree(tmp_path / "data" / "lexical")
    fresh = make_assistant()
    assert fresh.lexical.search("ferry pay", k=5)[0].metadata["article_id"] == "ferry"
    assert fresh.lexical.rebuilds == 1
    (tmp_path / "data" / "lexical" / "chunks.jsonl").write_text("not json\n")
    assert BM25Index.load(tmp_path / "data" / "lexical") is None  # unreadable → rebuilt on use


def test_filter_predicate_and_in_memory_index(make_assistant):
    a = make_assistant()
    a.add_articles(ARTICLES)
    memory = LexicalIndex(None, a.catalog, lambda: a.store)
    hits = memory.search("council ferry", k=5, keep=lambda m: m.get("source") == "City Desk")
    assert [h.metadata["article_id"] for h in hits] == ["bridge"]
    assert memory.search("council ferry", k=1)[0].score >= memory.search("council ferry",
                                                                         k=2)[1].score
