"""The extractive answerer: answers with citations from the passages' own sentences, no LLM.

It reads the retrieved passages sentence by sentence and scores each sentence against the
question (embedding similarity plus coverage of the question's key terms). Then, by the question's
form (``forms.py``):

- a factoid is answered by the best-supported sentences, with the phrase of the asked type
  located in them;
- a list question by the best sentence of each story that supports it, plus one for every name
  the question joins;
- a digest by the lead sentence of each story, newest first.

It abstains when even the best sentence is weakly supported, when the abstention model finds the
question unanswered (``abstain.py``), or when the question names someone or somewhere none of the
passages mention (the same kind of event elsewhere: a near miss). An abstention keeps the passages
that look related, to be shown as such.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.answering.abstain import DEFAULT_THRESHOLD, Signals, signals
from assistant.answering.compose import compose, lead_sentences, one_per_article, typed_spans
from assistant.answering.conversation import Turn, rewrite_followup
from assistant.answering.forms import QuestionForm, digest_topic, parts, question_form
from assistant.answering.text import STOPWORDS, Sentence, content_terms, passage_sentences
from assistant.answering.topics import is_section, spell_out
from assistant.results import Answer, Final, Passage, StreamEvent, text_deltas

# A passage is shown as related to an unanswered question from this cosine between the question
# and its best sentence (unrelated news scores about 0.1-0.2 with the bundled model).
RELATED_SIMILARITY = 0.3
# Added to the score of a sentence that holds the kind of phrase the question asks for (a number
# for "how many", a date for "when").
TYPE_BONUS = 0.15
# A digest on a topic keeps the stories whose best sentence scores this share of the best one's.
DIGEST_SHARE = 0.6
LIST_SUPPORT = 0.8
# Added to a sentence that opens its article (news leads with the main fact).
LEAD_BONUS = 0.05
# For a question joining names, added to a sentence whose story mentions the name asked about,
# and taken from one whose story already answers another name.
NAME_BONUS = 0.2
# Each part of a question joining names is answered by up to two sentences of one story, the
# second when it scores this share of the first.
PART_SENTENCES = 2
PART_SHARE = 0.9
# A list keeps the stories whose best sentence scores this share of the best one's.
LIST_SHARE = 0.65
# A topic is a category as often as a subject ("sport", "the economy"): its words rarely occur in
# the stories, so a digest needs less support than a fact before it abstains.
DIGEST_MIN_SUPPORT = 0.2


class ExtractiveAnswerer:
    """Composes an answer from the retrieved passages' best-supported sentences."""

    # The service runs the citation verifier over its answers.
    verifies_itself = False

    def __init__(
        self,
        embed: Callable[[list[str]], Any],
        *,
        min_support: float = 0.35,
        max_sentences: int = 3,
        semantic_weight: float = 0.6,
        abstain_threshold: float = DEFAULT_THRESHOLD,
        max_stories: int = 5,
    ) -> None:
        self.embed = embed
        self.min_support = min_support
        self.max_sentences = max_sentences
        self.semantic_weight = semantic_weight
        self.abstain_threshold = abstain_threshold
        self.max_stories = max_stories

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        form = question_form(question)
        sentences = passage_sentences(passages)
        if not sentences or not question.strip():
            return Answer.abstaining(question, passages)
        scores, semantic = self._scores(question, [s.text for s in sentences],
                                        _resolved_names(sentences, passages))
        if form.kind == "digest":
            return self._digest(question, form, passages, sentences, semantic)
        scores = scores + self._priors(question, form, sentences, passages)
        top = int(np.argmax(scores))
        best = sentences[top]
        # Several facts rarely share the question's words as one fact does: less is needed.
        support = self.min_support * (LIST_SUPPORT if form.kind == "list" else 1.0)
        if float(scores[top]) < support or missing_names(form.names, passages) or (
                form.kind == "factoid" and signals(
                    question, best.text, passages[best.passage].text,
                    float(semantic.max())).unanswerable() > self.abstain_threshold):
            return _with_form(self._abstain(question, passages, sentences, semantic), form)
        if form.kind == "list":
            return _with_form(self._list(question, form, passages, sentences, scores), form)
        chosen = self._best_sentences(sentences, scores)
        # Read in the order the articles tell it: by passage rank, then position.
        chosen.sort(key=lambda i: (sentences[i].passage, sentences[i].start))
        return _with_form(compose(question, passages, [(sentences[i], float(scores[i]))
                                                       for i in chosen],
                                  answer_type=form.answer_type), form)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[StreamEvent]:
        answer = self.answer(question, passages)
        yield from text_deltas(answer.text)
        yield Final(answer)

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """The follow-up rewritten by rules (pronouns and elliptical questions resolved)."""
        return rewrite_followup(question, history)

    def abstention_signals(self, question: str, passages: Sequence[Passage]) -> Signals | None:
        """The abstention model's inputs for the best sentence of the passages; None when no
        sentence reaches ``min_support`` (the answerer abstains without asking the model)."""
        sentences = passage_sentences(passages)
        if not sentences or not question.strip():
            return None
        scores, semantic = self._scores(question, [s.text for s in sentences],
                                        _resolved_names(sentences, passages))
        top = int(np.argmax(scores))
        if float(scores[top]) < self.min_support:
            return None
        best = sentences[top]
        return signals(question, best.text, passages[best.passage].text, float(semantic.max()))

    def _best_sentences(self, sentences: Sequence[Sentence], scores: np.ndarray) -> list[int]:
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
        chosen: list[int] = []
        seen_text: set[str] = set()
        for i in order:
            if len(chosen) >= self.max_sentences or float(scores[i]) < max(self.min_support,
                                                                            0.85 * best):
                break
            key = " ".join(sentences[i].text.lower().split())
            if key not in seen_text:
                seen_text.add(key)
                chosen.append(int(i))
        return chosen

    def _list(self, question: str, form: QuestionForm, passages: Sequence[Passage],
              sentences: list[Sentence], scores: np.ndarray) -> Answer:
        """One sentence per part of the question: for a question joining names, the best
        sentence for each name asked alone, from a story that mentions it; otherwise the best
        sentence of each story that supports the question nearly as well as the best one."""
        chosen: list[int] = []
        context = _resolved_names(sentences, passages)
        texts = [s.text for s in sentences]
        stories: set[str] = set()
        joined = parts(question, form.names)
        story = [_story(passages[s.passage]) for s in sentences]
        mentions = {name: np.array([not missing_names([name], [passages[s.passage]])
                                    for s in sentences], dtype=np.float32)
                    for name, _ in joined}
        for name, alone in joined:
            part = self._scores(alone, texts, context)[0] + self._priors(alone, form, sentences,
                                                                         passages)
            # What the question joins, the answer tells apart: a story that mentions the name
            # asked about, not one that only mentions another joined name, nor one that already
            # answers another part.
            others = np.max([m for n, m in mentions.items() if n != name], axis=0)
            part += NAME_BONUS * (mentions[name] - others * (1 - mentions[name]))
            part -= NAME_BONUS * np.array([st in stories for st in story], dtype=np.float32)
            order = [int(i) for i in np.argsort(-part, kind="stable")]
            best = order[0]
            if float(part[best]) < self.min_support * LIST_SUPPORT:
                continue
            # The best sentence, and the next of its story when nearly as good.
            picked = [i for i in order[:PART_SENTENCES * 4] if story[i] == story[best]
                      and float(part[i]) >= PART_SHARE * float(part[best])][:PART_SENTENCES]
            chosen += [i for i in picked if i not in chosen]
            stories.add(story[best])
        if not chosen:
            top = float(scores.max())
            chosen = one_per_article(sentences, scores, passages, limit=self.max_stories,
                                     floor=max(self.min_support * LIST_SUPPORT,
                                               LIST_SHARE * top))
        chosen.sort(key=lambda i: (sentences[i].passage, sentences[i].start))
        return compose(question, passages, [(sentences[i], float(scores[i])) for i in chosen],
                       answer_type=form.answer_type, separator="\n")

    @staticmethod
    def _priors(question: str, form: QuestionForm, sentences: Sequence[Sentence],
                passages: Sequence[Passage]) -> np.ndarray:
        """What makes a sentence a likelier answer beyond its words: it holds the kind of
        phrase the question asks for (TYPE_BONUS), or it is its article's lead, which in news
        states the main fact (LEAD_BONUS)."""
        lead = np.array([_is_lead(s, sentences[i - 1] if i else None, passages)
                         for i, s in enumerate(sentences)], dtype=np.float32)
        if not form.answer_type:
            return LEAD_BONUS * lead
        return LEAD_BONUS * lead + TYPE_BONUS * np.array(
            [bool(typed_spans(s.text, form.answer_type, question)) for s in sentences],
            dtype=np.float32)

    def _digest(self, question: str, form: QuestionForm, passages: Sequence[Passage],
                sentences: list[Sentence], semantic: np.ndarray) -> Answer:
        """The lead of each story the passages hold, newest first. The service has already
        scoped the passages to the question's period; a digest on a topic ("the latest on the
        strike") keeps the stories whose sentences support the topic."""
        if missing_names([n for n in form.names if not is_section(n)], passages):
            return _with_form(self._abstain(question, passages, sentences, semantic), form)
        topic = digest_topic(question)
        keep = {_story(passages[s.passage]) for s in sentences}
        if topic:
            # A section ("sport", "Africa") is matched by its stories' vocabulary, on meaning
            # only: a story shares few of its many words.
            texts, context = [s.text for s in sentences], _resolved_names(sentences, passages)
            if is_section(topic):  # each section of "tech and the courts" on its own
                scores = np.max([self._scores(spell_out(t), texts, context)[1]
                                 for t in re.split(r",|\band\b", topic) if t.strip()], axis=0)
            else:
                scores = self._scores(topic, texts, context)[0]
            best = float(scores.max())
            if best < DIGEST_MIN_SUPPORT:  # a topic (or category) none of the stories touch
                return _with_form(self._abstain(question, passages, sentences, semantic), form)
            keep = {_story(passages[sentences[i].passage]) for i in range(len(sentences))
                    if float(scores[i]) >= DIGEST_SHARE * best}
        stories = [i for i, s in enumerate(sentences) if _story(passages[s.passage]) in keep]
        leads = lead_sentences([sentences[i] for i in stories], passages,
                               limit=self.max_stories)
        picked = [(sentences[stories[j]], 1.0) for j in leads]
        return _with_form(compose(question, passages, picked, separator="\n"), form)

    def _abstain(self, question: str, passages: Sequence[Passage], sentences: list[Sentence],
                 semantic: np.ndarray) -> Answer:
        related: dict[str, Passage] = {}
        for i in np.argsort(-semantic, kind="stable"):
            if float(semantic[i]) < RELATED_SIMILARITY or len(related) >= 3:
                break
            p = passages[sentences[int(i)].passage]
            related.setdefault(p.canonical_id or p.article_id, p)
        return Answer.abstaining(question, passages, related=list(related.values()))

    def _scores(
        self, question: str, texts: list[str], context: Sequence[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.asarray(self.embed([question, *texts]), dtype=np.float32)
        semantic = vectors[1:] @ vectors[0]
        q_terms = content_terms(question)
        context = list(context) or [""] * len(texts)
        if q_terms:
            lexical = np.array([len(q_terms & (content_terms(t) | content_terms(c))) / len(q_terms)
                                for t, c in zip(texts, context, strict=True)], dtype=np.float32)
        else:
            lexical = np.zeros(len(texts), dtype=np.float32)
        w = self.semantic_weight
        return w * semantic + (1 - w) * lexical, semantic


_GENERIC = STOPWORDS | frozenset("""
bank banks city company companies government minister ministry president prime state national
central federal new north south east west world international union party court news the
""".split())
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9]+")


def missing_names(names: Sequence[str], passages: Sequence[Passage]) -> list[str]:
    """The names of the question that no passage mentions: a near miss ("the Bank of Japan"
    when the passages are about the Bank of England). A name counts as mentioned when each of
    its distinctive words occurs, by its first five letters ("Patagonian" finds "Patagonia"), or
    four for a longer word ("Ivorian" finds "Ivory")."""
    text = " ".join(f"{p.title} {p.place or ''} {p.text}" for p in passages).lower()
    words = set(_WORD.findall(text))
    five = {w[:5] for w in words}
    four = {w[:4] for w in words if len(w) >= 4}
    missing = []
    for name in names:
        if _ALIASES.get(name.lower(), _NO_ALIAS).search(text):
            continue
        if name.isupper() and len(name) <= 4:  # an acronym ("US", "ECB") is matched as written
            if not re.search(rf"\b{re.escape(name)}\b", " ".join(
                    f"{p.title} {p.place or ''} {p.text}" for p in passages)):
                missing.append(name)
            continue
        distinctive = [w.lower() for w in _WORD.findall(name.lstrip("#@"))
                       if w.lower() not in _GENERIC and len(w) > 1]
        if any(w[:5] not in five and (len(w) < 6 or w[:4] not in four) for w in distinctive):
            missing.append(name)
    return missing


# Countries and blocs news names several ways ("Britain" for an article saying "UK" or
# "Bank of England"); the prefix rule of missing_names covers most adjectives ("Mexican").
_ALIAS_GROUPS = [
    "britain|british|uk|u\\.k\\.|united kingdom|england|english|scotland|scottish|wales|welsh",
    "u\\.s\\.|usa|united states|america|american|americans",
    "france|french", "spain|spanish", "china|chinese", "netherlands|dutch|holland",
    "switzerland|swiss", "greece|greek", "sweden|swedish|swede", "denmark|danish",
    "finland|finnish", "norway|norwegian", "poland|polish", "turkey|turkish|türkiye",
    "philippines|filipino|philippine", "euro zone|eurozone|euro area|ecb|european central bank",
    "european union|eu|brussels", "ivory coast|ivorian|côte d'ivoire",
    "tube|london underground",
]
_ALIASES: dict[str, re.Pattern[str]] = {}
for _group in _ALIAS_GROUPS:
    _pattern = re.compile(rf"(?<!\w)(?:{_group})(?!\w)")
    for _name in _group.replace("\\.", ".").split("|"):
        _ALIASES[_name] = _pattern
_ALIASES["us"] = _ALIASES["usa"]  # not a pattern of its own: "us" is a pronoun too
_NO_ALIAS = re.compile(r"(?!x)x")


def _is_lead(s: Sentence, before: Sentence | None, passages: Sequence[Passage]) -> bool:
    """The first sentence of the article's first passage."""
    p = passages[s.passage]
    return p.chunk_id.endswith(":0") and (before is None or before.passage != s.passage)


def _story(p: Passage) -> str:
    """Syndicated copies of a story are one story."""
    return p.canonical_id or p.article_id


def _with_form(answer: Answer, form: QuestionForm) -> Answer:
    return replace(answer, form=form.kind)


_SUBJECT_PRONOUN = re.compile(r"^\W*(she|he|they|it|his|her|their|its)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")


def _resolved_names(sentences: Sequence[Sentence], passages: Sequence[Passage]) -> list[str]:
    """What a sentence is about beyond its own words, for term matching: its article's title,
    dateline place and the names of its lead (the story's actors, whom later sentences call
    "the company" or "the judge"), and for a sentence that opens with a pronoun ("She kicked
    off …") the names of the sentence before it in the article, so a question naming her still
    matches it."""
    leads: dict[str, str] = {}
    for i, s in enumerate(sentences):
        if _is_lead(s, sentences[i - 1] if i else None, passages):
            leads[passages[s.passage].article_id] = " ".join(_NAME.findall(s.text))
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
