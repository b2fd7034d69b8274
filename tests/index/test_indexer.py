from __future__ import annotations

import pytest

from index import Article, ModelMismatch
from index.store import ChunkStore, persistent_client

# Bookkeeping, not ranking: the deterministic fake embeds (tests/fakes.py).
pytestmark = pytest.mark.hash_embeddings


def story(text: str) -> Article:
    return Article(title="Harbour story", text=text, url="https://news.test/harbour")


LONG = " ".join(f"The harbour master reported ship number {i} arriving with cargo from "
                f"port {i} late on Tuesday evening." for i in range(40))


def test_readding_unchanged_articles_embeds_nothing_and_duplicates_nothing(news, sample_dir):
    before = news.stats()
    ids_before = sorted(news.store.ids())
    report = news.add_paths([sample_dir])
    assert report.chunks_embedded == 0
    assert report.unchanged and not (report.added or report.updated)
    assert news.stats() == before
    assert sorted(news.store.ids()) == ids_before
    assert news.store.count() == before.chunks


def test_changed_article_replaces_its_chunks(make_assistant):
    a = make_assistant()
    first = a.add_articles([story(LONG)])
    assert first.added and first.chunks_embedded >= 3
    article_id = first.added[0]
    many = a.store.ids(article_id)
    second = a.add_articles([story("The harbour closed on Wednesday because of a storm.")])
    assert second.updated == (article_id,) and second.chunks_embedded == 1
    assert a.store.ids(article_id) == [f"{article_id}:0"]
    assert len(many) > 1
    [passage] = a.retrieve("Why did the harbour close?", k=3)
    assert "storm" in passage.text
    assert a.stats().chunks == 1


def test_same_article_twice_in_one_call_is_indexed_once(make_assistant):
    a = make_assistant()
    report = a.add_articles([story("Version one of the story."), story("Version two.")])
    assert len(report.added) == 1
    assert a.catalog.entry(report.added[0]).article.text == "Version two."


def test_opening_an_index_with_another_model_is_refused(tmp_path):
    client = persistent_client(tmp_path / "chroma")
    ChunkStore(client, model_name="all-MiniLM-L6-v2", dimension=384)
    with pytest.raises(ModelMismatch, match="assistant index rebuild"):
        ChunkStore(client, model_name="other-model", dimension=768)


def test_remove_deletes_chunks_and_row(news):
    [passage] = news.retrieve("volcano eruption in Iceland", k=1)
    assert news.remove([passage.article_id]) == 1
    assert news.store.ids(passage.article_id) == []
    assert news.catalog.entry(passage.article_id) is None


class Progress:
    """A progress callback with a ``total``, as the CLI's bar is."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.calls: list[tuple[int, int]] = []

    def __call__(self, articles: int, chunks: int) -> None:
        self.calls.append((articles, chunks))


def test_progress_is_told_the_total_before_the_first_batch(make_assistant):
    a = make_assistant(index_batch_chunks=2)
    progress = Progress()
    articles = [Article(id=f"s{i}", title=f"Story {i}", text=LONG.replace("harbour", f"port {i}"))
                for i in range(3)]
    a.add_articles(articles, progress=progress)
    assert progress.total == 3
    assert progress.calls[-1][0] == 3 and len(progress.calls) >= 2
    again = Progress()
    a.rebuild(progress=again)
    assert again.total == 3 and again.calls[-1][0] == 3
