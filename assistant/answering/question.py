"""A question, parsed once: its form, what kind of thing answers it, the names and dates it holds.

The English pipeline (``language.py``) parses the question; this module reads the parse:

- ``form``: ``factoid`` (one fact), ``list`` (several: "Which countries …?" with a plural head
  noun, names joined by "and", "compare …"), or ``digest`` (the news of a period or topic);
- ``expected``: the entity labels an answer should hold, from the question word and the noun it
  asks about (``lexicon/en/answer_types.txt``): who → PERSON, which company → ORG, where →
  GPE/LOC/FAC, when → DATE/TIME, how many → CARDINAL …; the noun wins over the word ("who" is a
  person, "which team" an organisation);
- ``names``: the named entities and proper nouns of the question, which the passages must mention
  (else it is a near miss: the same kind of event elsewhere);
- ``dates``: the dates it names.

Retrieval, the answerer and the abstention check all read this one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant.answering.forms import MEASURES, AnswerType, Kind, digest_like, list_like
from assistant.answering.language import English, Entity, english
from assistant.answering.lexicon import pairs, table

# Entity labels that are values rather than names: a question's number is no name to look for.
VALUES = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_COARSE: dict[str, AnswerType] = {
    "PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "DATE": "date",
    "TIME": "date", "CARDINAL": "number", "QUANTITY": "number", "MONEY": "number",
    "PERCENT": "number",
}
_HOW = frozenset(MEASURES)
_BE = frozenset({"is", "are", "was", "were", "be", "been", "'s", "’s", "'re"})
_WH = frozenset({"who", "whom", "whose", "what", "which", "where", "when", "how"})
# What may stand between "which" and its noun: "which Australian cities", "which two groups".
_MODIFIER = frozenset({"amod", "nummod", "compound"})


@dataclass(frozen=True)
class Question:
    text: str
    form: Kind = "factoid"
    expected: tuple[str, ...] = ()  # entity labels that answer it, most likely first
    cue: str | None = None  # what the labels came from: "who", "how many", "country" …
    names: tuple[str, ...] = ()  # named entities and proper nouns, in order
    entities: tuple[Entity, ...] = field(default=(), compare=False)
    dates: tuple[str, ...] = ()
    # What a "how many" counts: "votes" in "how many yes votes did …" (its numbers' unit).
    counted: str | None = None
    # Whose words it asks for: "Kask" of "What did Merle Kask say about the count?".
    speaker: str | None = None
    # The outlets it names, each a part of the answer (``parts.with_outlets``; form "parts").
    outlets: tuple[Any, ...] = field(default=(), compare=False)  # of parts.Outlet

    @property
    def answer_type(self) -> AnswerType | None:
        """The coarse kind of the answer (number, date, person, place, name), or None."""
        if not self.expected:
            return None
        return _COARSE.get(self.expected[0], "name")

    def answers_with(self, entity: Entity) -> bool:
        """Whether ``entity`` is of a kind this question asks for and not already named in it."""
        return entity.label in self.expected and entity.text.lower() not in self.text.lower()


@lru_cache(maxsize=1)
def answer_types() -> dict[str, tuple[str, ...]]:
    """The cue → labels table of ``lexicon/en/answer_types.txt``."""
    found: dict[str, tuple[str, ...]] = {}
    for cues, labels in pairs("answer_types", "\t"):
        multi = cues.startswith("how ") or cues.startswith("what ")
        for cue in [cues] if multi else cues.split():
            found.setdefault(cue.strip().lower(), tuple(labels.split()))
    return found


def parse_question(text: str, nlp: English | None = None) -> Question:
    """``text`` parsed into a :class:`Question`."""
    text = " ".join(text.split())
    if not text:
        return Question(text)
    doc = (nlp or english()).parse(text)
    ents = tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
    names = proper_names(doc)
    cue, expected, plural = _asked(doc)
    if digest_like(text):
        form: Kind = "digest"
    elif plural or list_like(text, names):
        form = "list"
    else:
        form = "factoid"
    return Question(text, form, expected, cue, names, ents,
                    tuple(e.text for e in ents if e.label == "DATE"
                          and not _WH & set(e.text.lower().split())),
                    counted=_counted(doc) if cue == "how many" else None,
                    speaker=_speaker(doc))


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    """The verbs of saying (``lexicon/en/speech.txt``), as lemmas."""
    return frozenset(table("speech"))


def _speaker(doc: Any) -> str | None:
    """The person a question asks what they said, by the last word of their name: the person
    who is the subject of a verb of saying in a wh-question ("What did Merle Kask say?")."""
    if not any(t.tag_ in {"WP", "WRB", "WDT"} for t in doc):
        return None
    return next((c.text for t in doc if t.lemma_.lower() in speech_verbs()
                 for c in t.children if c.dep_ == "nsubj" and c.ent_type_ == "PERSON"), None)


def _counted(doc: Any) -> str | None:
    """The noun "how many" counts ("how many more jobs" → "jobs"), by the parse."""
    many = next((t for t in doc if t.lower_ == "many"), None)
    noun = many.head if many is not None else None
    while noun is not None and noun.pos_ == "ADJ" and noun.head.i != noun.i:
        noun = noun.head
    return noun.text if noun is not None and noun.pos_ in {"NOUN", "PROPN"} else None


def proper_names(doc: Any) -> tuple[str, ...]:
    """The named entities that are names (not values) and runs of proper nouns the recogniser
    left out, in order of appearance."""
    spans: list[tuple[int, str]] = []
    covered: set[int] = set()
    for e in doc.ents:
        if e.label_ not in VALUES:
            text = e.text.removeprefix("the ").removeprefix("The ").strip()
            text = text.removesuffix("'s").removesuffix("’s")
            if text and text.lower() not in _WH:
                spans.append((e.start_char, text))
        covered.update(range(e.start, e.end))
    run: list[Any] = []
    for token in [*doc, None]:
        if token is not None and token.i not in covered and token.pos_ == "PROPN" \
                and token.text.lower() not in _WH and token.text[:1].isupper():
            run.append(token)
            continue
        if run:
            spans.append((run[0].idx, doc.text[run[0].idx:run[-1].idx + len(run[-1].text)]))
            run = []
    return tuple(dict.fromkeys(t for _, t in sorted(spans)))


def _asked(doc: Any) -> tuple[str | None, tuple[str, ...], bool]:
    """The cue of what the question asks for, its entity labels, and whether the noun asked
    about is plural ("which countries": a list)."""
    table = answer_types()
    tokens = list(doc)
    for i, token in enumerate(tokens):
        word = token.lower_
        if word == "how" and i + 1 < len(tokens) and tokens[i + 1].lower_ in _HOW:
            cue = f"how {tokens[i + 1].lower_}"
            return cue, table.get(cue, ()), False
        if word in {"what", "which"} or (word == "name" and i == 0):
            noun = _asked_noun(token)
            if noun is not None:
                key = noun.lower_ if noun.lower_ in table else noun.lemma_.lower()
                if key in {"name", "title", "kind", "type", "sort"}:  # "the name of the company"
                    inner = _of(noun)
                    if inner is not None and inner.lower_ in table:
                        noun, key = inner, inner.lower_
                elif noun.lemma_.lower() == "group" and (inner := _of(noun)) is not None:
                    # "which groups of workers": workers (of no kind listed), not organisations
                    if inner.lemma_.lower() not in table:
                        return None, (), _plural(noun)
                    noun, key = inner, inner.lemma_.lower()
                if f"what {key}" in table:
                    return f"what {key}", table[f"what {key}"], False
                if key in table:
                    return key, table[key], _plural(noun)
            if word == "name" or (noun is not None and key == "name"):
                return "name", table["name"], noun is not None and noun.tag_ == "NNS"
            if word in {"what", "which"}:
                continue
        if word in table and word in _WH:
            measure = _measured_subject(token, table) if word == "where" else None
            if measure is not None:  # "where do interest rates stand": a rate, not a place
                return measure.lemma_.lower(), table[measure.lemma_.lower()], False
            return word, table[word], False
    # "What do the phone and the scooter cost?": the verb at the end, parsed as a noun.
    last = next((t for t in reversed(tokens) if not t.is_punct), None)
    if tokens[0].lower_ == "what" and tokens[0].dep_ == "dobj" and last is not None \
            and last.lemma_.lower() in table and set(table[last.lemma_.lower()]) <= VALUES:
        return last.lemma_.lower(), table[last.lemma_.lower()], False
    # "Give me the price of …", "tell me the date": the object of a request.
    root = next((t for t in tokens if t.dep_ == "ROOT"), None)
    if root is not None and root.i == 0 and root.pos_ == "VERB":
        for obj in root.children:
            if obj.dep_ == "dobj" and obj.lower_ in table:
                return obj.lower_, table[obj.lower_], obj.tag_ in {"NNS", "NNPS"}
    return None, (), False


def _plural(noun: Any) -> bool:
    """Whether the noun asked about is plural ("which countries"), also when the tagger took
    it for a verb ("which runners made up …": VBZ)."""
    return noun.tag_ in {"NNS", "NNPS"} or (noun.tag_ == "VBZ" and noun.i > 0
                                            and noun.nbor(-1).lower_ in {"which", "what"})


def _of(noun: Any) -> Any:
    """The noun of an "of" after ``noun`` ("workers" in "groups of workers"), or None."""
    return next((c for p in noun.children if p.lower_ == "of"
                 for c in p.children if c.dep_ == "pobj"), None)


def _measured_subject(token: Any, table: dict[str, tuple[str, ...]]) -> Any:
    """The subject of the verb "where" modifies when it is a rate or a price ("where do interest
    rates stand", "where is the price heading"): the question asks for its value ("where does
    the population live" still asks for a place)."""
    subject = next((c for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"}
                    and c.pos_ == "NOUN"), None)
    if subject is None:
        return None
    labels = table.get(subject.lemma_.lower(), ())
    return subject if labels and labels[0] in {"PERCENT", "MONEY"} and set(labels) <= VALUES \
        else None


def _asked_noun(token: Any) -> Any:
    """The noun a "which"/"what" asks about: "which country" (its head), "what is the capital"
    (the copula's other side), "name the film" (its object)."""
    if token.dep_ == "det" and token.head.pos_ in {"NOUN", "PROPN"}:
        return token.head
    after = token.nbor() if token.i + 1 < len(token.doc) else None
    # "in which city will …", "which Australian cities", "which two groups" (parsed apart)
    while after is not None and after.pos_ in {"ADJ", "NUM"} and after.dep_ in _MODIFIER \
            and after.i + 1 < len(token.doc):
        after = after.nbor()
    if after is not None and (after.pos_ == "NOUN" or (token.lower_ == "which"
                                                       and after.lemma_.lower() in answer_types())):
        return after  # "which runners made up …": a noun the tagger took for a verb
    if token.lower_ == "name":
        return next((c for c in token.children if c.dep_ == "dobj"), None)
    head = token.head
    if token.dep_ in {"dobj", "dative"} and head.dep_ == "ROOT" \
            and head.lemma_.lower() in answer_types():
        return head  # "what will the strike cost": a cost
    if head.lower_ in _BE:
        return next((c for c in head.children if c is not token and c.dep_ in {"attr", "nsubj"}
                     and c.pos_ in {"NOUN", "PROPN"}), None)
    return None
