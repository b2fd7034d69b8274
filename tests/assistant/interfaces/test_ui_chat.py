"""The chat people expect, in a real headless Chromium against real uvicorn servers: stop, retry,
edit and undo; conversations kept across reloads, a new one and a list of past ones; a Markdown
export with its sources; ``/ask`` from gradio_client; and the UI details (example, labels,
narrow window, articles table, upload, selection, empty index).

To keep CI short, each server is started once for the module and each flow runs in one page;
the checks of a flow follow each other as a user would go. Screenshots go to ``tmp_path`` (and
to ``$ASSISTANT_SCREENSHOTS``).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.assistant.interfaces import test_ui as ui
from tests.assistant.interfaces.test_ui import open_chat, recording_page
from tests.assistant.interfaces.test_ui_answers import answered, screenshot
from tests.conftest import DENEUVE_QUESTION, TEST_DATA, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCHIAPPA = "Who is Marlene Schiappa?"
VOLCANO = "What erupted in December 2023?"
RATES = "How much did the European Central Bank raise its key interest rate?"
SLOW_REPLY = ("The European Central Bank raised its key interest rate by a quarter point on "
              "Thursday, its tenth consecutive increase [1].")
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


# One headless Chromium and one server over the sample and four news items for the module.
browser, site = ui.browser, ui.server


def slow_model() -> Any:
    """A fake LLM (the one part that cannot run here) whose first answer writes a word every
    0.4 s, so it is still streaming when Stop is clicked on a loaded machine; later answers (the
    retry) come at 0.05 s a word."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    streams = itertools.count()

    class SlowChatModel(GenericFakeChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            pause = 0.4 if next(streams) == 0 else 0.05
            for chunk in super()._stream(*args, **kwargs):
                time.sleep(pause)
                yield chunk

    return SlowChatModel(messages=itertools.cycle([AIMessage(content=SLOW_REPLY)]))


def bots(page):
    return page.locator("#chat [data-testid='bot']")


def users(page):
    return page.locator("#chat [data-testid='user']")


def cite_href(page) -> str | None:
    links = page.locator("#chat a.cite")
    return links.last.get_attribute("href") if links.count() else None


def wait_for_new_answer(page, old_href: str | None) -> None:
    """Wait until the last reply is a new, final answer (its citation anchors are new)."""
    page.wait_for_function(
        """old => { const a = [...document.querySelectorAll('#chat a.cite')].pop();
                    return a && a.getAttribute('href') !== old; }""",
        arg=old_href, timeout=120_000)


def reload(page, url: str) -> None:
    page.reload(wait_until="domcontentloaded")
    open_chat(page, url)
    page.wait_for_function("() => document.querySelectorAll('#chat [data-testid]').length",
                           timeout=30_000)


def test_gradio_client_asks_with_only_the_question(site):
    from gradio_client import Client

    client = Client(site, verbose=False)
    reply = client.predict(SCHIAPPA, api_name="/ask")
    assert reply["error"] is None and not reply["abstained"]
    assert "Schiappa" in reply["answer"] and "[1]" in reply["answer"]
    cited = reply["citations"][0]
    assert cited["n"] == 1 and cited["published"] == "2018-01-09"
    assert cited["title"].startswith("Deneuve and 99 French women")
    assert "Marlene Schiappa" in cited["passage"] and "url" in cited
    assert 'class="cite"' in reply["html"] and "**Sources**" in reply["html"]
    # How many independent sources ("PARIS (Reuters, AFP)": a joint story of two agencies).
    assert reply["sources_summary"].startswith("2 sources: Reuters, AFP")
    assert reply["as_of"] == "2018-01-09"
    assert "as of 2018\\-01\\-09" in reply["html"] and reply["notes"] == []
    # A follow-up with the history a script kept; filters by keyword; errors as data.
    follow = client.predict("What did she kick off?", history=[
        {"role": "user", "content": SCHIAPPA},
        {"role": "assistant", "content": reply["answer"], "citations": reply["citations"]}],
        api_name="/ask")
    assert "nationwide consultations" in follow["answer"], follow
    assert follow["rewritten_question"] == "What did Marlene Schiappa kick off?"
    bad = client.predict(SCHIAPPA, since="soon", api_name="/ask")
    assert "'soon' is not a date" in bad["error"] and bad["citations"] == []
    robot = client.predict(SCHIAPPA, history=[{"role": "robot", "content": "hi"}],
                           api_name="/ask")
    assert "role 'user' or 'assistant'" in robot["error"] and robot["answer"] == ""
    assert "between 1 and 50" in client.predict(SCHIAPPA, k=0, api_name="/ask")["error"]
    # The answer's one schema (conflicts included), and /stats with no argument.
    assert set(reply) >= {"text", "form", "answer_spans", "related", "conflicts", "date_range"}
    stats = client.predict(api_name="/stats")
    assert stats["articles"] == 5 and stats["embedding_model"] == "all-MiniLM-L6-v2"


def test_a_conversation_is_answered_again_edited_exported_and_kept(site, browser, tmp_path):
    page = recording_page(browser)
    open_chat(page, site)
    # The example question is shown whole and fills the box.
    example = page.locator("#example")
    assert example.inner_text().strip() == DENEUVE_QUESTION
    assert example.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    example.click()
    expect(page.locator("#question textarea")).to_have_value(DENEUVE_QUESTION)
    bot = answered(page, DENEUVE_QUESTION)
    assert "puritanism" in bot.inner_text()
    # Screen readers hear the answer's words, not its HTML and Markdown.
    label = bot.evaluate("""b => (b.closest("[aria-label*='message: ']")
        || b.querySelector("[aria-label*='message: ']")).getAttribute("aria-label")""")
    assert "puritanism" in label and not re.search(r"[<>\\]|Sources|class=", label), label

    # Export: Markdown with the question, the answer and each source with its passage.
    with page.expect_download() as download:
        page.locator("#export").click()
    exported = download.value.path().read_text(encoding="utf-8")
    assert download.value.suggested_filename.startswith("conversation-what-did-catherine")
    assert f"## {DENEUVE_QUESTION}" in exported and "puritanism" in exported
    assert re.search(r"^1\. \*\*Deneuve and 99 French women.*\*\* — 2018-01-09 · Reuters/AFP",
                     exported, re.M), exported
    assert re.search(r"^   > .*Deneuve", exported, re.M), exported

    # Retry answers the same question again, in place.
    first = cite_href(page)
    page.locator("#chat").get_by_role("button", name="Retry").click()
    wait_for_new_answer(page, first)
    assert users(page).count() == 1 and bots(page).count() == 1
    assert "puritanism" in bots(page).last.inner_text()

    # Editing the question replaces it, and its answer.
    before = cite_href(page)
    page.locator("#chat").get_by_role("button", name="Edit").click()
    page.locator("#chat textarea").fill(SCHIAPPA)
    page.locator("#chat").get_by_role("button", name="Submit").click()
    wait_for_new_answer(page, before)
    assert users(page).count() == 1 and users(page).first.inner_text().strip() == SCHIAPPA
    assert "Schiappa" in bots(page).last.inner_text()
    screenshot(page, tmp_path, "chat-edited.png")

    # A reload keeps the conversation, listed under its first question.
    reload(page, site)
    bots(page).last.get_by_text("Sources", exact=True).wait_for(timeout=30_000)
    assert users(page).first.inner_text().strip() == SCHIAPPA
    assert page.locator("#conversations input").input_value() == SCHIAPPA

    # A new conversation starts empty; the old one is one pick away.
    page.locator("#new").click()
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=user]')",
                           timeout=30_000)
    assert "2023-12-18" in answered(page, VOLCANO).inner_text()
    page.locator("#conversations input").click()
    page.get_by_role("option", name=SCHIAPPA).click()
    page.wait_for_function(
        "q => [...document.querySelectorAll('#chat [data-testid=user]')]"
        ".some(u => u.innerText.includes(q))", arg=SCHIAPPA, timeout=30_000)
    assert "Schiappa" in bots(page).last.inner_text() and users(page).count() == 1

    # Undo takes the exchange back and puts its question in the box; that too survives a reload.
    page.locator("#chat").get_by_role("button", name="Undo").click()
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=user]')",
                           timeout=30_000)
    expect(page.locator("#question textarea")).to_have_value(SCHIAPPA)
    reload(page, site)
    expect(page.locator("#conversations input")).to_have_value("New conversation")
    assert users(page).count() == 0 and page.locator("#export").is_disabled()
    page.locator("#conversations input").click()
    assert page.get_by_role("option", name=VOLCANO).count() == 1
    screenshot(page, tmp_path, "chat-conversations.png")
    assert page.errors == [] and page.dialogs == []
    page.close()


