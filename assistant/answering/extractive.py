"""The extractive answerer: answers with citations from the passages' own sentences, no LLM.

The extractive answerer reads the retrieved passages sentence by sentence, scores each sentence
against the question (embedding similarity plus coverage of the question's key terms), and
composes a short answer from the best-supported sentences, each followed by [n] markers that point
to numbered citations. When even the best sentence is weakly supported it abstains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from assistant.answering.abstain import DEFAULT_THRESHOLD, Signals, signals
from assistant.answering.conversation import Turn, rewrite_followup
from assistant.answering.text import Sentence, content_terms, passage_sentences
from assistant.results import Answer, Citation, Final, Passage, StreamEvent, text_deltas


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
    ) -> None:
        self.embed = embed
        self.min_support = min_support
        self.max_sentences = max_sentences
        self.semantic_weight = semantic_weight
        self.abstain_threshold = abstain_threshold

    def answer(self, question: str, passages: Sequence[Passage]) -> Answer:
        ranked = self._rank(question, passages)
        if ranked is None:
            return Answer.abstaining(question, passages)
        sentences, scores, weak = ranked
        if weak.unanswerable() > self.abstain_threshold:
            return Answer.abstaining(question, passages)
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
        chosen: list[int] = []
        seen_text: set[str] = set()
        for i in order:
            if len(chosen) >= self.max_sentences:
                break
            if float(scores[i]) < max(self.min_support, 0.85 * best):
                break
            key = " ".join(sentences[i].text.lower().split())
            if key not in seen_text:
                seen_text.add(key)
                chosen.append(int(i))
        # Read in the order the articles tell it: by passage rank, then position.
        chosen.sort(key=lambda i: (sentences[i].passage, sentences[i].start))
        return compose(question, passages, [(sentences[i], float(scores[i])) for i in chosen])

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
        ranked = self._rank(question, passages)
        return ranked[2] if ranked else None

    def _rank(
        self, question: str, passages: Sequence[Passage]
    ) -> tuple[list[Sentence], np.ndarray, Signals] | None:
        sentences = passage_sentences(passages)
        if not sentences or not question.strip():
            return None
        scores, semantic = self._scores(question, [s.text for s in sentences],
                                        _resolved_names(sentences, passages))
        top = int(np.argmax(scores))
        if float(scores[top]) < self.min_support:
            return None
        best = sentences[top]
        return sentences, scores, signals(question, best.text, passages[best.passage].text,
                                          float(semantic.max()))

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


_SUBJECT_PRONOUN = re.compile(r"^\W*(she|he|they|it|his|her|their|its)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*")


def _resolved_names(sentences: Sequence[Sentence], passages: Sequence[Passage]) -> list[str]:
    """For a sentence that opens with a pronoun ("She kicked off …"), the names of the sentence
    before it in the article, so a question naming her still matches it; "" otherwise."""
    out = []
    for i, s in enumerate(sentences):
        prev = sentences[i - 1] if i else None
        if (prev is not None and _SUBJECT_PRONOUN.match(s.text)
                and passages[prev.passage].article_id == passages[s.passage].article_id
                and prev.end <= s.start):
            out.append(" ".join(_NAME.findall(prev.text)))
        else:
            out.append("")
    return out


def compose(
    question: str, passages: Sequence[Passage], picked: Sequence[tuple[Sentence, float]]
) -> Answer:
    """Answer text with [n] markers, and citations numbered in order of first use."""
    numbers: dict[int, int] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    support: dict[int, float] = {}
    parts = []
    for sentence, score in picked:
        n = numbers.setdefault(sentence.passage, len(numbers) + 1)
        spans.setdefault(sentence.passage, []).append((sentence.start, sentence.end))
        support[sentence.passage] = max(support.get(sentence.passage, 0.0), score)
        parts.append(f"{sentence.text} [{n}]")
    citations = tuple(
        Citation.of(passages[i], n=n, score=support[i], sentences=spans[i])
        for i, n in numbers.items()
    )
    return Answer(question=question, text=" ".join(parts), citations=citations,
                  passages=tuple(passages))
