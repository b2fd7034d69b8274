"""The page's details in a real headless Chromium: bold text in the body typeface (whole font
files, no letter drawn in a fallback face), the Conversations picker showing titles, the
articles-per-day chart placed by date with labels apart, the article table filling its frame, a
refused address shown as typed, and the question box's placeholder whole at 390 px. Screenshots
go to ``tmp_path`` (and to ``$ASSISTANT_SCREENSHOTS``)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.assistant.interfaces import test_ui as ui
from tests.assistant.interfaces.test_ui import open_chat, recording_page
from tests.assistant.interfaces.test_ui_answers import answered, screenshot
from tests.assistant.interfaces.test_ui_chat import VOLCANO
from tests.conftest import DENEUVE_QUESTION

pytestmark = [pytest.mark.browser, pytest.mark.slow]

browser, site = ui.browser, ui.server

# Whether every letter of an element's text is drawn in the page's font at the element's
# weight: with two different fallbacks behind it, the widths differ if any letter falls back.
WHOLE_GLYPHS = """e => { const s = getComputedStyle(e), c = document.createElement('canvas')
  .getContext('2d'), text = e.innerText.trim(), face = s.fontFamily.split(',')[0];
  const width = fallback => { c.font = `${s.fontWeight} 40px ${face}, ${fallback}`;
                              return c.measureText(text).width; };
  return [face, s.fontWeight, text, width('monospace'), width('serif')]; }"""


def test_bold_text_conversations_and_placeholder(site, browser, tmp_path):
    page = recording_page(browser)
    open_chat(page, site)
    bot = answered(page, DENEUVE_QUESTION)
    page.evaluate("document.fonts.ready")
    page.wait_for_function("() => document.fonts.status === 'loaded'", timeout=30_000)
    bold = [page.locator("h1").first, page.locator("#ask"), bot.locator("strong").first,
            bot.locator("details.source summary strong").first]
    for element in bold:
        face, weight, text, mono, serif = element.evaluate(WHOLE_GLYPHS)
        assert face.strip('"') == "News Sans" and int(weight) >= 600, (text, face, weight)
        assert abs(mono - serif) < 0.5, f"{text!r} is drawn partly in a fallback face"
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.family.includes('News'))
        .map(f => [f.weight, f.status])""")
    assert ["600 900", "loaded"] in loaded, loaded
    page.locator("#ask").screenshot(path=str(tmp_path / "ask-button.png"))
    screenshot(page, tmp_path, "bold-text.png")

    # The picker shows the conversation's title: after the answer, after a switch, a reload.
    picker = page.locator("#conversations input")
    page.wait_for_function("q => document.querySelector('#conversations input').value"
                           ".startsWith(q.slice(0, 40))", arg=DENEUVE_QUESTION, timeout=30_000)
    page.locator("#new").click()
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=user]')",
                           timeout=30_000)
    answered(page, VOLCANO)
    page.wait_for_function("q => document.querySelector('#conversations input').value === q",
                           arg=VOLCANO, timeout=30_000)
    picker.click()
    page.get_by_role("option", name=DENEUVE_QUESTION[:40]).click()
    page.wait_for_function("q => document.querySelector('#conversations input').value"
                           ".startsWith(q.slice(0, 40))", arg=DENEUVE_QUESTION, timeout=30_000)
    page.wait_for_function("() => document.querySelector('#chat').innerText"
                           ".includes('puritanism')", timeout=30_000)
    page.wait_for_function("""() => { const i = document.querySelector('#conversations input');
        return i.title === i.value; }""", timeout=10_000)  # whole on hover
    # A long title ends in an ellipsis before the arrow instead of running under it.
    arrow = page.locator("#conversations .icon-wrap").bounding_box()
    text_right = picker.evaluate("""e => e.getBoundingClientRect().right
        - parseFloat(getComputedStyle(e).paddingRight)""")
    assert text_right <= arrow["x"] + 1, (text_right, arrow)
    assert picker.evaluate("e => getComputedStyle(e).textOverflow") == "ellipsis"
    page.reload(wait_until="domcontentloaded")
    open_chat(page, site)
    page.wait_for_function("q => document.querySelector('#conversations input').value"
                           ".startsWith(q.slice(0, 40))", arg=DENEUVE_QUESTION, timeout=30_000)
    screenshot(page, tmp_path, "conversations.png")

    # 390 px wide: the question box's placeholder is shown whole.
    page.set_viewport_size({"width": 390, "height": 900})
    box = page.locator("#question textarea")
    fits = box.evaluate("""e => { const s = getComputedStyle(e), c = document.createElement(
        'canvas').getContext('2d'); c.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      return [c.measureText(e.placeholder).width, room]; }""")
    assert fits[0] <= fits[1], fits
    screenshot(page, tmp_path, "narrow-placeholder.png")
    assert page.errors == [] and page.dialogs == []
    page.close()


def test_articles_tab_chart_table_and_refused_address(site, browser, tmp_path):
    page = recording_page(browser)
    open_chat(page, site)
    page.get_by_role("tab", name="Articles").click()
    chart = page.locator("#per-day svg")
    chart.wait_for(timeout=30_000)
    # Bars sit at their dates: the gaps between the sample's days are in proportion to time.
    bars = chart.evaluate("""svg => [...svg.querySelectorAll('rect.day-bar')].map(r => [
        r.querySelector('title').textContent.slice(0, 10),
        r.getBoundingClientRect().x + r.getBoundingClientRect().width / 2])""")
    at = {day: x for day, x in bars}
    days = sorted(at)
    assert len(days) >= 4
    scale = (at[days[-1]] - at[days[0]]) / (date.fromisoformat(days[-1])
                                            - date.fromisoformat(days[0])).days
    for day in days[1:-1]:
        expected = at[days[0]] + scale * (date.fromisoformat(day)
                                          - date.fromisoformat(days[0])).days
        assert abs(at[day] - expected) < 1.5, (day, at[day], expected)
    labels = chart.evaluate("""svg => [...svg.querySelectorAll('text.day-label')].map(t => {
        const r = t.getBoundingClientRect(); return [r.left, r.right]; })""")
    assert len(labels) >= 2
    for (_, right), (left, _) in zip(labels, labels[1:], strict=False):
        assert right + 4 <= left, labels  # apart, never overlapping
    box = chart.bounding_box()
    assert labels[0][0] >= box["x"] and labels[-1][1] <= box["x"] + box["width"]

    # The table fills its frame.
    table = page.locator("#articles")
    table.locator(".virtual-row").first.wait_for(timeout=30_000)
    widths = table.evaluate("""e => [e.getBoundingClientRect().width,
        e.querySelector('table').getBoundingClientRect().width]""")
    assert widths[1] >= widths[0] - 4, widths

    # A refused address is shown as typed: no Markdown escapes.
    address = "http://127.0.0.1:9/private_page-1.html"
    page.locator("#url input, #url textarea").first.fill(address)
    page.locator("#add-url").click()
    result = page.locator("#url-result")
    result.get_by_text("loopback").wait_for(timeout=60_000)
    assert address in result.inner_text() and "\\" not in result.inner_text()
    screenshot(page, tmp_path, "articles-tab.png")
    assert page.errors == [] and page.dialogs == []
    page.close()
