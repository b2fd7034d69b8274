"""The chat in a real headless Chromium, against the app served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import DENEUVE_QUESTION

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(news) -> Iterator[str]:
    import uvicorn

    from assistant.server import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(news), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    yield url
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(tmp_path):
    if not shutil.which("chromium") and not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install "
                    "chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        yield page
        browser.close()


def test_health_endpoint(server):
    body = httpx.get(f"{server}/api/v1/health", timeout=10).json()
    assert body["status"] == "ok" and body["articles"] == 5


def test_asking_in_the_chat_shows_a_cited_answer(server, page, tmp_path):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server, wait_until="networkidle")
    page.get_by_text("Ask about the 5 indexed articles").wait_for(timeout=30_000)
    page.locator("#question textarea").fill(DENEUVE_QUESTION)
    page.locator("#ask").click()
    bot = page.locator("#chat .message.bot, #chat [data-testid='bot']").last
    bot.get_by_text("Sources").wait_for(timeout=60_000)
    text = bot.inner_text()
    assert "puritanism" in text and "[1]" in text
    assert "Deneuve and 99 French women" in text and "2018-01-09" in text
    # The supporting sentence is highlighted inside the cited passage.
    assert "puritanism" in bot.locator("blockquote strong").first.inner_text()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    assert (tmp_path / "chat.png").stat().st_size > 10_000
    assert errors == []


def test_unrelated_question_abstains_in_the_chat(server, page):
    page.goto(server, wait_until="networkidle")
    page.locator("#question textarea").fill("What is the recipe for lemon meringue pie?")
    page.locator("#ask").click()
    page.get_by_text("don't appear to contain an answer").wait_for(timeout=60_000)
    assert page.locator("#chat").get_by_text("Sources").count() == 0


def test_follow_up_in_the_chat_shows_the_rewritten_question(server, page):
    page.goto(server, wait_until="networkidle")
    box = page.locator("#question textarea")
    box.fill("Who is Marlene Schiappa?")
    page.locator("#ask").click()
    page.locator("#chat").get_by_text("Sources").first.wait_for(timeout=60_000)
    box.fill("What did she kick off?")
    page.locator("#ask").click()
    page.get_by_text("Understood as: What did Marlene Schiappa kick off?").wait_for(
        timeout=60_000)
    bot = page.locator("#chat .message.bot, #chat [data-testid='bot']").last
    bot.get_by_text("Sources").wait_for(timeout=60_000)
    assert "nationwide consultations" in bot.inner_text()
