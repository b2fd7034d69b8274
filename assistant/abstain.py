"""When to abstain: signals that the best sentence found does not answer the question.

Pure functions over the question, the chosen sentence and its passage. Similarity alone separates
answerable from unanswerable questions poorly (SQuAD 2.0's unanswerable questions are written
against the same paragraph), so a small logistic model combines it with cheap checks:

- ``similarity``: the best sentence's cosine with the question;
- ``type_ok``: the sentence holds the kind of answer asked for — a "when" needs a date, "how
  many" a number, "who" a name that is not already in the question (0.5 when no type is asked);
- ``negated``: the question has a negation ("wasn't", "never") — SQuAD's favourite way to make a
  question that looks answerable but is not;
- ``terms_missing``: the share of the question's key terms (5-letter stems) the sentence lacks;
- ``names_missing``: names and numbers of the question the passage never mentions.

The weights were fitted on the SQuAD 2.0 sample (README, "Answer quality"); the answerer abstains
when the probability of "unanswerable" exceeds its threshold.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.sentences import STOPWORDS

_WORDS = re.compile(r"[A-Za-zÀ-ÿ0-9][\w'’-]*")
_STOP = STOPWORDS | {"name", "named"}
_WHEN = re.compile(r"\b(when|what year|which year|what date|what century|what decade|what time)\b")
_HOW_MANY = re.compile(r"\bhow (many|much|long|old|far|large|big|often|tall|high)\b|"
                       r"\bwhat (percentage|percent|number|amount|proportion)\b")
_WHO = re.compile(r"^\s*who\b|\bwho (is|was|were|did|does|had|has)\b")
_DATE = re.compile(r"\b(1\d{3}|20\d{2}|\d{2,4}s|centur(y|ies)|january|february|march|april|may|"
                   r"june|july|august|september|october|november|december|bc|ad|bce|ce|"
                   r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday)\b")
_NUMBER_WORDS = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
                           r"twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|"
                           r"dozen|several|half|twice|thrice|few|percent)\b")
_NEGATION = re.compile(r"\b(not|never|no longer|without)\b|n[’']t\b")
_CAPITALISED = re.compile(r"(?<!^)\b[A-Z][\w-]+|\d+")

# Fitted on the SQuAD 2.0 sample: logistic regression of "unanswerable" on the features.
WEIGHTS = {"similarity": -2.54, "type_ok": -0.23, "negated": 1.54, "terms_missing": 0.46,
           "names_missing": 0.58}
BIAS = 1.46
DEFAULT_THRESHOLD = 0.62


@dataclass(frozen=True)
class Signals:
    similarity: float
    type_ok: float
    negated: float
    terms_missing: float
    names_missing: float

    def unanswerable(self) -> float:
        """Probability that the question is not answered by the sentence (0..1)."""
        z = BIAS + sum(w * getattr(self, name) for name, w in WEIGHTS.items())
        return 1.0 / (1.0 + math.exp(-z))


def _stems(text: str) -> set[str]:
    return {w[:5] for w in (m.lower().strip("'’-") for m in _WORDS.findall(text))
            if w not in _STOP and len(w) > 2}


def type_ok(question: str, sentence: str) -> float:
    q, s = question.lower(), sentence.lower()
    if _WHEN.search(q):
        return 1.0 if _DATE.search(s) else 0.0
    if _HOW_MANY.search(q):
        return 1.0 if _NUMBER_WORDS.search(s) else 0.0
    if _WHO.search(q):
        asked = {w.lower() for w in _WORDS.findall(question)}
        names = [w for w in re.findall(r"\b[A-Z][a-zà-ÿ]+", sentence[1:])
                 if w.lower() not in asked]
        return 1.0 if names else 0.0
    return 0.5


def signals(question: str, sentence: str, passage: str, similarity: float) -> Signals:
    q_stems = _stems(question)
    missing = len(q_stems - _stems(sentence)) / len(q_stems) if q_stems else 0.0
    passage_stems = {w.lower()[:5] for w in _WORDS.findall(passage)}
    names = [w for w in _CAPITALISED.findall(question.strip()) if w.lower()[:5]
             not in passage_stems]
    return Signals(
        similarity=similarity,
        type_ok=type_ok(question, sentence),
        negated=1.0 if _NEGATION.search(question.lower()) else 0.0,
        terms_missing=missing,
        names_missing=float(len(names)),
    )
