"""Four kinds of chat reply in a real headless Chromium, each saved as a full-page screenshot:
a digest with dated citations, an answer drawn from several articles, a follow-up shown with the
question it was rewritten into, and an abstention that shows related passages as such.

The app is served by a real uvicorn over the hand-written news set (tests/data/news_eval).
The UI has no reference-date input: "last week" counts from the assistant's ``reference_date``
setting, fixed here so that the digest does not depend on today's date.

Screenshots go to ``tmp_path`` and, when ``ASSISTANT_SCREENSHOTS`` names a folder, there too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.assistant.interfaces import test_ui as ui
from tests.assistant.interfaces.test_ui import ask, open_chat
from tests.conftest import TEST_DATA, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEWS = TEST_DATA / "news_eval"
REFERENCE_DATE = date(2026, 10, 12)  # a Monday: "last week" is 2026-10-05 – 2026-10-11
# Read at import: the autouse ``_isolate`` fixture removes every ASSISTANT_* variable before a
# test runs.
SHOTS = os.environ.get("ASSISTANT_SCREENSHOTS")
ANSWER_TIMEOUT = 120_000
ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")

# The headless Chromium and the page (recording dialogs and page errors) of the UI tests.
browser, page = ui.browser, ui.page


@pytest.fixture(scope="module")
def server(tmp_path_factory, embeddings) -> Iterator[str]:
    """The app over the news set, with "today" fixed at REFERENCE_DATE; indexed and served
    once for the module (the tests only ask)."""
    from assistant import Assistant, Settings
    from assistant.evaluation import load_qa_articles
    from assistant.interfaces.server import create_app

    assistant = Assistant.from_settings(
        Settings(data_dir=tmp_path_factory.mktemp("news-eval") / "data",
                 reference_date=REFERENCE_DATE), embeddings=embeddings)
    try:
        report = assistant.add_articles(load_qa_articles(NEWS / "articles.jsonl"))
        assert not report.failed
        with serving(create_app(assistant)) as url:
            yield url
    finally:
        assistant.close()


def screenshot(page, tmp_path: Path, name: str) -> Path:
    """A full-page PNG in tmp_path (and in $ASSISTANT_SCREENSHOTS); checked not to be blank."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)
    assert shot.stat().st_size > 10_000, f"{name} is only {shot.stat().st_size} bytes"
    return shot


def answered(page, question: str):
    """Ask, and wait until a new reply is final; the reply's locator. The text streams in
    first, plain; the final reply has its Sources, or is an italic abstention (with any related
    passages) or an error message."""
    before = page.locator("#chat [data-testid='bot']").count()
    bot = ask(page, question)
    page.wait_for_function(
        """n => {
          const b = [...document.querySelectorAll('#chat [data-testid=bot]')];
          if (b.length <= n) return false;
          const last = b[b.length - 1];
          return /Sources|\u26a0/.test(last.innerText) || [...last.querySelectorAll('em')]
            .some(e => /contain an answer|was published/.test(e.innerText));
        }""", arg=before, timeout=ANSWER_TIMEOUT)
    return bot


def source_titles(bot) -> list[str]:
    """The titles of the numbered sources under an answer ("[n] Title")."""
    titles = []
    for summary in bot.locator("details.source:not(.related) summary strong").all():
        text = summary.inner_text().strip()
        titles.append(re.sub(r"^\[\d+\]\s*", "", text))
    return titles


def test_digest_lists_the_week_s_stories_with_their_dates(server, page, tmp_path):
    open_chat(page, server)
    bot = answered(page, "What happened in London last week?")
    text = bot.inner_text()
    # The period "last week" was read as, counted from the reference date.
    assert "last week" in text and "2026-10-05 – 2026-10-11" in text
    sources = bot.locator("details.source:not(.related)")
    assert sources.count() >= 2, text
    dates = []
    for i in range(sources.count()):
        meta = sources.nth(i).locator("summary .meta").inner_text()
        found = ISO_DATE.findall(meta)
        assert found, f"source {i + 1} shows no date: {meta!r}"
        dates.append(date.fromisoformat(found[0]))
    # Every story is from the week asked about, and they are not all one day's.
    assert all(date(2026, 10, 5) <= d <= date(2026, 10, 11) for d in dates), dates
    assert len(set(dates)) >= 2, dates
    assert len(bot.locator("a.cite").all()) >= 2  # the stories' [n] are links to the sources
    screenshot(page, tmp_path, "digest.png")
    assert page.errors == [] and page.dialogs == []


def test_answer_from_several_articles_cites_each(server, page, tmp_path):
    open_chat(page, server)
    bot = answered(page, "How big were the fines imposed on Capital Water and on Parlo?")
    assert bot.get_by_text("Sources", exact=True).count() == 1, bot.inner_text()
    titles = source_titles(bot)
    assert len(set(titles)) >= 2, titles
    # One cited article for each of the two things asked about.
    assert any("Capital Water" in t for t in titles), titles
    assert any("Parlo" in t for t in titles), titles
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", " ".join(
        a.inner_text() for a in bot.locator("a.cite").all()))}
    assert len(cited) >= 2, cited  # the answer's text cites both, not only the list
    screenshot(page, tmp_path, "several.png")
    assert page.errors == [] and page.dialogs == []


def test_follow_up_shows_the_standalone_question(server, page, tmp_path):
    open_chat(page, server)
    first = answered(page, "Where is the cholera outbreak in Kenya?")
    assert "Turkana" in first.inner_text()
    bot = answered(page, "What caused it?")
    assert page.locator("#chat [data-testid='bot']").count() == 2
    text = bot.inner_text()
    understood = re.search(r"Understood as: (.+)", text)
    assert understood, text
    rewritten = understood.group(1).strip()
    # "it" was resolved from the first turn: the shown question names the outbreak.
    assert rewritten != "What caused it?" and "cholera" in rewritten.lower(), rewritten
    assert not re.search(r"\bit\b", rewritten), rewritten
    assert any("Cholera" in t for t in source_titles(bot)), source_titles(bot)
    screenshot(page, tmp_path, "followup.png")
    assert page.errors == [] and page.dialogs == []


def test_near_miss_shows_related_passages_not_an_answer(server, page, tmp_path):
    open_chat(page, server)
    bot = answered(page, "Is there a metro strike in Berlin?")
    text = bot.inner_text()
    assert "don't appear to contain an answer" in text
    assert "Related passages" in text and "(not an answer)" in text
    related = bot.locator("details.source.related")
    assert related.count() >= 1, text
    # The related passages are about strikes elsewhere, each shown with its date...
    summaries = [s.inner_text() for s in related.locator("summary").all()]
    assert "strike" in summaries[0].lower(), summaries
    assert all(ISO_DATE.search(s) for s in summaries), summaries
    # ...and nothing is presented as an answer: no Sources list, no [n] citations.
    assert bot.get_by_text("Sources", exact=True).count() == 0
    assert bot.locator("details.source:not(.related), a.cite").count() == 0
    related.first.locator("summary").click()  # the passage opens, so the screenshot shows it
    assert related.first.evaluate("d => d.open")
    screenshot(page, tmp_path, "related.png")
    assert page.errors == [] and page.dialogs == []
