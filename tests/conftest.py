"""Shared fixtures: isolated env and data dirs, the bundled model loaded once per session."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    # The session model runs in fp32; CLI and server subprocesses a test starts must embed the
    # same way, or the store's model check (rightly) refuses the index they share.
    monkeypatch.setenv("ASSISTANT_ENCODER", "fp32")
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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Run an ASGI app under a real uvicorn server in a thread; yield its base URL."""
    import uvicorn

    port = free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
