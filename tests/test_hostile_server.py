"""The acceptance test of the hostile-input bounds: every hostile file, uploaded to a real server
one after another, is refused with its own reason, while ``/api/v1/health`` answers within 1 s
throughout and the server's resident memory grows by at most 300 MB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from index.indexer import MAX_CHUNKS
from tests.conftest import free_port
from tests.index.test_bounded_documents import hostile_documents
from tests.index.test_bounded_text import PROSE
from tests.index.test_hostile import BILLION_LAUGHS, GOOD


def hostile_files() -> dict[str, tuple[bytes, str]]:
    """name → (bytes, words of the reason it is refused with)."""
    files = dict(hostile_documents())
    files.update({
        "runs.md": (("# Runs\n\n" + ("x" * 9_990 + " ") * 190 + "y" * 10_001).encode(),
                    "a run of 10,001 characters without a space"),
        "big.txt": ((PROSE * (2 * 1024 * 1024 // len(PROSE))).encode(),
                    "over the 2,000,000-character limit"),
        "long.json": (json.dumps({"title": "Long", "text": PROSE * (MAX_CHUNKS * 7)}).encode(),
                      f"over the {MAX_CHUNKS:,}-passage limit"),
        "laughs.md": (BILLION_LAUGHS.encode(), "YAML alias"),
        "script.json": (json.dumps({"title": "T", "text": "Body text.",
                                    "url": "javascript:alert(1)"}).encode(),
                        "must be an http:// or https:// address"),
    })
    return files


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS), or at its peak (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field}")


def reset_peak(pid: int) -> None:
    """Start the process's peak (VmHWM) again from its current RSS (Linux 4.0 and later)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Watch:
    """Asks for health every 0.05 s and samples the server's memory, in a thread."""

    def __init__(self, url: str, pid: int) -> None:
        self.url, self.pid = url, pid
        self.latencies: list[float] = []
        self.rss: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                started = time.perf_counter()
                client.get(self.url + "/api/v1/health").raise_for_status()
                self.latencies.append(time.perf_counter() - started)
                self.rss.append(rss_mb(self.pid))
                self.stop.wait(0.05)


@pytest.mark.slow
def test_hostile_uploads_fail_alone_while_the_server_stays_responsive(tmp_path, capsys):
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    watch = Watch(url, proc.pid)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(url + "/api/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        good = httpx.post(url + "/api/v1/articles", files={"file": ("good.md", GOOD)},
                          timeout=120)  # warms the model and the stores up
        assert good.status_code == 200 and len(good.json()["added"]) == 1
        files = hostile_files()
        baseline = rss_mb(proc.pid)
        watch.thread.start()
        measured = {}
        for name, (data, reason) in files.items():
            reset_peak(proc.pid)
            started = time.perf_counter()
            r = httpx.post(url + "/api/v1/articles", files={"file": (name, data)}, timeout=120)
            seconds = time.perf_counter() - started
            body = r.json()
            said = body.get("error") or " ".join(f["reason"] for f in body.get("failed", []))
            assert reason in said, (name, r.status_code, body)
            assert r.status_code == 422 or (r.status_code == 200 and not body["added"]), name
            peak = rss_mb(proc.pid, "VmHWM")
            watch.rss.append(peak)
            measured[name] = {"bytes": len(data), "seconds": round(seconds, 2),
                              "peak_rss_growth_mb": round(peak - baseline, 1)}
        time.sleep(0.5)
        watch.stop.set()
        watch.thread.join(10)
        with capsys.disabled():
            print(json.dumps({"baseline_rss_mb": round(baseline), "files": measured,
                              "health_max_s": round(max(watch.latencies), 3)}, indent=1))
        assert len(watch.latencies) >= 5
        assert max(watch.latencies) < 1.0, sorted(watch.latencies)[-5:]
        assert max(watch.rss) - baseline < 300, (baseline, max(watch.rss))
        assert httpx.get(url + "/api/v1/stats").json()["articles"] == 1
        gradio_inputs_are_validated(url)
    finally:
        watch.stop.set()
        proc.terminate()
        proc.wait(30)


def gradio_inputs_are_validated(url: str) -> None:
    """The Gradio API answers bad inputs with a message, as the HTTP API does."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    reply = client.predict("What reopened?", k="abc", api_name="/ask")
    assert "k is 'abc'; give a whole number between 1 and" in reply["error"]
    with pytest.raises(Exception, match="The search is 1,000,000 characters long") as refused:
        client.predict("x" * 1_000_000, api_name="/list_articles")
    assert "Traceback" not in str(refused.value)
