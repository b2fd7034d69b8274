"""Stop clicked at once, before the first words, again and again, in a real headless Chromium
against a real uvicorn server: the reply bubble shows a typing indicator until then, every
stop leaves a stopped turn, and nothing on the page turns into a red "Error" badge."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.assistant.interfaces import test_ui as ui
from tests.assistant.interfaces.test_ui import open_chat, recording_page
from tests.assistant.interfaces.test_ui_answers import screenshot
from tests.assistant.interfaces.test_ui_chat import RATES, SLOW_REPLY, bots, users
from tests.conftest import TEST_DATA, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

browser = ui.browser
TRIES = 6


def slow_model(pause: float) -> Any:
    """A fake LLM (the one part that cannot run here): the first word comes after ``pause``
    seconds (the stop lands before it), each word after it ``pause`` seconds apart; the last
    answer, not stopped, comes quickly."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    streams = itertools.count()

    class SlowChatModel(GenericFakeChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            wait = pause if next(streams) < TRIES else 0.02
            for chunk in super()._stream(*args, **kwargs):
                time.sleep(wait)
                yield chunk

    return SlowChatModel(messages=itertools.cycle([AIMessage(content=SLOW_REPLY)]))


def test_stop_at_once_leaves_stopped_turns_and_no_error(tmp_path, embeddings, browser):
    from assistant import Assistant, Settings
    from assistant.interfaces.server import create_app

    a = Assistant.from_settings(Settings(data_dir=tmp_path / "data"), embeddings=embeddings,
                                chat_model=slow_model(1.5))
    a.add_paths([TEST_DATA / "articles.jsonl"])
    page = recording_page(browser)
    try:
        with serving(create_app(a)) as url:
            open_chat(page, url)
            for n in range(1, TRIES + 1):
                page.locator("#question textarea").fill(f"{RATES} ({n})")
                page.locator("#ask").click()
                if n == 1:  # before its first words, the reply is a typing indicator
                    typing = bots(page).last.locator(".typing")
                    typing.wait_for(timeout=30_000)
                    assert typing.inner_text().count("•") == 3
                    screenshot(page, tmp_path, "typing.png")
                page.locator("#stop").click(timeout=30_000)  # as soon as it can be clicked
                page.wait_for_function(
                    "n => [...document.querySelectorAll('#chat [data-testid=bot]')]"
                    ".filter(b => b.innerText.includes('Stopped.')).length === n",
                    arg=n, timeout=60_000)
                page.wait_for_function("() => document.querySelector('#stop').disabled",
                                       timeout=30_000)
                assert page.locator(".error").count() == 0, f"an Error badge after stop {n}"
                assert users(page).count() == n and bots(page).count() == n
            # Nothing more came after the stops; the box still asks, and the next question is
            # answered in full.
            page.wait_for_timeout(1500)
            assert page.locator("#chat .typing").count() == 0
            assert "consecutive increase" not in page.locator("#chat").inner_text()
            screenshot(page, tmp_path, "stopped-at-once.png")
            page.locator("#question textarea").fill(RATES)
            page.locator("#ask").click()
            page.wait_for_function(
                "() => /consecutive increase/.test([...document.querySelectorAll("
                "'#chat [data-testid=bot]')].pop().innerText)", timeout=60_000)
            bots(page).last.get_by_text("Sources", exact=True).wait_for(timeout=60_000)
            assert page.locator(".error").count() == 0
            assert page.errors == [] and page.dialogs == []
    finally:
        page.close()
        a.close()
