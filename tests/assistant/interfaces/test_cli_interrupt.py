"""Ctrl-C stops ``assistant index feed --watch`` within seconds in every phase of a poll: sleeping
between polls, waiting for a page that does not come, embedding and writing articles."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing

import pytest

from tests.corpus import article_text
from tests.services import interruptible
from tests.webserver import serve

STOP_WITHIN_S = 10.0  # the watchdog ends the process 3 s after Ctrl-C; slack for a busy machine


def catalog_count(db) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def wait_for(ready, proc, what: str, timeout: float = 240.0) -> None:
    deadline = time.time() + timeout
    while not ready():
        assert proc.poll() is None, f"the feed command ended before {what}: {proc.stderr.read()}"
        assert time.time() < deadline, f"never reached {what}"
        time.sleep(0.05)


class BlackHole:
    """A web server that accepts connections and never answers: a fetch hangs in it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/slow.html"
        self.connected = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        try:
            while True:
                conn, _ = self.sock.accept()
                self.held.append(conn)
                self.connected.set()
        except OSError:
            return

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["sleeping", "fetching", "indexing"])
def test_ctrl_c_stops_feed_watch_promptly(tmp_path, phase):
    data = tmp_path / "data"
    hole = BlackHole()
    with serve() as site, closing(hole):
        if phase == "fetching":
            entries = [{"title": "Slow", "link": hole.url, "date": "Mon, 03 Jun 2024 09:00:00 GMT"}]
        else:
            n = 60 if phase == "indexing" else 1
            entries = [{"title": f"Story {i}", "date": "Mon, 03 Jun 2024 09:00:00 GMT",
                        "link": site.html(f"/a/{i}.html", title=f"Story {i}",
                                          text=article_text(i, sentences=40), author="Desk",
                                          published="2024-06-03")} for i in range(n)]
        feed = site.rss("/feed.xml", entries)
        env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_INDEX_BATCH_CHUNKS": "8",
               "ASSISTANT_FETCH_TIMEOUT": "120"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "index", "feed", feed, "--watch", "600", "-q",
             "--allow-private"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=interruptible)
        try:
            if phase == "sleeping":  # the first poll is done: its article is in the catalog
                wait_for(lambda: catalog_count(data / "articles.db") == 1, proc, "the first poll")
                time.sleep(1.0)
            elif phase == "fetching":
                wait_for(hole.connected.is_set, proc, "the page fetch")
                time.sleep(0.5)
            else:  # some articles written, most still to embed
                wait_for(lambda: catalog_count(data / "articles.db") >= 2, proc, "indexing")
            assert proc.poll() is None
            _out, err, took = interrupt(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130, err
    assert took < STOP_WITHIN_S, f"took {took:.1f} s to stop"
    assert "Traceback" not in err, err
    if phase == "indexing":
        assert 2 <= catalog_count(data / "articles.db") < 60  # stopped mid-way


def interrupt(proc: subprocess.Popen) -> tuple[str, str, float]:
    """Ctrl-C to ``proc``: its output, and the seconds it took to stop."""
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    out, err = proc.communicate(timeout=60)
    return out, err, time.monotonic() - sent


def test_ctrl_c_ends_a_process_stuck_in_native_code():
    """A key derivation of a billion rounds runs in C without looking at signals (as a model
    load or an embedding batch can): the watchdog still ends the process, with exit code 130."""
    code = ("import hashlib\n"
            "from assistant.interfaces.interrupt import prompt_interrupt\n"
            "with prompt_interrupt(grace=1.0):\n"
            "    print('ready', flush=True)\n"
            "    hashlib.pbkdf2_hmac('sha256', b'x', b'salt', 1_000_000_000)\n"
            "print('finished', flush=True)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    try:
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        time.sleep(0.3)
        out, err, took = interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert took < 5.0, f"took {took:.1f} s to stop"
    assert "finished" not in out and "Traceback" not in err


def test_a_child_gets_ctrl_c_when_the_test_run_ignores_it():
    """Started from a shell that ignores SIGINT (a background job), the run inherits SIG_IGN;
    the children these tests interrupt are started with it back at its default."""
    code = "import time\nprint('ready', flush=True)\ntime.sleep(60)\n"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert proc.stdout.readline() == "ready\n"
        _out, err, took = interrupt(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "KeyboardInterrupt" in err and took < 5.0
