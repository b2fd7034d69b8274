"""The chat's conversations as browser-kept data, without a browser: titles, switching, what a
follow-up reads, and the Markdown export."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from assistant.interfaces import ui_conversations as conv
from assistant.results import Answer, Citation, Source

CITATION = Citation(n=1, article_id="bridge", title="City council approves new river bridge",
                    url="https://news.example/bridge", published="2024-03-05",
                    source="Local Courier", passage="The council voted 31 to 12 on Monday.\n"
                    "The bridge will cost 48 million euros.", start=0, end=70, score=0.9)
ANSWER = Answer(question="How much will the bridge cost?",
                text="The bridge will cost 48 million euros. [1]", citations=(CITATION,))


def test_a_conversation_is_titled_by_its_first_question():
    store = conv.new_store()
    assert conv.choices(store) == [("New conversation", store["current"])]
    turn = conv.answer_turn(ANSWER, "<p>html</p>")
    store = conv.with_turns(store, [turn])
    assert conv.choices(store) == [("How much will the bridge cost?", store["current"])]
    assert turn["citations"] == [{"n": 1, "article_id": "bridge", "title": CITATION.title,
                                  "url": CITATION.url, "published": "2024-03-05",
                                  "source": "Local Courier", "passage": CITATION.passage}]
    long = conv.with_turns(store, [conv.message_turn("why " * 40, "x", "error")])
    assert len(conv.current(long)["title"]) == 60 and conv.current(long)["title"].endswith("…")


def test_new_conversation_keeps_the_old_one_and_switching_finds_it():
    first = conv.with_turns(conv.new_store(), [conv.answer_turn(ANSWER, "a")])
    second = conv.started(first)
    assert second["current"] != first["current"] and conv.turns_of(second) == []
    assert conv.started(second) == second  # an empty conversation is reused, not stacked
    assert [title for title, _ in conv.choices(second)] == [
        "New conversation", "How much will the bridge cost?"]
    back = conv.switched(second, first["current"])
    assert conv.turns_of(back)[0]["question"] == ANSWER.question
    assert conv.switched(back, "no-such-id")["current"] == first["current"]


def test_the_oldest_conversations_go_beyond_the_limit():
    store = conv.new_store()
    for i in range(conv.MAX_CONVERSATIONS + 3):
        store = conv.started(conv.with_turns(store, [conv.message_turn(f"q{i}", "x", "error")]))
    titles = [title for title, _ in conv.choices(store)]
    assert len(titles) == conv.MAX_CONVERSATIONS and "q0" not in titles and "q32" in titles


def test_a_broken_store_from_the_browser_becomes_a_fresh_one():
    for sent in (None, "test", {"conversations": "x"}, {"conversations": [{"id": 3}]}):
        store = conv.checked(sent)
        assert conv.turns_of(store) == [] and conv.current_id(store) == store["current"]
    kept = conv.checked({"current": "gone", "conversations": [{"id": "a", "turns": []}]})
    assert kept["current"] == "a"


def test_messages_and_history_come_from_the_turns():
    turns = [conv.answer_turn(ANSWER, "rendered [1]"),
             conv.message_turn("Who won?", "⚠️ broken", "error"),
             conv.message_turn("And then?", "partial\n\n_Stopped._", "stopped")]
    assert conv.messages(turns) == [
        {"role": "user", "content": ANSWER.question},
        {"role": "assistant", "content": "rendered [1]"},
        {"role": "user", "content": "Who won?"}, {"role": "assistant", "content": "⚠️ broken"},
        {"role": "user", "content": "And then?"},
        {"role": "assistant", "content": "partial\n\n_Stopped._"}]
    # A follow-up reads only answered turns, with the articles their answer cited.
    said = conv.history(turns)
    assert [m["role"] for m in said] == ["user", "assistant"]
    assert said[1]["content"] == ANSWER.text and said[1]["citations"][0]["article_id"] == "bridge"


def test_export_is_markdown_with_each_source():
    turns = [conv.answer_turn(ANSWER, "x"),
             conv.message_turn("Who is *she*?", "⚠️ The question is too long\\.", "error")]
    store = conv.with_turns(conv.new_store(), turns)
    text = conv.export_markdown(store, now=datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    assert text == (
        "# How much will the bridge cost?\n\n"
        "Exported from the news assistant on 2026-11-30 09:05 UTC.\n\n"
        "## How much will the bridge cost?\n\n"
        "The bridge will cost 48 million euros. [1]\n\n"
        "Sources:\n\n"
        "1. **City council approves new river bridge** — 2024-03-05 · Local Courier — "
        "<https://news.example/bridge>\n"
        "   > The council voted 31 to 12 on Monday. The bridge will cost 48 million euros.\n\n"
        "## Who is *she*?\n\n"
        "_⚠️ The question is too long._\n")
    assert conv.export_name(store) == "conversation-how-much-will-the-bridge-cost.md"
    # With its independent sources, date and notes when the answer has them.
    sourced = replace(ANSWER, sources=(Source("Local Courier", (1,), ("Local Courier",)),),
                      as_of="2024-03-05", notes=("Older than asked.",))
    text = conv.export_markdown(conv.with_turns(conv.new_store(),
                                                [conv.answer_turn(sourced, "x")]))
    assert "Sources (1 source: Local Courier · as of 2024-03-05 · Older than asked.):" in text
