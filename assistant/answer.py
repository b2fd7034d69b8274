"""Answers with citations: the typed results, and the extractive answerer that needs no LLM.

The extractive answerer reads the retrieved passages sentence by sentence, scores each sentence
against the question (embedding similarity plus coverage of the question's key terms), and
composes a short answer from the best-supported sentences, each followed by [n] markers that point
to numbered citations. When even the best sentence is weakly supported it abstains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from assistant.retrieval import Passage
from index.chunking import split_sentences

ABSTAIN_TEXT = "The indexed articles don't appear to contain an answer to this question."

_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9#@][\w'’#@-]*")
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves also said says say tell told according did does do many
much called call""".split())


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
        }


def content_terms(text: str) -> set[str]:
    """Lower-cased key terms with a light plural/possessive folding; stopwords removed."""
    terms = set()
    for word in _WORD.findall(text.lower()):
        word = word.strip("'’-").removesuffix("'s").removesuffix("’s")
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word and word not in STOPWORDS:
            terms.add(word)
    return terms


@dataclass(frozen=True)
class _Sentence:
    passage: int  # index into the passages list
    start: int  # offsets in the article
    end: int
    text: str


class ExtractiveAnswerer:
    """Composes an answer from the retrieved passages' best-supported sentences."""

    def __init__(
        self,
        embed: Callable[[list[str]], Any],
        *,
        min_support: float = 0.35,
        max_sentences: int = 3,
        semantic_weight: float = 0.6,
    ) -> None:
        self.embed = embed
        self.min_support = min_support
        self.max_sentences = max_sentences
        self.semantic_weight = semantic_weight

    def __call__(self, question: str, passages: Sequence[Passage]) -> Answer:
        sentences = _sentences(passages)
        if not sentences or not question.strip():
            return abstain(question, passages)
        scores = self.score(question, [s.text for s in sentences])
        order = np.argsort(-scores, kind="stable")
        best = float(scores[order[0]])
        if best < self.min_support:
            return abstain(question, passages)
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

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.embed([question, *texts]), dtype=np.float32)
        semantic = vectors[1:] @ vectors[0]
        q_terms = content_terms(question)
        if q_terms:
            lexical = np.array([len(q_terms & content_terms(t)) / len(q_terms) for t in texts],
                               dtype=np.float32)
        else:
            lexical = np.zeros(len(texts), dtype=np.float32)
        w = self.semantic_weight
        return w * semantic + (1 - w) * lexical


def _sentences(passages: Sequence[Passage]) -> list[_Sentence]:
    seen: set[tuple[str, int]] = set()
    out = []
    for i, p in enumerate(passages):
        for s, e in split_sentences(p.text):
            key = (p.article_id, p.start + s)
            text = p.text[s:e]
            if key in seen or len(_WORD.findall(text)) < 4:
                continue
            seen.add(key)
            out.append(_Sentence(i, p.start + s, p.start + e, text))
    return out


def abstain(question: str, passages: Sequence[Passage] = ()) -> Answer:
    return Answer(question=question, text=ABSTAIN_TEXT, abstained=True, passages=tuple(passages))


def compose(
    question: str, passages: Sequence[Passage], picked: Sequence[tuple[_Sentence, float]]
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
        Citation(
            n=n, article_id=passages[i].article_id, title=passages[i].title,
            url=passages[i].url, published=passages[i].published, source=passages[i].source,
            passage=passages[i].text, start=passages[i].start, end=passages[i].end,
            score=round(support[i], 4), sentences=tuple(spans[i]),
            authors=passages[i].authors, place=passages[i].place, agencies=passages[i].agencies,
        )
        for i, n in numbers.items()
    )
    return Answer(question=question, text=" ".join(parts), citations=citations,
                  passages=tuple(passages))
