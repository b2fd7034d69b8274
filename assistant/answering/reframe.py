"""Follow-ups that stand for a whole question: an elliptical one ("And the ECB?", "What about
the strike in Chile?") takes the previous question's frame with its new subject; one that points
at an item of a listed answer ("the second one", "the Polish plant") names that item.

Both read the parse of the English pipeline (``language.py``); the words they look for are in
``lexicon/en/followup.txt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.answering.language import english
from assistant.answering.question import VALUES
from assistant.answering.referents import items, names, thing, words


def elliptical(doc: Any, previous: Any | None) -> str | None:
    """"And the ECB?" after "What did the Bank of England decide?" (``previous``) → "What did
    the ECB decide?"; None when ``doc`` is no elliptical question ("And who won?" has a verb)."""
    text = doc.text
    opener = next((o for o in sorted(words()["opener"], key=len, reverse=True)
                   if text.lower().startswith(o + " ")), None)
    if opener is None or previous is None:
        return None
    subject = text[len(opener):].strip(" ?.!")
    rest = [t for t in doc if t.idx >= len(opener)]
    if not subject or any(t.pos_ in {"VERB", "AUX"} or t.tag_ in {"WP", "WRB", "WDT"}
                          for t in rest) or all(t.pos_ in {"PRON", "PUNCT"} for t in rest):
        return None  # a question of its own, or "What about it?": a pronoun to resolve
    return _reframe(previous, subject)


def bare_wh(doc: Any, previous: Any | None) -> str | None:
    """"Why?", "When?" or "How much?" after a yes-no question ("Did the Fed cut rates?") → that
    question asked with the word: "Why did the Fed cut rates?"; None for any other question
    ("Who?" has no place in it)."""
    content = [t for t in doc if not t.is_punct]
    wh = 1 if content and content[0].pos_ == "ADP" else 0  # "By how much?"
    if previous is None or len(content) <= wh or content[wh].tag_ != "WRB" \
            or any(t.pos_ not in {"ADV", "ADJ"} for t in content[wh + 1:]) or len(content) > 4:
        return None
    if previous[0].pos_ != "AUX":
        return None  # "Who won?" before it: the answer is what the question would ask about
    asked = doc[:len(content)].text
    rest = previous.text[len(previous[0]):]
    counted = next((c for c in previous.noun_chunks if c.root.dep_ == "dobj"
                    and c[0].lower_ in {"any", "some"}), None)
    if counted is not None and content[-1].lower_ in {"many", "much"}:
        # "How many?" after "Did Tesla recall any cars?" → "How many cars did Tesla recall?"
        start, end = counted.start_char - len(previous[0]), counted.end_char - len(previous[0])
        asked = f"{asked} {previous[counted.start + 1:counted.end].text}"
        rest = (rest[:start].rstrip() + rest[end:])
    return f"{asked[:1].upper()}{asked[1:]} {previous[0].lower_}{rest}"


def _reframe(previous: Any, subject: str) -> str | None:
    """The previous question about a new subject: "How long is the Tube strike?" + "the Paris
    one" → "How long is the Paris strike?"; "the strike in Chile" replaces "the Kystfly Air
    strike" whole, "the minister" only "Catherine Deneuve" of her question; "in France" the
    place, "last year" the date of the previous question (or goes at its end); None for a
    subject that names nothing and stands for nothing in it ("inflation")."""
    text = previous.text
    new = english().parse(subject)
    head = new[:].root.lower_
    old: Any = None
    if subject.split()[-1].lower() in {"one", "ones"}:
        described = thing(previous, persons=True)
        chunk = next((c for c in previous.noun_chunks if described and c.text in described), None)
        if chunk is not None:
            subject = f"{subject.rsplit(' ', 1)[0]} {chunk.root.text}"
            old = chunk
    ents = [e for e in previous.ents if not e.text.startswith("#")]
    kinds = [e.label_ for e in new.ents]
    if old is None and kinds:  # a new name replaces one of its kind: a place a place
        old = next((e for e in ents if e.label_ == kinds[0]), None)
        if old is None and kinds[0] in VALUES:  # "What about last year?"
            return _at_end(text, subject)
    if old is None and new[0].pos_ == "ADP":  # "And in Chile?" after a question of no place
        return _at_end(text, subject)
    if old is None and not kinds and not names(new) and new[0].pos_ not in {"DET", "PRON"}:
        return None  # "What about inflation?" is no new subject for "the Bank of England"
    if old is None:
        ents = [e for e in ents if e.label_ not in VALUES | {"NORP"}]
        old = next((e for e in ents if e.root.dep_ in {"nsubj", "nsubjpass"}), None) or \
            max(ents, key=lambda e: len(e), default=None)
        chunk = old and next((c for c in previous.noun_chunks
                              if c.start <= old.root.i < c.end), None)
        if chunk is not None and chunk.root.lower_ == head:  # "the strike in Chile"
            old = _with_complements(chunk)
    if old is None and names(new) and (named := [n for n in names(previous) if n in text]):
        start = text.index(named[0])  # a name the model gave no kind: "Tesla" for "Ford"
        return text[:start] + subject + text[start + len(named[0]):]
    if old is None:
        described = thing(previous, persons=True)
        if described is None or described not in text:
            return _at_end(text, f"— {subject}")
        if (owned := _owned_head(previous, described, new)) is not None:
            return text[:owned.idx] + new[1].text + text[owned.idx + len(owned.text):]
        start = text.index(described)
        rewritten = text[:start] + subject + text[start + len(described):]
    else:
        start = old.start_char
        # "in France" for "Italy" of "… in Italy", "the ECB" for "Bank of England" of "the
        # Bank of England": one "in", one "the".
        before = previous[old.start - 1] if old.start > 0 else None
        if before is not None and new[0].pos_ in {"ADP", "DET"} and before.pos_ == new[0].pos_:
            start = before.idx
        rewritten = text[:start] + subject + text[old.end_char:]
    return rewritten


