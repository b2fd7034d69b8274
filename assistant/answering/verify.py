"""Citation verification: every sentence of an answer is checked against the passages it cites.

Runs after any backend (extractive or LLM). For each sentence of the answer text:

- ``[n]`` markers that point at no retrieved passage are dropped;
- each cited passage is searched for the sentence that best supports it: embedding similarity
  with the passage's sentences, plus lexical support (share of the sentence's key terms found in
  the passage); and every number and name in the answer sentence must occur in the passage, since
  a paraphrase keeps those and a hallucination usually gets one wrong;
- a sentence no cited passage supports is removed from the text and listed in
  ``Answer.unsupported``.

Citations are renumbered in order of first use and carry the article offsets of their supporting
sentences. When nothing supported is left, the answer abstains.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from assistant.answering.text import content_terms, passage_sentences
from assistant.results import ABSTAIN_TEXT, Answer, Citation, Passage
from index.chunking import split_sentences

_MARKERS = re.compile(r"\s*((?:\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_MARKER_NUMBERS = re.compile(r"\d+")
# "… end. [1][2]" — markers after the full stop belong to the sentence before it.
_MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ]+(?:[-’'][A-Za-z]+)?")


@dataclass(frozen=True)
class ClaimedSentence:
    """One sentence of an answer and the passage numbers it cites (as written, 1-based)."""

    text: str
    cited: tuple[int, ...]


def parse_citations(text: str) -> list[ClaimedSentence]:
    """Sentences of ``text`` with their ``[n]`` / ``[n, m]`` markers taken out."""
    text = _MARKERS_AFTER_STOP.sub(lambda m: f"{m.group(2)}{m.group(1)}", text.strip())
    out = []
    for s, e in split_sentences(text):
        sentence = text[s:e]
        cited = tuple(int(n) for group in _MARKERS.findall(sentence)
                      for n in _MARKER_NUMBERS.findall(group))
        clean = " ".join(_MARKERS.sub("", sentence).split())
        clean = re.sub(r"\s+([.!?,;:])", r"\1", clean)
        if re.search(r"\w", clean):
            out.append(ClaimedSentence(clean, tuple(dict.fromkeys(cited))))
    return out


def is_abstention(text: str) -> bool:
    """Whether a backend's reply says it cannot answer from the passages."""
    flat = " ".join(text.lower().split())
    return not flat or ABSTAIN_TEXT.lower().rstrip(".") in flat or flat.startswith(
        ("i don't know", "i do not know", "the passages do not", "the passages don't",
         "the indexed articles do", "the provided passages do not"))


