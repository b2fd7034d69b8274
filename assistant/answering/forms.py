"""What kind of answer a question asks for: one fact, several, or a digest of the news.

- ``factoid``: one fact ("How many people died?", "Who called the strike?"); the answer is the
  best supporting sentence, with the phrase of the asked type (a number, a date, a name, a place)
  located in it;
- ``list``: several facts, often from several articles ("Which companies announced factories?",
  "What did the ECB and the Bank of England decide?"): one supporting sentence per article, and
  one for every name the question joins with "and";
- ``digest``: the news of a period or on a topic ("What happened in London last week?", "What's
  the latest on the strike?", "main stories this week"): the lead of each distinct story, newest
  first.

Rules over the question's words, pure and tested on their own.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from assistant.answering.lexicon import table
from assistant.answering.topics import spell_out

Kind = Literal["factoid", "list", "digest", "parts"]
AnswerType = Literal["number", "date", "person", "place", "name"]

_DIGEST = re.compile(
    r"\b(what(?:'s| is| has)? (?:been )?(?:happen(?:ed|ing)|going on|new)|"
    r"what(?:'s| is| are) the (?:latest|news|headlines|main (?:news|stories))|"
    r"(?:the )?latest (?:news )?(?:on|about|from|in)|any (?:news|updates?)|news (?:on|about|from)|"
    r"(?:main|top|biggest|key) (?:stories|news|headlines|events)|headlines|"
    r"(?:summari[sz]e|summary of|overview of|round-?up|recap|catch me up|bring me up to date|"
    r"update me)|what (?:stories|news) (?:were|was|are|is)|"
    r"(?:top|big|biggest|main|major|key|latest)(?: [\w']+){0,3} (?:stor(?:y|ies)|news|"
    r"headlines|results|developments)|^\s*any(?:thing)?\b|\bany [\w ]{0,30}(?:news|updates?|"
    r"stories|coming up)|coming up|upcoming|give me (?:the|a|an|some) [\w ]{0,30}"
    r"(?:news|results|stories|headlines|update|summary)|give me [\w'’ ]{0,40}(?:news|stories|"
    r"headlines|updates?)|\b(?:this|last|today|yesterday)(?: week| month)?['’]s [\w ]{0,30}"
    r"(?:news|stories|headlines))\b", re.IGNORECASE)
# "the two airline strikes": the number counts the things a list asks about, it is no value.
_COUNTED_ITEMS = r"\bthe (?P<count>two|three|four|five) (?:[\w-]+ )?\w+s\b"
COUNTED_ITEMS = re.compile(_COUNTED_ITEMS, re.IGNORECASE)
_LIST = re.compile(
    r"^\s*(?:which|what) (?:\w+ )?(?:companies|firms|countries|cities|banks|unions|teams|"
    r"people|players|films|movies|events|stories|groups|parties|candidates|measures|places|"
    r"governments|nations|organi[sz]ations|institutions|central banks|\w+s) (?:\w+ )*?"
    r"(?:have|has|had|did|do|does|are|were|will|announced|said|called|won|face|plan|are)\b|"
    r"^\s*(?:list|name) (?:the |all |every )|\b(?:both|each of|all the|every) \w+|"
    r"^\s*who (?:else|all)\b|\bwhich (?:\w+ )?(?:ones|others)\b|\bcompare[sd]?\b|"
    r"\bchange[sd]? (?:between|from)\b|\bdifference between\b|\b(?:versus|vs)\b|"
    rf"{_COUNTED_ITEMS}|"
    # two questions in one: "…, and how many in the final count?", "… and which are cutting"
    r"^\s*(?:what|which|who|how|when|where)\b.*\w,? and (?:what|which|who|how|when|where) \w",
    re.IGNORECASE)
# "How long", "how many": the adjective asks for a measure; it is no term to look for.
MEASURES = ("many", "much", "old", "long", "far", "tall", "high", "deep", "fast", "often", "big",
            "large", "strong")
ASKING = re.compile(rf"\bhow (?:{'|'.join(MEASURES)})\b", re.IGNORECASE)
_AND_NAMES = re.compile(r"\band\b", re.IGNORECASE)
_COMPARED = re.compile(r"\b(?:compared?s?|comparison)\s+(?:with|to)\s+(?:that of\s+|the\s+)?"
                       r"(?P<other>[\w'’ -]+?)\s*(?:[?.!,;]|$)", re.IGNORECASE)
_CALENDAR = re.compile(r"(?:January|February|March|April|May|June|July|August|September|"
                       r"October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|"
                       r"Saturday|Sunday)(?: \d{1,2}| \d{4})*", re.IGNORECASE)


def digest_like(question: str) -> bool:
    """Whether ``question`` asks for the news of a period or topic."""
    return bool(_DIGEST.search(question))


def list_like(question: str, names: tuple[str, ...]) -> bool:
    """Whether ``question`` asks for several facts: list wording, or names joined by "and"."""
    return bool(_LIST.search(question)) or (len(names) >= 2 and bool(_AND_NAMES.search(question)))


_SECOND = re.compile(r"\w,? and (?=(?:what|which|who|how|when|where) \w)", re.IGNORECASE)
_WH_OPENING = re.compile(r"^\s*(?:what|which|who|how(?: \w+)?|when|where)\s+", re.IGNORECASE)


def two_questions(question: str) -> tuple[str, str] | None:
    """Two questions in one, each on its own ("How much does petrol cost now, and what was the
    price before?" → "How much does petrol cost now", "what was the price before"); None for
    one question."""
    if not _WH_OPENING.match(question):
        return None
    found = list(_SECOND.finditer(question))
    if not found:
        return None
    first = question[:found[-1].start() + 1].strip()
    return first, question[found[-1].end():].strip()


_DIGEST_FILLER = re.compile(
    r"\b(?:what(?:'s| is| are| were| was| has)?|give me|tell me|show me|bring me|catch me|is|are|"
    r"there|been|happen(?:ed|ing)?|going on|new|latest|news|updates?|stor(?:y|ies)|headlines|"
    r"top|big|biggest|main|major|key|developments|results|summary|summari[sz]e|overview|"
    r"round-?up|recap|up to date|any(?:thing)?|coming up|upcoming|the|on|about|from|in|of|"
    r"with|some|a|an|this|that|these|week(?:'s)?|weekend|month|today|yesterday(?:'s)?)\b",
    re.IGNORECASE)


def digest_topic(question: str) -> str:
    """What a digest question is about once its digest words are gone ("the latest on the
    Tube strike" → "Tube strike"); "" for a digest of a period only ("What happened?")."""
    rest = _DIGEST_FILLER.sub(" ", question)
    return " ".join(re.sub(r"[?!.,;:]", " ", rest).split())


def parts(question: str, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """A question that joins several names, asked of each name alone: (name, the question with
    the other joined names left out). "What did the Bank of England and the ECB decide?" →
    ("Bank of England", "What did the Bank of England and the decide?"), ("ECB", …). The
    leftover words are harmless to sentence scoring, which weighs the question's terms."""
    names = tuple(dict.fromkeys(n for n in names if not _CALENDAR.fullmatch(n)))
    compared = _COMPARED.search(question)
    if len(names) == 1 and compared and names[0] not in compared.group("other"):
        names = (names[0], compared.group("other"))  # "Britain compare with the euro zone"
    elif len(names) < 2 or not (_AND_NAMES.search(question) or compared):
        return []
    out = []
    for name in names:
        rest = question
        for other in names:
            if other != name and other not in name:
                rest = re.sub(rf"(?<!\w){re.escape(other)}(?!\w)", " ", rest)
        out.append((name, " ".join(rest.split())))
    return out


def search_text(question: str, digest: bool) -> str:
    """What retrieval should look for: the question, with the vocabulary of the section a
    digest asks about ("sport", "Africa": ``topics.py``) spelled out."""
    return spell_out(question) if digest else question


_MONEY = r"[$£€¥]|\b(?:euros?|dollars?|pounds?|francs?|yen|yuan|rupees?|cents?|pence)\b"
_UNITS = {
    "much": _MONEY + r"|%|\bper ?cent\b|\btonnes?\b",
    "old": r"\byears?\b|-year-old\b|\bago\b|\baged?\b|\bcentur(?:y|ies)\b",
    "long": r"\b(?:-?(?:hours?|days?|weeks?|months?|years?|minutes?|seconds?|metres?|meters?|"
            r"kilometres?|km|miles?|feet))\b|\d:\d\d",
    "far": r"\b(?:metres?|meters?|kilometres?|km|miles?)\b",
    "tall": r"\b(?:metres?|meters?|feet|foot|cm)\b",
    "high": r"\b(?:metres?|meters?|feet|%)\b|\d:\d\d",
    "deep": r"\b(?:metres?|meters?|kilometres?|km|feet)\b",
    "fast": r"\b(?:km/h|mph|kilometres per hour|miles per hour)\b",
    "strong": r"\b(?:km/h|mph|kilometres per hour|kilometers per hour|miles per hour|knots|"
              r"magnitude)\b",
    "often": r"\b(?:times?|daily|weekly|monthly|annually|every)\b",
    "big": r"\b(?:metres?|tonnes?|square|hectares?|gigawatt|billion|million)\b|" + _MONEY,
    "large": r"\b(?:metres?|tonnes?|square|hectares?|billion|million)\b|" + _MONEY,
}
_HOW = re.compile(rf"\bhow ({'|'.join(MEASURES)})"
                  r"(?: (?:more |new )?([a-z]+))?", re.IGNORECASE)
_WHAT_MEASURE = re.compile(r"\bwhat (?:percentage|percent|share|rate|proportion)\b|"
                           r"\b(?:raise|pay rise)s?\b", re.IGNORECASE)
# A price is paid in money, never in per cent: "what does the scooter cost" is not "80 percent".
_WHAT_PRICE = re.compile(r"\b(?:price[sd]?|fines?|penalt(?:y|ies)|costs?|salar(?:y|ies)|"
                         r"wages?|fees?)\b", re.IGNORECASE)


def measure_words(question: str) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """What a number answering ``question`` is measured in, as a pattern of unit words ("how
    old" → years, "how much" → money or a share), and the question's words that only ask for a
    measure ("how long": "long" is no topic word)."""
    if m := _HOW.search(question):
        adjective, noun = m.group(1).lower(), (m.group(2) or "").lower()
        if adjective == "many" and noun:  # "how many jobs": the number comes with "jobs"
            return re.compile(rf"\b{re.escape(noun[:4])}", re.IGNORECASE), frozenset({"many"})
        if adjective in _UNITS:
            return re.compile(_UNITS[adjective], re.IGNORECASE), frozenset({adjective})
        return None, frozenset({adjective})
    if _WHAT_MEASURE.search(question):
        return re.compile(_MONEY + r"|%|\bper ?cent\b", re.IGNORECASE), frozenset()
    if _WHAT_PRICE.search(question):
        return re.compile(_MONEY, re.IGNORECASE), frozenset()
    return None, frozenset()


@cache
def _quoting() -> re.Pattern[str]:
    forms = sorted({f for found in table("speech").values() for f in found}, key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(forms)})\b|[\"“”]", re.IGNORECASE)


def quoting(sentence: str, speaker: str) -> bool:
    """Whether ``sentence`` reports words of ``speaker`` (named with a verb of saying of
    ``lexicon/en/speech.txt`` or a quotation: '"Every vote must count," Kask told reporters')."""
    return bool(re.search(rf"\b{re.escape(speaker)}\b", sentence)) and bool(
        _quoting().search(sentence))
