"""A sync that deletes and changes files, interrupted after each of its steps (as a SIGKILL
would leave it: every committed step stays, nothing after it happens), then run once more: no
deleted file's article is left in the catalog, the vectors or the BM25 index; and ``index
check`` reports articles whose source files are gone."""

from __future__ import annotations

import os

import pytest

from index.catalog import Catalog
from index.store import ChunkStore
from tests.corpus import article_text, write_corpus


class Killed(BaseException):
    """Stands for SIGKILL: no except clause of the code under test catches it."""


# Each step a sync that deletes files takes, in the order it may take them.
STEPS = [(ChunkStore, "add_many"), (Catalog, "upsert"), (ChunkStore, "delete_article"),
         (Catalog, "delete"), (Catalog, "record_files"), (Catalog, "forget_files")]


def changed_folder(tmp_path, a):
    """A synced folder of five stories; then two deleted and one rewritten. Returns the ids
    that must be gone after the next sync, and the rewritten file's new words."""
    src = tmp_path / "src"
    paths = write_corpus(src, 5)
    a.sync(src)
    records = a.catalog.files()
    gone = [i for p in paths[:2] for i in records[str(p.resolve())].article_ids]
    for path in paths[:2]:
        os.remove(path)
    paths[2].write_text("# Rewritten\n\n" + article_text(200) + "\n")
    return src, gone


@pytest.mark.parametrize("cls,step", STEPS, ids=[s for _, s in STEPS])
def test_a_sync_killed_after_any_step_is_finished_by_one_rerun(make_assistant, tmp_path,
                                                                monkeypatch, cls, step):
    a = make_assistant()
    src, gone = changed_folder(tmp_path, a)
    original = getattr(cls, step)

    def killed_after(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise Killed(step)

    monkeypatch.setattr(cls, step, killed_after)
    with pytest.raises(Killed):
        a.sync(src)
    monkeypatch.setattr(cls, step, original)
    a.close()

    again = make_assistant()  # a new process's view of the same data dir
    again.sync(src)
    assert not again.catalog.known_ids(gone)
    assert not [c for c in again.store.ids() if c.rsplit(":", 1)[0] in gone]
    titles = {r.title for r in again.list_articles()}
    assert "Rewritten" in titles and len(titles) == 3
    for passage in again.retrieve(article_text(0), k=10, mode="lexical"):
        assert passage.article_id not in gone
    assert again.check().ok


def test_check_reports_articles_whose_files_are_gone(make_assistant, tmp_path, monkeypatch):
    """What a sync killed by the old order left (records forgotten, articles kept) is seen."""
    a = make_assistant()
    src, gone = changed_folder(tmp_path, a)
    monkeypatch.setattr(ChunkStore, "delete_article", lambda *_a, **_k: (_ for _ in ()).throw(
        Killed()))
    with pytest.raises(Killed):
        a.sync(src)
    report = a.check()
    [problem] = [p for p in report.problems if p.kind == "source_gone"]
    assert set(problem.ids) == set(gone)
    assert "index sync" in problem.fix
