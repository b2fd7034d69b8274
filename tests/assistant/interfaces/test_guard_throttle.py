"""Wrong API tokens are throttled like failed logins, per connecting address; X-Forwarded-For
names the client only when it comes from a configured proxy. A real uvicorn server, configured
as ``serve`` configures it, around the guard and a small app that checks a token."""

from __future__ import annotations

import httpx

from assistant.interfaces.guard import HostPolicy, LoginThrottle, RequestGuard
from assistant.interfaces.server import proxy_options
from tests.conftest import serving


async def token_app(scope, receive, send):
    """200 for ``Bearer right``, else 401, as the API's token check answers."""
    headers = dict(scope.get("headers", ()))
    ok = headers.get(b"authorization") == b"Bearer right"
    await send({"type": "http.response.start", "status": 200 if ok else 401,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok" if ok else b"no"})


def guarded(trusted: str | None):
    app = RequestGuard(token_app, policy=HostPolicy("127.0.0.1"), max_body=1000,
                       throttle=LoginThrottle(first_wait=30))
    return serving(app, **proxy_options(trusted))


def statuses(url: str, n: int, *, rotate: bool) -> list[int]:
    out = []
    with httpx.Client(base_url=url) as client:
        for i in range(n):
            headers = {"Authorization": "Bearer wrong"}
            if rotate:
                headers["X-Forwarded-For"] = f"203.0.113.{i}"
            out.append(client.get("/api/v1/stats", headers=headers).status_code)
    return out


def test_wrong_tokens_are_throttled_and_rotating_x_forwarded_for_does_not_help():
    with guarded(None) as url:
        got = statuses(url, 8, rotate=True)
        assert got[:5] == [401] * 5 and set(got[5:]) == {429}
        r = httpx.get(url + "/api/v1/stats", headers={"Authorization": "Bearer right"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert httpx.get(url + "/api/v1/health").status_code == 401  # no token: not a guess


def test_x_forwarded_for_names_the_client_behind_a_configured_proxy():
    with guarded("127.0.0.1") as url:
        assert statuses(url, 8, rotate=True) == [401] * 8  # eight clients, one failure each
        assert statuses(url, 6, rotate=False)[-1] == 429  # the proxy itself, failing often
