"""Progress bars for long indexing runs: articles per second, with chunks per second alongside.

The indexer reports (articles done, chunks embedded) through a plain callback, and the number of
articles to write, once known, through the callback's ``total``; this module turns that into a
tqdm bar on stderr (so stdout stays clean for ``--json``) with the total and an ETA. The bar is
redrawn every second even while one batch takes long, so its clock never looks stuck.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

REDRAW_SECONDS = 1.0


class ProgressBar:
    """A callable ``(articles, chunks) -> None`` drawing a bar; a no-op unless ``enabled``."""

    def __init__(self, label: str, *, enabled: bool = True, total: int | None = None,
                 redraw: float = REDRAW_SECONDS) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self._bar: Any = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit=" articles", file=sys.stderr,
                             dynamic_ncols=True, leave=False, mininterval=0)
            self._ticker = threading.Thread(target=self._tick, args=(redraw,), daemon=True,
                                            name="progress-redraw")
            self._ticker.start()

    @property
    def total(self) -> int | None:
        return self._bar.total if self._bar is not None else None

    @total.setter
    def total(self, value: int | None) -> None:
        """How many articles this run writes (the indexer sets it when it knows)."""
        if self._bar is not None:
            self._bar.total = value
            self._bar.refresh()

    def __call__(self, articles: int, chunks: int) -> None:
        if self._bar is None:
            return
        self._bar.update(max(0, articles - self._bar.n))
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self._bar.set_postfix_str(f"{chunks} chunks, {chunks / elapsed:.1f} chunks/s")

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            self._bar.refresh()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
