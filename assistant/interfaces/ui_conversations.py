"""The chat's conversations as plain JSON data, kept in the user's browser (localStorage).

A store is ``{"current": id, "conversations": [{"id", "title", "turns"}]}``; a turn is one
question and its reply: ``{"question", "answer" (plain text), "html" (the rendered reply),
"citations" (n, article_id, title, url, published, source, passage), "kind"}`` where kind is
``"answer"``, ``"stopped"`` or ``"error"``. The chat's messages, the history an answer reads and
the Markdown export are all derived from the turns, so they cannot disagree.

Pure functions on copies: a store that comes back from the browser may be old or hand-edited,
so every reader tolerates missing or malformed fields instead of failing the page.
"""

from __future__ import annotations

import copy
import html
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from assistant.interfaces.ui_render import safe_url
from assistant.results import Answer

Store = dict[str, Any]
Turn = dict[str, Any]

# localStorage holds about 5 MB per site: the oldest conversations go first beyond this many.
MAX_CONVERSATIONS = 30
NEW_TITLE = "New conversation"
CITATION_FIELDS = ("n", "article_id", "title", "url", "published", "source", "passage")


def new_store() -> Store:
    conversation = _new_conversation()
    return {"current": conversation["id"], "conversations": [conversation]}


def _new_conversation() -> dict[str, Any]:
    return {"id": uuid.uuid4().hex[:12], "title": NEW_TITLE, "turns": []}


def checked(store: Any) -> Store:
    """A well-formed copy of what the browser sent (a fresh store if it is not one)."""
    if not isinstance(store, dict) or not isinstance(store.get("conversations"), list):
        return new_store()
    conversations = [c for c in store["conversations"]
                     if isinstance(c, dict) and isinstance(c.get("id"), str)
                     and isinstance(c.get("turns"), list)]
    if not conversations:
        return new_store()
    store = copy.deepcopy({"current": store.get("current"), "conversations": conversations})
    if current_id(store) is None:
        store["current"] = conversations[-1]["id"]
    return store


def current_id(store: Store) -> str | None:
    ids = [c["id"] for c in store["conversations"]]
    return store["current"] if store.get("current") in ids else None


def current(store: Store) -> dict[str, Any]:
    return next(c for c in store["conversations"] if c["id"] == store["current"])


def turns_of(store: Store) -> list[Turn]:
    return [t for t in current(store)["turns"] if isinstance(t, dict)]


def with_turns(store: Store, turns: list[Turn]) -> Store:
    """The store with the current conversation's turns replaced (titled by its first question)."""
    store = checked(store)
    conversation = current(store)
    conversation["turns"] = turns
    conversation["title"] = _title(turns[0]["question"]) if turns else NEW_TITLE
    return store


