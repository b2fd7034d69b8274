from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from assistant import Assistant, ModelMismatch, Settings
from assistant.interfaces import cli
from index.articles import article_id
from tests.corpus import article_text, write_corpus

# Bookkeeping, not ranking: the deterministic fake embeds (tests/fakes.py).
pytestmark = pytest.mark.hash_embeddings


def txt(path, title, body):
    path.write_text(f"# {title}\n\n{body}\n")
    return path


def test_sync_adds_updates_and_removes(make_assistant, tmp_path):
    a = make_assistant()
    src = tmp_path / "src"
    paths = write_corpus(src, 4)
    first = a.sync(src)
    assert len(first.added) == 4 and not first.failed
    assert a.stats().articles == 4

    # Change one file, delete another, add a new one, leave two alone.
    txt(paths[0], "Rewritten story", article_text(100))
    os.remove(paths[1])
    (src / "sub").mkdir()
    txt(src / "sub" / "new.md", "Brand new", article_text(101))
    second = a.sync(src)
    assert (len(second.added), len(second.updated), len(second.removed),
            len(second.unchanged)) == (1, 1, 1, 2), second
    assert second.files_read == 2  # the two untouched files were skipped on their stat alone
    titles = {r.title for r in a.list_articles()}
    assert "Rewritten story" in titles and "Brand new" in titles and "Story 0-1" not in titles
    assert a.stats().articles == 4
    assert not any(i.startswith(second.removed[0]) for i in a.store.ids())
    assert a.store.count() == a.stats().chunks

    third = a.sync(src)
    assert third.files_read == 0 and third.chunks_embedded == 0
    assert len(third.unchanged) == 4 and not (third.added or third.updated or third.removed)


def test_a_file_that_turns_bad_keeps_what_it_gave(make_assistant, tmp_path):
    a = make_assistant()
    src = tmp_path / "src"
    [good, other] = write_corpus(src, 2)
    a.sync(src)
    good.write_bytes(b"\x00\x01 binary now")
    report = a.sync(src)
    assert [f.source for f in report.failed] == [str(good.resolve())]
    assert "binary" in report.failed[0].reason
    assert not report.removed and a.stats().articles == 2


def test_sync_does_not_touch_articles_from_elsewhere(make_assistant, tmp_path):
    a = make_assistant()
    write_corpus(tmp_path / "elsewhere", 2, seed=1)
    a.add_paths([tmp_path / "elsewhere"])
    src = tmp_path / "src"
    write_corpus(src, 1)
    a.sync(src)
    for path in src.iterdir():
        path.unlink()
    report = a.sync(src)
    assert len(report.removed) == 1 and a.stats().articles == 2


def test_the_same_story_in_two_files_survives_deleting_one(make_assistant, tmp_path):
    a = make_assistant()
    src = tmp_path / "src"
    src.mkdir()
    txt(src / "a.txt", "Story", article_text(7))
    # The copy has a URL of its own, so its id differs: only its text says it is the same story.
    (src / "copy-of-a.txt").write_text("---\nurl: https://elsewhere.test/copy\n---\n"
                                       + article_text(7))
    report = a.sync(src)
    assert len(report.added) == 1 and len(report.duplicates) == 1
    (src / "a.txt").unlink()
    again = a.sync(src)
    assert not again.removed and a.stats().articles == 1


def test_rebuild_rederives_the_vector_store_from_the_catalog(make_assistant, tmp_path):
    a = make_assistant()
    write_corpus(tmp_path / "src", 3)
    a.sync(tmp_path / "src")
    ids_before = sorted(a.store.ids())
    a.store.collection.delete(ids=ids_before[:2])  # damage the derived index
    written_before = {e.article.id: e.updated_at for e in a.catalog.all_entries()}
    report = a.rebuild()
    assert sorted(report.updated) == sorted(written_before)
    assert sorted(a.store.ids()) == ids_before  # a fresh collection: nothing missing, no extras
    # Every article was re-embedded and its catalog row written again, with its chunk count.
    after = {e.article.id: e for e in a.catalog.all_entries()}
    assert all(after[i].updated_at > written_before[i] for i in written_before)
    assert {i: len(a.store.ids(i)) for i in after} == {i: e.chunks for i, e in after.items()}
    assert a.retrieve(article_text(2).split(",")[0], k=1)[0].title == "Story 0-2"


def test_model_mismatch_says_rebuild_and_rebuild_fixes_it(tmp_path, embeddings):
    data = tmp_path / "data"
    write_corpus(tmp_path / "src", 2)
    a = Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings)
    a.sync(tmp_path / "src")
    # Pretend the collection was built by another model (as after changing the setting).
    a.store.collection.modify(metadata={"embedding_model": "old-model",
                                        "embedding_dimension": 768})
    a.close()
    fresh = Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings)
    with pytest.raises(ModelMismatch, match="assistant index rebuild"):
        fresh.retrieve("council budget")
    result = CliRunner().invoke(cli.app, ["--data-dir", str(data), "index", "rebuild", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["updated"]) == 2
    again = Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings)
    assert again.retrieve("council budget", k=1)
    assert again.store.collection.metadata["embedding_model"] == embeddings.name


def test_cli_sync_and_remove(tmp_path, embeddings):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    write_corpus(tmp_path / "src", 3)
    out = runner.invoke(cli.app, [*base, "index", "sync", str(tmp_path / "src"), "--json"])
    report = json.loads(out.stdout)
    assert len(report["added"]) == 3 and report["removed"] == []
    human = runner.invoke(cli.app, [*base, "index", "sync", str(tmp_path / "src")])
    assert "added 0, updated 0, removed 0, unchanged 3, failed 0" in human.stdout
    gone = runner.invoke(cli.app, [*base, "index", "remove", report["added"][0], "nope"])
    assert "removed 1 of 2" in gone.stdout
    listed = json.loads(runner.invoke(cli.app, [*base, "index", "list", "--json"]).stdout)
    assert len(listed["articles"]) == 2
    assert all(r["origin"].endswith(".txt") for r in listed["articles"])
    missing = runner.invoke(cli.app, [*base, "index", "remove", article_id(url=None, text="x")])
    assert missing.exit_code == 1


def test_progress_bar_shows_rates_unless_quiet(tmp_path, embeddings):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    write_corpus(tmp_path / "src", 3)
    shown = runner.invoke(cli.app, [*base, "index", "sync", str(tmp_path / "src")])
    assert shown.exit_code == 0, shown.output
    assert "articles/s" in shown.stderr and "chunks/s" in shown.stderr
    write_corpus(tmp_path / "src", 5)
    quiet = runner.invoke(cli.app, [*base, "index", "sync", str(tmp_path / "src"), "-q"])
    assert quiet.stdout == "" and quiet.stderr == ""
