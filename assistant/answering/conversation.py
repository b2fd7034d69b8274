"""Conversation history, and follow-up questions rewritten into standalone ones.

History is a list of ``{"role": "user" | "assistant", "content": str}`` dicts (the Gradio
"messages" format) or LangChain messages; :func:`normalise_history` turns either into ``Turn``s.
An assistant turn may carry the ``"citations"`` its answer returned: a follow-up that the
collection answers weakly is then looked for first in those articles.

Without an LLM, :func:`rewrite_followup` rewrites deterministically, because retrieval only sees
the question. It reads the turns with the English pipeline (``referents.py``): "he" and "she"
become the person the conversation is about, "it" and "they" the thing or organisation the
previous question asked about, "there" its place, "the next one" the same kind of event, "the
second one" an item of a listed answer; "who else" excludes the people already named; an
elliptical follow-up ("And the minister?", "What about the strike in Chile?") takes the previous
question's frame with the new subject, and "Why?" after a yes-no question asks it (``reframe.py``);
a question that still leans on the conversation carries the previous question's topic in
brackets. A question that needs no context (a new digest, the weather's "it") is left alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.answering.forms import digest_like
from assistant.answering.language import english
from assistant.answering.question import parse_question
from assistant.answering.referents import (
    answered,
    argument_of,
    asks_who_else,
    bare_object,
    dummy,
    event,
    names,
    object_answered,
    organisations,
    people,
    places,
    role_asked,
    subject,
    thing,
    topic,
    without_datelines,
    words,
)
from assistant.answering.reframe import bare_wh, elliptical, list_item
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

# The turns a follow-up is read against (three exchanges): a pronoun points at what was said
# lately, and each turn read costs a parse.
_READ = 6
# What is read of an answer: who and what it is about comes first (a digest runs to thousands).
_ANSWER_CHARS = 2000


@dataclass(frozen=True)
class _Exchange:
    """A question and the answer it got, parsed (the answer without its quoted datelines)."""

    question: Any | None
    answer: Any | None
    expected: tuple[str, ...] = ()  # the entity labels the question asked for
    many: bool = False  # it asked for several ("Which countries …?")

    @property
    def asked_who(self) -> bool:
        return self.expected[:1] == ("PERSON",)

    @property
    def asked_where(self) -> bool:
        return self.expected[:1] in {("GPE",), ("LOC",), ("FAC",)}


class _Context:
    """What a follow-up can point back at: the exchanges before it, the latest first."""

    def __init__(self, turns: Sequence[Turn]) -> None:
        nlp = english()
        self.exchanges: list[_Exchange] = []
        question: Turn | None = None
        for turn in [*turns, None]:
            if turn is not None and turn.role == "assistant":
                self._add(nlp, question, turn)
                question = None
                continue
            if question is not None:
                self._add(nlp, question, None)
            question = turn
        self.exchanges.reverse()
        self.previous = next((e.question for e in self.exchanges if e.question is not None), None)

    def _add(self, nlp: Any, question: Turn | None, answer: Turn | None) -> None:
        asked = nlp.parse(question.content) if question else None
        parsed = parse_question(question.content, nlp) if question else None
        self.exchanges.append(_Exchange(
            asked, nlp.parse(without_datelines(answer.content)[:_ANSWER_CHARS]) if answer else None,
            parsed.expected if parsed else (), parsed is not None and parsed.form == "list"))

    def person(self) -> str | None:
        """The person the conversation is about: the latest exchange that names one, its
        question's subject ("Who is Marlene Schiappa?") before its answer's ("Who is the
        challenger?": the challenger's first), before another person its question names."""
        for e in self.exchanges[:3]:
            asked = people(e.question) if e.question is not None else []
            subjects = people(e.question, subjects=True) if e.question is not None else []
            told = people(e.answer, asked_who=e.asked_who, titled=role_asked(e.question)) \
                if e.answer is not None else []
            if found := subjects or told or asked:  # one word: a surname, or a mislabelled place
                return next((n for n in found if " " in n), found[0])
        return None

    def listed(self) -> str | None:
        """What "they" is after a question that asked for several things ("Which countries
        want to join NATO?"): the things of its kind the answer named ("Finland and Sweden")."""
        e = self.exchanges[0] if self.exchanges else None
        if e is None or e.question is None or e.answer is None or not e.many:
            return None
        found = list(dict.fromkeys(x.text for x in e.answer.ents if x.label_ in e.expected))
        return " and ".join([", ".join(found[:-1]), found[-1]]) if len(found) > 1 else None

    def place(self) -> str | None:
        """Where "there" is: the first place of the latest answer that its question did not
        name ("near Monterrey", not "Tesla" of "Where is the new Tesla factory?"), else of its
        question."""
        for e in self.exchanges[:2]:
            asked = e.question.text if e.question is not None else ""
            if e.answer is not None and (found := [p for p in places(
                    e.answer, asked_where=e.asked_where) if p not in asked]):
                return found[0]
            if e.question is not None and (found := places(e.question)):
                return found[0]
        return None

    def named_people(self) -> list[str]:
        """The people the latest answer named as actors (and its question, when it named
        some): those a "who else" question asks besides."""
        if not self.exchanges:
            return []
        e = self.exchanges[0]
        found = [*(people(e.question, actors=True) if e.question is not None else []),
                 *(people(e.answer, asked_who=e.asked_who, actors=True)
                   if e.answer is not None else [])]
        # "Deneuve" after "Catherine Deneuve" is the same person.
        return [n for n in dict.fromkeys(found)
                if not any(o != n and o.endswith(" " + n) for o in found)]


def rewrite_followup(question: str, history: Sequence[Turn]) -> str | None:
    """A standalone version of ``question`` given ``history``, or None when it needs none.

    Earlier follow-ups are rewritten first: a chain keeps its subject. An elliptical question
    ("And the ECB?") takes the previous question's frame; one pointing at an item of a listed
    answer ("the second one") names it; pronouns, "there" and "the next one" are replaced by
    what they stand for; "who else" excludes the people already named; a question still leaning
    on the conversation ("How many died?") carries the previous question's topic in brackets."""
    if not history:
        return None
    return _rewritten(question, _resolved(history))


def _rewritten(question: str, history: Sequence[Turn]) -> str | None:
    """``rewrite_followup`` given a ``history`` whose follow-ups are already rewritten."""
    question = " ".join(question.split())
    if not any(c.isalpha() for c in question):
        return None
    context = _Context(history[-_READ:])
    doc = english().parse(question)
    answers = [e.answer for e in context.exchanges if e.answer is not None]
    listed = context.named_people() if context.exchanges and context.exchanges[0].asked_who \
        else []  # "the first one" after "Who scored?" "X and Y …"
    if (whole := bare_wh(doc, context.previous) or list_item(doc, answers, listed)) is not None:
        return whole
    if (whole := elliptical(doc, context.previous)) is not None:
        # "And her deputy?": the new subject's pronouns point back too.
        own, _ = _substituted(doc, context)
        whole = (elliptical(english().parse(own), context.previous) or whole) \
            if own != doc.text else whole
        return whole[:1].upper() + whole[1:]
    rewritten, leaning = _substituted(doc, context)
    if rewritten == question and digest_like(question) and (
            names(doc) or any(e.label_ == "DATE" for e in doc.ents)):
        return None  # "What happened this week?", "The latest news on Ukraine?": a new digest
    leaning = leaning or (rewritten == question and _leans_on_context(doc))
    if asks_who_else(doc) and (given := [n for n in context.named_people()
                                          if n.lower() not in rewritten.lower()]):
        listed = " and ".join([", ".join(given[:-1]), given[-1]] if len(given) > 1 else given)
        rewritten = f"{rewritten.rstrip(' ?.!')} {words()['besides'][0]} {listed}?"
    if context.previous is not None and leaning:
        about = topic(context.previous, known=rewritten.rstrip(" ?.!"))
        if about and about.lower() not in rewritten.lower():
            rewritten = f"{rewritten.rstrip(' ?.!')} ({about})?"
    return rewritten[:1].upper() + rewritten[1:] if rewritten != question else None


def _substituted(doc: Any, context: _Context) -> tuple[str, bool]:
    """``doc``'s text with its pronouns, "there" and "the next one" replaced by what they stand
    for, and whether something in it still points back unresolved ("the other bank") with no
    person named for "he" or "she"."""
    w = words()
    edits: list[tuple[int, str]] = []  # (token index, replacement)
    leaning = anchored = False
    for token in doc:
        low = token.lower_
        target: str | None = None
        if _said_before(token):  # "What did the unions say about their pay?"
            continue
        elif low == "there" and token.dep_ != "expl":
            target = f"in {place}" if (place := context.place()) else None
        elif low in w["person"]:
            target = context.person()
            anchored = anchored or target is not None
            if _possessive(token) and target in (t for _, t in edits):
                continue  # "What did he promise in his first days?": "his" is then clear
            target = target and target + ("'s" if _possessive(token) else "")
        elif (low in w["thing"] or low in w["group"]) and _pronoun(token):
            target, weak = _stands_for(token, context)
            leaning = leaning or weak
            if target in (t for _, t in edits):  # "they" and "it" are not the same thing
                target = None
            target = target and target + ("'s" if _possessive(token) else "")
        elif low in {"one", "ones"} and any(c.lower_ in w["again"] for c in token.children):
            target = event(context.previous) if context.previous is not None else None
        elif low in w["vague"]:
            leaning = True
            continue
        else:
            continue
        if target is None:
            leaning = True
        else:
            edits.append((token.i, target))
    text = doc.text
    for i, replacement in reversed(edits):
        start = doc[i].idx
        text = text[:start] + replacement + text[start + len(doc[i].text):]
    # The person the conversation is about finds its story: no topic needs to go along.
    return (text[:1].upper() + text[1:]) if edits else text, leaning and not anchored


def _said_before(token: Any) -> bool:
    """Whether "its" or "their" is a thing named earlier in its own question ("What did the
    unions say about their pay?"). Only a possessive can be: "Is the company going to fight
    it?" is not the company; and "her" may be another person than the one named before it."""
    w = words()
    if token.tag_ != "PRP$" or token.lower_ not in w["thing"] + w["group"]:
        return False
    return thing(token.doc[:token.i].as_doc(), plural=token.lower_ in w["group"]) is not None


def _stands_for(token: Any, context: _Context) -> tuple[str | None, bool]:
    """What "it", "this" or "they" stands for: what the verb it is the object of had as its
    object before ("signed it" → "the letter"), else what the previous question asked about,
    else the organisation it named, else (weakly: the topic goes along) what it named without
    an article ("on strike") or what the previous answer was about ("Monsoon landslides …");
    and whether that is weak."""
    docs = [d for e in context.exchanges[:2] for d in (e.question, e.answer) if d is not None]
    if token.dep_ == "dobj" and (found := argument_of(token.head.lemma_, docs)) is not None:
        return found or None, False
    plural = token.lower_ in words()["group"]
    if plural and (several := context.listed()):
        return several, False
    if context.previous is None:
        return None, False
    demonstrative = token.lower_ in {"this", "that"}
    if demonstrative and token.dep_ in {"nsubj", "nsubjpass"}:
        return None, False  # "When will that happen?", "Where will that put her?": an event
    latest = context.exchanges[0]
    if not demonstrative and latest.question is context.previous and latest.answer is not None \
            and (found := object_answered(latest.question, latest.answer, plural=plural)):
        return found, False  # "What did the regulator approve?" "… a dengue vaccine": it
    if (found := thing(context.previous, plural=plural, described=demonstrative)) is not None:
        # "the strike" says too little to find the story alone: the topic goes along.
        return found, len(found.split()) <= 2 and not any(w[:1].isupper() for w in found.split())
    if plural and context.exchanges[0].asked_who \
            and len(given := context.named_people()) > 1:  # "Who won?" "X and Y …"
        return " and ".join([", ".join(given[:-1]), given[-1]]), False
    # "they", or "its" of "its shares": an organisation
    if (plural or token.tag_ == "PRP$") and (named := organisations(context.previous)):
        return named[0], False
    if demonstrative:
        return None, False
    if latest.question is context.previous and latest.answer is not None and (
            found := answered(latest.question, latest.answer, plural=plural)):
        return found, False
    weak = bare_object(context.previous) if not plural else None
    if weak is None and latest.question is context.previous and latest.answer is not None:
        weak = subject(latest.answer, plural=plural)
    return weak, weak is not None


def _pronoun(token: Any) -> bool:
    """"it", "they", or "that"/"this" standing alone ("Where will that put her?"), not as a
    determiner ("that letter") or a conjunction ("said that …")."""
    if token.lower_ in {"this", "that"}:
        return token.tag_ == "DT" and token.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj"}
    return not dummy(token)


def _possessive(token: Any) -> bool:
    # "her" is possessive before a noun ("her book", PRP$) and an object otherwise ("ask her").
    return token.tag_ == "PRP$" or (token.lower_ in words()["possessive"] and token.lower_ != "her")


def _resolved(turns: Sequence[Turn]) -> list[Turn]:
    """The history with each follow-up rewritten in turn (against the turns before it, already
    rewritten): "Which days?" after "Which union is behind it?" still knows the bus strike."""
    out: list[Turn] = []
    for turn in turns:
        if turn.role == "user" and any(t.role == "user" for t in out):
            turn = Turn("user", _rewritten(turn.content, out) or turn.content)
        out.append(turn)
    return out


def _leans_on_context(doc: Any) -> bool:
    """A question that names nothing and says little ("How many people have died?")."""
    return not names(doc) and len(content_terms(doc.text)) <= 2
