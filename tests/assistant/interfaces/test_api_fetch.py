"""POST /api/v1/articles {"url"} through a real uvicorn server: internal addresses refused with a
4xx, slow and huge pages cut, and the server's health fast while slow fetches run."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from assistant import Assistant, Settings
from assistant.interfaces.server import create_app
from tests.conftest import serving
from tests.index.test_fetcher import endless
from tests.syndicated import PORT_STRIKE

pytestmark = pytest.mark.slow

SLOTS = 3
TIMEOUT = 4.0


@pytest.fixture
def api(tmp_path, embeddings):
    # 127.0.0.1 stands for the public web here; nothing else on this machine may be fetched.
    settings = Settings(data_dir=tmp_path / "data", fetch_allow="127.0.0.1",
                        fetch_timeout=TIMEOUT, max_concurrent_fetches=SLOTS,
                        max_fetch_bytes=1024 * 1024)
    a = Assistant.from_settings(settings, embeddings=embeddings)
    try:
        with serving(create_app(a)) as url, \
                httpx.Client(base_url=url + "/api/v1", timeout=60) as client:
            yield client
    finally:
        a.close()


def test_internal_addresses_are_refused_with_a_4xx(api, public, internal):
    secret = internal.url("/admin.html")
    port = int(internal.base.rsplit(":", 1)[1])
    for url, says in [
        (secret, "refused: 127.0.0.3 is a loopback address"),
        (public.redirect("/go", secret), f"refused: redirected to {secret}, where 127.0.0.3 is "
                                         "a loopback address"),
        (f"http://[::1]:{port}/admin.html", "refused: ::1 is a loopback address"),
        (f"http://[::ffff:127.0.0.3]:{port}/admin.html",
         "refused: ::ffff:7f00:3 is a loopback address (127.0.0.3 inside an IPv6 address)"),
    ]:
        r = api.post("/articles", json={"url": url})
        assert r.status_code == 422, r.text
        assert r.json()["error"].startswith(f"{url}: {says}"), r.text
        assert "ASSISTANT_FETCH_ALLOW" in r.json()["error"]
    assert internal.hits == []
    assert api.get("/health").json()["articles"] == 0
    # The allow-listed "public" site is fetched and indexed.
    page = public.html("/strike.html", title="Dockworkers shut Rotterdam port", text=PORT_STRIKE,
                       published="2024-06-03", author="Bart Meijer")
    r = api.post("/articles", json={"url": page})
    assert r.status_code == 200 and len(r.json()["added"]) == 1, r.text


def test_huge_and_dripping_pages_are_cut(api, public):
    sent = [0]
    public.handlers["/huge.html"] = endless(sent)
    r = api.post("/articles", json={"url": public.url("/huge.html")})
    assert r.status_code == 422
    assert r.json()["error"].endswith("over the 1,048,576-byte limit (ASSISTANT_MAX_FETCH_BYTES)")
    public.handlers["/drip.html"] = endless([0], every=0.5)
    started = time.monotonic()
    r = api.post("/articles", json={"url": public.url("/drip.html")})
    assert r.status_code == 422
    assert r.json()["error"].endswith("no complete answer within 4 s (ASSISTANT_FETCH_TIMEOUT)")
    assert TIMEOUT - 0.1 < time.monotonic() - started < TIMEOUT + 3


def test_health_stays_fast_while_slow_fetches_run(api, public):
    public.handlers["/drip.html"] = endless([0], every=0.5)
    url = public.url("/drip.html")

    def add() -> httpx.Response:
        return api.post("/articles", json={"url": url})

    started = time.monotonic()
    with ThreadPoolExecutor(45) as pool:  # more than the server's 40 worker threads
        futures = [pool.submit(add) for _ in range(45)]
        while public.hits.count("/drip.html") < SLOTS and time.monotonic() - started < 30:
            time.sleep(0.05)
        checks = []
        for _ in range(5):
            t = time.monotonic()
            assert api.get("/health").status_code == 200
            checks.append(time.monotonic() - t)
            time.sleep(0.2)
        in_progress = time.monotonic() - started < TIMEOUT  # the checks ran during the fetches
        answers = [f.result() for f in futures]
    assert in_progress and max(checks) < 1.0, checks
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [422] * SLOTS + [503] * (45 - SLOTS), statuses
    busy = next(r for r in answers if r.status_code == 503).json()["error"]
    assert busy == ("Too many fetches in progress (ASSISTANT_MAX_CONCURRENT_FETCHES=3); "
                    "try again in a moment.")
    assert public.hits.count("/drip.html") == SLOTS
