"""What every request to the server passes before it reaches the API or the UI.

One ASGI middleware, ``RequestGuard``, around the whole app (the API and Gradio's routes):

- **Host**: a request must name this server — the address it is bound to, ``localhost`` or a
  loopback address when bound to loopback, or a name in ``ASSISTANT_ALLOWED_HOSTS``. A page on
  another name that resolves here (DNS rebinding) gets a 400.
- **Origin**: a state-changing request (POST, PUT, PATCH, DELETE) that a browser sends from another
  origin (``Origin``, else ``Referer``, else ``Sec-Fetch-Site: cross-site``) gets a 403. Requests
  with none of these headers (curl, scripts) pass.
- **Body size**: a body is read up to the upload limit plus room for multipart framing, then the
  request gets a 413 — also when it arrives chunked, without a Content-Length.
- **Failed logins and wrong tokens**: after ``LoginThrottle.free`` failed logins or requests with a
  wrong ``Authorization`` token within a minute a client waits (429 with Retry-After), twice as
  long after each further failure. The client is the connecting address.
- **Security headers** on every response: a Content-Security-Policy (no framing by other sites,
  no connections to other hosts), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``.

Every refusal is JSON ``{"error": …}`` saying what to do.
"""

from __future__ import annotations

import ipaddress
import json
import math
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Room for a multipart upload's boundaries and part headers around the file itself.
BODY_OVERHEAD = 64 * 1024
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
LOGIN_PATHS = frozenset({"/login", "/login/"})

# Gradio's page runs inline scripts and styles; everything else comes from this server.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
       "media-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
]


def is_loopback(host: str) -> bool:
    """A loopback name or address: localhost, any of 127.0.0.0/8, ::1."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_host(value: str) -> tuple[str, int | None]:
    """``name:port`` (or ``[v6]:port``) as a lower-case name without brackets and a port."""
    try:
        parts = urlsplit(f"//{value.strip()}")
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None


class HostPolicy:
    """Which names a request may address this server by, and which origins are its own."""

    def __init__(self, bind: str, allowed_hosts: Iterable[str] = ()) -> None:
        self.bind = bind.strip("[]").lower()
        self.extra = frozenset(h.strip().strip("[]").lower() for h in allowed_hosts if h.strip())

    def host_allowed(self, name: str) -> bool:
        if "*" in self.extra or name in self.extra or name == self.bind:
            return True
        if self.bind in WILDCARD_BINDS:
            # Bound to every interface: the names it is reached by are unknown unless listed.
            return not self.extra or is_loopback(name)
        return is_loopback(self.bind) and is_loopback(name)

    def same_origin(self, url: str, host_header: str) -> bool:
        """Whether ``url`` (an Origin or Referer) is this server as the request addressed it."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        name = parts.hostname.lower()
        if name in self.extra:  # behind a proxy that rewrites Host
            return True
        default = 443 if parts.scheme == "https" else 80
        host, host_port = _split_host(host_header)
        return name == host and (port or default) == (host_port or default)


class LoginThrottle:
    """Failed logins per client: after ``free`` failures within ``window`` seconds the client
    waits ``first_wait`` seconds, then twice as long after each further failure."""

    def __init__(self, *, free: int = 5, window: float = 60.0, first_wait: float = 1.0,
                 max_wait: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.window, self.first_wait, self.max_wait = free, window, first_wait, max_wait
        self.clock = clock
        self._clients: dict[str, tuple[list[float], int, float]] = {}

    def wait(self, client: str) -> float:
        """Seconds ``client`` must wait before its next login attempt (0: go ahead)."""
        entry = self._clients.get(client)
        return max(0.0, entry[2] - self.clock()) if entry else 0.0

    def failed(self, client: str) -> None:
        now = self.clock()
        if len(self._clients) > 10_000:  # forget clients quiet for a while
            self._clients = {c: e for c, e in self._clients.items()
                             if now - e[0][-1] < 15 * 60 or e[2] > now}
        times, strikes, until = self._clients.get(client, ([], 0, 0.0))
        times = [t for t in times if now - t < self.window] + [now]
        if len(times) >= self.free:
            strikes += 1
            until = now + min(self.max_wait, self.first_wait * 2 ** (strikes - 1))
        self._clients[client] = (times, strikes, until)

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)


