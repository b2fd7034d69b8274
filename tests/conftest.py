"""Shared fixtures: isolated env and data dirs, the bundled model loaded once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.offline import ensure_offline

ensure_offline()

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEST_DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
DENEUVE_QUESTION = "What did Catherine Deneuve and the other signatories call the #MeToo campaign?"


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ASSISTANT_* variable or .env file from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture(scope="session")
def embeddings():
    from index.embeddings import LocalEmbeddings

    emb = LocalEmbeddings()
    emb.embed_query("warm up")  # load once for the whole session
    return emb


@pytest.fixture
def make_assistant(tmp_path: Path, embeddings) -> Iterator[Callable[..., object]]:
    from assistant import Assistant, Settings

    made = []

    def make(name: str = "data", **settings):
        a = Assistant.from_settings(Settings(data_dir=tmp_path / name, **settings),
                                    embeddings=embeddings)
        made.append(a)
        return a

    yield make
    for a in made:
        a.close()


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    return target


@pytest.fixture
def news(make_assistant, sample_dir):
    """An assistant over the sample article and four short unrelated news items."""
    a = make_assistant()
    report = a.add_paths([sample_dir, TEST_DATA / "articles.jsonl"])
    assert not report.failed
    return a
