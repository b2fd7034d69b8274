"""Story timelines over the hand-made syndicated set (tests/stories.py), through one real uvicorn
server: ``GET /api/v1/timeline``, then in one headless Chromium page the Articles tab's chart of
articles per day, the Timeline tab's chart (points linked to their articles) and its list, and a
"latest" question answered from older articles showing its "as of" date and note.
An upload (an otter story of its own) shows the per-day chart redrawn.

Screenshots go to ``tmp_path`` (and to ``$ASSISTANT_SCREENSHOTS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.assistant.interfaces import test_ui as ui
from tests.assistant.interfaces.test_ui import open_chat, recording_page
from tests.assistant.interfaces.test_ui_answers import answered, screenshot
from tests.conftest import serving
from tests.stories import story_articles

pytestmark = [pytest.mark.browser, pytest.mark.slow]

browser = ui.browser
TOPIC = "Rotterdam port strike"
LATEST = "What is the latest on the Rotterdam dockworkers strike?"
EXPLAINER = "Why Rotterdam's dockworkers fear the automated cranes"
TITLES = ["Rotterdam dockworkers strike over automation",
          "Rotterdam dockworkers end strike after job guarantee",
          "Antwerp port workers strike against pension reform"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, embeddings) -> Iterator[str]:
    from assistant import Assistant, Settings
    from assistant.interfaces.server import create_app

    root = tmp_path_factory.mktemp("timeline-site")
    a = Assistant.from_settings(Settings(data_dir=root / "data"), embeddings=embeddings)
    assert not a.add_articles(story_articles()).failed
    try:
        with serving(create_app(a)) as url:
            yield url
    finally:
        a.close()


def test_timeline_over_http(site):
    with httpx.Client(base_url=site + "/api/v1", timeout=60) as api:
        body = api.get("/timeline", params={"q": TOPIC}).json()
        assert [e["title"] for e in body["entries"]] == TITLES
        assert [e["date"] for e in body["entries"]] == ["2024-03-04", "2024-03-06", "2024-03-14"]
        wire = body["entries"][0]
        assert wire["origin"] == "Reuters" and wire["agency"] is True
        assert wire["outlets"] == ["Reuters", "Dutch Daily", "Maritime Wire", "Europe Today"]
        # The undated explainer on the strike is listed apart, its outlet a third source.
        assert [e["source"] for e in body["undated"]] == ["Harbour Notes"]
        assert body["stories"] == 4 and body["sources"] == ["Reuters", "AFP", "Harbour Notes"]
        only = api.get("/timeline", params=[("q", TOPIC), ("source", "AFP")]).json()
        assert [e["source"] for e in only["entries"]] == ["AFP"]
        bad = api.get("/timeline", params={"q": TOPIC, "since": "March"})
        assert bad.status_code == 422 and "since" in bad.json()["error"]
        missing = api.get("/timeline")
        assert missing.status_code == 422 and "q" in missing.json()["error"]
        assert "Traceback" not in bad.text + missing.text


def test_timeline_chart_per_day_chart_and_as_of_answer_in_the_browser(site, browser, tmp_path):
    page = recording_page(browser)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    # The articles' sites are not reachable offline: the browser gets a page per article here.
    page.context.route("https://news.example/**", lambda route: route.fulfill(
        content_type="text/html", body=f"<title>article {route.request.url}</title>"))
    open_chat(page, site)

    # Articles tab: one bar per source and day, its numbers in the tooltip.
    page.get_by_role("tab", name="Articles").click()
    chart = page.locator("#per-day-chart")
    expect(chart.locator("rect.day-bar").first).to_be_visible(timeout=30_000)
    bars = {b.locator("title").text_content() for b in chart.locator("rect.day-bar").all()}
    assert {"2024-03-04 — Reuters: 1 article", "2024-03-04 — Dutch Daily: 1 article",
            "2024-03-05 — Maritime Wire: 1 article", "2024-03-14 — AFP: 1 article"} <= bars
    assert sorted({bar.split(" — ")[0] for bar in bars}) == [
        "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-14", "2024-08-21"]
    assert "1 undated article not shown" in chart.inner_text()
    screenshot(page, tmp_path, "articles-per-day.png")
    # An uploaded article is drawn once it is indexed.
    story = tmp_path / "otters.md"
    story.write_text("---\ntitle: Otters return to the Thames\nsource: River Gazette\n"
                     "published: 2024-04-02\n---\nConservationists counted eleven otters "
                     "along the upper Thames this spring.\n")
    page.locator("#upload input[type=file]").set_input_files(str(story))
    page.locator("#add-files").click()
    expect(chart.locator("rect.day-bar title", has_text="2024-04-02 — River Gazette: 1 article")
           ).to_have_count(1, timeout=60_000)

    # Timeline tab: a point per article, on its source's row, linked to the article.
    page.get_by_role("tab", name="Timeline").click()
    page.locator("#timeline-query textarea").fill(TOPIC)
    page.locator("#timeline-go").click()
    points = page.locator("#timeline-svg a.tl-point")
    expect(points).to_have_count(3, timeout=60_000)
    tips = [p.locator("title").text_content() for p in points.all()]
    assert [t.split(" — ")[1].split(" (")[0] for t in tips] == TITLES
    assert tips[0].endswith("(Reuters; Reuters story, carried by 4 outlets)")
    assert points.first.get_attribute("href") == "https://news.example/port-strike"
    expect(page.locator("#timeline-svg")).to_contain_text("×4")
    message = page.locator("#timeline-message")
    expect(message).to_contain_text(
        "4 articles, 4 stories, 3 independent sources: Reuters, AFP, Harbour Notes")
    links = page.locator("#timeline-links li a")
    assert [a.inner_text() for a in links.all()] == [*TITLES, EXPLAINER]  # undated: listed last
    screenshot(page, tmp_path, "timeline.png")
    with page.expect_popup() as opened:
        points.nth(1).click()
    article = opened.value
    article.wait_for_load_state()
    assert article.url == "https://news.example/port-deal"
    article.close()

    # A question about now, answered from 2024 articles: "as of" and the note after Sources.
    page.get_by_role("tab", name="Chat").click()
    bot = answered(page, LATEST)
    provenance = bot.locator(".provenance")
    expect(provenance).to_contain_text("as of 2024-03-06")
    expect(bot).to_contain_text(re.compile(
        r"The newest article this rests on is from 2024-03-06 \(\d+ weeks before "
        r"\d{4}-\d{2}-\d{2}\); nothing newer on it is indexed"))
    screenshot(page, tmp_path, "as-of-answer.png")
    assert page.errors == [] and refused == []
    page.close()
