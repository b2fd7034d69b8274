"""The one way the indexer fetches a URL: public addresses only, a capped body, one deadline.

A URL given by a client must not make the server read its own network. Every connection is
checked where it is made: the host name is resolved once, each address is checked, and the
socket connects to that checked address itself (TLS still verifies the certificate for the host
name), so a DNS answer that changes between a check and the connection cannot slip through.
Addresses that are not public (``index.addresses``) are refused unless the ``AllowList`` names
the host or network. Redirects are followed here, at most ``MAX_REDIRECTS``, each hop through the
same check. The body is read as a stream and refused once it passes ``max_bytes``; one deadline
covers connecting, every read and every redirect of a fetch.

Proxies from the environment are not used: the check must see the address it connects to.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpcore
import httpx

from index.addresses import ALLOW_SETTING, AllowList, not_public
from index.errors import BadArticle

USER_AGENT = "news-assistant/0.1 (+https://github.com/; offline RAG indexer)"
DEFAULT_MAX_FETCH_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5

Resolver = Callable[..., list[Any]]  # socket.getaddrinfo's signature

# When the current fetch must end (time.monotonic()); read by every socket operation.
_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


class RefusedAddress(Exception):
    """A connection to an address the fetch policy does not allow."""


def _remaining(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left before the fetch's deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the fetch's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes never outlast the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _CheckedBackend(httpcore.NetworkBackend):
    """Resolves each host once and connects only to the addresses the policy allows."""

    def __init__(self, allow: AllowList, allow_private: bool, resolve: Resolver) -> None:
        self._allow = allow
        self._allow_private = allow_private
        self._resolve = resolve
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        host = host.strip("[]")
        try:
            infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from exc
        allowed, refused = [], []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            reason = None if self._allow_private else not_public(address)
            if reason and not self._allow.allows(host, address):
                refused.append(f"{address} is {reason}")
            elif address not in allowed:
                allowed.append(address)
        if not allowed:
            raise RefusedAddress("; ".join(refused) or f"{host} has no address")
        error: Exception | None = None
        for address in allowed:  # the checked address itself, never the name again
            try:
                return _DeadlineStream(self._inner.connect_tcp(
                    str(address), port, _remaining(timeout), local_address, socket_options))
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        raise RefusedAddress("Unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _CheckedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _CheckedBackend) -> None:
        super().__init__(trust_env=False)
        # httpx's transport takes no network backend: its pool is replaced by one that has it.
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=backend)


@dataclass
class Fetcher:
    """Fetches pages and feeds under one policy; a context manager that closes its client."""

    timeout: float = 20.0
    max_bytes: int = DEFAULT_MAX_FETCH_BYTES
    allow: AllowList = field(default_factory=AllowList)
    allow_private: bool = False  # for a user's own machine (the CLI's --allow-private)
    resolve: Resolver = socket.getaddrinfo
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            backend = _CheckedBackend(self.allow, self.allow_private, self.resolve)
            self._client = httpx.Client(
                transport=_CheckedTransport(backend), timeout=self.timeout, trust_env=False,
                follow_redirects=False, headers={"User-Agent": USER_AGENT})
        return self._client

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None
                 ) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def fetch(self, url: str) -> bytes:
        """The body of ``url``; BadArticle naming the URL and the problem otherwise."""
        token = _deadline.set(time.monotonic() + self.timeout)
        try:
            return self._fetch(url)
        except RefusedAddress as exc:
            raise BadArticle(url, f"refused: {exc}; only public addresses are fetched (name the "
                             f"host or network in {ALLOW_SETTING} to allow it)") from exc
        except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
            raise BadArticle(url, f"no complete answer within {self.timeout:g} s "
                             "(ASSISTANT_FETCH_TIMEOUT)") from exc
        except httpx.HTTPError as exc:
            raise BadArticle(url, f"cannot fetch ({type(exc).__name__}: {exc})") from exc
        finally:
            _deadline.reset(token)

    def _fetch(self, url: str) -> bytes:
        request = self.client.build_request("GET", url)
        for _hop in range(MAX_REDIRECTS + 1):
            if request.url.scheme not in ("http", "https"):
                raise BadArticle(url, f"redirected to {request.url}, which is not http(s)")
            try:
                response = self.client.send(request, stream=True)
            except RefusedAddress as exc:
                if str(request.url) == url:
                    raise
                raise RefusedAddress(f"redirected to {request.url}, where {exc}") from exc
            try:
                if response.next_request is None:
                    return self._body(url, response)
                request = response.next_request
            finally:
                response.close()
        raise BadArticle(url, f"more than {MAX_REDIRECTS} redirects")

    def _body(self, url: str, response: httpx.Response) -> bytes:
        if response.status_code >= 400:
            raise BadArticle(url, f"server answered HTTP {response.status_code}")
        over = (f"over the {self.max_bytes:,}-byte limit (ASSISTANT_MAX_FETCH_BYTES)")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise BadArticle(url, f"page is {int(declared):,} bytes, {over}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise BadArticle(url, f"page is {over}")
            chunks.append(chunk)
        return b"".join(chunks)
