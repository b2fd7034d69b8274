"""Ctrl-C that always stops a long-running command within a few seconds.

Python runs its SIGINT handler (which raises KeyboardInterrupt, exit code 130) only when the main
thread is back in the interpreter: a thread stuck in native code (a model loading, a batch being
embedded, a socket) can delay it for a long time on a loaded machine. ``prompt_interrupt`` also
has the signal written to a pipe that a watchdog thread reads at once; if the process is still
alive ``grace`` seconds later, the watchdog ends it with exit code 130. That is safe because
every write is crash-safe (docs/architecture.md: a killed write is completed by the next run).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

GRACE_S = 3.0


@contextmanager
def prompt_interrupt(grace: float = GRACE_S) -> Iterator[None]:
    """Within this block, SIGINT ends the process after ``grace`` seconds at the latest."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are the main thread's: nothing to watch from elsewhere
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    stop = threading.Event()

    def watch() -> None:
        with os.fdopen(read_fd, "rb", buffering=0) as signals:
            while data := signals.read(64):  # empty: the block ended and closed the pipe
                if signal.SIGINT in data and not stop.wait(grace):
                    sys.stderr.write("interrupted\n")
                    sys.stderr.flush()
                    os._exit(130)

    threading.Thread(target=watch, name="interrupt-watchdog", daemon=True).start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        # Interrupted: the watchdog stays armed while the process unwinds and exits.
        if not isinstance(sys.exc_info()[1], KeyboardInterrupt):
            stop.set()
            os.close(write_fd)
