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
from assistant.answering.compose import (
    compose,
    lead_sentences,
    measured,
    one_per_article,
    typed_spans,
)
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
from assistant.answering.forms import (
    QuestionForm,
    digest_topic,
    measure_words,
    parts,
    question_form,
)
from assistant.answering.text import Sentence, content_terms, passage_sentences
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
# Added to a number answering "how old", "how much", "how many jobs" in the unit asked for.
UNIT_BONUS = 0.1
# Each part of a question joining names is answered by up to two sentences of one story, the
# second when it scores this share of the first.
PART_SENTENCES = 2
PART_SHARE = 0.9
# A story's lead stands for it in a list when it scores this share of its best sentence.
LEAD_SHARE = 0.85
# A list keeps the stories whose best sentence scores this share of the best one's.
LIST_SHARE = 0.65
# … and whose passage the retrieval scored at least this share of the best passage's score.
LIST_RANK_SHARE = 0.4
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
        context = sentence_context(sentences, passages)
        scores, semantic = self._scores(question, [s.text for s in sentences], context)
        if form.kind == "digest":
            return self._digest(question, form, passages, sentences, semantic, context)
        scores = scores + self._priors(question, form, sentences, passages)
        top = int(np.argmax(scores))
        best = sentences[top]
        # Several facts rarely share the question's words as one fact does: less is needed.
        support = self.min_support * (LIST_SUPPORT if form.kind == "list" else 1.0)
        if float(scores[top]) < support or missing_names(form.names, passages) or (
                form.kind == "factoid" and signals(
                    question, best.text, _told(passages[best.passage]),
                    float(semantic.max())).unanswerable() > self.abstain_threshold):
            return _with_form(self._abstain(question, passages, sentences, semantic), form)
        if form.kind == "list":
            return _with_form(self._list(question, form, passages, sentences, scores, context),
                              form)
        chosen = self._best_sentences(sentences, scores)
        if (later := update(chosen[0], sentences, passages, scores,
                             self._threads(passages))) is not None \
                and later not in chosen:  # a later report of the same story: its figure too
            chosen = [*chosen[:self.max_sentences - 1], later]
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
                                        sentence_context(sentences, passages))
        top = int(np.argmax(scores))
        if float(scores[top]) < self.min_support:
            return None
        best = sentences[top]
        return signals(question, best.text, _told(passages[best.passage]),
                       float(semantic.max()))

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
              sentences: list[Sentence], scores: np.ndarray, context: list[str]) -> Answer:
        """One sentence per part of the question: for a question joining names, the best
        sentence for each name asked alone, from a story that mentions it; otherwise the best
        sentence of each story that supports the question nearly as well as the best one."""
        chosen: list[int] = []
        texts = [s.text for s in sentences]
        stories: set[str] = set()
        same_thread = self._threads(passages)
        joined = parts(question, form.names)
        story = [story_of(passages[s.passage]) for s in sentences]
        mentions = {}  # per sentence, whether its passage mentions the name
        for name, _ in joined:
            told = [not missing_names([name], [p]) for p in passages]
            mentions[name] = np.array([told[s.passage] for s in sentences], dtype=np.float32)
        for name, alone in joined:
            part = self._scores(alone, texts, context)[0] + self._priors(alone, form, sentences,
                                                                         passages)
            # What the question joins, the answer tells apart: a story that mentions the name
            # asked about, not one that only mentions another joined name, nor one that already
            # answers another part.
            others = np.max([np.zeros(len(sentences), dtype=np.float32),
                             *(m for n, m in mentions.items() if n != name)], axis=0)
            part += NAME_BONUS * (mentions[name] - others * (1 - mentions[name]))
            part -= NAME_BONUS * np.array([st in stories for st in story], dtype=np.float32)
            order = [int(i) for i in np.argsort(-part, kind="stable")]
            best = order[0]
            if float(part[best]) < self.min_support * LIST_SUPPORT:
                continue
            # The best sentence, and the next of its story when nearly as good (its lead
            # first: it says who and what).
            picked = [best, *[i for i in order[1:PART_SENTENCES * 4] if story[i] == story[best]
                              and float(part[i]) >= PART_SHARE * float(part[best])]]
            picked = with_lead(picked, sentences, passages, part, LEAD_SHARE)[:PART_SENTENCES]
            if (later := update(best, sentences, passages, part, same_thread)) is not None:
                picked = [*picked[:PART_SENTENCES - 1], later]
                stories.add(story[later])
            chosen += [i for i in picked if i not in chosen]
            stories.add(story[best])
        if not chosen:
            top = float(scores.max())
            # Retrieval tells the stories about the question from the rest by a wide margin.
            ranked = max(p.score for p in passages)
            for i in one_per_article(sentences, scores, passages, limit=self.max_stories,
                                     floor=max(self.min_support * LIST_SUPPORT,
                                               LIST_SHARE * top)):
                if i == int(np.argmax(scores)) or ranked <= 0 or (
                        passages[sentences[i].passage].score >= LIST_RANK_SHARE * ranked):
                    chosen.append(with_lead([i], sentences, passages, scores, LEAD_SHARE)[0])
            # Every report of a chosen story's thread (a question about a change needs both).
            for i in one_per_article(sentences, scores, passages, limit=self.max_stories,
                                     floor=self.min_support * LIST_SUPPORT):
                if i not in chosen and any(same_thread(passages[sentences[i].passage],
                                                       passages[sentences[j].passage])
                                           for j in chosen):
                    chosen.append(with_lead([i], sentences, passages, scores, LEAD_SHARE)[0])
        chosen.sort(key=lambda i: (sentences[i].passage, sentences[i].start))
        return compose(question, passages, [(sentences[i], float(scores[i])) for i in chosen],
                       answer_type=form.answer_type, separator="\n")

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

    @staticmethod
    def _priors(question: str, form: QuestionForm, sentences: Sequence[Sentence],
                passages: Sequence[Passage]) -> np.ndarray:
        """What makes a sentence a likelier answer beyond its words: it holds the kind of
        phrase the question asks for (TYPE_BONUS), or it is its article's lead, which in news
        states the main fact (LEAD_BONUS)."""
        lead = np.array([is_lead(s, sentences[i - 1] if i else None, passages)
                         for i, s in enumerate(sentences)], dtype=np.float32)
        if not form.answer_type:
            return LEAD_BONUS * lead
        priors = LEAD_BONUS * lead + TYPE_BONUS * np.array(
            [bool(typed_spans(s.text, form.answer_type, question)) for s in sentences],
            dtype=np.float32)
        unit, _ = measure_words(question)
        if form.answer_type == "number" and unit is not None:  # "how old": years, not metres
            priors += UNIT_BONUS * np.array([measured(s.text, unit) for s in sentences],
                                            dtype=np.float32)
        return priors

    def _digest(self, question: str, form: QuestionForm, passages: Sequence[Passage],
                sentences: list[Sentence], semantic: np.ndarray, context: list[str]) -> Answer:
        """The lead of each story the passages hold, newest first. The service has already
        scoped the passages to the question's period; a digest on a topic ("the latest on the
        strike") keeps the stories whose sentences support the topic."""
        if missing_names([n for n in form.names if not is_section(n)], passages):
            return _with_form(self._abstain(question, passages, sentences, semantic), form)
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
            if best < DIGEST_MIN_SUPPORT:  # a topic (or category) none of the stories touch
                return _with_form(self._abstain(question, passages, sentences, semantic), form)
            keep = {story_of(passages[sentences[i].passage]) for i in range(len(sentences))
                    if float(scores[i]) >= DIGEST_SHARE * best}
        stories = [i for i, s in enumerate(sentences) if story_of(passages[s.passage]) in keep]
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
        _, asking = measure_words(question)  # "how long": "long" asks, it is no topic
        q_terms = content_terms(" ".join(w for w in question.split()
                                         if w.lower().strip("?,.") not in asking))
        context = list(context) or [""] * len(texts)
        if q_terms:
            lexical = np.array([len(q_terms & (content_terms(t) | content_terms(c))) / len(q_terms)
                                for t, c in zip(texts, context, strict=True)], dtype=np.float32)
        else:
            lexical = np.zeros(len(texts), dtype=np.float32)
        w = self.semantic_weight
        return w * semantic + (1 - w) * lexical, semantic


def _told(p: Passage) -> str:
    """A passage with its headline and dateline place, as a reader sees it."""
    return f"{p.title}\n{p.place or ''}\n{p.text}"


def _with_form(answer: Answer, form: QuestionForm) -> Answer:
    return replace(answer, form=form.kind)
