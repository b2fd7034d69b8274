"""Conversation history, and follow-up questions rewritten into standalone ones.

History is a list of ``{"role": "user" | "assistant", "content": str}`` dicts (the Gradio
"messages" format) or LangChain messages; :func:`normalise_history` turns either into ``Turn``s.
An assistant turn may carry the ``"citations"`` its answer returned: a follow-up that the
collection answers weakly is then looked for first in those articles.

Without an LLM, :func:`rewrite_followup` rewrites deterministically, because retrieval only sees
the question: pronouns (she, he, it, they …) become the last salient entity of the conversation,
and an elliptical follow-up ("And the minister?", "What about Lagarde?") takes the previous
question's frame with the new subject. A question that needs no context is left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.answering.text import content_terms

Role = Literal["user", "assistant"]

# What the chat appends under an answer (``interfaces/ui_render.py``); not part of what was said.
SOURCES_MARK = "\n\n**Sources**"
RELATED_MARK = "\n\n**Related passages**"
_APPENDED = re.compile(re.escape(SOURCES_MARK) + "|" + re.escape(RELATED_MARK))


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str
    cited: tuple[str, ...] = ()  # the article ids an assistant turn cited, when the caller says


def last_cited(turns: Sequence[Turn]) -> tuple[str, ...]:
    """The articles the latest answer cited (empty when the history does not say)."""
    return next((t.cited for t in reversed(turns) if t.role == "assistant"), ())


def normalise_history(history: Iterable[Any] | None) -> list[Turn]:
    """Turns from dicts, (role, content) pairs or LangChain messages; empty turns skipped."""
    turns: list[Turn] = []
    for item in history or ():
        role, content = _role_content(item)
        if isinstance(content, list):  # multimodal content: keep its text parts
            content = " ".join(p.get("text", "") if isinstance(p, dict) else str(p)
                               for p in content)
        content = str(content or "")
        # The chat's rendered sources name their articles (data-article="…").
        said, _, appended = content.partition(SOURCES_MARK)
        cited = _cited(item) or tuple(dict.fromkeys(
            html.unescape(a) for a in _DATA_ARTICLE.findall(appended)))
        content = _APPENDED.split(said, 1)[0].strip()
        if content:
            turns.append(Turn(role, content, cited))
    return turns


_DATA_ARTICLE = re.compile(r'data-article="([^"]+)"')


def _cited(item: Any) -> tuple[str, ...]:
    """Article ids from a turn's "citations" (as an answer returns them: dicts with
    "article_id", or ids)."""
    found = item.get("citations") if isinstance(item, dict) else None
    if not isinstance(found, list):
        return ()
    ids = (c.get("article_id") if isinstance(c, dict) else c for c in found)
    return tuple(str(i) for i in ids if isinstance(i, str | int) and str(i))


def _role_content(item: Any) -> tuple[Role, Any]:
    if isinstance(item, dict):
        role, content = item.get("role"), item.get("content")
    elif isinstance(item, tuple | list) and len(item) == 2:
        role, content = item
    else:  # a LangChain BaseMessage: .type is "human" / "ai" / "system"
        role, content = getattr(item, "type", None), getattr(item, "content", None)
    if role in ("user", "human"):
        return "user", content
    if role in ("assistant", "ai"):
        return "assistant", content
    raise ValueError(f"History entries need a role 'user' or 'assistant'; got {role!r} in "
                     f"{item!r}. Pass dicts like {{'role': 'user', 'content': '…'}}.")


def format_history(turns: Sequence[Turn], *, max_turns: int = 6, max_chars: int = 600) -> str:
    """The last turns as ``User: …`` / ``Assistant: …`` lines for the condense prompt."""
    lines = []
    for t in turns[-max_turns:]:
        text = " ".join(t.content.split())
        if len(text) > max_chars:
            text = text[:max_chars].rsplit(" ", 1)[0] + " …"
        lines.append(f"{'User' if t.role == 'user' else 'Assistant'}: {text}")
    return "\n".join(lines)


# -- the deterministic rewriter --------------------------------------------------------------

_PRONOUNS = {
    "she": "", "he": "", "they": "", "it": "", "her": "", "him": "", "them": "",
    "hers": "'s", "his": "'s", "its": "'s", "their": "'s", "theirs": "'s",
}
_PRONOUN = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)
_ELLIPSIS = re.compile(r"^\s*(?:and|but|what about|how about|and what about)\s+(?P<subject>.+?)"
                       r"\s*[?.!]*\s*$", re.IGNORECASE)
_TOKEN = re.compile(r"[#@]?[\w’'-]+")
# Capitalised words that do not name anything by themselves.
_NOT_NAMES = frozenset("""
a an the and but or what who whom whose which when where why how is are was were do does did
can could would should will shall may might has have had in on at of for to from by with about
and also then so if i you we they he she it his her its their this that these those my our
your there here mr mrs ms dr according
""".split())
_CONNECTORS = frozenset({"of", "de", "la", "le", "du", "van", "von", "der", "da", "al", "bin",
                         "the"})


def entities(text: str) -> list[str]:
    """Names in order of appearance: runs of capitalised words (and #tags), e.g. "Marlene
    Schiappa", "European Central Bank", "#MeToo"; question words and sentence starters skipped."""
    found: list[str] = []
    run: list[str] = []

    def close() -> None:
        while run and run[-1].lower() in _CONNECTORS:
            run.pop()
        if run:
            found.append(" ".join(run))
        run.clear()

    for match in _TOKEN.finditer(text):
        word = match.group(0)
        gap = text[match.start() - 1] if match.start() else " "
        if run and gap not in " ":
            close()  # punctuation between words ends a name
        bare = word.lstrip("#@")
        is_name = (word[0] in "#@" or (bare[:1].isupper() and bare.lower() not in _NOT_NAMES)
                   or (bare[:1].isdigit() and bool(run)))
        if is_name or (run and word.lower() in _CONNECTORS):
            run.append(word)
        else:
            close()
    close()
    return found


# Verbs that end a definite description: "the bridge | cost", "the campaign | start".
_VERBS = frozenset("""
cost costs say says said open opens opened close closed raise raised win won call called mean
means kick kicked start started begin began end ended happen happened take took make made get got
go went come came announce announced do does did be been become became hold held
""".split())


def _noun_phrases(text: str) -> list[str]:
    """"the minister", "the #MeToo campaign": definite descriptions, for things a pronoun like
    "it" points at and for turns that name nobody."""
    phrases = []
    for match in re.finditer(r"\bthe\s+((?:[#@]?[\w’'-]+\s*){1,4})", text, re.IGNORECASE):
        words = []
        for word in match.group(1).split():
            if word.lower() in _NOT_NAMES or word.lower() in _VERBS:
                break
            words.append(word)
        if words:
            phrases.append(" ".join([match.group(0).split()[0], *words]))
    return phrases


def _salient(turns: Sequence[Turn]) -> str | None:
    """The entity a pronoun most likely points at: the last one named in the latest user turn
    that names any; an answer's names only when no question named anyone."""
    for role in ("user", "assistant"):
        for turn in reversed(turns):
            if turn.role != role:
                continue
            if names := entities(turn.content):
                # The longest name of the turn is usually its topic ("Who is Marlene Schiappa?").
                return max(names, key=lambda n: (len(n.split()), names.index(n)))
    return None


# Words that make a name an organisation, place or event rather than a person.
_NOT_PERSON = frozenset("""
bank court union party council commission ministry committee government agency company motors
energy group masters marathon open cup league championship election festival museum university
city county province state river lake island street station airport port club fc united
""".split())


def _person(turns: Sequence[Turn]) -> str | None:
    """Who "he" or "she" is: the last person named (two or three capitalised words, none of
    them an organisation's, a place's or an event's), in the latest turns first; else the
    salient entity."""
    for turn in reversed(turns[-2:]):
        people = [n for n in entities(turn.content)
                  if 2 <= len(n.split()) <= 3 and not any(c.isdigit() for c in n)
                  and not {w.lower() for w in n.split()} & _NOT_PERSON]
        if people:
            return people[0] if turn.role == "assistant" else people[-1]
    return _salient(turns)


_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}
_ITEM = re.compile(r"\bthe (?P<which>first|second|third|fourth|fifth|last|(?P<name>[A-Z][\w-]+))"
                   r" (?:one|company|story|article|plant|factory|case|item)\b")


