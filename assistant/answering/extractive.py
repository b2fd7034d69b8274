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

from assistant.answering.abstain import Signals, signals
from assistant.answering.candidates import (
    answer_span,
    by_entity,
    quotable_mask,
    type_bonus,
    typed,
)
from assistant.answering.compose import compose, lead_sentences, measured, one_per_article
from assistant.answering.config import ExtractiveConfig
from assistant.answering.conversation import Turn, rewrite_followup
from assistant.answering.evidence import (
    SAME_STORY,
    Thread,
    is_lead,
    missing_names,
    sentence_context,
    story_of,
    update,
    with_lead,
)
from assistant.answering.forms import digest_topic, measure_words, parts
from assistant.answering.language import English, english
from assistant.answering.layout import by_parts
from assistant.answering.parts import with_outlets
from assistant.answering.question import VALUES, Question, parse_question
from assistant.answering.text import Sentence, content_terms, passage_sentences
from assistant.answering.topics import is_section, spell_out
from assistant.answering.values import weighing
from assistant.results import Answer, Final, Passage, StreamEvent, text_deltas

# A sentence that may not be quoted (page furniture, a question) scores this.
_UNQUOTABLE = -1.0


class ExtractiveAnswerer:
    """Composes an answer from the retrieved passages' best-supported sentences.

    The stages: the question parsed once (``Question``), the passages' sentences scored as
    candidates (``_scores`` + ``_priors``; page furniture never a candidate), a choice by the
    question's form through ``_FORMS`` (factoid, list, digest), then ``compose``; the service
    verifies the citations and adds provenance."""

    # The service runs the citation verifier over its answers.
    verifies_itself = False

    def __init__(
        self,
        embed: Callable[[list[str]], Any],
        *,
        config: ExtractiveConfig | None = None,
        language: Callable[[], English] = english,
        **overrides: Any,
    ) -> None:
        self.embed = embed
        self.config = replace(config or ExtractiveConfig(), **overrides)
        self.language = language

    # Settings move these three; the evaluator's threshold curve moves the last one.
    @property
    def min_support(self) -> float:
        return self.config.min_support

    @property
    def max_sentences(self) -> int:
        return self.config.max_sentences

    @property
    def abstain_threshold(self) -> float:
        return self.config.abstain_threshold

    @abstain_threshold.setter
    def abstain_threshold(self, value: float) -> None:
        self.config = replace(self.config, abstain_threshold=value)

    def parse(self, question: str) -> Question:
        return parse_question(question, self.language())

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        q = with_outlets(self.parse(question), passages)  # outlets named: a part each
        sentences = passage_sentences(passages)
        if not sentences or not question.strip():
            return Answer.abstaining(question, passages)
        context = sentence_context(sentences, passages)
        scores, semantic = self._scores(question, [s.text for s in sentences], context)
        if q.form == "digest":
            return self._digest(q, passages, sentences, semantic, context)
        scores = scores + self._priors(q, sentences, passages, scores)
        scores[~quotable_mask(sentences)] = _UNQUOTABLE
        top = int(np.argmax(scores))
        # Several facts rarely share the question's words as one fact does: less is needed.
        support = self.min_support * (self.config.list_support if q.form == "list" else 1.0)
        if q.form != "parts" and (float(scores[top]) < support or missing_names(
                q.names, passages)) or (
                q.form == "factoid" and self._unanswered(q, sentences[top], passages, semantic)):
            return _with_form(self._abstain(question, passages, sentences, semantic), q)
        choose = _FORMS[q.form]
        return _with_form(choose(self, q, passages, sentences, scores, context), q)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[StreamEvent]:
        answer = self.answer(question, passages)
        yield from text_deltas(answer.text)
        yield Final(answer)

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """The follow-up rewritten by rules (pronouns and elliptical questions resolved)."""
        return rewrite_followup(question, history)

    def _unanswered(self, q: Question, best: Sentence, passages: Sequence[Passage],
                    semantic: np.ndarray) -> bool:
        """The abstention model's verdict on the best sentence (``abstain.py``)."""
        return self._signals(q, best, passages, semantic).unanswerable() > self.abstain_threshold

    def _signals(self, q: Question, best: Sentence, passages: Sequence[Passage],
                 semantic: np.ndarray) -> Signals:
        if q.expected:
            kind_ok = 1.0 if typed(q, self.language().entities([best.text])[0]) else 0.0
        else:
            kind_ok = 0.5
        return signals(q.text, best.text, _told(passages[best.passage]), float(semantic.max()),
                       type_ok=kind_ok)

    def abstention_signals(self, question: str, passages: Sequence[Passage]) -> Signals | None:
        """The abstention model's inputs for the best factoid sentence of the passages, for
        refitting its weights (``bench/abstain_cv.py``); None when no sentence reaches
        ``min_support`` (the answerer abstains without asking the model)."""
        q = self.parse(question)
        sentences = passage_sentences(passages)
        if not sentences or not question.strip():
            return None
        scores, semantic = self._scores(question, [s.text for s in sentences],
                                        sentence_context(sentences, passages))
        scores = scores + self._priors(q, sentences, passages, scores)
        scores[~quotable_mask(sentences)] = _UNQUOTABLE
        top = int(np.argmax(scores))
        if float(scores[top]) < self.min_support:
            return None
        return self._signals(q, sentences[top], passages, semantic)

    def _span_of(self, q: Question) -> Callable[[Sentence], list[tuple[int, int]]]:
        return lambda sentence: answer_span(q, sentence, self.language())

    def _factoid(self, q: Question, passages: Sequence[Passage], sentences: list[Sentence],
                 scores: np.ndarray, context: list[str]) -> Answer:
        """The best-supported sentences; a later report of the same story's figure too."""
        chosen = self._best_sentences(sentences, scores)
        if (later := update(chosen[0], sentences, passages, scores,
                             self._threads(passages))) is not None \
                and later not in chosen:  # a later report of the same story: its figure too
            chosen = [*chosen[:self.max_sentences - 1], later]
        # Read in the order the articles tell it: by passage rank, then position.
        chosen.sort(key=lambda i: (sentences[i].passage, sentences[i].start))
        return compose(q.text, passages, [(sentences[i], float(scores[i])) for i in chosen],
                       span_of=self._span_of(q))

    def _best_sentences(self, sentences: Sequence[Sentence], scores: np.ndarray) -> list[int]:
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
        chosen: list[int] = []
        seen_text: set[str] = set()
        for i in order:
            if len(chosen) >= self.max_sentences or float(scores[i]) < max(
                    self.min_support, self.config.sentence_share * best):
                break
            key = " ".join(sentences[i].text.lower().split())
            if key not in seen_text:
                seen_text.add(key)
                chosen.append(int(i))
        return chosen

    def _list(self, q: Question, passages: Sequence[Passage], sentences: list[Sentence],
              scores: np.ndarray, context: list[str]) -> Answer:
        """One sentence per part of the question: for a question joining names, the best
        sentence for each name asked alone, from a story that mentions it; for one asking for
        things of a kind ("which countries"), the sentences naming every distinct one;
        otherwise the best sentence of each story that supports the question nearly as well as
        the best one."""
        c = self.config
        joined = parts(q.text, q.names)
        chosen = self._joined(q, joined, passages, sentences, context) if joined else []
        if not chosen and q.expected and q.expected[0] not in VALUES:
            chosen = by_entity(q, sentences, scores, self.language(),
                               floor=max(self.min_support * c.list_support,
                                         c.list_share * float(scores.max())),
                               limit=c.max_stories, top=c.typed_candidates * 2)
        if not chosen:
            chosen = self._stories(passages, sentences, scores)
        chosen.sort(key=lambda i: (sentences[i].passage, sentences[i].start))
        return compose(q.text, passages, [(sentences[i], float(scores[i])) for i in chosen],
                       span_of=self._span_of(q), separator="\n")

    def _joined(self, q: Question, joined: list[tuple[str, str]], passages: Sequence[Passage],
                sentences: list[Sentence], context: list[str]) -> list[int]:
        """The best sentences for each name the question joins, asked alone."""
        c = self.config
        chosen: list[int] = []
        texts = [s.text for s in sentences]
        stories: set[str] = set()
        same_thread = self._threads(passages)
        story = [story_of(passages[s.passage]) for s in sentences]
        quotable = quotable_mask(sentences)
        mentions = {}  # per sentence, whether its passage mentions the name
        for name, _ in joined:
            told = [not missing_names([name], [p]) for p in passages]
            mentions[name] = np.array([told[s.passage] for s in sentences], dtype=np.float32)
        for name, alone in joined:
            part = self._scores(alone, texts, context)[0]
            part += self._priors(self.parse(alone), sentences, passages, part)
            part[~quotable] = _UNQUOTABLE
            # What the question joins, the answer tells apart: a story that mentions the name
            # asked about, not one that only mentions another joined name, nor one that already
            # answers another part.
            others = np.max([np.zeros(len(sentences), dtype=np.float32),
                             *(m for n, m in mentions.items() if n != name)], axis=0)
            part += c.name_bonus * (mentions[name] - others * (1 - mentions[name]))
            part -= c.name_bonus * np.array([st in stories for st in story], dtype=np.float32)
            order = [int(i) for i in np.argsort(-part, kind="stable")]
            best = order[0]
            if float(part[best]) < self.min_support * c.list_support:
                continue
            # The best sentence, and the next of its story when nearly as good (its lead
            # first: it says who and what).
            picked = [best, *[i for i in order[1:c.part_sentences * 4] if story[i] == story[best]
                              and float(part[i]) >= c.part_share * float(part[best])]]
            picked = with_lead(picked, sentences, passages, part,
                               c.lead_share)[:c.part_sentences]
            if (later := update(best, sentences, passages, part, same_thread)) is not None:
                picked = [*picked[:c.part_sentences - 1], later]
                stories.add(story[later])
            chosen += [i for i in picked if i not in chosen]
            stories.add(story[best])
        return chosen

    def _stories(self, passages: Sequence[Passage], sentences: list[Sentence],
                 scores: np.ndarray) -> list[int]:
        """The best sentence of each story supporting the question nearly as well as the best,
        and every report of a chosen story's thread (a question about a change needs both)."""
        c = self.config
        chosen: list[int] = []
        top = float(scores.max())
        same_thread = self._threads(passages)
        # Retrieval tells the stories about the question from the rest by a wide margin.
        ranked = max(p.score for p in passages)
        for i in one_per_article(sentences, scores, passages, limit=c.max_stories,
                                 floor=max(self.min_support * c.list_support,
                                           c.list_share * top)):
            if i == int(np.argmax(scores)) or ranked <= 0 or (
                    passages[sentences[i].passage].score >= c.list_rank_share * ranked):
                chosen.append(with_lead([i], sentences, passages, scores, c.lead_share)[0])
        for i in one_per_article(sentences, scores, passages, limit=c.max_stories,
                                 floor=self.min_support * c.list_support):
            if i not in chosen and any(same_thread(passages[sentences[i].passage],
                                                   passages[sentences[j].passage])
                                       for j in chosen):
                chosen.append(with_lead([i], sentences, passages, scores, c.lead_share)[0])
        return chosen

    def _threads(self, passages: Sequence[Passage]) -> Thread:
        """Whether two passages are reports of one story ("Strong earthquake kills 12 in Peru",
        "UPDATE - Peru quake death toll rises to 31"): other articles whose titles mean nearly
        the same (two strikes in one city a month apart stay apart)."""
        vectors: dict[str, np.ndarray] = {}

        def same(a: Passage, b: Passage) -> bool:
            if story_of(a) == story_of(b):
                return False
            if not vectors:  # embedded on first need: most answers never ask
                titles = list(dict.fromkeys(p.title for p in passages))
                vectors.update(zip(titles, np.asarray(self.embed(titles), dtype=np.float32),
                                   strict=True))
            return float(vectors[a.title] @ vectors[b.title]) >= SAME_STORY
        return same

    def _priors(self, q: Question, sentences: Sequence[Sentence], passages: Sequence[Passage],
                scores: np.ndarray) -> np.ndarray:
        """What makes a sentence a likelier answer beyond its words: it opens its article,
        which in news states the main fact (lead bonus); it holds an entity of the kind the
        question asks for (type bonus); its number is in the unit asked for (unit bonus)."""
        c = self.config
        lead = np.array([is_lead(s, sentences[i - 1] if i else None, passages)
                         for i, s in enumerate(sentences)], dtype=np.float32)
        priors = c.lead_bonus * lead
        if not q.expected:
            return priors
        priors += type_bonus(q, sentences, scores + priors, self.language(),
                             top=c.typed_candidates, bonus=c.type_bonus)
        unit, _ = measure_words(q.text)
        if q.answer_type == "number" and unit is not None:  # "how old": years, not metres
            priors += c.unit_bonus * np.array([measured(s.text, unit) for s in sentences],
                                              dtype=np.float32)
        return priors

    def _digest(self, q: Question, passages: Sequence[Passage], sentences: list[Sentence],
                semantic: np.ndarray, context: list[str]) -> Answer:
        """The lead of each story the passages hold, newest first. The service has already
        scoped the passages to the question's period; a digest on a topic ("the latest on the
        strike") keeps the stories whose sentences support the topic."""
        c = self.config
        question = q.text
        if missing_names([n for n in q.names if not is_section(n)], passages):
            return _with_form(self._abstain(question, passages, sentences, semantic), q)
        topic = digest_topic(question)
        keep = {story_of(passages[s.passage]) for s in sentences}
        if topic:
            # A section ("sport", "Africa") is matched by its stories' vocabulary, on meaning
            # only: a story shares few of its many words.
            texts = [s.text for s in sentences]
            if is_section(topic):  # each section of "tech and the courts" on its own
                scores = np.max([self._scores(spell_out(t), texts, context)[1]
                                 for t in re.split(r",|\band\b", topic) if t.strip()], axis=0)
            else:
                scores = self._scores(topic, texts, context)[0]
            best = float(scores.max())
            if best < c.digest_min_support:  # a topic (or category) none of the stories touch
                return _with_form(self._abstain(question, passages, sentences, semantic), q)
            keep = {story_of(passages[sentences[i].passage]) for i in range(len(sentences))
                    if float(scores[i]) >= c.digest_share * best}
        quotable = quotable_mask(sentences)
        stories = [i for i, s in enumerate(sentences)
                   if story_of(passages[s.passage]) in keep and quotable[i]]
        leads = lead_sentences([sentences[i] for i in stories], passages, limit=c.max_stories)
        picked = [(sentences[stories[j]], 1.0) for j in leads]
        return _with_form(compose(question, passages, picked, separator="\n"), q)

    def _abstain(self, question: str, passages: Sequence[Passage], sentences: list[Sentence],
                 semantic: np.ndarray) -> Answer:
        related: dict[str, Passage] = {}
        for i in np.argsort(-semantic, kind="stable"):
            if float(semantic[i]) < self.config.related_similarity or len(related) >= 3:
                break
            p = passages[sentences[int(i)].passage]
            related.setdefault(p.canonical_id or p.article_id, p)
        return Answer.abstaining(question, passages, related=list(related.values()))

    def _scores(
        self, question: str, texts: list[str], context: Sequence[str] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        vectors = np.asarray(self.embed([question, *texts]), dtype=np.float32)
        semantic = vectors[1:] @ vectors[0]
        _, asking = measure_words(question)  # "how long": "long" asks, it is no topic
        q_terms = content_terms(" ".join(w for w in question.split()
                                         if w.lower().strip("?,.") not in asking))
        context = list(context) or [""] * len(texts)
        if q_terms:
            lexical = np.array([len(q_terms & (content_terms(t) | content_terms(c))) / len(q_terms)
                                for t, c in zip(texts, context, strict=True)], dtype=np.float32)
        else:
            lexical = np.zeros(len(texts), dtype=np.float32)
        w = self.config.semantic_weight
        return w * semantic + (1 - w) * lexical, semantic


# The choice by form: a new form is one entry here and one method.
_FORMS: dict[str, Callable[..., Answer]] = {
    "factoid": weighing(ExtractiveAnswerer._factoid),  # values.py: conflicting values
    "list": ExtractiveAnswerer._list,
    "parts": by_parts,  # layout.py
}


def _told(p: Passage) -> str:
    """A passage with its headline and dateline place, as a reader sees it."""
    return f"{p.title}\n{p.place or ''}\n{p.text}"


def _with_form(answer: Answer, q: Question) -> Answer:
    return replace(answer, form=q.form)
