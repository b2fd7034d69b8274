"""Answers with citations: the typed results, and the extractive answerer that needs no LLM.

The extractive answerer reads the retrieved passages sentence by sentence, scores each sentence
against the question (embedding similarity plus coverage of the question's key terms), and
composes a short answer from the best-supported sentences, each followed by [n] markers that point
to numbered citations. When even the best sentence is weakly supported it abstains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from assistant.abstain import DEFAULT_THRESHOLD, Signals, signals
from assistant.dates import DateRange
from assistant.retrieval import Passage
from assistant.sentences import STOPWORDS, Sentence, passage_sentences

ABSTAIN_TEXT = "The indexed articles don't appear to contain an answer to this question."

_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9#@][\w'’#@-]*")


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: ``[n]`` in the answer text points here.

    ``start``/``end`` locate the cited passage in the article text; ``sentences`` locates the
    sentences of the passage that support the answer.
    """

    n: int
    article_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    passage: str
    start: int
    end: int
    score: float
    sentences: tuple[tuple[int, int], ...] = ()
    authors: tuple[str, ...] = ()
    place: str | None = None
    agencies: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, passage: Passage, *, n: int, score: float, sentences: Iterable[tuple[int, int]]
    ) -> Citation:
        """Citation ``n`` of a retrieved passage, with its supporting sentences' offsets."""
        return cls(
            n=n, article_id=passage.article_id, title=passage.title, url=passage.url,
            published=passage.published, source=passage.source, passage=passage.text,
            start=passage.start, end=passage.end, score=round(float(score), 4),
            sentences=tuple(sentences), authors=passage.authors, place=passage.place,
            agencies=passage.agencies,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sentences"] = [list(s) for s in self.sentences]
        return data


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    passages: tuple[Passage, ...] = field(default=(), repr=False)
    # The standalone question retrieval used, when a follow-up was rewritten from the history.
    rewritten_question: str | None = None
    # Sentences a backend wrote that no cited passage supports; removed from ``text``.
    unsupported: tuple[str, ...] = ()
    # The publication dates a date in the question resolved to ("last week"), and whether
    # retrieval was limited to them (it is not when no article falls in the range).
    date_range: DateRange | None = None
    date_filter_applied: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "rewritten_question": self.rewritten_question,
            "unsupported": list(self.unsupported),
            "date_range": self.date_range.to_dict() if self.date_range else None,
            "date_filter_applied": self.date_filter_applied,
        }


def content_terms(text: str) -> set[str]:
    """Lower-cased key terms with a light plural/possessive folding; stopwords removed."""
    terms = set()
    for word in _WORD.findall(text.lower()):
        word = word.strip("'’-").removesuffix("'s").removesuffix("’s")
        if word in STOPWORDS:  # before folding, or "does" would become "doe"
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        elif len(word) > 5 and word.endswith("ed"):  # "kicked" answers "kick"
            word = word[:-2]
        if word and word not in STOPWORDS:
            terms.add(word)
    return terms


class ExtractiveAnswerer:
    """Composes an answer from the retrieved passages' best-supported sentences."""

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

    def __call__(self, question: str, passages: Sequence[Passage]) -> Answer:
        ranked = self._rank(question, passages)
        if ranked is None:
            return abstain(question, passages)
        sentences, scores, weak = ranked
        if weak.unanswerable() > self.abstain_threshold:
            return abstain(question, passages)
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

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        return self._scores(question, texts)[0]

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


def abstain(question: str, passages: Sequence[Passage] = ()) -> Answer:
    return Answer(question=question, text=ABSTAIN_TEXT, abstained=True, passages=tuple(passages))


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