# "there" as a place ("How many died there?"), not as in "Is there …?" or "there were".
_THERE = re.compile(r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbe )(?<!\bbeen )"
                    r"\bthere\b(?!\s+(?:is|are|was|were|be|been|has|have|had|will)\b)",
                    re.IGNORECASE)


def _place(turns: Sequence[Turn]) -> str | None:
    """Where "there" is: the first name of the latest answer, else of the latest question."""
    for role in ("assistant", "user"):
        turn = next((t for t in reversed(turns) if t.role == role), None)
        if turn and (names := entities(turn.content)):
            return names[0]
    return None


def _list_item(question: str, turns: Sequence[Turn]) -> str | None:
    """``question`` with "the second one" or "the Polish one" replaced by the names of that
    item of the previous answer (its parts end with their [n] markers); None when the question
    points at no item or the answer has fewer than two."""
    match = _ITEM.search(question)
    if not match:
        return None
    # The latest answer that listed several things ("the first one" outlives a turn about one).
    items: list[str] = []
    for turn in reversed(turns):
        if turn.role == "assistant":
            items = [i for i in re.split(r"\[\d+\][.,;]?", turn.content) if entities(i)]
            if len(items) >= 2:
                break
    if len(items) < 2:
        return None
    if match.group("name"):
        hits: list[str] = []
        for size in (4, 3):  # "the Mexican one" → Mexico; "the Polish one" → Poland
            stem = match.group("name").lower()[:size]
            hits = [i for i in items
                    if any(w.lower().startswith(stem) for w in _TOKEN.findall(i))]
            if hits:
                break
        if len(hits) != 1:
            return None
        item = hits[0]
    else:
        index = _ORDINALS[match.group("which")]
        if index >= len(items):
            return None
        item = items[index]
    found = entities(item)
    longest = sorted(found, key=lambda n: -len(n.split()))[:2]
    names = [n for n in found if n in longest]  # as the answer orders them
    return question[:match.start()] + " ".join(names) + question[match.end():]


