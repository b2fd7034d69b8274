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
from datetime import date
from typing import Any

import numpy as np

from assistant.answering.abstain import Signals, signals
from assistant.answering.candidates import (
    UNQUOTABLE,
    Candidates,
    answer_span,
    asked_unit,
    quotable_mask,
    type_bonus,
    typed,
)
from assistant.answering.compose import compose, lead_sentences, measured
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
)
from assistant.answering.forms import digest_topic, measure_words, quoting
from assistant.answering.language import English, english
from assistant.answering.layout import by_parts
from assistant.answering.lists import ListAnswers
from assistant.answering.parts import with_outlets
from assistant.answering.question import VALUES, Question, parse_question
from assistant.answering.text import Sentence, content_terms, passage_sentences
from assistant.answering.topics import is_section, spell_out
from assistant.answering.values import weighing
from assistant.results import Answer, Final, Passage, StreamEvent, text_deltas


class ExtractiveAnswerer(ListAnswers):
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
        if not question.strip() or (c := self.candidates(q, passages)) is None:
            return Answer.abstaining(question, passages)
        return _with_form(_FORMS[q.form](self, q, c), q)

    def candidates(self, q: Question, passages: Sequence[Passage]) -> Candidates | None:
        """The passages' sentences scored against the question (None when they hold none):
        similarity and terms, then the priors (lead, asked kind, unit) except for a digest,
        which reads the stories' leads; page furniture and questions are never quoted."""
        sentences = passage_sentences(passages)
        if not sentences:
            return None
        context = sentence_context(sentences, passages)
        scores, semantic = self._scores(q.text, [s.text for s in sentences], context)
        if q.form != "digest":
            scores = scores + self._priors(q, sentences, passages, scores)
            scores[~quotable_mask(sentences)] = UNQUOTABLE
        return Candidates(passages, sentences, context, scores, semantic)

    def _supported(self, q: Question, c: Candidates, *, model: bool = True) -> bool:
        """Whether the best candidate answers: it reaches the minimum support (less for a
        list: several facts rarely share the question's words as one fact does), it is no near
        miss (``_near_miss``: a name of the question unmentioned), and the abstention model does
        not find it unanswered (a list by a looser threshold: its parts are told apart)."""
        support = self.min_support * (self.config.list_support if q.form == "list" else 1.0)
        best = c.sentences[c.best]
        if not (float(c.scores[c.best]) >= support and not _near_miss(q, c)):
            return False
        if not model:
            return True
        unanswered = self._signals(q, best, c).unanswerable()
        if q.form == "factoid" or unanswered <= self.config.list_abstain_threshold:
            return unanswered <= self.abstain_threshold
        return unanswered <= self.config.named_list_abstain_threshold and self._names_kind(q, c)

    def _names_kind(self, q: Question, c: Candidates) -> bool:
        """Whether one of the best sentences names two or more things of the kind the list asks
        for that the question does not name ("Germany and Belgium" for "which countries"); any
        two numbers or dates would do for a count or a date, so those lists never qualify."""
        if not q.expected or q.expected[0] in VALUES:
            return False
        top = np.argsort(-c.scores)[:self.config.typed_candidates]
        found = self.language().entities([c.sentences[i].text for i in top])
        return any(len({e.text for e in ents if q.answers_with(e)}) >= 2 for ents in found)

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[StreamEvent]:
        answer = self.answer(question, passages)
        yield from text_deltas(answer.text)
        yield Final(answer)

    def condense(self, question: str, history: Sequence[Turn]) -> str | None:
        """The follow-up rewritten by rules (pronouns and elliptical questions resolved)."""
        return rewrite_followup(question, history)

    def _signals(self, q: Question, best: Sentence, c: Candidates) -> Signals:
        if q.expected:
            kind_ok = 1.0 if typed(q, self.language().entities([best.text])[0]) else 0.0
        else:
            kind_ok = 0.5
        i = next(n for n, s in enumerate(c.sentences) if s is best)
        return signals(q.text, best.text, _told(c.passages[best.passage]),
                       float(c.semantic.max()), type_ok=kind_ok, context=c.context[i],
                       standout=float(c.semantic.max() - c.semantic.mean()),
                       crowd=len(c.semantic), names=q.names)

    def abstention_signals(self, question: str, passages: Sequence[Passage]) -> Signals | None:
        """The abstention model's inputs for the best factoid sentence of the passages, for
        refitting its weights (``bench/abstain_cv.py``); None when the model is not asked: no
        sentence reaches ``min_support`` or a name of the question is missing from the passages
        (the answerer abstains without it), or the question is a digest or asks by outlets."""
        parsed = with_outlets(self.parse(question), passages)
        if parsed.form in ("digest", "parts") or missing_names(parsed.names, passages):
            return None
        q = replace(parsed, form="factoid")
        c = self.candidates(q, passages) if question.strip() else None
        if c is None or float(c.scores[c.best]) < self.min_support or _near_miss(q, c):
            return None
        return self._signals(q, c.sentences[c.best], c)

    def _factoid(self, q: Question, c: Candidates) -> Answer:
        """The best-supported sentences; a later report of the same story's figure too."""
        if not self._supported(q, c):
            return self._abstain(q.text, c)
        sentences, scores = c.sentences, c.scores
        chosen = self._best_sentences(sentences, scores)
        if (later := update(chosen[0], sentences, c.passages, scores,
                             self._threads(c.passages))) is not None \
                and later not in chosen:  # a later report of the same story: its figure too
            chosen = [*chosen[:self.max_sentences - 1], later]
        return self._compose(q, c, chosen)

    def _compose(self, q: Question, c: Candidates, chosen: list[int],
                 separator: str = " ") -> Answer:
        """The chosen sentences in the order the articles tell them (passage rank, then
        position), the answer's phrase in each located."""
        chosen = sorted(chosen, key=lambda i: (c.sentences[i].passage, c.sentences[i].start))
        return compose(q.text, c.passages, [(c.sentences[i], float(c.scores[i]))
                                            for i in chosen],
                       span_of=lambda s: answer_span(q, s, self.language()),
                       separator=separator)

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
        which in news states the main fact (lead bonus); it reports the words of the person a
        question asks what they said (speech bonus); it holds an entity of the kind the
        question asks for (type bonus); its number is in the unit asked for (unit bonus)."""
        c = self.config
        lead = np.array([is_lead(s, sentences[i - 1] if i else None, passages)
                         for i, s in enumerate(sentences)], dtype=np.float32)
        priors = c.lead_bonus * lead
        if q.speaker is not None:  # "What did Kask say?": Kask's words
            priors += c.speech_bonus * np.array([quoting(s.text, q.speaker) for s in sentences],
                                                dtype=np.float32)
        if not q.expected:
            return priors
        priors += type_bonus(q, sentences, scores + priors, self.language(),
                             top=c.typed_candidates, bonus=c.type_bonus)
        # "how old": years, not metres; "how long": hours or days, though a date may answer it
        if (unit := asked_unit(q)) is not None:
            priors += c.unit_bonus * np.array([measured(s.text, unit) for s in sentences],
                                              dtype=np.float32)
        return priors

    def _digest(self, q: Question, c: Candidates) -> Answer:
        """The lead of each story the passages hold, newest first. The service has already
        scoped the passages to the question's period; a digest on a topic ("the latest on the
        strike") keeps the stories whose sentences support the topic."""
        cfg, question = self.config, q.text
        passages, sentences, context = c.passages, c.sentences, c.context
        if missing_names([n for n in q.names if not is_section(n)], passages):
            return self._abstain(question, c)
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
            if best < cfg.digest_min_support:  # a topic (or category) none of the stories touch
                return self._abstain(question, c)
            keep = {story_of(passages[sentences[i].passage]) for i in range(len(sentences))
                    if float(scores[i]) >= cfg.digest_share * best}
        quotable = quotable_mask(sentences)
        stories = [i for i, s in enumerate(sentences)
                   if story_of(passages[s.passage]) in keep and quotable[i]]
        leads = lead_sentences([sentences[i] for i in stories], passages, limit=cfg.max_stories)
        picked = [(sentences[stories[j]], 1.0) for j in leads]
        return compose(question, passages, picked, separator="\n")

    def _abstain(self, question: str, c: Candidates) -> Answer:
        """An abstention, with up to three passages that look related to the question."""
        related: dict[str, Passage] = {}
        for i in np.argsort(-c.semantic, kind="stable"):
            if float(c.semantic[i]) < self.config.related_similarity or len(related) >= 3:
                break
            p = c.passages[c.sentences[int(i)].passage]
            related.setdefault(p.canonical_id or p.article_id, p)
        return Answer.abstaining(question, c.passages, related=list(related.values()))

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
_FORMS: dict[str, Callable[[ExtractiveAnswerer, Question, Candidates], Answer]] = {
    "factoid": weighing(ExtractiveAnswerer._factoid),  # values.py: conflicting values
    "list": ExtractiveAnswerer._list,
    "digest": ExtractiveAnswerer._digest,
    "parts": by_parts,  # layout.py: the evidence of each outlet the question names
}


def _near_miss(q: Question, c: Candidates) -> bool:
    """A name of the question is not mentioned: by any passage, or for a single fact by the
    best sentence's own story (a fact is told by one story: "the earthquake in Chile" is not
    answered by the one in Peru because another passage mentions Chile)."""
    best = story_of(c.passages[c.sentences[c.best].passage])
    told = [p for p in c.passages if q.form != "factoid" or story_of(p) == best]
    return bool(missing_names(q.names, told))


def _told(p: Passage) -> str:
    """A passage with its headline, dateline place and month of publication, as a reader sees
    it (a question about "the November decision" is answered by a report dated in November
    that says "on Thursday")."""
    return f"{p.title}\n{p.place or ''}\n{_month(p.published)}\n{p.text}"


def _month(published: str | None) -> str:
    """"November 2026" for a publication date "2026-11-19" (nothing when undated)."""
    try:
        return date.fromisoformat((published or "")[:10]).strftime("%B %Y")
    except ValueError:
        return ""


def _with_form(answer: Answer, q: Question) -> Answer:
    return replace(answer, form=q.form)
