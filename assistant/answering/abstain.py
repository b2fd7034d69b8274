"""When to abstain: signals that the best sentence found does not answer the question.

Pure functions over the question, the chosen sentence and its passage. Similarity alone separates
answerable from unanswerable questions poorly (SQuAD 2.0's unanswerable questions are written
against the same paragraph), so a small logistic model combines it with cheap checks:

- ``similarity``: the best sentence's cosine with the question;
- ``type_ok``: the sentence holds an entity of the kind the question asks for (``Question``:
  a DATE for "when", a number for "how many", a PERSON for "who" that the question does not
  already name; 0.5 when no kind is asked);
- ``negated``: the question has a negation ("wasn't", "never") — SQuAD's favourite way to make a
  question that looks answerable but is not;
- ``terms_missing``: the share of the question's key terms (5-letter stems) that neither the
  sentence nor what it is about (its article's headline, dateline and lead names:
  ``evidence.sentence_context``) holds — a news question names the story as its headline does;
- ``names_missing``: names and numbers of the question the passage never mentions;
- ``conflict``: the sentence states something else than the question asks about — another
  number or ordinal ("incorporated in 1975" / "in 1973", "the third empire" / "the second"), the
  opposite word ("a right turn" / "a left turn", "larger" / "smaller"), or the plain form of a
  negated one ("non-Muslims" / "Muslims", "unencrypted" / "encrypted"). SQuAD 2.0 builds many
  unanswerable questions by such swaps; in news the same checks catch a question about another
  year, round or quarter than the one an article reports;
- ``flat``: nothing retrieved stands out — how far the best sentence's cosine stays below
  ``FLAT_BELOW`` above the mean cosine of all the retrieved sentences (0 when it rises
  further). A question the collection knows nothing about finds sentences all about as far
  from it; one it covers finds its story well above the rest. It is one-sided: a story that
  stands out (a news near miss: the same kind of event elsewhere) is left to the other
  signals.

The six within-article signals' weights were fitted on the SQuAD 2.0 sample, whose unanswerable
questions are asked of the very paragraph retrieved; ``flat``'s weight was fitted with those
held fixed over the SQuAD sample, the news development sets and off-topic questions asked of
the SQuAD paragraphs, each set weighing the same (``bench/abstain_cv.py`` refits and
cross-validates both; docs/evaluation.md, "Answer quality"). The answerer abstains when the
probability of "unanswerable" exceeds its threshold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.evidence import aliased, prefixes, stem_found
from assistant.answering.forms import ASKING, COUNTED_ITEMS
from assistant.answering.lexicon import pairs
from assistant.answering.text import STOPWORDS

_WORDS = re.compile(r"[A-Za-zÀ-ÿ0-9][\w'’-]*")
_STOP = STOPWORDS | {"name", "named"}
_NEGATION = re.compile(r"\b(not|never|no longer|without)\b|n[’']t\b")
_CAPITALISED = re.compile(r"(?<!^)\b[A-Z][\w-]+|\d+")
_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*(?:st|nd|rd|th)?")
_ORDINAL_DIGITS = re.compile(r"(\d+)(st|nd|rd|th)")
_NUMBER_VALUES = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_ORDINAL_VALUES = {w: str(i) for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth".split())} | {"last": "last"}
# Pairs of opposites a question can swap (``lexicon/en/opposites.txt``).
_OPPOSITE_PAIRS = pairs("opposites", "/")
_OPPOSITES: dict[str, set[str]] = {}
for _a, _b in _OPPOSITE_PAIRS:
    _OPPOSITES.setdefault(_a, set()).add(_b)
    _OPPOSITES.setdefault(_b, set()).add(_a)
# "One" with no noun to count after it: "the later one", "one of the groups"; and how many
# things a question asks for, which no sentence need repeat: "which two banks".
_PRONOUN_ONE = re.compile(r"\bone\b(?!\s+(?!of\b|and\b|or\b)[a-z])|(?<=which )(?:two|three|"
                          r"four|five|six|seven|eight|nine|ten|\d+)\b")
_NEGATED_FORM = re.compile(r"\b(non|un|anti)-?([a-z]{4,})\b")

# Logistic regression of "unanswerable" on the signals (`bench/abstain_cv.py` refits them and
# cross-validates the fit): the within-article six and the bias on the SQuAD 2.0 sample; `flat`
# over the SQuAD sample, news_eval, news_heldout and the off-topic questions asked of the SQuAD
# paragraphs, the six held fixed.
WEIGHTS = {"similarity": -4.83, "type_ok": -0.25, "negated": 1.99, "terms_missing": 0.18,
           "names_missing": 0.73, "conflict": 1.92, "flat": 27.0}
BIAS = 2.95
DEFAULT_THRESHOLD = 0.70
# `flat` counts from here down: a best sentence whose cosine rises less than this above the
# retrieved sentences' mean. Tried 0.20-0.28 on the sets above: 0.22 is the highest that
# abstains on no more answerable SQuAD questions than the six signals alone (0.25: +4 of 236,
# 0.28: +11, for one or two more off-topic questions caught).
FLAT_BELOW = 0.22
# ... among at least this many retrieved sentences: "nothing stands out" needs a crowd (a question
# asked of an index of one or two short articles compares its best sentence with two or three).
FLAT_CROWD = 12


@dataclass(frozen=True)
class Signals:
    similarity: float
    type_ok: float
    negated: float
    terms_missing: float
    names_missing: float
    conflict: float
    flat: float = 0.0

    def unanswerable(self) -> float:
        """Probability that the question is not answered by the sentence (0..1)."""
        z = BIAS + sum(w * getattr(self, name) for name, w in WEIGHTS.items())
        return 1.0 / (1.0 + math.exp(-z))


def _stems(text: str) -> set[str]:
    return {w[:5] for w in (m.lower().strip("'’-") for m in _WORDS.findall(text))
            if w not in _STOP and len(w) > 2}


def _values(text: str) -> tuple[set[str], set[str]]:
    """The numbers and the ordinals of a text, as digits ("three" → 3, "3rd" → 3); "one" that
    stands for a thing ("the later one?", "one of the groups") and the number of things asked
    for ("which two banks") count nothing."""
    numbers, ordinals = set(), set()
    for token in _TOKEN.findall(_PRONOUN_ONE.sub(" ", text.lower())):
        if m := _ORDINAL_DIGITS.fullmatch(token):
            ordinals.add(m.group(1))
        elif token[0].isdigit():
            numbers.add(token.replace(",", ""))
        elif token in _NUMBER_VALUES:
            numbers.add(_NUMBER_VALUES[token])
        elif token in _ORDINAL_VALUES:
            ordinals.add(_ORDINAL_VALUES[token])
    return numbers, ordinals


def value_conflict(question: str, sentence: str) -> bool:
    """The question names a number (or ordinal) the sentence lacks, and the sentence states
    another one: "incorporated in 1975?" against "was incorporated in 1973". The count of the
    things a list asks about ("each of the two airline strikes") is no such number."""
    q_numbers, q_ordinals = _values(COUNTED_ITEMS.sub(
        lambda m: m.group(0).replace(m.group("count"), "", 1), question))
    s_numbers, s_ordinals = _values(sentence)
    return (bool(q_numbers - s_numbers) and bool(s_numbers - q_numbers)) or (
        bool(q_ordinals - s_ordinals) and bool(s_ordinals - q_ordinals))


def opposite_conflict(question: str, sentence: str) -> bool:
    """A question word the sentence lacks, while the sentence has its opposite (in lower case
    or first, so "New England" is no opposite of "old"), and the question does not: "a right turn?"
    against "took a left turn"."""
    q_words = {w.lower() for w in _TOKEN.findall(question)}
    tokens = _TOKEN.findall(sentence)
    s_words = set(tokens[1:]) | {tokens[0].lower()} if tokens else set()
    return any(w not in s_words and (_OPPOSITES[w] & s_words) - q_words
               for w in q_words if w in _OPPOSITES)


def negated_form_conflict(question: str, sentence: str) -> bool:
    """The question negates a word by a prefix ("non-Muslims", "unencrypted") that the sentence
    has in its plain form only."""
    s_low = sentence.lower()
    s_words = set(_TOKEN.findall(s_low))
    return any(plain in s_words and not re.search(rf"\b{prefix}-?{plain}\b", s_low)
               for prefix, plain in _NEGATED_FORM.findall(question.lower()))


def conflict(question: str, sentence: str) -> float:
    """1 when the sentence states another value, the opposite, or the un-negated form of what
    the question asks about (see the module docstring), else 0."""
    return 1.0 if (value_conflict(question, sentence) or opposite_conflict(question, sentence)
                   or negated_form_conflict(question, sentence)) else 0.0


def _without(question: str, names: Sequence[str]) -> str:
    for name in names:
        if any(ch.isdigit() for ch in name):
            question = question.replace(name, " ")
    return question


def signals(question: str, sentence: str, passage: str, similarity: float, *,
            type_ok: float, context: str = "", standout: float = 1.0,
            crowd: int = FLAT_CROWD, names: Sequence[str] = ()) -> Signals:
    """The abstention model's inputs; ``type_ok`` is 1 when the sentence holds an entity of the
    kind the question asks for, 0 when it holds none, 0.5 when the question asks for no kind;
    ``context`` is what the sentence is about beyond its words (``evidence.sentence_context``);
    ``standout`` how far its cosine rises above the mean of the ``crowd`` retrieved sentences'
    (too few of them, and nothing is read into it); a number inside one of the question's
    ``names`` ("the Lumo Tab 3") is part of the name, no value it asks about."""
    # "How long", "how much": the adjective asks for a measure, it is not a term to find.
    q_stems = _stems(ASKING.sub("how", question))
    told = _stems(sentence) | _stems(context)
    missing = len(q_stems - told) / len(q_stems) if q_stems else 0.0
    # Mentioned as ``evidence.missing_names`` reads it: "Maltese" by "Malta", not "Montreux"
    # by "month".
    five, four = prefixes(w.lower() for w in _WORDS.findall(passage))
    low = passage.lower()
    unmentioned = [w for w in _CAPITALISED.findall(question.strip())
                   if not stem_found(w.lower(), five, four) and not aliased(w, low)]
    return Signals(
        similarity=similarity,
        type_ok=type_ok,
        negated=1.0 if _NEGATION.search(question.lower()) else 0.0,
        terms_missing=missing,
        names_missing=float(len(unmentioned)),
        conflict=conflict(_without(question, names), sentence),
        flat=max(0.0, FLAT_BELOW - standout) if crowd >= FLAT_CROWD else 0.0,
    )
