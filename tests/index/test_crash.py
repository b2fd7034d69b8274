"""Crash safety: SIGKILL an indexing process mid-way, run it again, and check nothing is off."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from assistant import Assistant, Settings
from tests.corpus import write_corpus

N = 300


def catalog_count(db) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


@pytest.mark.slow
def test_killed_add_is_completed_by_running_it_again(tmp_path, embeddings):
    src = tmp_path / "src"
    write_corpus(src, N, sentences=3)
    data = tmp_path / "data"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_INDEX_BATCH_CHUNKS": "8"}
    cmd = [sys.executable, "-m", "assistant", "index", "add", str(src), "-q"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 180
    while catalog_count(data / "articles.db") < 40 and proc.poll() is None:
        assert time.time() < deadline, "indexing never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    at_kill = catalog_count(data / "articles.db")
    assert 40 <= at_kill < N, f"the kill did not land mid-way ({at_kill} of {N} indexed)"

    done = subprocess.run(cmd[:-1] + ["--json"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert '"failed": []' in done.stdout

    a = Assistant.from_settings(Settings(data_dir=data), embeddings=embeddings)
    entries = a.catalog.all_entries()
    ids = [e.article.id for e in entries]
    assert len(ids) == len(set(ids)) == N  # every article exactly once
    expected = {f"{e.article.id}:{n}" for e in entries for n in range(e.chunks)}
    stored = a.store.ids()
    assert len(stored) == len(set(stored))  # no duplicate chunks
    assert set(stored) == expected  # no orphan and no missing chunk: store and catalog agree
    assert a.store.count() == a.stats().chunks == len(expected)
    [hit] = a.retrieve(entries[0].article.text.split(".")[0], k=1)
    assert hit.article_id == entries[0].article.id
    a.close()