def test_articles_tab_in_a_narrow_window(site, browser, tmp_path):
    """390 px wide: dates stay whole; the table is not monospace; an upload's progress and
    result stay by its button and the box empties; deleting needs a selected row."""
    page = recording_page(browser, width=390, height=900)
    open_chat(page, site)
    bot = answered(page, DENEUVE_QUESTION)
    date = bot.locator("details.source .date").first
    assert date.inner_text() == "2018-01-09" and date.evaluate("e => e.getClientRects().length") \
        == 1
    page.get_by_role("tab", name="Articles").click()
    table = page.locator("#articles")
    table.locator(".virtual-row").get_by_text("2024-03-05").wait_for(timeout=30_000)
    lines = table.evaluate(
        """(t, iso) => [...t.querySelectorAll('.virtual-row span')].filter(s => new RegExp(iso)
             .test(s.innerText.trim())).map(s => { const r = document.createRange();
               r.selectNodeContents(s); return r.getClientRects().length; })""", ISO_DATE)
    assert len(lines) == 5 and set(lines) == {1}, lines
    font = table.locator(".virtual-row span").last.evaluate("e => getComputedStyle(e).fontFamily")
    assert "mono" not in font.lower(), font
    delete = page.locator("#delete")
    assert delete.is_disabled()

    # Upload: progress drawn on the result under the button, never over the header.
    page.evaluate("""() => { window.busy = {status: false, result: false};
        const check = () => {
          for (const [name, sel] of [['status', '#status'], ['result', '#articles-result']])
            if (document.querySelector(`${sel} [data-testid=status-tracker]:not(.hide)`))
              window.busy[name] = true; };
        new MutationObserver(check).observe(document.body,
          {subtree: true, childList: true, attributes: true}); }""")
    story = tmp_path / "otters.md"
    story.write_text("---\ntitle: Otters return to the Thames\nsource: River Gazette\n"
                     "published: 2024-04-02\n---\nConservationists counted eleven otters "
                     "along the upper Thames this spring.\n")
    page.locator("#upload input[type=file]").set_input_files(str(story))
    page.locator("#upload").get_by_text("otters.md").wait_for(timeout=30_000)
    page.locator("#add-files").click()
    result = page.locator("#articles-result")
    result.get_by_text("Added 1").wait_for(timeout=120_000)
    assert page.evaluate("() => window.busy") == {"status": False, "result": True}
    button_bottom = page.locator("#add-files").bounding_box()
    assert 0 <= result.bounding_box()["y"] - (button_bottom["y"] + button_bottom["height"]) \
        < 60
    page.wait_for_function("() => !document.querySelector('#upload').innerText"
                           ".includes('otters.md')", timeout=30_000)

    # Delete: a clicked row is the selection; Delete works on it and is disabled again.
    table.get_by_text("Otters return to the Thames").first.click()
    page.locator("#chosen").get_by_text("Otters return to the Thames").wait_for(timeout=30_000)
    assert delete.is_enabled()
    delete.click()
    page.locator("#delete-result").get_by_text("Deleted").wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('#articles').innerText"
                           ".includes('Otters return')", timeout=30_000)
    page.wait_for_function("() => document.querySelector('#delete').disabled", timeout=30_000)
    screenshot(page, tmp_path, "articles-narrow.png")
    assert page.errors == [] and page.dialogs == []
    page.close()


