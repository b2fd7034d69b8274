"""Fetching URLs safely, against real HTTP servers on loopback addresses: 127.0.0.1 plays the
public site (allow-listed), 127.0.0.3 and ::1 the internal ones that must never be read."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import pytest

from index.addresses import AllowList, not_public
from index.errors import BadArticle
from index.fetcher import Fetcher
from tests.conftest import free_port
from tests.webserver import SECRET, serve

PUBLIC = AllowList.parse("127.0.0.1")  # the test's stand-in for the public web


def refusal(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(BadArticle) as caught:
        fetcher.fetch(url)
    assert caught.value.source == url
    return caught.value.reason


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.3", "a loopback address"), ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"), ("192.168.1.1", "a private address"),
    ("169.254.169.254", "a link-local address"), ("100.64.0.1", "a shared (carrier-grade NAT) "
                                                               "address"),
    ("224.0.0.1", "a multicast address"), ("0.0.0.0", "an unspecified address"),
    ("240.0.0.1", "a private address"), ("255.255.255.255", "a private address"),
    ("::1", "a loopback address"), ("::", "an unspecified address"),
    ("fe80::1", "a link-local address"), ("fd00::1", "a private address"),
    ("ff02::1", "a multicast address"),
    ("::ffff:127.0.0.3", "a loopback address (127.0.0.3 inside an IPv6 address)"),
    ("::ffff:10.0.0.1", "a private address (10.0.0.1 inside an IPv6 address)"),
    ("::127.0.0.1", "a loopback address (127.0.0.1 inside an IPv6 address)"),
    ("2002:7f00:1::", "a loopback address (127.0.0.1 inside an IPv6 address)"),
    ("64:ff9b::a9fe:a9fe", "a link-local address (169.254.169.254 inside an IPv6 address)"),
    ("8.8.8.8", None), ("93.184.216.34", None), ("2606:4700::1111", None),
    ("::ffff:8.8.8.8", None),
])
def test_which_addresses_are_not_public(address, kind):
    assert not_public(ipaddress.ip_address(address)) == kind


def test_the_allow_list_takes_hosts_addresses_and_networks():
    allow = AllowList.parse(" intranet.example, 10.0.0.0/8,127.0.0.3 ,[::1],")
    assert allow.allows("INTRANET.example.", ipaddress.ip_address("10.9.9.9"))
    assert allow.allows("x", ipaddress.ip_address("10.9.9.9"))
    assert allow.allows("x", ipaddress.ip_address("::ffff:10.9.9.9"))
    assert allow.allows("x", ipaddress.ip_address("::1"))
    assert not allow.allows("x", ipaddress.ip_address("127.0.0.4"))
    with pytest.raises(ValueError, match="'intranet example' is neither a host name"):
        AllowList.parse("intranet example")


def test_a_bad_allow_list_setting_is_refused_naming_it(monkeypatch):
    from pydantic import ValidationError

    from assistant import Settings

    monkeypatch.setenv("ASSISTANT_FETCH_ALLOW", "10.0.0.0/8, 10.0.0.0/33")
    with pytest.raises(ValidationError, match=r"fetch_allow\n.*'10.0.0.0/33' is neither"):
        Settings()


def test_internal_addresses_are_refused_directly_and_through_a_redirect(public, internal):
    secret = internal.url("/admin.html")
    hop = public.redirect("/story", secret)
    with Fetcher(allow=PUBLIC) as fetcher:
        reason = refusal(fetcher, secret)
        assert reason.startswith("refused: 127.0.0.3 is a loopback address;")
        assert "ASSISTANT_FETCH_ALLOW" in reason
        reason = refusal(fetcher, hop)
        assert reason.startswith(f"refused: redirected to {secret}, where 127.0.0.3 is a "
                                 "loopback address;")
    assert public.hits == ["/story"] and internal.hits == []


def test_ipv6_loopback_and_ipv4_mapped_forms_are_refused(internal):
    port = int(internal.base.rsplit(":", 1)[1])
    with serve("::1") as six:
        six.pages["/admin.html"] = ("text/html", SECRET)
        with Fetcher(allow=PUBLIC) as fetcher:
            assert refusal(fetcher, six.url("/admin.html")).startswith(
                "refused: ::1 is a loopback address")
            mapped = f"http://[::ffff:127.0.0.3]:{port}/admin.html"
            assert refusal(fetcher, mapped).startswith(
                "refused: ::ffff:7f00:3 is a loopback address (127.0.0.3 inside an IPv6 "
                "address)")
            assert refusal(fetcher, f"http://[::ffff:7f00:3]:{port}/").startswith("refused:")
        assert six.hits == [] and internal.hits == []
        # Allowed by name, the same server is read.
        with Fetcher(allow=AllowList.parse("::1")) as fetcher:
            assert fetcher.fetch(six.url("/admin.html")) == SECRET


def test_an_allow_listed_network_or_allow_private_is_fetched(public, internal):
    with Fetcher(allow=AllowList.parse("127.0.0.0/29")) as fetcher:
        assert fetcher.fetch(internal.url("/admin.html")) == SECRET
        assert fetcher.fetch(public.redirect("/go", internal.url("/admin.html"))) == SECRET
    with Fetcher(allow_private=True) as fetcher:  # the CLI's --allow-private
        assert fetcher.fetch(internal.url("/admin.html")) == SECRET


def test_the_checked_address_is_the_one_connected_to(internal):
    """DNS rebinding: a name answering a public address for the check and an internal one for
    the connection. The name is resolved once per connection, and that address is used."""
    port = int(internal.base.rsplit(":", 1)[1])
    with serve("127.0.0.1", port) as public:  # the same port on the "public" address
        public.pages["/page.html"] = ("text/html", b"<p>public</p>")
        internal.pages["/page.html"] = ("text/html", SECRET)
        answers = iter(["127.0.0.1", "127.0.0.3", "127.0.0.3"])
        calls = []

        def rebinding(host, port, *args, **kwargs):
            calls.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

        url = f"http://news.rebind.test:{port}/page.html"
        with Fetcher(allow=PUBLIC, resolve=rebinding) as fetcher:
            assert fetcher.fetch(url) == b"<p>public</p>"
            assert calls == ["news.rebind.test"]
        with Fetcher(allow=PUBLIC, resolve=rebinding) as fetcher:  # a new connection
            assert refusal(fetcher, url).startswith("refused: 127.0.0.3 is a loopback")
    assert public.hits == ["/page.html"] and internal.hits == []


def endless(sent: list[int], *, length: int | None = None, every: float = 0.0):
    """A handler streaming 64 KiB blocks (or one line each ``every`` seconds) until the client
    goes away, counting the bytes it managed to send; it gives up after 60 s."""

    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if length is not None:
            handler.send_header("Content-Length", str(length))
        handler.end_headers()
        block = b"<p>tick</p>\n" if every else b"x" * 65536
        stop = time.monotonic() + 60
        try:
            while time.monotonic() < stop:
                handler.wfile.write(block)
                handler.wfile.flush()
                sent[0] += len(block)
                if every:
                    time.sleep(every)
        except OSError:
            pass  # the client hung up: what we want
        finally:
            handler.close_connection = True

    return answer


def test_an_oversize_body_is_cut_while_streaming(public):
    sent = [0]
    public.handlers["/huge.html"] = endless(sent)  # no Content-Length: 300 MB and more
    limit = 1024 * 1024
    started = time.monotonic()
    with Fetcher(allow=PUBLIC, max_bytes=limit) as fetcher:
        reason = refusal(fetcher, public.url("/huge.html"))
    assert reason == "page is over the 1,048,576-byte limit (ASSISTANT_MAX_FETCH_BYTES)"
    assert time.monotonic() - started < 5
    time.sleep(0.5)
    # What the server got out before the hang-up: the limit plus the sockets' buffers.
    assert sent[0] < 32 * 1024 * 1024, sent[0]


def test_a_declared_oversize_body_is_refused_before_it_is_read(public):
    sent = [0]
    public.handlers["/declared.html"] = endless(sent, length=300 * 1024 * 1024)
    with Fetcher(allow=PUBLIC, max_bytes=1024 * 1024) as fetcher:
        reason = refusal(fetcher, public.url("/declared.html"))
    assert reason == ("page is 314,572,800 bytes, over the 1,048,576-byte limit "
                      "(ASSISTANT_MAX_FETCH_BYTES)")


def test_a_dripping_server_is_cut_at_the_deadline(public):
    sent = [0]
    public.handlers["/drip.html"] = endless(sent, every=0.3)  # each read well inside a timeout
    started = time.monotonic()
    with Fetcher(allow=PUBLIC, timeout=2) as fetcher:
        reason = refusal(fetcher, public.url("/drip.html"))
    took = time.monotonic() - started
    assert reason == "no complete answer within 2 s (ASSISTANT_FETCH_TIMEOUT)"
    assert 1.9 < took < 3.5, took


def test_a_server_that_never_answers_is_cut_at_the_deadline():
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen()  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        started = time.monotonic()
        with Fetcher(allow=PUBLIC, timeout=1.5) as fetcher:
            assert refusal(fetcher, url).startswith("no complete answer within 1.5 s")
        assert time.monotonic() - started < 3
    finally:
        listener.close()


def test_too_many_redirects_are_refused(public):
    for n in range(7):
        public.redirect(f"/r{n}", public.url(f"/r{n + 1}"))
    with Fetcher(allow=PUBLIC) as fetcher:
        assert refusal(fetcher, public.url("/r0")) == "more than 5 redirects"
    assert len(public.hits) == 6


def test_fetches_from_several_threads_each_keep_their_own_deadline(public):
    public.pages["/ok.html"] = ("text/html", b"<p>ok</p>")
    sent = [0]
    public.handlers["/drip.html"] = endless(sent, every=0.3)
    results: dict[str, object] = {}

    def run(path: str, timeout: float) -> None:
        with Fetcher(allow=PUBLIC, timeout=timeout) as fetcher:
            try:
                results[path] = fetcher.fetch(public.url(path))
            except BadArticle as exc:
                results[path] = exc.reason

    threads = [threading.Thread(target=run, args=("/drip.html", 1.0)),
               threading.Thread(target=run, args=("/ok.html", 30.0))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == {"/drip.html": "no complete answer within 1 s (ASSISTANT_FETCH_TIMEOUT)",
                       "/ok.html": b"<p>ok</p>"}
