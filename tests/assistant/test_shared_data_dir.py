"""One data dir, several processes: a served app, CLI writers, a second server, killed writers.

Every process here is real (uvicorn on 127.0.0.1, ``python -m assistant`` subprocesses); the only
thing simulated is where a writer dies: a subprocess that SIGKILLs itself right after a batch's
chunks reach Chroma, before their catalog rows are written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from assistant import Assistant, Settings
from assistant.retrieval.filters import Filters
from tests.conftest import DENEUVE_QUESTION, free_port, served_assistant
from tests.corpus import article_text, write_corpus
from tests.services import interruptible

pytestmark = pytest.mark.slow

# Runs the real writer code and dies by SIGKILL just after the Nth batch's chunks are written.
KILLED_WRITER = """
import os, signal, sys
from assistant import Assistant, Settings
from assistant.retrieval.filters import Filters
from index.store import ChunkStore

batches = 0
upsert = ChunkStore.add_many

def add_many(self, items):
    global batches
    upsert(self, items)
    batches += 1
    if batches == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)

ChunkStore.add_many = add_many
a = Assistant.from_settings(Settings(data_dir=sys.argv[1], index_batch_chunks=4))
a.add_paths([sys.argv[2]])
"""


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def kill_writer_after(data: Path, folder: Path, batches: int) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(data), str(folder),
                           str(batches)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def store_matches_catalog(a: Assistant) -> bool:
    expected = {f"{e.article.id}:{n}" for e in a.catalog.all_entries() for n in range(e.chunks)}
    return set(a.store.ids()) == expected


def titles(body: dict) -> list[str]:
    return [p["title"] for p in body.get("passages", body.get("citations", []))]


def test_cli_add_is_seen_by_a_running_server_with_date_filters(tmp_path, embeddings):
    root = tmp_path / "server"
    root.mkdir()
    with served_assistant(root, embeddings) as url, \
            httpx.Client(base_url=url + "/api/v1", timeout=120) as api:
        # The server has its view of the collection open before the CLI writes.
        assert api.post("/ask", json={"question": DENEUVE_QUESTION}).status_code == 200
        since = {"since": "2024-01-01"}
        assert titles(api.post("/retrieve", json={"question": "harbour plan", **since})
                      .json()) == []
        write_corpus(tmp_path / "new", 6, sentences=3, seed=7)  # published 2024-01-01 … 06
        added = cli(root / "data", "index", "add", str(tmp_path / "new"))
        assert added.returncode == 0, added.stderr

        question = article_text(3, sentences=3, seed=7).split(",")[0]
        r = api.post("/ask", json={"question": question, **since})
        assert r.status_code == 200, r.text
        assert "Story 7-3" in titles(r.json())
        dense = api.post("/retrieve", json={"question": question, "mode": "dense", "k": 3,
                                            **since})
        assert dense.status_code == 200, dense.text
        assert titles(dense.json())[0] == "Story 7-3"
        assert all(t.startswith("Story 7-") for t in titles(dense.json()))
        # "last week" narrows by date in the question: also answered, not a server error.
        r = api.post("/ask", json={"question": f"{question} last week",
                                   "reference_date": "2024-01-08"})
        assert r.status_code == 200, r.text
        assert "Story 7-3" in titles(r.json())


def test_a_second_server_process_sees_the_first_ones_writes(tmp_path, embeddings):
    root = tmp_path / "server"
    root.mkdir()
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(root / "data")}
    with served_assistant(root, embeddings) as url, \
            httpx.Client(base_url=url + "/api/v1", timeout=120) as first:
        second = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port",
                                   str(port)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
        try:
            other = httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=120)
            deadline = time.monotonic() + 180
            while True:
                assert second.poll() is None, second.communicate()[1]
                assert time.monotonic() < deadline, "the second server did not start"
                try:
                    if other.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            question = "Who was the lighthouse keeper of Port Ellis?"
            before = other.post("/retrieve", json={"question": question, "mode": "dense"})
            assert before.status_code == 200 and "Lighthouse keeper retires" not in titles(
                before.json())
            article = {"title": "Lighthouse keeper retires", "published": "2024-06-01",
                       "text": "After forty-one years, the last lighthouse keeper of Port "
                               "Ellis, Agnes Moran, retired on Saturday. The lighthouse will "
                               "now be run remotely."}
            [article_id] = first.post("/articles", json=article).json()["added"]

            dense = other.post("/retrieve", json={"question": question, "mode": "dense",
                                                  "since": "2024-05-01"})
            assert dense.status_code == 200, dense.text
            assert titles(dense.json()) == ["Lighthouse keeper retires"]
            answer = other.post("/ask", json={"question": question}).json()
            assert "Agnes Moran" in answer["text"]

            assert first.delete(f"/articles/{article_id}").status_code == 200
            gone = other.post("/retrieve", json={"question": question, "mode": "dense"})
            assert gone.status_code == 200
            assert "Lighthouse keeper retires" not in titles(gone.json())
        finally:
            second.send_signal(signal.SIGINT)
            try:
                second.wait(timeout=20)
            except subprocess.TimeoutExpired:
                second.kill()
                second.wait()


def test_chunks_of_a_killed_write_are_never_returned_and_the_next_write_removes_them(
        tmp_path, embeddings):
    data = tmp_path / "data"
    a = Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings)
    write_corpus(tmp_path / "base", 2, sentences=3, seed=1)
    a.add_paths([tmp_path / "base"])
    a.search("warm up the view")
    write_corpus(tmp_path / "batch", 12, sentences=3, seed=2)
    kill_writer_after(data, tmp_path / "batch", batches=2)

    indexed = {e.article.title for e in a.catalog.all_entries()}
    assert 2 < len(indexed) < 14  # the first batch was committed, the second was not
    assert not store_matches_catalog(a)  # its chunks are in Chroma without catalog rows
    for i in range(12):
        question = article_text(i, sentences=3, seed=2).split(",")[0]
        for mode in ("dense", "hybrid"):
            found = a.search(question, mode=mode, k=5)
            assert {p.title for p in found.passages} <= indexed
            dated = a.search(question, mode=mode, k=5, filters=Filters(since=date(2024, 1, 1)))
            assert {p.title for p in dated.passages} <= indexed

    write_corpus(tmp_path / "next", 1, sentences=3, seed=3)
    report = a.add_paths([tmp_path / "next"])
    assert len(report.added) == 1
    assert store_matches_catalog(a)
    assert a.store.count() == a.stats().chunks
    a.close()


def test_repair_orphans_removes_unrecorded_chunks_and_rewrites_unrecorded_versions(
        tmp_path, embeddings):
    data = tmp_path / "data"
    folder = tmp_path / "src"
    [first, *_] = write_corpus(folder, 3, sentences=3, seed=4)
    # With a URL the article keeps its id when its text changes.
    first.write_text(first.read_text().replace("---\ntitle:", "---\nurl: https://news.test/"
                                               "4-0\ntitle:"))
    a = Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings)
    a.add_paths([folder])
    first.write_text(first.read_text().replace("Story 4-0", "Story 4-0 revised")
                     + "A late paragraph about the harbour ferry strike.\n")
    write_corpus(folder, 8, sentences=3, seed=5)
    kill_writer_after(data, folder, batches=1)  # the revision's chunks, no catalog row

    assert not store_matches_catalog(a)
    report = a.repair_orphans()
    assert report.removed and report.chunks_removed >= len(report.removed)
    assert not set(report.removed) & {e.article.id for e in a.catalog.all_entries()}
    [revised] = report.rewritten
    assert a.catalog.entry(revised).article.title == "Story 4-0"
    assert store_matches_catalog(a)
    [hit] = a.retrieve(article_text(0, sentences=3, seed=4).split(",")[0], mode="dense", k=1)
    assert hit.article_id == revised and hit.title == "Story 4-0"
    assert a.repair_orphans().to_dict() == {"removed": [], "chunks_removed": 0,
                                            "rewritten": []}
    a.close()
