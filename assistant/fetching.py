"""How the assistant fetches web pages: under the settings' policy, a few at a time.

Each fetch takes one of ``max_concurrent_fetches`` slots or fails at once with ``Busy``, so slow
sites cannot hold every worker thread of a server (its health checks and questions run on the
same thread pool).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from assistant.errors import Busy
from index.addresses import AllowList
from index.web import make_client

if TYPE_CHECKING:
    from assistant.wiring import Options


class FetchGate:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.allow = AllowList.parse(options.fetch_allow)
        self._slots = threading.BoundedSemaphore(options.max_concurrent_fetches)

    @contextmanager
    def open(self, client: Any = None, *, allow_private: bool = False) -> Iterator[Any]:
        """The caller's fetcher, or a fresh one closed afterwards; Busy when no slot is free."""
        if not self._slots.acquire(blocking=False):
            raise Busy(f"Too many fetches in progress (ASSISTANT_MAX_CONCURRENT_FETCHES="
                       f"{self.options.max_concurrent_fetches}); try again in a moment.")
        try:
            with nullcontext(client) if client is not None else make_client(
                    timeout=self.options.fetch_timeout, max_bytes=self.options.max_fetch_bytes,
                    allow=self.allow, allow_private=allow_private) as fetcher:
                yield fetcher
        finally:
            self._slots.release()