class CitationVerifier:
    """Checks an answer's sentences against the passages they cite (see the module docstring).

    ``min_similarity`` applies to the cosine between the answer sentence and the best sentence
    of a cited passage; ``min_terms`` and ``strong_terms`` to the share of the answer sentence's
    key terms that the cited passage contains. A sentence is supported by a passage when its
    numbers and names occur there, at least ``min_terms`` of its terms do, and either the cosine
    reaches ``min_similarity`` or ``strong_terms`` of its terms occur. Defaults measured on the
    SQuAD sample (docs/answering.md, "Abstention").
    """

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray],
        *,
        min_similarity: float = 0.5,
        min_terms: float = 0.5,
        strong_terms: float = 0.8,
    ) -> None:
        self.embed = embed
        self.min_similarity = min_similarity
        self.min_terms = min_terms
        self.strong_terms = strong_terms

    def __call__(self, question: str, text: str, passages: Sequence[Passage]) -> Answer:
        if is_abstention(text) or not passages:
            return Answer.abstaining(question, passages)
        claims = parse_citations(text)
        sentences = passage_sentences(passages, min_words=1)
        by_passage: dict[int, list[int]] = {}
        for j, s in enumerate(sentences):
            by_passage.setdefault(s.passage, []).append(j)
        texts = [c.text for c in claims] + [s.text for s in sentences]
        vectors = self.embed(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        claim_vecs, sent_vecs = vectors[: len(claims)], vectors[len(claims):]

        numbers: dict[int, int] = {}  # passage index -> citation number
        spans: dict[int, list[tuple[int, int]]] = {}
        support: dict[int, float] = {}
        kept: list[str] = []
        unsupported: list[str] = []
        sentence_terms = [content_terms(s.text) for s in sentences]
        # Words found in few of the shown sentences say more about which one is meant.
        df: dict[str, int] = {}
        for terms in sentence_terms:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        weight = {t: math.log(1 + len(sentences) / c) for t, c in df.items()}
        for ci, claim in enumerate(claims):
            candidates = []  # (passage index, its best sentence index, similarity)
            claim_terms = content_terms(claim.text)
            total = sum(weight.get(t, 1.0) for t in claim_terms) or 1.0
            for n in claim.cited:
                p = n - 1
                if not 0 <= p < len(passages) or p not in by_passage:
                    continue  # a citation to a passage that was never shown
                rows = by_passage[p]
                sims = sent_vecs[rows] @ claim_vecs[ci]
                # The supporting sentence shares the claim's meaning and its key words: in a
                # long passage, similarity alone can prefer a sentence about the same people.
                overlap = np.array(
                    [sum(weight[t] for t in claim_terms & sentence_terms[j]) / total
                     for j in rows], dtype=np.float32)
                best = int(np.argmax(sims + overlap))
                candidates.append((p, rows[best], float(sims.max())))
            backing = [c for c in candidates
                       if self.supports(claim.text, passages[c[0]].text, c[2])]
            # A sentence may join facts from two passages it cites: check them together.
            if not backing and len(candidates) > 1 and self.supports(
                    claim.text, "\n".join(passages[c[0]].text for c in candidates),
                    max(c[2] for c in candidates)):
                backing = candidates
            if not backing:
                unsupported.append(claim.text)
                continue
            marks = []
            for p, j, sim in backing:
                n = numbers.setdefault(p, len(numbers) + 1)
                span = (sentences[j].start, sentences[j].end)
                if span not in spans.setdefault(p, []):
                    spans[p].append(span)
                support[p] = max(support.get(p, 0.0), sim)
                marks.append(f"[{n}]")
            kept.append(f"{claim.text} {''.join(dict.fromkeys(marks))}")
        if not kept:
            return replace(Answer.abstaining(question, passages),
                           unsupported=tuple(unsupported))
        citations = tuple(
            Citation.of(passages[p], n=n, score=support[p], sentences=sorted(spans[p]))
            for p, n in numbers.items()
        )
        return Answer(question=question, text=" ".join(kept), citations=citations,
                      passages=tuple(passages), unsupported=tuple(unsupported))

    def check(self, answer: Answer) -> Answer:
        """An answerer's Answer with its citations checked: sentences no cited passage backs
        move to ``unsupported`` (for answerers that do not verify their own)."""
        if answer.abstained or answer.form == "parts":
            # An answer by parts quotes each part verbatim, led by its outlet and date.
            return answer
        # An answerer's [n] points at its n-th citation, not at the n-th passage.
        by_span = {(p.article_id, p.start): p for p in answer.passages}
        cited = [by_span.get((c.article_id, c.start)) for c in
                 sorted(answer.citations, key=lambda c: c.n)]
        checked = self(answer.question, answer.text, [p for p in cited if p])
        if not checked.abstained and not checked.unsupported:
            return answer  # every sentence stands: keep the answerer's layout and spans
        return replace(checked, passages=answer.passages, form=answer.form,
                       unsupported=answer.unsupported + checked.unsupported,
                       answer_spans=answer.answer_spans if checked.text == answer.text else ())

    def supports(self, claim: str, passage: str, similarity: float) -> bool:
        terms = content_terms(claim)
        coverage = len(terms & content_terms(passage)) / len(terms) if terms else 1.0
        if coverage < self.min_terms or missing_facts(claim, passage):
            return False
        # A short paraphrase of a long sentence embeds far from it (cosine ~0.3 for a faithful
        # one), so near-complete lexical support also counts.
        return similarity >= self.min_similarity or coverage >= self.strong_terms


def missing_facts(claim: str, passage: str) -> set[str]:
    """Numbers and names in ``claim`` that ``passage`` never mentions."""
    flat = passage.lower()
    digits = re.sub(r"[.,]", "", flat)
    missing = {n for n in _NUMBER.findall(claim) if re.sub(r"[.,]", "", n) not in digits}
    missing |= {name for name in _NAME.findall(claim) if name.lower() not in flat}
    return missing
