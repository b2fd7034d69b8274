"""What the passages say about names and stories, for choosing sentences: which names of a
question they mention (under usual aliases), what each sentence is about beyond its own words,
which sentence leads its article, and which articles report one story.

Pure functions over sentences and passages (no model).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from assistant.answering.places import COUNTRIES
from assistant.answering.text import STOPWORDS, Sentence
from assistant.results import Passage

LEAD_WITHIN = 300  # characters of dateline and byline before an article's first sentence
# A later report of the answer's story is quoted too when its best sentence scores this share.
UPDATE_SHARE = 0.75
Thread = Callable[[Passage, Passage], bool]
# Two headlines this close in meaning (embedding cosine) report one story: the answerer's
# threads and the figures set against each other (provenance) use the same bar.
SAME_STORY = 0.65


_GENERIC = STOPWORDS | frozenset("""
bank banks city company companies government minister ministry president prime state national
central federal new north south east west world international union party court news the
""".split())
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9]+")
# The endings of a people's name, which may share only four letters with its country's.
_PEOPLE = ("an", "ese", "ish", "i", "ic")


def aliased(name: str, text: str) -> bool:
    """Whether lower-cased ``text`` names ``name`` under one of its usual aliases ("UK" for
    "Britain", "London Underground" for "the Tube")."""
    return bool(_ALIASES.get(name.lower(), _NO_ALIAS).search(text))


def missing_names(names: Sequence[str], passages: Sequence[Passage]) -> list[str]:
    """The names of the question that no passage mentions: a near miss ("the Bank of Japan"
    when the passages are about the Bank of England). A name counts as mentioned when each of
    its distinctive words occurs, by its first five letters ("Patagonian" finds "Patagonia"), or
    four for a longer people's name ("Ivorian" finds "Ivory"; "Montreux" is not found by
    "month"), and one of its capitalised words is written as a name ("Pride" is not found by
    "prided"; "the Canarian Islands" is by "the Canarian islands")."""
    written = " ".join(f"{p.title} {p.place or ''} {p.text}" for p in passages)
    text = written.lower()
    found = set(_WORD.findall(written))
    any_case = prefixes(w.lower() for w in found)
    as_name = prefixes(w.lower() for w in found if w[0].isupper())
    missing = []
    for name in names:
        if aliased(name, text):
            continue
        if name.isupper() and len(name) <= 4:  # an acronym ("US", "ECB") is matched as written
            if not re.search(rf"\b{re.escape(name)}\b", written):
                missing.append(name)
            continue
        distinctive = [w for w in _WORD.findall(name.lstrip("#@"))
                       if w.lower() not in _GENERIC and len(w) > 1]
        capitalised = [w.lower() for w in distinctive if w[0].isupper()]
        if any(not stem_found(w.lower(), *any_case) for w in distinctive) or (
                capitalised and not any(stem_found(w, *as_name) for w in capitalised)):
            missing.append(name)
    return missing


def prefixes(words: Iterable[str]) -> tuple[set[str], set[str]]:
    """The five-letter prefixes of ``words``, and the four-letter ones of those of four or
    more letters."""
    listed = list(words)
    return {w[:5] for w in listed}, {w[:4] for w in listed if len(w) >= 4}


def stem_found(word: str, five: set[str], four: set[str]) -> bool:
    return word[:5] in five or (len(word) >= 6 and word.endswith(_PEOPLE) and word[:4] in four)


# Countries (``places.py``: "Thai" for an article datelined "BANGKOK"), blocs and institutions
# news names several ways. A country or its people's name is mentioned by any name of the
# country or of its cities; a city only by itself.
_ALIAS_GROUPS = [
    *((f"{names}|{cities}" if cities else names, names) for names, cities in COUNTRIES),
    *((group, group) for group in (
        "euro zone|eurozone|euro area|ecb|european central bank",
        "european union|eu|brussels", "tube|london underground")),
]
_ALIASES: dict[str, re.Pattern[str]] = {}
for _group, _named in _ALIAS_GROUPS:
    _pattern = re.compile(rf"(?<!\w)(?:{_group})(?!\w)")
    for _name in _named.replace("\\.", ".").split("|"):
        _ALIASES.setdefault(_name, _pattern)
_ALIASES["us"] = _ALIASES["usa"]  # not a pattern of its own: "us" is a pronoun too
# Every alias in one pattern, and the names of its group ("bangkok" → "thailand thai").
_GROUP_OF = {alias: named.replace("\\.", ".").replace("|", " ")
             for group, named in _ALIAS_GROUPS for alias in group.replace("\\.", ".").split("|")}
_ANY_ALIAS = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in sorted(
    _GROUP_OF, key=len, reverse=True)) + r")(?!\w)")
_NO_ALIAS = re.compile(r"(?!x)x")


def update(best: int, sentences: Sequence[Sentence], passages: Sequence[Passage],
            scores: np.ndarray, same_thread: Thread) -> int | None:
    """The best sentence of a later report of the story ``best`` comes from, when it scores
    at least UPDATE_SHARE of it: news figures change ("the toll rose to 31")."""
    first = passages[sentences[best].passage]
    later = [i for i, s in enumerate(sentences)
             if (passages[s.passage].published or "") > (first.published or "")
             and float(scores[i]) >= UPDATE_SHARE * float(scores[best])
             and same_thread(passages[s.passage], first)]
    return max(later, key=lambda i: float(scores[i])) if later else None


def with_lead(picked: list[int], sentences: Sequence[Sentence], passages: Sequence[Passage],
               scores: np.ndarray, share: float) -> list[int]:
    """``picked`` (sentences of one story, best first) led by the story's lead sentence when
    that scores at least ``share`` of the best, or whatever it scores when the best opens with
    a pronoun ("It was the ninth storm …"): in news the lead says who did what."""
    story = story_of(passages[sentences[picked[0]].passage])
    alone = not _SUBJECT_PRONOUN.match(sentences[picked[0]].text)
    for i, s in enumerate(sentences):
        if (story_of(passages[s.passage]) == story and is_lead(s, sentences[i - 1] if i else None,
                                                               passages)):
            if i in picked or (alone and float(scores[i]) < share * float(scores[picked[0]])):
                return picked
            return [i, *picked]
    return picked


def is_lead(s: Sentence, before: Sentence | None, passages: Sequence[Passage]) -> bool:
    """The first sentence of a passage that starts the article (after its dateline and byline,
    which the first passage leaves out)."""
    return passages[s.passage].start <= LEAD_WITHIN and (before is None
                                                         or before.passage != s.passage)


def story_of(p: Passage) -> str:
    """Syndicated copies of a story are one story."""
    return p.canonical_id or p.article_id


_SUBJECT_PRONOUN = re.compile(r"^\W*(she|he|they|it|his|her|their|its)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")


def sentence_context(sentences: Sequence[Sentence], passages: Sequence[Passage]) -> list[str]:
    """What a sentence is about beyond its own words, for term matching: its article's title,
    dateline place and the names of its lead (the story's actors, whom later sentences call
    "the company" or "the judge"), and for a sentence that opens with a pronoun ("She kicked
    off …") the names of the sentence before it in the article, so a question naming her still
    matches it."""
    leads: dict[str, str] = {}
    for i, s in enumerate(sentences):
        if is_lead(s, sentences[i - 1] if i else None, passages):
            names = _NAME.findall(f"{passages[s.passage].title} . {s.text}")
            # "European Central Bank" is also the "ECB" a question may ask about.
            acronyms = ["".join(w[0] for w in n.split() if w[0].isupper())
                        for n in names if len(n.split()) >= 2]
            # "London Underground" is also "the Tube"; "British" also "Britain".
            told = f"{passages[s.passage].title} {s.text}".lower()
            aliases = dict.fromkeys(_GROUP_OF[m.group(0)] for m in _ANY_ALIAS.finditer(told))
            leads[passages[s.passage].article_id] = " ".join([*names, *acronyms, *aliases])
    out = []
    for i, s in enumerate(sentences):
        prev = sentences[i - 1] if i else None
        p = passages[s.passage]
        context = f"{p.title} {p.place or ''} {leads.get(p.article_id, '')}"
        if (prev is not None and _SUBJECT_PRONOUN.match(s.text)
                and passages[prev.passage].article_id == p.article_id
                and prev.end <= s.start):
            context += " " + " ".join(_NAME.findall(prev.text))
        out.append(context)
    return out
