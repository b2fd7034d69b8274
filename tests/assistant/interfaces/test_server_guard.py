"""Requests to the server through a real uvicorn on 127.0.0.1: hosts, origins, credentials on every
door, body and question limits, login throttling, error shapes, far-off dates."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import httpx
import pytest

from assistant import Assistant, Settings
from assistant.interfaces.guard import HostPolicy, LoginThrottle
from assistant.interfaces.options import MAX_QUESTION_CHARS
from assistant.interfaces.server import check_bind, create_app
from tests.conftest import served_assistant, serving

pytestmark = pytest.mark.slow
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory, embeddings):
    root = tmp_path_factory.mktemp("guard")
    with served_assistant(root, embeddings, max_upload_bytes=50_000) as url:
        yield url, root / "data"


@pytest.fixture
def api(site):
    with httpx.Client(base_url=site[0] + "/api/v1", timeout=60) as client:
        yield client


def _upload(name: str, text: str) -> dict:
    return {"file": (name, text.encode(), "text/plain")}


# -- dates ----------------------------------------------------------------------------------------

def test_dates_past_the_calendar_are_clamped_not_a_500(api, site):
    r = api.post("/ask", json={"question": "What happened in the last 800000 days?"})
    assert r.status_code == 200, r.text
    assert r.json()["date_range"]["start"] == "0001-01-01"
    r = api.post("/retrieve", json={"question": "What happened yesterday?",
                                    "reference_date": "0001-01-01"})
    assert r.status_code == 200, r.text
    assert r.json()["date_range"] == {"start": "0001-01-01", "end": "0001-01-01",
                                      "expression": "yesterday"}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--data-dir", str(site[1]), "retrieve",
         "What happened yesterday?"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "ASSISTANT_REFERENCE_DATE": "0001-01-01"})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "0001-01-01" in proc.stdout


# -- cross-site requests and hosts --------------------------------------------------------------

def test_cross_site_writes_are_refused(api, site):
    url = site[0]
    planted = api.post("/articles", files=_upload("planted.txt", "A planted story about x."),
                       headers={"Origin": EVIL})
    assert planted.status_code == 403 and "another site" in planted.json()["error"]
    replaced = api.post("/articles", json={"title": "Fake", "text": "Replaced."},
                        headers={"Referer": f"{EVIL}/page.html"})
    assert replaced.status_code == 403
    fetched = api.post("/articles", json={"title": "Fake", "text": "Replaced."},
                       headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    assert api.post("/articles", json={"text": "x"}, headers={"Origin": "null"}
                    ).status_code == 403
    other_port = f"http://127.0.0.1:{urlsplit(url).port + 1}"
    assert api.delete("/articles/x", headers={"Origin": other_port}).status_code == 403
    gradio = httpx.post(f"{url}/gradio_api/call/delete_article", json={"data": ["x", ""]},
                        headers={"Origin": EVIL})
    assert gradio.status_code == 403
    assert api.get("/articles", params={"q": "planted"}).json()["total"] == 0
    # The server's own pages, and scripts without an Origin, still write.
    own = api.post("/articles", files=_upload("own.txt", "The harbour reopened on Monday."),
                   headers={"Origin": url})
    assert own.status_code == 200 and len(own.json()["added"]) == 1
    script = api.post("/articles", json={"title": "Script", "text": "A ferry strike ended."})
    assert script.status_code == 200


def test_foreign_host_names_are_refused(site):
    url = site[0]
    port = urlsplit(url).port
    r = httpx.get(f"{url}/api/v1/health", headers={"Host": "evil.example"})
    assert r.status_code == 400 and "ASSISTANT_ALLOWED_HOSTS" in r.json()["error"]
    assert httpx.get(url, headers={"Host": f"evil.example:{port}"}).status_code == 400
    for name in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost"):
        assert httpx.get(f"{url}/api/v1/health", headers={"Host": name}).status_code == 200


def test_host_policy():
    loop = HostPolicy("127.0.0.1")
    assert loop.host_allowed("localhost") and loop.host_allowed("::1")
    assert not loop.host_allowed("evil.example") and not loop.host_allowed("")
    proxied = HostPolicy("127.0.0.1", ["news.example.com"])
    assert proxied.host_allowed("news.example.com")
    assert proxied.same_origin("https://news.example.com", "127.0.0.1:7860")
    assert not proxied.same_origin(EVIL, "127.0.0.1:7860")
    assert loop.same_origin("http://localhost:7860", "localhost:7860")
    assert not loop.same_origin("http://localhost:7861", "localhost:7860")
    anywhere = HostPolicy("0.0.0.0")
    assert anywhere.host_allowed("news.example.com")
    listed = HostPolicy("0.0.0.0", ["news.example.com"])
    assert listed.host_allowed("news.example.com") and not listed.host_allowed("evil.example")
    assert HostPolicy("10.0.0.5").host_allowed("10.0.0.5")
    assert not HostPolicy("10.0.0.5").host_allowed("evil.example")


def test_allowed_hosts_behind_a_proxy(tmp_path, embeddings):
    a = Assistant.from_settings(Settings(data_dir=tmp_path / "d"), embeddings=embeddings)
    try:
        with serving(create_app(a, allowed_hosts=["news.example.com"])) as url:
            r = httpx.post(f"{url}/api/v1/articles", json={"title": "T", "text": "A story."},
                           headers={"Host": "news.example.com",
                                    "Origin": "https://news.example.com"})
            assert r.status_code == 200, r.text
    finally:
        a.close()


def test_no_cross_origin_reads(site):
    url = site[0]
    for path in ("/gradio_api/info", "/config", "/api/v1/health"):
        r = httpx.get(url + path, headers={"Origin": "http://localhost:9999"})
        assert "access-control-allow-origin" not in r.headers, path
        pre = httpx.options(url + path, headers={"Origin": "http://localhost:9999",
                                                 "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in pre.headers, path


# -- credentials on every door ------------------------------------------------------------------

def test_token_alone_guards_the_ui_too(tmp_path, embeddings):
    from gradio_client import Client

    a = Assistant.from_settings(Settings(data_dir=tmp_path / "d"), embeddings=embeddings)
    try:
        with serving(create_app(a, token="s3cret")) as url:
            for path in ("/config", "/gradio_api/info"):
                assert httpx.get(url + path).status_code == 401, path
            call = httpx.post(f"{url}/gradio_api/call/add_url",
                              json={"data": ["https://example.com/x", ""]})
            assert call.status_code == 401
            with pytest.raises(Exception):  # noqa: B017 - gradio_client's own error types vary
                Client(url, verbose=False)
            bearer = {"Authorization": "Bearer s3cret"}
            client = Client(url, headers=bearer, verbose=False)
            assert client.predict("", api_name="/list_articles")["data"] == []
            with httpx.Client(base_url=url) as browser:
                assert browser.post("/login", data={"username": "me", "password": "no"}
                                    ).status_code == 400
                assert browser.post("/login", data={"username": "me", "password": "s3cret"}
                                    ).status_code == 200
                assert browser.get("/config").status_code == 200
            assert httpx.get(f"{url}/api/v1/stats").status_code == 401
    finally:
        a.close()


def test_failed_logins_are_throttled(tmp_path, embeddings):
    a = Assistant.from_settings(Settings(data_dir=tmp_path / "d"), embeddings=embeddings)
    try:
        with serving(create_app(a, ui_auth=("ann", "right"))) as url, \
                httpx.Client(base_url=url) as browser:
            codes = [browser.post("/login", data={"username": "ann", "password": f"w{i}"}
                                  ).status_code for i in range(8)]
            assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}
            locked = browser.post("/login", data={"username": "ann", "password": "right"})
            assert locked.status_code == 429 and "try again" in locked.json()["error"]
            wait = int(locked.headers["Retry-After"])
            assert 1 <= wait <= 300
            time.sleep(wait + 0.2)
            assert browser.post("/login", data={"username": "ann", "password": "right"}
                                ).status_code == 200
    finally:
        a.close()


def test_throttle_backs_off_longer_each_time():
    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(4):
        throttle.failed("1.2.3.4")
    assert throttle.wait("1.2.3.4") == 0
    waits = []
    for _ in range(4):
        throttle.failed("1.2.3.4")
        waits.append(throttle.wait("1.2.3.4"))
        now[0] += waits[-1]
    assert waits == [1, 2, 4, 8] and throttle.wait("5.6.7.8") == 0
    throttle.succeeded("1.2.3.4")
    throttle.failed("1.2.3.4")
    assert throttle.wait("1.2.3.4") == 0


# -- limits -------------------------------------------------------------------------------------

def test_chunked_upload_stops_at_the_limit(site):
    """63 MB sent chunked (no Content-Length) to a 50,000-byte limit: the server answers 413
    long before the client could send it all."""
    host, port = "127.0.0.1", urlsplit(site[0]).port
    boundary = "b0undary"
    head = (f"POST /api/v1/articles HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n").encode()
    block = b"x" * 65536
    sent, reply = 0, b""
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(head + f"{len(part):x}\r\n".encode() + part + b"\r\n")
        try:
            while sent < 63 * 1024 * 1024:
                s.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                sent += len(block)
                if select.select([s], [], [], 0)[0]:  # the server has answered
                    break
        except OSError:
            pass  # the server closed the connection after its answer
        s.settimeout(5)
        try:
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            pass
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"ASSISTANT_MAX_UPLOAD_BYTES" in reply
    assert sent < 16 * 1024 * 1024


def test_question_limit_is_the_same_everywhere(api, site):
    from gradio_client import Client

    long = "Who " + "x" * MAX_QUESTION_CHARS
    r = api.post("/ask", json={"question": long})
    assert r.status_code == 422 and "question" in r.json()["error"]
    assert api.post("/ask", json={"question": "Who?" + "x" * (MAX_QUESTION_CHARS - 4)}
                    ).status_code == 200
    chat = Client(site[0], verbose=False).predict(long, [], 5, "hybrid", [], "", "",
                                                  api_name="/ask")
    assert f"at most {MAX_QUESTION_CHARS:,}" in str(chat)
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--data-dir", str(site[1]), "ask", long],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and f"at most {MAX_QUESTION_CHARS:,}" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- responses ----------------------------------------------------------------------------------

def test_errors_under_the_api_have_one_shape(api):
    missing = api.get("/nope")
    assert missing.status_code == 404 and "/docs" in missing.json()["error"]
    wrong = api.get("/ask")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"
    assert "POST" in wrong.json()["error"]
    broken = api.post("/articles", content=b"--x\r\nnot a part",
                      headers={"content-type": "multipart/form-data; boundary=x"})
    assert 400 <= broken.status_code < 500 and set(broken.json()) == {"error"}


def test_security_headers_on_every_response(site):
    url = site[0]
    for path in ("/", "/api/v1/health", "/docs", "/api/v1/nope"):
        r = httpx.get(url + path)
        assert "frame-ancestors 'self'" in r.headers["content-security-policy"], path
        assert "connect-src 'self'" in r.headers["content-security-policy"], path
        assert r.headers["x-content-type-options"] == "nosniff", path


def test_other_loopback_addresses_count_as_loopback():
    check_bind("127.0.0.2", token=None, ui_auth=None)
    check_bind("::1", token=None, ui_auth=None)
    with pytest.raises(Exception, match="Refusing to serve on 10.0.0.5"):
        check_bind("10.0.0.5", token=None, ui_auth=None)
