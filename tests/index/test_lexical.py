"""The BM25 index: persisted in the data dir, updated with what each write changed, scored like
bm25s, rebuilt when missing or unreadable."""

from __future__ import annotations

import json
import random
import shutil

import numpy as np
import pytest

from index import Article
from index.lexical import BM25Index, LexicalIndex
from index.lexical.segment import tokenize
from index.store import StoredChunk

ARTICLES = [
    Article(id="ferry", title="Ferry strike ends", source="Port News",
            text="Ferry crews returned to work after the union accepted a new pay offer."),
    Article(id="bridge", title="Bridge approved", source="City Desk",
            text="The council voted to build a new bridge over the estuary by 2027."),
]


def record_fetches(lexical: LexicalIndex) -> list[str]:
    """The ids of the articles whose chunks ``lexical`` reads from the vector store from now on."""
    fetched: list[str] = []
    fetch = lexical._fetch
    lexical._fetch = lambda ids: fetched.extend(ids) or fetch(ids)  # type: ignore[method-assign]
    return fetched


def test_built_on_index_and_reloaded_without_rebuilding(make_assistant, tmp_path, monkeypatch):
    a = make_assistant()
    a.add_articles(ARTICLES)
    folder = tmp_path / "data" / "lexical"
    assert (folder / "manifest.json").is_file()
    # Stemming and stopwords: "ferries striking" finds "Ferry strike".
    assert [c.metadata["article_id"] for c in a.lexical.search("the ferries striking", k=5)] \
        == ["ferry"]
    assert a.lexical.search("the of and", k=5) == []  # stopwords only

    b = make_assistant()  # another process opening the same data dir
    versions_read = []
    real = b.catalog.article_versions
    monkeypatch.setattr(b.catalog, "article_versions",
                        lambda: versions_read.append(1) or real())
    fetched = record_fetches(b.lexical)
    assert [c.id for c in b.lexical.search("estuary bridge", k=5)] == ["bridge:0"]
    # Loaded from disk, saved at the catalog's current generation: nothing to compare or read.
    assert versions_read == [] and fetched == []


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
    # ``a`` never saw that write, but the catalog's generation changed: it catches up on use.
    assert [c.metadata["article_id"] for c in a.lexical.search("estuary", k=5)] == ["bridge"]

    shutil.rmtree(tmp_path / "data" / "lexical")
    fresh = make_assistant()
    fetched = record_fetches(fresh.lexical)
    assert fresh.lexical.search("ferry pay", k=5)[0].metadata["article_id"] == "ferry"
    assert sorted(fetched) == ["bridge", "ferry"]  # built again from every article's chunks
    assert (tmp_path / "data" / "lexical" / "manifest.json").is_file()  # and saved
    segment = next((tmp_path / "data" / "lexical").glob("seg-*"))
    (segment / "chunks.jsonl").write_text("not json\n")
    assert BM25Index.load(tmp_path / "data" / "lexical") is None  # unreadable → rebuilt on use


def test_filter_predicate_and_in_memory_index(make_assistant):
    a = make_assistant()
    a.add_articles(ARTICLES)
    memory = LexicalIndex(None, a.catalog, lambda: a.store)
    hits = memory.search("council ferry", k=5, keep=lambda m: m.get("source") == "City Desk")
    assert [h.metadata["article_id"] for h in hits] == ["bridge"]
    assert memory.search("council ferry", k=1)[0].score >= memory.search("council ferry",
                                                                         k=2)[1].score


WORDS = ("ferry strike union pay bridge council estuary budget rail tunnel harbour vote port "
         "minister court ruling storm flood school teachers nurses hospital museum festival "
         "airport runway drought farmers water treaty election mayor police inquiry").split()


def _story(i: int, rng: random.Random) -> Article:
    return Article(id=f"s{i:03d}", title=" ".join(rng.sample(WORDS, 3)).capitalize(),
                   source=rng.choice(["Daily", "Herald"]),
                   text=". ".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(4)) + ".")


def _ranking(index: BM25Index, query: str) -> list[tuple[str, float]]:
    return [(h.id, round(h.score, 9)) for h in index.search(query, k=20)]


def test_scores_equal_bm25s(make_assistant):
    """Our BM25 is bm25s's "lucene" BM25: same scores on the same tokens."""
    import bm25s

    rng = random.Random(7)
    a = make_assistant()
    a.add_articles([_story(i, rng) for i in range(30)])
    chunks = a.store.all_chunks()
    reference = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    reference.index(tokenize([f"{c.metadata['title']}\n{c.text}" for c in chunks]),
                    show_progress=False)
    ours = BM25Index.build(chunks)
    for query in ("ferry strike pay", "flood flood storm", "hospital nurses election"):
        expected = np.asarray(reference.get_scores(tokenize([query])[0]))
        got = {h.id: h.score for h in ours.search(query, k=len(chunks))}
        assert got, query
        for chunk, score in zip(chunks, expected, strict=True):
            assert got.get(chunk.id, 0.0) == pytest.approx(score, rel=1e-5, abs=1e-6)


def test_incremental_updates_rank_like_a_fresh_build(make_assistant, tmp_path):
    rng = random.Random(11)
    a = make_assistant()
    stories = [_story(i, rng) for i in range(60)]
    fetched = record_fetches(a.lexical)
    for start in range(0, 40, 4):  # many small writes
        a.add_articles(stories[start:start + 4])
    a.remove(["s003", "s017"])
    a.add_articles([Article(id="s005", title="Changed", text="The tunnel vote was delayed.")])
    fetched.clear()
    a.add_articles(stories[40:41])
    assert fetched == ["s040"]  # one write reads the one article it added, nothing else

    incremental = a.lexical.current()
    assert len(incremental.segments) <= 4  # merged as it grew (log-structured)
    fresh = BM25Index.build(a.store.all_chunks())
    for query in ("ferry strike", "tunnel vote delayed", "storm flood school", "court"):
        assert _ranking(incremental, query) == _ranking(fresh, query)
    assert not [h for h in incremental.search("teachers", k=100)
                if h.metadata["article_id"] in ("s003", "s017")]

    # What another process loads from disk (segments + tombstones) ranks the same too.
    b = make_assistant()
    fetched = record_fetches(b.lexical)
    assert _ranking(b.lexical.current(), "tunnel vote delayed") \
        == _ranking(fresh, "tunnel vote delayed")
    assert fetched == []  # loaded as saved, not built again
    manifest = json.loads((tmp_path / "data" / "lexical" / "manifest.json").read_text())
    assert {f"{s['name']}" for s in manifest["segments"]} \
        <= {p.name for p in (tmp_path / "data" / "lexical").glob("seg-*")}


def test_filters_reach_past_the_first_hits():
    """A filter that rejects the best-scored chunks still finds the k it accepts."""
    chunks = [StoredChunk(id=f"a{i:03d}:0", text="ferry " * (1 + i % 3) + "strike",
                          metadata={"article_id": f"a{i:03d}", "source": "X" if i < 90 else "Y",
                                    "title": ""}, score=0.0) for i in range(100)]
    index = BM25Index.build(chunks)
    hits = index.search("ferry", k=5, keep=lambda m: m["source"] == "Y")
    assert len(hits) == 5 and {h.metadata["source"] for h in hits} == {"Y"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
