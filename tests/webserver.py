"""A real HTTP server (127.0.0.1 unless told) for the URL and feed tests, serving pages from a
dict, redirects, and handlers that write their own answer (slow or huge bodies)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Site:
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path → (type, body)
    hits: list[str] = field(default_factory=list)
    base: str = ""
    # path → a function that writes the whole answer itself
    handlers: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        def answer(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.handlers[path] = answer
        return self.url(path)

    def html(self, path: str, *, title: str, text: str, published: str, author: str,
             site: str = "Harbour Times") -> str:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
        body = f"""<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{published}T08:00:00Z">
<meta name="author" content="{author}"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article><h1>{escape(title)}</h1>{paragraphs}</article>
<footer>Copyright Harbour Times. Subscribe to our newsletter.</footer></body></html>"""
        self.pages[path] = ("text/html; charset=utf-8", body.encode())
        return self.url(path)

    def rss(self, path: str, entries: list[dict[str, str]], *, title: str = "World news") -> str:
        items = "".join(
            f"<item><title>{escape(e['title'])}</title><link>{escape(e['link'])}</link>"
            f"<guid>{escape(e['link'])}</guid><pubDate>{e['date']}</pubDate>"
            f"<author>{escape(e.get('author', 'desk@example.com (News Desk)'))}</author>"
            f"<description>{escape(e.get('content', ''))}</description></item>"
            for e in entries
        )
        body = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{title}</title><link>{self.base}/</link>"
                f"<description>Test feed</description>{items}</channel></rss>")
        self.pages[path] = ("application/rss+xml", body.encode())
        return self.url(path)


# What an internal page of the "internal" test site says (the ``internal`` fixture).
SECRET = b"<html><body><article><p>Internal admin page: the root password is hunter2.</p>" \
         b"</article></body></html>"


@contextmanager
def serve(host: str = "127.0.0.1", port: int = 0) -> Iterator[Site]:
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            site.hits.append(self.path)
            if self.path in site.handlers:
                site.handlers[self.path](self)
                return
            page = site.pages.get(self.path)
            if page is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", page[0])
            self.send_header("Content-Length", str(len(page[1])))
            self.end_headers()
            self.wfile.write(page[1])

        def log_message(self, *_args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        daemon_threads = True

    server = Server((host, port), Handler)
    shown = f"[{host}]" if ":" in host else host
    site.base = f"http://{shown}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
