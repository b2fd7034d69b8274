"""Progress bars for long indexing runs: articles per second, with chunks per second alongside.

The indexer reports (articles done, chunks embedded) through a plain callback; this module turns
that into a tqdm bar on stderr, so stdout stays clean for ``--json``.
"""

from __future__ import annotations

import sys
import time
from typing import Any


class ProgressBar:
    """A callable ``(articles, chunks) -> None`` drawing a bar; a no-op unless ``enabled``."""

    def __init__(self, label: str, *, enabled: bool = True, total: int | None = None) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit=" articles", file=sys.stderr,
                             dynamic_ncols=True, leave=False)

    def __call__(self, articles: int, chunks: int) -> None:
        if self._bar is None:
            return
        self._bar.update(max(0, articles - self._bar.n))
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        self._bar.set_postfix_str(f"{chunks} chunks, {chunks / elapsed:.1f} chunks/s")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