def test_empty_index_then_stop_and_retry(tmp_path, embeddings, browser):
    """An empty index points to the Articles tab; a streaming answer stops where it is, stays
    stopped after a reload, and Retry answers it in full."""
    from assistant import Assistant, Settings
    from assistant.interfaces.server import create_app

    a = Assistant.from_settings(Settings(data_dir=tmp_path / "data"), embeddings=embeddings,
                                chat_model=slow_model())
    page = recording_page(browser)
    try:
        with serving(create_app(a)) as url:
            open_chat(page, url)
            status = page.locator("#status")
            status.get_by_text("No articles are indexed yet").wait_for(timeout=30_000)
            assert "Articles" in status.inner_text() and "assistant index" not in \
                status.inner_text()
            page.locator("#question textarea").fill(RATES)
            page.locator("#ask").click()
            bots(page).last.get_by_text("No articles are indexed yet").wait_for(timeout=60_000)
            reply = bots(page).last.inner_text()
            assert "Articles* tab" not in reply and "Articles tab" in reply
            assert "assistant index" not in reply
            screenshot(page, tmp_path, "empty-index.png")

            a.add_paths([TEST_DATA / "articles.jsonl"])
            page.locator("#question textarea").fill(RATES)
            page.locator("#ask").click()
            page.wait_for_function(
                "() => /European Central/.test([...document.querySelectorAll("
                "'#chat [data-testid=bot]')].pop().innerText)", timeout=60_000)
            page.locator("#stop").click()
            last = bots(page).last
            last.get_by_text("Stopped.").wait_for(timeout=30_000)
            shown = last.inner_text()
            assert "consecutive increase" not in shown  # stopped before the end
            page.wait_for_timeout(1500)
            assert bots(page).last.inner_text() == shown  # and nothing more came
            assert page.locator("#stop").is_disabled()
            reload(page, url)
            bots(page).last.get_by_text("Stopped.").wait_for(timeout=30_000)
            page.locator("#chat").get_by_role("button", name="Retry").click()
            page.wait_for_function(
                "() => /consecutive increase/.test([...document.querySelectorAll("
                "'#chat [data-testid=bot]')].pop().innerText)", timeout=60_000)
            bots(page).last.get_by_text("Sources", exact=True).wait_for(timeout=60_000)
            # The retried answer replaced the stopped one (after the empty-index turn).
            assert users(page).count() == 2 and "Stopped." not in page.locator("#chat").inner_text()
            screenshot(page, tmp_path, "stopped-then-retried.png")
            assert page.errors == [] and page.dialogs == []
    finally:
        page.close()
        a.close()
