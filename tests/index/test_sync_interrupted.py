"""A sync that deletes and changes files, interrupted after each of its steps (as a SIGKILL
would leave it: every committed step stays, nothing after it happens), then run once more: no
deleted file's article is left in the catalog, the vectors or the BM25 index; and ``index
check`` reports articles whose source files are gone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from assistant import Assistant, Settings
from index.catalog import Catalog
from index.store import ChunkStore
from tests.conftest import ROOT
from tests.corpus import article_text, write_corpus
from tests.fakes import HashEmbeddings


def hashed() -> HashEmbeddings:
    embeddings = HashEmbeddings()
    embeddings.name = "hash-512"  # what the collection records as its model
    return embeddings


@pytest.fixture
def make_assistant(tmp_path):
    """Assistants on one data dir with hashed word embeddings: this is storage bookkeeping."""
    made = []
    embeddings = hashed()

    def make(data=tmp_path / "data"):
        made.append(Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings))
        return made[-1]

    yield make
    for a in made:
        a.close()


class Killed(BaseException):
    """Stands for SIGKILL: no except clause of the code under test catches it."""


# Each step a sync that deletes files takes, in the order it may take them.
STEPS = [(ChunkStore, "add_many"), (Catalog, "upsert"), (ChunkStore, "delete_article"),
         (Catalog, "delete"), (Catalog, "record_files"), (Catalog, "forget_files")]


def changed_folder(tmp_path, a):
    """A synced folder of five stories; then two deleted and one rewritten. Returns the folder
    and the ids that must be gone after the next sync."""
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

    finished_by_one_rerun(make_assistant(), src, gone)  # a new process's view of the data dir


def finished_by_one_rerun(again, src, gone) -> None:
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


KILLING_CHILD = """
import os, signal, sys
from assistant import Assistant, Settings
from index.catalog import Catalog
from index.store import ChunkStore
from tests.index.test_sync_interrupted import hashed

cls = {"Catalog": Catalog, "ChunkStore": ChunkStore}[sys.argv[1]]
original = getattr(cls, sys.argv[2])

def killed_after(self, *args, **kwargs):
    original(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

setattr(cls, sys.argv[2], killed_after)
Assistant.from_settings(Settings(data_dir=sys.argv[3]), embeddings=hashed()).sync(sys.argv[4])
"""


@pytest.mark.slow
def test_a_sync_sigkilled_at_each_step_is_finished_by_one_rerun(make_assistant, tmp_path):
    """The same, with a real SIGKILL of a real process after each step of the removal phase
    (the one an interrupted sync used to lose; a child costs seconds to start)."""
    for cls, step in [(ChunkStore, "delete_article"), (Catalog, "record_files"),
                      (Catalog, "forget_files")]:
        root = tmp_path / step
        a = make_assistant(root / "data")
        src, gone = changed_folder(root, a)
        a.close()
        child = subprocess.run([sys.executable, "-c", KILLING_CHILD, cls.__name__, step,
                                str(root / "data"), str(src)], cwd=ROOT, capture_output=True,
                               timeout=120)
        assert child.returncode == -signal.SIGKILL, (step, child.stderr[-2000:])
        finished_by_one_rerun(make_assistant(root / "data"), src, gone)
