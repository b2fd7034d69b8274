"""The English pipeline in a helper process, for one-shot commands.

A cold ``assistant ask`` spends most of its time importing and opening things (Chroma, the
embedding model, the index) before it reads the question; spaCy's import and model load (about
0.6 s of one core) would come on top of that in the same interpreter. Started at the command's
beginning, this helper process loads the pipeline on the machine's other core meanwhile and then
parses and recognises entities on request; the parse comes back as plain data (``parsed.py``),
so the command never imports spaCy itself. It is started only when a core is idle
(``spare_core``): on a busy machine it would cost more than it saves.

Requests and replies are JSON lines on the helper's standard input and output (the helper's loop
is ``language.serve``). The helper ends when its input closes (the command exited, however it
ended) and ignores Ctrl-C (the command handles it). Should it fail to start, load or answer, the
command loads the pipeline itself (``language.English``), where a damaged model is refused with
the usual message.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any


class WorkerGone(Exception):
    """The helper process cannot answer (it failed to load, died or was never started)."""


class Worker:
    """The command's side of the helper process: one request at a time."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.broken = False
        self._lock = threading.Lock()

    def parse(self, text: str) -> dict[str, Any]:
        return self._ask({"parse": text})

    def entities(self, texts: Sequence[str]) -> list[list[list[Any]]]:
        return self._ask({"entities": list(texts)})

    def _ask(self, request: dict[str, Any]) -> Any:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        with self._lock:
            if self.broken:
                raise WorkerGone("an earlier request was cut short")
            self.broken = True  # until the reply is read: a request cut short (Ctrl-C) spoils it
            try:
                stdin.write(json.dumps(request).encode() + b"\n")
                stdin.flush()
                line = stdout.readline()
            except (OSError, ValueError) as exc:  # a closed pipe
                raise WorkerGone(str(exc)) from exc
            self.broken = not line
        if not line:
            raise WorkerGone("the English pipeline's helper process ended")
        reply = json.loads(line)
        if "error" in reply:
            raise WorkerGone(reply["error"])
        return reply["ok"]

    def close(self) -> None:
        """End the helper: close its input, then wait briefly (it exits on end of input)."""
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                if pipe is not None:
                    pipe.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def spare_core() -> bool:
    """Whether a core is idle for the helper: the helper's imports cost about 0.4 s of CPU more
    than loading the pipeline in the command's own process (spaCy's dependencies imported
    twice), which only pays back while the command does not have to share a core with it.
    Judged by the processes running right now besides this one (Linux) and the one-minute load
    average, against the cores this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    others = running() - 1
    if others > cores - 2:
        return False
    try:
        return os.getloadavg()[0] < cores - 0.5
    except (AttributeError, OSError):  # no load average (Windows)
        return True


def running() -> int:
    """How many processes are running or ready to run now, this one included (Linux's
    ``/proc/loadavg``); 1 where that is not known."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            return int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return 1


def start() -> Worker | None:
    """Start the helper process (it begins loading at once); None where it cannot start."""
    if not sys.executable:  # an embedded interpreter: nothing to start the helper with
        return None
    try:
        process = subprocess.Popen(
            [sys.executable, "-c",
             "from assistant.answering.language import serve_stdio; serve_stdio()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    worker = Worker(process)
    atexit.register(worker.close)
    return worker