def _resolved(turns: Sequence[Turn]) -> list[Turn]:
    """The history with each earlier follow-up rewritten in turn, so "Which days?" after
    "Which union is behind it?" (about the bus strike) still knows it is the bus strike."""
    out: list[Turn] = []
    for turn in turns:
        if turn.role == "user" and any(t.role == "user" for t in out):
            turn = Turn("user", rewrite_followup(turn.content, out) or turn.content)
        out.append(turn)
    return out


def _last_question(turns: Sequence[Turn]) -> str | None:
    for turn in reversed(turns):
        if turn.role == "user":
            return turn.content
    return None


def rewrite_followup(question: str, history: Sequence[Turn]) -> str | None:
    """A standalone version of ``question`` given ``history``, or None when it needs none.

    ``history`` should hold the *rewritten* earlier user questions when there are any, so a chain
    of follow-ups keeps its subject. A name replaces a personal pronoun; an elliptical question
    ("And the ECB?") takes the previous question's frame; a question that still leans on the
    conversation ("How long will it last?", "How many died?") carries the previous question's
    topic along in brackets.
    """
    question = " ".join(question.split())
    if not history or not question:
        return None
    history = _resolved(history)
    previous = _last_question(history)
    ellipsis = _ELLIPSIS.match(question)
    if ellipsis and previous and not _has_verb_frame(ellipsis.group("subject")):
        return _reframe(previous, ellipsis.group("subject"))
    if item := _list_item(question, history):
        return item
    asked = question
    if (there := _THERE.search(question)) and (place := _place(history)):
        question = f"{question[:there.start()]}in {place}{question[there.end():]}"
    phrases = _noun_phrases(previous or "")
    person = _person(history)
    thing = phrases[-1] if phrases else None

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        # "her" is possessive before a noun ("her book") and an object otherwise ("ask her").
        suffix = _PRONOUNS[word.lower()]
        if word.lower() == "her" and _followed_by_noun(question, match.end()):
            suffix = "'s"
        target = thing if word.lower() in _THING_PRONOUNS else person
        return f"{target}{suffix}" if target else word

    rewritten = _PRONOUN.sub(swap, question)
    if rewritten != asked and not _THING_LEFT.search(rewritten):
        return rewritten
    if previous and (_THING_LEFT.search(rewritten) or _leans_on_context(rewritten)):
        topic = _topic(previous)
        if topic and topic.lower() not in rewritten.lower():
            return f"{rewritten.rstrip(' ?.!')} ({topic})?"
    return rewritten if rewritten != asked else None


_THING_PRONOUNS = frozenset({"it", "its", "they", "them", "their", "theirs"})
# Words that point back at something said before without naming it.
_THING_LEFT = re.compile(r"\b(?:it|its|they|them|their|theirs|this|that|those|these|"
                         r"the (?:first|second|third|last|other|latest|same|next)(?: one)?|"
                         r"(?:one|ones))\b", re.IGNORECASE)


def _leans_on_context(question: str) -> bool:
    """A question that names nothing and says little ("How many people have died?")."""
    names = [n for n in entities(question) if n.lower() not in _QUESTION_STARTS]
    return not names and len(content_terms(question)) <= 2


_QUESTION_STARTS = frozenset({"what's", "who's", "where's", "how's", "when's", "and", "so"})


def _topic(question: str) -> str:
    """The words of a question that say what it is about, in order ("Why are London
    Underground staff going on strike?" → "London Underground staff going strike")."""
    words = [w for w in _TOKEN.findall(question)
             if w.lower() not in _NOT_NAMES and w.lower() not in _QUESTION_STARTS]
    return " ".join(words[:6])


def _reframe(previous: str, subject: str) -> str:
    """The previous question about a new subject: "How long is the Tube strike?" + "the Paris
    one" → "How long is the Paris strike?"."""
    subject = re.sub(r"\s+ones?$", "", subject)  # "the Paris one": the head noun stays
    old = _salient([Turn("user", previous)])
    if old and old in previous:
        rewritten = previous.replace(old, subject, 1)
    elif phrases := _noun_phrases(previous):
        rewritten = previous.replace(phrases[-1], subject, 1)
    else:
        return f"{previous.rstrip('?. ')} — {subject}?"
    return re.sub(r"\b(the|a|an)\s+(?:the|a|an)\b", r"\1", rewritten, flags=re.IGNORECASE)


def _followed_by_noun(text: str, pos: int) -> bool:
    nxt = re.match(r"\s+([\w-]+)", text[pos:])
    return bool(nxt) and nxt.group(1).lower() not in _NOT_NAMES | {"say", "said", "do", "did"}


def _has_verb_frame(subject: str) -> bool:
    """"And who won?" is a new question, "And the minister?" is not."""
    first = subject.split()[0].lower() if subject.split() else ""
    return first in {"what", "who", "when", "where", "why", "how", "which", "is", "are", "was",
                     "were", "did", "does", "do", "can", "will"}
