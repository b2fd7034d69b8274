"""The UI in a real headless Chromium, against the app served by a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.conftest import DENEUVE_QUESTION, TEST_DATA, served_assistant, serving
from tests.documents import BRIDGE, image_only_pdf, make_docx, make_pdf

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory, embeddings) -> Iterator[str]:
    """The app over the sample article and four short news items, served once for the module
    (indexing them again for every test made these the slowest tests of CI). Tests that change
    the index (an upload) add only articles of their own."""
    root = tmp_path_factory.mktemp("ui-site")
    with served_assistant(root, embeddings, TEST_DATA / "articles.jsonl") as url:
        yield url


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright."""
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install "
                    "chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def recording_page(browser, width: int = 1280, height: int = 1000):
    """A page that records every JavaScript dialog and page error."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.fixture
def page(browser):
    page = recording_page(browser)
    yield page
    page.close()


def open_chat(page, url: str) -> None:
    """Load the chat and wait until its question box is usable. Not "networkidle": Gradio keeps
    a connection open, and on a loaded 2-core machine the first load of its bundle can take a
    while."""
    page.goto(url, wait_until="domcontentloaded", timeout=90_000)
    page.locator("#question textarea").wait_for(timeout=90_000)


def ask(page, question: str):
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    bot = page.locator("#chat [data-testid='bot']").last
    return bot


def test_health_endpoint(server):
    body = httpx.get(f"{server}/api/v1/health", timeout=10).json()
    assert body == {"status": "ok", "articles": 5}


def test_ask_shows_a_cited_answer_and_the_citation_opens_its_passage(server, page, tmp_path):
    open_chat(page, server)
    page.get_by_text("Ask about the 5 indexed articles").wait_for(timeout=30_000)
    bot = ask(page, DENEUVE_QUESTION)
    bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
    assert "puritanism" in bot.inner_text()
    source = bot.locator("details.source").first
    assert "Deneuve and 99 French women" in source.inner_text()
    assert "2018-01-09" in source.inner_text() and "Reuters/AFP" in source.inner_text()
    assert not source.evaluate("d => d.open")
    bot.locator("a.cite").first.click()
    page.wait_for_function("() => document.querySelector('details.source').open")
    mark = source.locator("mark").first
    assert mark.is_visible() and "puritanism" in mark.inner_text()
    page.screenshot(path=str(tmp_path / "chat.png"), full_page=True)
    assert (tmp_path / "chat.png").stat().st_size > 10_000
    assert page.errors == [] and page.dialogs == []


def test_unrelated_question_abstains(server, page):
    open_chat(page, server)
    ask(page, "What is the recipe for lemon meringue pie?")
    page.get_by_text("don't appear to contain an answer").wait_for(timeout=120_000)
    assert page.locator("#chat details.source").count() == 0


def test_upload_an_article_then_ask_about_it(server, page, tmp_path):
    story = tmp_path / "otters.md"
    story.write_text("---\ntitle: Otters return to the Thames\nsource: River Gazette\n"
                     "published: 2024-04-02\n---\nConservationists counted eleven otters "
                     "along the upper Thames this spring, the first breeding group seen "
                     "there in sixty years.\n")
    (tmp_path / "lock.pdf").write_bytes(make_pdf([BRIDGE], title="Lock gates replaced"))
    (tmp_path / "ferry.docx").write_bytes(make_docx(BRIDGE[:1], title="Ferry timetable"))
    (tmp_path / "scan.pdf").write_bytes(image_only_pdf())
    open_chat(page, server)
    page.get_by_role("tab", name="Articles").click()
    upload = page.locator("#upload input[type=file]")
    accepted = {t.strip() for t in upload.get_attribute("accept").split(",")}
    assert {".pdf", ".docx", ".md"} <= accepted
    upload.set_input_files([str(tmp_path / n) for n in ("otters.md", "lock.pdf", "ferry.docx",
                                                        "scan.pdf")])
    page.locator("#add-files").click()
    result = page.locator("#articles-result")
    result.get_by_text("Added 3").wait_for(timeout=120_000)
    assert "scan.pdf" in result.inner_text() and "has no text layer" in result.inner_text()
    for title in ("Otters return to the Thames", "Lock gates replaced", "Ferry timetable"):
        assert page.locator("#articles").get_by_text(title).count() >= 1
    page.get_by_role("tab", name="Chat").click()
    bot = ask(page, "How many otters were counted along the Thames?")
    bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
    assert "eleven otters" in bot.inner_text()
    assert "Otters return to the Thames" in bot.locator("details.source").first.inner_text()


def test_article_html_never_runs_in_the_page(news, browser, tmp_path):
    from assistant.interfaces.server import create_app
    from index import Article

    evil = ('Mayor <script>alert("xss-script")</script> resigns. The mayor of Hilltown, '
            'Ed Quill, resigned on Monday <img src=x onerror=alert("xss-img")> after a '
            'vote of no confidence by the council.')
    news.add_articles([Article(title='<img src=x onerror=alert("xss-title")>Hilltown mayor',
                               text=evil, source="<b>Gazette</b>")])
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    with serving(create_app(news)) as url:
        open_chat(page, url)
        bot = ask(page, "Why did the mayor of Hilltown resign?")
        bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
        bot.locator("a.cite").first.click()
        page.wait_for_timeout(500)
        text = bot.inner_text()
        assert "Ed Quill" in text
        assert "onerror" in text or "script" in text  # shown as text, not run
        assert bot.locator("script, img[src='x']").count() == 0
        page.get_by_role("tab", name="Articles").click()
        page.wait_for_timeout(1000)
    assert dialogs == []
    page.close()


def test_follow_up_in_the_chat_shows_the_rewritten_question(server, page):
    open_chat(page, server)
    ask(page, "Who is Marlene Schiappa?").get_by_text("Sources", exact=True).wait_for(
        timeout=120_000)
    ask(page, "What did she kick off?")
    page.get_by_text("Understood as: What did Marlene Schiappa kick off?").wait_for(
        timeout=120_000)
    bot = page.locator("#chat [data-testid='bot']").last
    bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
    assert "nationwide consultations" in bot.inner_text()


def test_filters_beside_the_chat_limit_the_answer(server, page):
    open_chat(page, server)
    page.locator("#until input, #until textarea").first.fill("2023-12-31")
    bot = ask(page, "How much will the new pedestrian bridge cost?")
    page.wait_for_function(
        "() => { const b = [...document.querySelectorAll('#chat [data-testid=bot]')].pop();"
        " return b && /Sources|contain an answer/.test(b.innerText); }", timeout=120_000)
    assert "48 million" not in bot.inner_text()  # the 2024 article is filtered out
    page.locator("#until input, #until textarea").first.fill("")
    bot = ask(page, "How much will the new pedestrian bridge cost?")
    bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
    assert "48 million euros" in bot.inner_text()


def test_date_in_the_question_is_shown(server, page):
    open_chat(page, server)
    bot = ask(page, "What erupted in December 2023?")
    bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
    text = bot.inner_text()
    assert "in December 2023" in text and "2023-12-01 – 2023-12-31" in text
    assert "Reykjanes" in text or "volcano" in text.lower()


def test_bad_filter_date_is_a_message_not_a_traceback(server, page):
    open_chat(page, server)
    page.locator("#since input, #since textarea").first.fill("yesterday-ish")
    bot = ask(page, "Who is Marlene Schiappa?")
    bot.get_by_text("YYYY-MM-DD").wait_for(timeout=120_000)
    text = bot.inner_text()
    assert "'yesterday-ish' is not a date" in text and "Traceback" not in text
    assert "Schiappa" not in text  # nothing was answered with a broken filter


def test_page_works_under_its_security_policy(server, browser):
    """The CSP is sent and the chat still loads and answers, with nothing refused by it."""
    assert "frame-ancestors 'self'" in httpx.get(server).headers["content-security-policy"]
    page = browser.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    open_chat(page, server)
    bot = ask(page, DENEUVE_QUESTION)
    bot.get_by_text("Sources", exact=True).wait_for(timeout=120_000)
    assert "puritanism" in bot.inner_text()
    assert refused == []
    page.close()


def test_api_docs_render_offline(server, browser):
    """/docs (Swagger UI) comes from the server itself: with every other host unreachable it
    still lists the endpoints."""
    page = browser.new_page()
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{server}/docs", wait_until="domcontentloaded", timeout=90_000)
    page.get_by_text("/api/v1/ask", exact=True).first.wait_for(timeout=60_000)
    assert page.locator(".opblock").count() >= 9
    assert outside == []
    page.close()
