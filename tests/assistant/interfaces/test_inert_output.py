"""Every output stays inert: the Markdown export and the chat never carry live HTML or a
``javascript:`` link, whatever the articles, the answer or the browser's store held."""

from __future__ import annotations

from dataclasses import replace

import pytest
from markdown_it import MarkdownIt

from assistant.interfaces import ui_conversations as conv
from assistant.results import Answer, Citation

EVIL = ('<img src=x onerror=alert(1)> <script>alert(2)</script> [click](javascript:alert(3)) '
        '<svg><a href="javascript:alert(4)">x</a></svg> <javascript:alert(5)> ![i](x "t")'
        ' \\](javascript:alert(6))')

CITATION = Citation(n=1, article_id="evil", title=EVIL, url="javascript:alert(7)",
                    published="2024-03-05", source=EVIL, passage=EVIL, start=0, end=10,
                    score=0.9)
ANSWER = Answer(question=EVIL, text=f"The bridge opened. [1] {EVIL}", citations=(CITATION,))


def live(markdown: str) -> list[str]:
    """What rendering the Markdown as CommonMark (raw HTML allowed) makes that could run: any
    tag but plain text formatting, and any link but an http(s) one."""
    import re

    rendered = MarkdownIt("commonmark").render(markdown)
    tags = set(re.findall(r"<(\w+)", rendered)) - {"h1", "h2", "p", "ol", "li", "strong", "em",
                                                    "blockquote", "a"}
    links = [h for h in re.findall(r"<a\s+href=\"([^\"]*)", rendered)
             if not h.startswith(("http://", "https://"))]
    handlers = re.findall(r"<[^>]*\son\w+=", rendered)
    return sorted(tags) + links + handlers


def test_the_markdown_export_is_inert():
    turns = [conv.answer_turn(ANSWER, "x"), conv.message_turn(EVIL, EVIL, "error")]
    text = conv.export_markdown(conv.with_turns(conv.new_store(), turns))
    assert live(text) == []
    assert "alert(4)" in text and "The bridge opened. [1]" in text  # shown, as text
    assert "javascript:alert(7)" not in text  # no link to it at all
    safe = replace(CITATION, url="https://news.example/bridge", title="Bridge", source="Courier",
                   passage="The council voted.")
    text = conv.export_markdown(conv.with_turns(conv.new_store(), [conv.answer_turn(
        replace(ANSWER, question="Bridge?", text="It opened. [1]", citations=(safe,)), "x")]))
    assert "1. **Bridge** — 2024-03-05 · Courier — <https://news.example/bridge>" in text


@pytest.mark.parametrize("stored", [
    '<svg><a href="javascript:alert(1)">click</a></svg>',
    '<a class="cite" href="#src-1" onclick="alert(1)">[1]</a>',
    '<details><summary>x</summary><a href=" javascript:alert(1)">y</a></details>',
    '<img src=x onerror=alert(1)>',
])
def test_the_chat_shows_a_tampered_reply_and_any_question_as_text(stored):
    turns = [{"question": EVIL, "html": stored, "kind": "answer", "answer": "x",
              "citations": []}]
    user, reply = conv.messages(turns)
    assert "<" not in user["content"] and "&lt;svg&gt;" in user["content"]
    assert "<" not in reply["content"]
    assert conv.typed_question(user["content"]) == EVIL


def test_the_pages_own_reply_is_shown_as_it_is():
    own = ('The bridge opened. <a class="cite" href="#src-1-abc">[1]</a>\n\n<details '
           'class="source" id="src-1-abc"><summary>1. Bridge</summary><blockquote>The '
           '&lt;council&gt; voted on <mark>Monday</mark>.</blockquote></details>')
    [_, reply] = conv.messages([{"question": "q", "html": own, "kind": "answer"}])
    assert reply["content"] == own
