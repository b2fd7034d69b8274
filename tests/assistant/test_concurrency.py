"""Writers serialise on a file lock in the data dir; readers never wait for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from assistant import Assistant, Settings
from index.locking import LOCK_NAME
from tests.conftest import DENEUVE_QUESTION, SAMPLES
from tests.corpus import article_text, write_corpus


def cli(data, *args, timeout=300):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_cli_sync_and_in_process_add_at_the_same_time_both_succeed(tmp_path, embeddings):
    data = tmp_path / "data"
    write_corpus(tmp_path / "by-cli", 120, sentences=3, seed=1)
    write_corpus(tmp_path / "in-process", 40, sentences=3, seed=2)
    a = Assistant.from_settings(Settings(data_dir=data, index_batch_chunks=8),
                                embeddings=embeddings)
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_INDEX_BATCH_CHUNKS": "8"}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", "sync",
                             str(tmp_path / "by-cli"), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while a.catalog.counts()[0] == 0 and proc.poll() is None:  # the CLI is writing now
        assert time.time() < deadline
        time.sleep(0.05)
    report = a.add_paths([tmp_path / "in-process"])  # waits for the lock, then writes
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert len(json.loads(out)["added"]) == 120
    assert len(report.added) == 40
    assert (data / LOCK_NAME).exists()
    a.close()

    stats = json.loads(cli(data, "stats", "--json").stdout)
    assert stats["articles"] == 160 and stats["chunks"] == 160
    # A fresh process sees every vector too: nothing written by one writer was lost by the other.
    count = subprocess.run(
        [sys.executable, "-c", "import sys; from index.store import persistent_client; "
         "print(persistent_client(sys.argv[1]).get_collection('articles').count())",
         str(data / "chroma")], capture_output=True, text=True, timeout=120, check=True)
    assert int(count.stdout) == 160
    for seed in (1, 2):
        question = article_text(5, sentences=3, seed=seed).split(",")[0]
        got = json.loads(cli(data, "retrieve", question, "-k", "1", "--json").stdout)
        assert got["passages"][0]["title"] == f"Story {seed}-5"


def ask_while_writing(a, write):
    """Run ``write(progress)`` in a thread and ask questions until it ends; (answers, result)."""
    writing = threading.Event()
    result = {}
    writer = threading.Thread(target=lambda: result.update(
        report=write(lambda *_: writing.set())))
    writer.start()
    assert writing.wait(120)
    answered = 0
    while writer.is_alive():
        answer = a.ask(DENEUVE_QUESTION)
        assert "puritanism" in answer.text and not answer.abstained
        answered += 1
    writer.join()
    assert answered >= 3, "the writer finished before any question could be asked"
    return answered, result["report"]


@pytest.mark.slow
def test_questions_are_answered_during_a_reindex(make_assistant, tmp_path):
    a = make_assistant(index_batch_chunks=4)
    a.add_paths([SAMPLES])
    write_corpus(tmp_path / "more", 150, sentences=3)
    _, report = ask_while_writing(a, lambda progress: a.sync(tmp_path / "more",
                                                             progress=progress))
    assert len(report.added) == 150


@pytest.mark.slow
def test_questions_are_answered_during_a_rebuild(make_assistant, tmp_path):
    a = make_assistant(index_batch_chunks=4)
    a.add_paths([SAMPLES])
    write_corpus(tmp_path / "more", 60, sentences=3)
    a.sync(tmp_path / "more")
    _, report = ask_while_writing(a, lambda progress: a.rebuild(progress=progress))
    assert len(report.updated) == 61
    assert a.store.count() == a.stats().chunks
    assert "puritanism" in a.ask(DENEUVE_QUESTION).text