def _owned_head(previous: Any, described: str, new: Any) -> Any:
    """The head noun of ``described`` when it is owned ("the calf's mother", "the captain of
    Brazil") and the new subject is another such noun alone ("the father", "the coach"): only
    the head changes; None otherwise (the whole phrase is replaced)."""
    if len(new) != 2 or new[0].lower_ != "the" or new[1].pos_ != "NOUN":
        return None
    chunk = next((c for c in previous.noun_chunks if c.text in described), None)
    if chunk is None or chunk.root.lower_ == new[1].lower_:
        return None
    root = chunk.root
    owned = any(t.dep_ == "poss" for t in chunk) or any(p.lower_ == "of" for p in root.rights)
    return root if owned else None


def _at_end(text: str, words: str) -> str:
    """``words`` at the end of the question ``text``, before the topic it carries in brackets:
    "How many jobs are at risk in Belgium (Volkswagen closing plants)?"."""
    text = text.rstrip("?. ")
    body, bracket = (text[:text.rindex(" (")], text[text.rindex(" ("):]) \
        if text.endswith(")") and " (" in text else (text, "")
    return f"{body} {words}{bracket}?"


def _with_complements(chunk: Any) -> Any:
    """A noun chunk with the prepositional phrases right after it: "the Reserve Bank" → "the
    Reserve Bank of New Zealand"."""
    end = chunk.end
    for child in chunk.root.rights:
        if child.dep_ == "prep" and child.i == end:
            end = child.right_edge.i + 1
    return chunk.doc[chunk.start:end]


def list_item(doc: Any, answers: Sequence[Any], people: Sequence[str] = ()) -> str | None:
    """``doc`` with "the second one" or "the Polish one" replaced by the names of that item of
    the latest of ``answers`` (parsed, the latest first) that listed several things, else by
    that one of ``people`` (those the latest answer to "who" named); None when it points at no
    item."""
    w = words()
    pointer = next((t for t in doc if t.lower_ in w["item"] and t.i > 1
                    and doc[t.i - 2].lower_ == "the"
                    and (doc[t.i - 1].lower_ in w["ordinal"] or doc[t.i - 1].text[:1].isupper())),
                   None)
    if pointer is None:
        return None
    listed: list[str] = []
    for answer in answers:  # "the first one" outlives a turn about one of them
        listed = [i for i in items(answer.text) if names(english().parse(i))]
        if len(listed) >= 2:
            break
    which = doc[pointer.i - 1]
    if len(listed) < 2 and len(people) >= 2 and which.lower_ in w["ordinal"]:
        listed = list(people)
    if len(listed) < 2:
        return None
    if which.lower_ in w["ordinal"]:
        index = -1 if which.lower_ == w["ordinal"][-1] else w["ordinal"].index(which.lower_)
        if index >= len(listed):
            return None
        item = listed[index]
    else:
        item = _named_by(which.lower_, listed)
        if item is None:
            return None
    found = names(english().parse(item))
    longest = sorted(found, key=lambda n: -len(n.split()))[:2]
    named = " ".join(n for n in found if n in longest)  # as the answer orders them
    start, end = doc[pointer.i - 2].idx, pointer.idx + len(pointer.text)
    return doc.text[:start] + named + doc.text[end:]


def _named_by(adjective: str, listed: list[str]) -> str | None:
    """The one item a nationality points at: "mexican" → the item naming Mexico."""
    for size in (4, 3):  # "the Mexican one" → Mexico; "the Polish one" → Poland
        stem = adjective[:size]
        hits = [i for i in listed if any(w.lower().startswith(stem) for w in i.split())]
        if hits:
            return hits[0] if len(hits) == 1 else None
    return None
