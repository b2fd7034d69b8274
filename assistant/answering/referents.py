"""What the turns of a conversation are about, read from the English pipeline's parse.

A follow-up points back with pronouns and ellipses; this module finds what they point at in a
turn's spaCy ``Doc`` (``language.py``):

- :func:`people`: the persons a turn names (PERSON entities; in an answer to a "who" question also
  the proper names the small model mislabels), never a place or an organisation;
- :func:`thing`: what a question asks about (its subject noun phrase, else its object: "the
  letter", "the cholera outbreak in Kenya"), or an organisation for "they";
- :func:`argument_of`: what a verb's object was earlier ("signed it" ← "the signatories of the
  letter");
- :func:`places`, :func:`event`, :func:`topic`;
- :func:`without_datelines`: an answer's text without the datelines of the sentences it quotes
  ("BRISBANE, Australia (AP) — "), so a dateline's place is never "he".

The words follow-ups point back with live in ``lexicon/en/followup.txt``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.answering.lexicon import table
from assistant.answering.question import VALUES, speech_verbs
from index.news import parse_news

_KEYS = ("person", "thing", "group", "possessive", "opener", "item", "ordinal", "again", "vague",
         "besides", "light", "measure", "weather")
# Labels that never stand for a thing a pronoun like "it" points at.
_NOT_THINGS = frozenset({"PERSON", "GPE", "LOC", "NORP", "DATE", "TIME", "PERCENT", "MONEY",
                         "QUANTITY", "ORDINAL", "CARDINAL"})
_NAMED_THINGS = frozenset({"ORG", "EVENT", "PRODUCT", "FAC", "WORK_OF_ART", "LAW"})
PLACES = frozenset({"GPE", "LOC", "FAC"})
_WH_TAGS = frozenset({"WP", "WDT", "WRB", "WP$", "PRP", "EX"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
# The order a question's noun phrases are read in for what it asks about (ROOT: a question the
# small model read as one noun phrase).
_ROLES = ("nsubj", "nsubjpass", "dobj", "attr", "oprd", "pobj", "ROOT")
_MARKER = re.compile(r"(\[\d+\][.,;]?\s*)")


@lru_cache(maxsize=1)
def words() -> dict[str, tuple[str, ...]]:
    """The lists of ``lexicon/en/followup.txt``; a missing or empty list is refused."""
    return table("followup", split=",", needs=_KEYS)


def without_datelines(text: str) -> str:
    """``text`` with the dateline (and byline) at the start of each quoted sentence removed:
    "BRISBANE, Australia (AP) — Novak Djokovic beat …" → "Novak Djokovic beat …"."""
    parts = _MARKER.split(text)
    return "".join(p if _MARKER.fullmatch(p) else p[parse_news(p).body_start:] for p in parts)


def items(text: str) -> list[str]:
    """The parts of an answer that lists several things (each ends with its [n] marker)."""
    return [p.strip() for p in _MARKER.split(text) if p.strip() and not _MARKER.fullmatch(p)]


def people(doc: Any, *, asked_who: bool = False, actors: bool = False,
           subjects: bool = False, titled: str | None = None) -> list[str]:
    """The persons ``doc`` names, in order. The small model misses some names ("Luca Brenner")
    and calls others organisations ("Novak Djokovic"): in an answer to "who" (``asked_who``) a
    run of two or three proper nouns that no other entity claims counts as a person. ``actors``:
    only those who act or are acted on, not a name that qualifies a noun ("the Harvey Weinstein
    scandal")."""
    spans: list[tuple[int, int, str]] = []
    for e in doc.ents:
        if e.label_ == "PERSON" and not _tagged(doc, e.start):
            spans.append((e.start, e.end, _bare(e)))
    if asked_who:
        for run in _proper_runs(doc):
            labels = {t.ent_type_ for t in run} - {"", "ORG"}
            if 2 <= len(run) <= 3 and not labels \
                    and not any(s < run.end and run.start < e for s, e, _ in spans):
                spans.append((run.start, run.end, run.text))
    if actors:
        spans = [(s, e, t) for s, e, t in spans if doc[s:e].root.dep_ not in {"compound", "poss"}]
    if subjects:
        spans = [(s, e, t) for s, e, t in spans if _subject(doc[s:e].root)]
    if titled:  # "Who is the challenger?": "… for challenger Merle Kask" first
        spans.sort(key=lambda x: (x[0] == 0 or doc[x[0] - 1].lemma_.lower() != titled, x[0]))
        return list(dict.fromkeys(text for _, _, text in spans if text))
    return list(dict.fromkeys(text for _, _, text in sorted(spans) if text))


def role_asked(question: Any) -> str | None:
    """The noun a "who is the …?" question asks about: "challenger" of "Who is the
    challenger?", "chief" of "Who is Andalusia's health chief?"."""
    who = next((t for t in question or () if t.lower_ in {"who", "whom"}), None)
    if who is None or who.head.lemma_ != "be":
        return None
    noun = next((c for c in who.head.children if c is not who and c.dep_ in {"attr", "nsubj"}
                 and c.pos_ == "NOUN"), None)
    return noun.lemma_.lower() if noun is not None else None


def places(doc: Any, *, asked_where: bool = False) -> list[str]:
    """The places ``doc`` names (GPE, LOC, FAC entities), in order; in an answer to "where" or
    "which city" every name, since the small model calls some cities organisations."""
    if asked_where:
        return names(doc)
    return [_bare(e) for e in doc.ents if e.label_ in PLACES]


def names(doc: Any) -> list[str]:
    """Every name of ``doc`` but nationalities and values, in order: entities and runs of proper
    nouns, the longer where they overlap ("Lumora Vista" over the entity "Vista")."""
    spans = [(e.start, e.end, _bare(e)) for e in doc.ents
             if e.label_ not in VALUES | {"NORP"} and not _tagged(doc, e.start)]
    spans += [(r.start, r.end, r.text) for r in _proper_runs(doc)
              if not {t.ent_type_ for t in r} & (VALUES | {"NORP"})]
    kept: list[tuple[int, int, str]] = []
    for start, end, text in sorted(spans, key=lambda s: s[0] - s[1]):  # the longest first
        if text and not any(s < end and start < e for s, e, _ in kept):
            kept.append((start, end, text))
    return list(dict.fromkeys(text for _, _, text in sorted(kept)))


def dummy(token: Any) -> bool:
    """Whether "it" stands for nothing: the weather ("Is it going to rain?", "It's snowing"),
    a clause after it ("Is it true that …?", "What is it like to live in Tokyo?")."""
    if token.lower_ != "it" or token.dep_ not in {"nsubj", "nsubjpass"}:
        return False
    head = token.head
    verbs = [head, *(c for c in head.children if c.dep_ in {"xcomp", "attr", "acomp"})]
    if any(v.lemma_.lower() in words()["weather"] for v in verbs):
        return True
    clauses = [c for c in head.children if c.i > token.i and c.dep_ in {"ccomp", "xcomp"}]
    return any(any(m.dep_ == "mark" for m in c.children) for c in clauses if c.dep_ == "ccomp") \
        or (head.lower_ == "like" and any(c.dep_ == "xcomp" for c in clauses))


def organisations(doc: Any) -> list[str]:
    """The names of ``doc`` that can be an organisation ("they" of "Are they going to appeal?"
    after "What did the court decide in the Chaiyo Telecom case?"): names but places, events,
    products and persons; the small model calls some one-word organisations persons
    ("Greenpeace"), so only a person of two names or more is one."""
    found = []
    for name in names(doc):
        labels = {t.ent_type_ for t in doc if t.text in name.split()} - {"", "ORG"}
        if labels <= {"PERSON"} and not ("PERSON" in labels and " " in name):
            found.append(name)
    return found


def answered(question: Any, answer: Any, *, plural: bool = False) -> str | None:
    """What "it" is after "What party does he lead?" ("Which company …"): the organisation the
    answer named that the question did not ("the National People's Power coalition"); None when
    the question asked for no such thing by a noun."""
    asked = next((t.head for t in question if t.tag_ in {"WDT", "WP"} and t.dep_ == "det"), None)
    if asked is None:
        return None
    if (asked.tag_ in {"NNS", "NNPS"}) != plural \
            or asked.lemma_.lower() in words()["light"]:  # "What kind of dinosaur": a dinosaur
        return None
    return next((n for n in organisations(answer) if n not in question.text), None)


def object_answered(question: Any, answer: Any, *, plural: bool) -> str | None:
    """The object the answer gives the verb a "what" question asked for: "an Alzheimer's
    treatment" of "What did Japan approve?" answered "Japan approved an Alzheimer's treatment
    developed by …"; never a person or a place."""
    what = next((t for t in question if t.tag_ == "WP" and t.dep_ == "dobj"), None)
    found = what and next((t for t in answer if t.dep_ == "dobj" and t.pos_ == "NOUN"
                           and t.head.lemma_ == what.head.lemma_), None)
    if not found or (found.tag_ in {"NNS", "NNPS"}) != plural or found.ent_type_ in _NOT_THINGS:
        return None
    return _phrase(_chunk(found))


def asks_who_else(doc: Any) -> bool:
    return any(t.lower_ == "else" and t.head.lower_ in {"who", "whom"} for t in doc)


def subject(doc: Any, *, plural: bool = False) -> str | None:
    """What an answer's first sentence is about, for "it" or "them": its subject when that is
    a thing ("Monsoon landslides killed at least 23 people …"), never a person, a place or a
    pronoun; an answer that cites nothing (an abstention) is about nothing."""
    if not _MARKER.search(doc.text):
        return None
    root = next(iter(doc.sents)).root
    # "… glued their hands …, police said": the activists; but "two shepherds were killed …,
    # the fire service said": those acted on are not who "they" are.
    reported = next((c for c in root.children if c.dep_ == "ccomp"), None) \
        if root.lemma_.lower() in speech_verbs() else None
    if reported is not None and not any(c.dep_ == "nsubjpass" for c in reported.children):
        root = reported
    chunk = next((c for c in doc.noun_chunks if c.root.head == root
                  and c.root.dep_ in {"nsubj", "nsubjpass"}), None)
    if chunk is None or chunk.root.tag_ in _WH_TAGS or chunk.root.pos_ == "PRON" \
            or chunk.root.ent_type_ in _NOT_THINGS \
            or (chunk.root.tag_ in {"NNS", "NNPS"}) != plural:
        return None
    text = _phrase(chunk)  # "Pilots at …" is "pilots" inside a question
    return text[:1].lower() + text[1:] if chunk[0].pos_ not in {"PROPN", "DET"} else text


def bare_object(doc: Any) -> str | None:
    """A question's object named without an article, as "the" thing: "the strike" of "Why are
    London Underground staff going on strike?", "the dinosaur" of "What kind of dinosaur did
    they find?"."""
    for chunk in doc.noun_chunks:
        root = chunk.root
        if root.dep_ in {"dobj", "pobj"} and root.tag_ == "NN" and not root.ent_type_ \
                and all(t.pos_ in {"NOUN", "ADJ"} for t in chunk):
            return f"the {chunk.text}"
    return None


def thing(doc: Any, *, plural: bool = False, described: bool = False,
          persons: bool = False) -> str | None:
    """What the question ``doc`` asks about, for "it" (``plural`` False) or "they": its subject
    noun phrase, else its object, when it is definite ("the bridge", "Lisbon's election"), else
    one that names an organisation, event or product; never a person or a place. "They" is an
    organisation or a plural definite phrase. ``described``: a definite phrase only ("Is that
    the largest ever?" after "Why was Apple fined?" is not Apple). What "who is …" asks about
    is a person, unless ``persons`` ("And the father?" after "Who is the calf's mother?")."""
    who = set() if persons else {t.head.i for t in doc if t.lower_ in {"who", "whom"}
                                 and t.head.lemma_ == "be"}
    for named in (False,) if described else (False, True):
        for role in _ROLES:
            for chunk in doc.noun_chunks:
                if chunk.root.dep_ != role or chunk.root.head.i in who:  # "Who is the minister?"
                    continue
                span = _described(chunk)
                if span is not None and _fits(span, plural=plural, named=named):
                    return _phrase(_owner(span, plural=plural) or span)
    return None


def _owner(span: Any, *, plural: bool) -> Any:
    """What a measure is of: "the new iPhone" of "the price of the new iPhone" ("When does it go
    on sale?" is the phone, not its price); None when ``span`` is no measure of a thing."""
    root = span.root
    if root.lemma_.lower() not in words()["measure"]:
        return None
    owners = [c for p in root.rights if p.lower_ == "of" for c in p.children if c.dep_ == "pobj"]
    if not owners:
        return None
    owner = _chunk(owners[0])
    return owner if _fits(owner, plural=plural, named=False) \
        or _fits(owner, plural=plural, named=True) else None


def argument_of(lemma: str, docs: list[Any]) -> str | None:
    """What was the object of the verb ``lemma`` in the turns ``docs`` (the latest first): "the
    deal" of "Who signed the deal?", or "the letter" of "the signatories of the letter" (a noun
    made from the verb); "" when a noun made from the verb names no object ("the other
    signatories": they signed something the conversation has not named); None when the
    conversation does not say."""
    unnamed = False
    for doc in docs:
        for token in doc:
            if token.tag_ in _WH_TAGS:
                continue
            if token.dep_ == "dobj" and token.head.lemma_ == lemma:
                return _phrase(_chunk(token))
            if len(lemma) < 4 or not (token.pos_ == "NOUN" and token.lemma_ != lemma
                                      and token.lemma_.startswith(lemma)):
                continue
            objects = [c for p in token.rights if p.lower_ == "of"
                       for c in p.children if c.dep_ == "pobj" and c.tag_ not in _WH_TAGS]
            if objects:
                return _phrase(_chunk(objects[0]))
            unnamed = True
    return "" if unnamed else None


def event(doc: Any) -> str | None:
    """The kind of event a question is about, without its date or place: "World Cup" of "Who won
    the 2022 World Cup in Qatar?", "Tube strike" of "How long is the Tube strike?"."""
    found = next((e for e in doc.ents if e.label_ == "EVENT"), None)
    if found is not None:
        kept = [t.text for t in found if t.lower_ != "the" and not t.like_num
                and t.ent_type_ == "EVENT"]
        return " ".join(kept) or None
    phrase = thing(doc, persons=True)
    if phrase is None:
        return None
    head = next(c.root for c in doc.noun_chunks if phrase.endswith(c.text) or c.text in phrase)
    named = next((e for e in doc.ents if e.start <= head.i < e.end), None)
    if named is not None and named.label_ in _NAMED_THINGS:  # "the next Tour de France"
        if _subject(head):  # "What did the Bank of England decide?" is about no event
            return None
        return " ".join(t.text for t in named if t.lower_ != "the" and not t.like_num) or None
    kept = [t for t in head.lefts if t.dep_ == "compound"] + [head]
    return " ".join(t.text for t in kept)


def topic(doc: Any, *, known: str = "") -> str:
    """The words of a question that say what it is about, in order ("Why are London Underground
    staff going on strike?" → "London Underground staff going strike"), but those of ``known``
    (the question it goes along with), its dates, the word "how" asks with ("big" of "How big
    is …") and the light words of ``lexicon/en/followup.txt`` ("happened", "kind")."""
    told = set(known.lower().split())
    light = set(words()["light"])
    kept = [t.text for t in doc if not (t.is_stop or t.is_punct or t.tag_ in _WH_TAGS
                                        or t.tag_ == "POS" or t.lower_ in {"'s", "’s"}
                                        or t.lower_ in told or t.lemma_.lower() in light
                                        or t.ent_type_ in {"DATE", "TIME"} or t.pos_ == "ADP"
                                        or (t.pos_ in {"ADJ", "ADV"}
                                            and any(c.tag_ == "WRB" for c in t.children)))]
    return " ".join(kept[:6])


def _subject(token: Any) -> bool:
    """Whether ``token`` is (one of) the subject(s) of its sentence's main verb."""
    while token.dep_ == "conj":
        token = token.head
    return token.dep_ in {"nsubj", "nsubjpass"} and token.head.dep_ == "ROOT"


def _tagged(doc: Any, i: int) -> bool:
    """Whether the token at ``i`` is a #tag or @handle ("#MeToo" is no person)."""
    return i > 0 and doc[i - 1].text in {"#", "@"}


def _bare(span: Any) -> str:
    text = span.text
    for prefix in ("the ", "The "):
        text = text.removeprefix(prefix)
    return text.removesuffix("'s").removesuffix("’s").strip()


def _proper_runs(doc: Any) -> list[Any]:
    """Maximal runs of capitalised proper nouns (no #tags); a capitalised noun inside a sentence
    is one too ("a robot called Perch")."""
    runs, start = [], None
    for token in [*doc, None]:
        if token is not None and token.text[:1].isupper() and not _tagged(doc, token.i) and (
                token.pos_ == "PROPN" or (token.pos_ == "NOUN" and not token.is_sent_start)):
            start = token.i if start is None else start
            continue
        if start is not None:
            runs.append(doc[start:token.i if token is not None else len(doc)])
            start = None
    return runs


def _described(chunk: Any) -> Any:
    """A noun chunk as a description of a thing, or None for question words and pronouns. The
    small model reads some verbs as nouns: "the Musee d'Orsay closing" loses "closing", "How much
    will the new pedestrian bridge cost" is "the new pedestrian bridge". A place or organisation
    right after it goes along ("the outbreak in Kenya")."""
    doc = chunk.doc
    root = chunk.root
    asking = [t.i for t in chunk if t.tag_ in _WH_TAGS | {"MD", "RB"}]
    start = asking[-1] + 1 if asking else chunk.start
    misread = root.tag_ == "NN" and root.i == chunk.end - 1 and root.i > start and (
        (root.lower_.endswith("ing") and root.head.lemma_ == "be"
         and doc[root.i - 1].pos_ == "PROPN")
        or (root.dep_ == "ROOT" and any(t.tag_ == "MD" or t.dep_ == "aux" for t in doc)))
    if misread:
        return doc[start:root.i]
    if asking or root.tag_ in _WH_TAGS:
        return None
    end = chunk.end
    prep = next((c for c in root.rights if c.dep_ == "prep" and c.i == end), None)
    if prep is not None:
        objects = [c for c in prep.children if c.dep_ == "pobj"]
        if objects and objects[0].ent_type_ in PLACES | {"ORG", "EVENT"} \
                and objects[0].right_edge.i - prep.i < 5:
            end = objects[0].right_edge.i + 1
    return doc[chunk.start:end]


def _fits(span: Any, *, plural: bool, named: bool) -> bool:
    """Whether ``span`` is a definite description (``named`` False: no entity at its head) or
    a named organisation, event or product (``named`` True) that the pronoun can stand for."""
    root = span.root
    label = root.ent_type_
    if label in _NOT_THINGS:
        return False
    if named:  # "they" is an organisation only as the question's subject
        return _subject(root) if plural and label == "ORG" else \
            (not plural and label in _NAMED_THINGS)
    definite = span[0].lower_ in _DEFINITE or any(t.dep_ == "poss" for t in span)
    many = root.tag_ in {"NNS", "NNPS"}
    return definite and not label and many == plural


def _chunk(token: Any) -> Any:
    return next((c for c in token.doc.noun_chunks if c.start <= token.i < c.end),
                token.doc[token.left_edge.i:token.right_edge.i + 1])


def _phrase(span: Any) -> str:
    if span[0].tag_ == "PRP$":  # "its 3G network" of "Is AT&T shutting down its 3G network?"
        owner = next((c for c in span.doc.noun_chunks if _subject(c.root)
                      and c.root.ent_type_ in _NAMED_THINGS), None)
        rest = span.doc[span.start + 1:span.end].text
        return f"{owner.text}'s {rest}" if owner is not None else f"the {rest}"
    text = span.text.strip()
    # A sentence's first word ("The letter …") is lower case inside another sentence.
    if span[0].lower_ in _DEFINITE and span[0].text[:1].isupper():
        text = span[0].lower_ + text[len(span[0].text):]
    return text