class _BodyTooLarge(Exception):
    pass


async def _json(send: Send, status: int, message: str,
                headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            *SECURITY_HEADERS, *headers]})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """The checks above, in that order, for every HTTP request and WebSocket."""

    def __init__(self, app: ASGIApp, *, policy: HostPolicy, max_body: int,
                 throttle: LoginThrottle | None = None) -> None:
        self.app, self.policy, self.max_body = app, policy, max_body
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", ())}
        problem = self._refusal(scope, headers)
        if problem is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _json(send, *problem)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] in LOGIN_PATHS:
            await self._login(scope, receive, send)
            return
        if "authorization" in headers:  # a token is tried: throttled as a login is
            await self._throttled(scope, receive, send, headers)
            return
        await self._capped(scope, receive, send, headers)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        name, _ = _split_host(host)
        if not self.policy.host_allowed(name):
            return 400, (f"This server does not answer to the name {name or '(none)'!r}. If "
                         "it is served under that name, add it to ASSISTANT_ALLOWED_HOSTS.")
        if scope["type"] == "http" and scope["method"] not in UNSAFE_METHODS:
            return None
        source = headers.get("origin") or headers.get("referer")
        if source is not None:
            cross = source == "null" or not self.policy.same_origin(source, host)
        else:
            cross = headers.get("sec-fetch-site") in ("cross-site", "same-site")
        if cross:
            return 403, (f"Refused a request sent from another site ({source or 'cross-site'}). "
                         "Use this server's own pages, or call the API without a browser.")
        return None

    async def _capped(self, scope: Scope, receive: Receive, send: Send,
                      headers: dict[str, str]) -> None:
        limit = self.max_body + BODY_OVERHEAD
        message = (f"The request body is over the {self.max_body:,}-byte upload limit "
                   "(ASSISTANT_MAX_UPLOAD_BYTES).")
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            await _json(send, 413, message)
            return
        state = {"read": 0, "started": False, "refused": False}

        async def capped_receive() -> Message:
            received = await receive()
            if received["type"] == "http.request":
                state["read"] += len(received.get("body", b""))
                if state["read"] > limit:
                    if not state["started"]:
                        state["refused"] = True
                        await _json(send, 413, message, [(b"connection", b"close")])
                    raise _BodyTooLarge
            return received

        async def send_with_headers(sent: Message) -> None:
            if state["refused"]:
                return  # the 413 is the answer; whatever the app says after it is dropped
            if sent["type"] == "http.response.start":
                state["started"] = True
                present = {k.lower() for k, _ in sent.get("headers", ())}
                sent["headers"] = [*sent.get("headers", ()),
                                   *(h for h in SECURITY_HEADERS if h[0] not in present)]
            await send(sent)

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except Exception:
            if not state["refused"]:
                raise

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._throttled(scope, receive, send, {}, refused=(400, 401, 403))

    async def _throttled(self, scope: Scope, receive: Receive, send: Send,
                         headers: dict[str, str], *, refused: tuple[int, ...] = (401,)) -> None:
        """The request, unless its client failed too often lately; a ``refused`` answer counts
        as a failure. The client is the connecting address (a proxy's X-Forwarded-For counts
        only from ``ASSISTANT_TRUSTED_PROXIES``, see ``server.proxy_options``)."""
        client = (scope.get("client") or ("unknown",))[0]
        wait = self.throttle.wait(client)
        if wait > 0:
            seconds = math.ceil(wait)
            await _json(send, 429, f"Too many failed logins or wrong tokens; try again in "
                        f"{seconds} s.", [(b"retry-after", str(seconds).encode())])
            return
        status: list[int] = []

        async def noting_send(sent: Message) -> None:
            if sent["type"] == "http.response.start":
                status.append(sent["status"])
            await send(sent)

        await self._capped(scope, receive, noting_send, headers)
        if status and status[0] in refused:
            self.throttle.failed(client)
        elif status and status[0] < 300:
            self.throttle.succeeded(client)