def _title(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= 60 else words[:59].rstrip() + "…"


def started(store: Store) -> Store:
    """A new, empty conversation made current; the current one is reused if it is still empty."""
    store = checked(store)
    if not turns_of(store):
        return store
    conversation = _new_conversation()
    store["conversations"] = [*store["conversations"], conversation][-MAX_CONVERSATIONS:]
    store["current"] = conversation["id"]
    return store


def switched(store: Store, conversation_id: str | None) -> Store:
    store = checked(store)
    if conversation_id in {c["id"] for c in store["conversations"]}:
        store["current"] = conversation_id
    return store


def choices(store: Store) -> list[tuple[str, str]]:
    """(title, id) of every conversation, the latest first, for the conversation picker."""
    return [(c.get("title") or NEW_TITLE, c["id"]) for c in reversed(store["conversations"])]


def answer_turn(answer: Answer, html: str) -> Turn:
    return {"question": answer.question, "answer": answer.text, "html": html, "kind": "answer",
            "citations": [{f: getattr(c, f) for f in CITATION_FIELDS} for c in answer.citations],
            "provenance": " · ".join(x for x in (answer.provenance, *answer.notes) if x)}


def message_turn(question: str, html: str, kind: str) -> Turn:
    """A reply that is not an answer: an error message, or the part shown before a stop."""
    return {"question": question, "answer": "", "html": html, "kind": kind, "citations": []}


def messages(turns: list[Turn]) -> list[dict[str, str]]:
    """The chat's messages: each turn's question, then its rendered reply."""
    shown: list[dict[str, str]] = []
    for turn in turns:
        shown += [{"role": "user", "content": shown_question(turn.get("question", ""))},
                  {"role": "assistant", "content": inert_html(str(turn.get("html", "")))}]
    return shown


# What the page's own rendering never writes (it escapes every text it shows): a turn holding one
# came from a store changed in the browser, and is shown as plain text. Linear: ``[^<>]*`` stops
# at the next bracket.
_ACTIVE = re.compile(r"<\s*/?\s*(?:svg|math|script|style|iframe|object|embed|form|base|meta|link"
                     r"|img|input|button|textarea|video|audio|source)\b"
                     r"|<[^<>]*[\s/\"']on[a-z]+\s*="
                     r"|<[^<>]*=\s*[\"']?\s*(?:javascript|vbscript|data):", re.I)


def inert_html(rendered: str) -> str:
    """A stored reply as the chat may show it: the page's own HTML as it is; anything that
    could run (an ``<svg>`` link to ``javascript:``, an event handler) as escaped text."""
    if not _ACTIVE.search(rendered):
        return rendered
    return html.escape(_plain(rendered), quote=False)


def shown_question(question: Any) -> str:
    """A question as the chat shows it: Markdown kept, HTML shown as typed, never as markup
    (the chat's own sanitiser lets an ``<svg>`` link to ``javascript:`` through)."""
    return html.escape(str(question), quote=False)


def typed_question(shown: str) -> str:
    """The question the user typed, from its shown form (``shown_question``)."""
    return html.unescape(shown)


def history(turns: list[Turn]) -> list[dict[str, Any]]:
    """What a follow-up is read against: answered turns, with the articles each one cited."""
    said: list[dict[str, Any]] = []
    for turn in turns:
        if turn.get("kind") != "answer":
            continue
        said += [{"role": "user", "content": str(turn.get("question", ""))},
                 {"role": "assistant", "content": str(turn.get("answer", "")),
                  "citations": [c for c in turn.get("citations", []) if isinstance(c, dict)]}]
    return said


def export_markdown(store: Store, *, now: datetime | None = None) -> str:
    """The current conversation as Markdown: each question, the answer with its [n], and its
    sources (title, date, source, link, cited passage)."""
    conversation = current(store)
    now = now or datetime.now(UTC)
    lines = [f"# {_inert(_one_line(conversation.get('title') or NEW_TITLE))}", "",
             f"Exported from the news assistant on {now:%Y-%m-%d %H:%M} UTC.", ""]
    for turn in turns_of(store):
        lines += [f"## {_inert(_one_line(turn.get('question', '')))}", ""]
        if turn.get("kind") == "answer":
            lines += [_inert(str(turn.get("answer", "")).strip()), ""]
        else:
            lines += [f"_{_inert(_plain(str(turn.get('html', ''))))}_", ""]
        cited = [c for c in turn.get("citations", []) if isinstance(c, dict)]
        if cited:
            lines += [f"Sources ({_inert(_one_line(turn['provenance']))}):"
                      if turn.get("provenance") else "Sources:", ""]
            for c in cited:
                lines += _source_lines(c)
    return "\n".join(lines).rstrip() + "\n"


def _source_lines(c: dict[str, Any]) -> list[str]:
    meta = [_inert(_one_line(c[f])) for f in ("published", "source") if c.get(f)]
    title = _inert(_one_line(c.get("title") or "Untitled"))
    head = f"{_inert(_one_line(c.get('n', '?')))}. **{title}**"
    if meta:
        head += " — " + " · ".join(meta)
    url = safe_url(str(c.get("url") or ""))
    if url:
        head += f" — <{url}>"
    passage = _inert(_one_line(c.get("passage", "")))
    return [head, *([f"   > {passage}"] if passage else []), ""]


def _inert(text: str) -> str:
    """Text that Markdown shows as written and never turns into HTML or a link: no tags (``<``
    and ``&`` escaped), no ``[text](target)`` or ``[label]: target`` (a ``]`` before ``(``,
    ``[`` or ``:`` escaped, and backslashes, so that escape cannot be undone)."""
    text = html.escape(text.replace("\\", "\\\\"), quote=False)
    return re.sub(r"\](?=[(\[:])", r"\\]", text)


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _plain(rendered: str) -> str:
    """A rendered message as text: tags and Markdown escapes removed."""
    text = re.sub(r"<[^>]+>", "", rendered)
    text = re.sub(r"\\(.)", r"\1", text)
    return _one_line(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                     .strip("_"))


def export_name(store: Store) -> str:
    """A file name for the export: the conversation's title as a slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", (current(store).get("title") or "").lower()).strip("-")
    return f"conversation-{slug[:50].rstrip('-') or 'untitled'}.md"
