"""The built-in evaluator: retrieval quality (BEIR format) and question answering, on your data.

- ``evaluate_retrieval``: nDCG@10, Recall@10, Recall@100 and MRR@10 of lexical, dense and hybrid
  retrieval side by side, over one index (chunk rankings folded to article rankings, best chunk
  first).
- ``evaluate_qa``: hit@1/5/10 and MRR@10 of retrieval, answer and citation containment of gold
  strings, abstention on answerable and unanswerable questions, and latency percentiles.

Metric functions are pure and tested by hand; the runners take an Assistant that the CLI builds
over a temporary (or given) data dir, so a second run over the same corpus re-embeds nothing.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.answering import Answerer
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.results import MODES, Answer, Mode, Passage
from index.articles import Article

if TYPE_CHECKING:
    from assistant.service import Assistant

Progress = Callable[[str], None]
Qrels = Mapping[str, Mapping[str, int]]  # query id → {article id: relevance grade}


# -- metrics (pure) -------------------------------------------------------------------------

def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Normalised DCG with linear gains (as in BEIR's pytrec_eval); 0 when nothing is relevant."""
    ideal = dcg(sorted((g for g in relevant.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([max(relevant.get(d, 0), 0) for d in ranked[:k]]) / ideal


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    gold = {d for d, g in relevant.items() if g > 0}
    return len(gold.intersection(ranked[:k])) / len(gold) if gold else 0.0


def mrr_at_k(hits: Sequence[bool], k: int = 10) -> float:
    """1/rank of the first hit within the top ``k`` (0 when none)."""
    return next((1.0 / (i + 1) for i, hit in enumerate(hits[:k]) if hit), 0.0)


def hit_at_k(hits: Sequence[bool], k: int) -> bool:
    return any(hits[:k])


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def contains_any(text: str, answers: Iterable[str]) -> bool:
    low = text.lower()
    return any(a.lower() in low for a in answers if a)


def unique_articles(passages: Sequence[Passage]) -> list[str]:
    """Article ids in order of their best passage."""
    return list(dict.fromkeys(p.article_id for p in passages))


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# -- inputs ---------------------------------------------------------------------------------

def _jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield n, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not a JSON object ({exc.msg}).") from exc


def load_beir_corpus(path: Path) -> list[Article]:
    """BEIR corpus.jsonl: ``{"_id", "title", "text"}`` per line."""
    articles = []
    for n, d in _jsonl(path):
        if "_id" not in d or not str(d.get("text", "")).strip():
            raise ValueError(f'{path}:{n}: a corpus line needs "_id" and a non-empty "text".')
        articles.append(Article(id=str(d["_id"]), title=d.get("title") or "", text=d["text"]))
    return articles


def load_beir_queries(path: Path) -> dict[str, str]:
    return {str(d["_id"]): d["text"] for _, d in _jsonl(path)}


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """BEIR qrels TSV: ``query-id corpus-id score`` with a header line."""
    qrels: dict[str, dict[str, int]] = {}
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            parts = line.split()
            if not parts or (n == 1 and not parts[-1].lstrip("-").isdigit()):
                continue
            if len(parts) < 3:
                raise ValueError(f"{path}:{n}: expected 'query-id corpus-id score', got {line!r}.")
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


@dataclass(frozen=True)
class QAQuestion:
    """A question and what a right answer holds: one of ``answers``, every one of
    ``answers_all``, and citations of every article in ``cite``. A question with none of these
    is unanswerable: the right answer abstains."""

    id: str
    question: str
    answers: tuple[str, ...]
    article_ids: tuple[str, ...] = ()  # where retrieval should find it (hit@k)
    date: date | None = None  # the reference date: what "last week" counts from
    kind: str = ""
    history: tuple[dict[str, str], ...] = ()
    answers_all: tuple[str, ...] = ()
    cite: tuple[str, ...] = ()
    yes_no: str | None = None  # "Yes"/"No": containment cannot judge it, its citations do

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.answers_all or self.cite)

    @property
    def gold_articles(self) -> tuple[str, ...]:
        return self.article_ids or self.cite


def load_qa_articles(path: Path) -> list[Article]:
    """``{"id", "title", "text", "url"?, "published"?, "source"?}`` per line."""
    articles = []
    for n, d in _jsonl(path):
        if "id" not in d or not str(d.get("text", "")).strip():
            raise ValueError(f'{path}:{n}: an article line needs "id" and a non-empty "text".')
        articles.append(Article(id=str(d["id"]), title=d.get("title") or "", text=d["text"],
                                url=d.get("url"), published=d.get("published"),
                                source=d.get("source")))
    return articles


def load_qa_questions(path: Path) -> list[QAQuestion]:
    """``{"id", "question", "answers": [...], "answers_all"?, "cite"?, "article_ids"?,
    "kind"?, "yes_no"?, "history"?, "reference_date"? (or "date")}`` per line."""
    questions = []
    for n, d in _jsonl(path):
        lists = ("answers", "answers_all", "cite", "article_ids", "history")
        if "question" not in d or any(not isinstance(d.get(k) or [], list) for k in lists):
            raise ValueError(f'{path}:{n}: a question line needs "question", and "answers", '
                             '"answers_all", "cite", "article_ids" and "history" are lists.')
        when = d.get("reference_date") or d.get("date")
        try:
            questions.append(QAQuestion(
                id=str(d.get("id", n)), question=d["question"],
                answers=tuple(d.get("answers") or ()),
                article_ids=tuple(map(str, d.get("article_ids") or ())),
                date=date.fromisoformat(when) if when else None, kind=str(d.get("kind") or ""),
                history=tuple({"role": t["role"], "content": t["content"]}
                              for t in d.get("history") or ()),
                answers_all=tuple(d.get("answers_all") or ()),
                cite=tuple(map(str, d.get("cite") or ())),
                yes_no=str(d["yes_no"]) if d.get("yes_no") else None,
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{n}: {exc!r} — history turns need role and content, "
                             "dates are YYYY-MM-DD.") from exc
    return questions


# -- runners --------------------------------------------------------------------------------

def retrieval_metrics(ranked: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    gold = {d for d, g in relevant.items() if g > 0}
    return {
        "ndcg@10": ndcg_at_k(ranked, relevant, 10),
        "recall@10": recall_at_k(ranked, relevant, 10),
        "recall@100": recall_at_k(ranked, relevant, 100),
        "mrr@10": mrr_at_k([d in gold for d in ranked], 10),
    }


def evaluate_retrieval(
    assistant: Assistant,
    queries: Mapping[str, str],
    qrels: Qrels,
    *,
    modes: Sequence[Mode] = MODES,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Mean metrics per mode over the queries that have judgements."""
    retriever = assistant.retriever
    judged = [q for q in queries if q in qrels]
    # Single-mode rankings only get truncated by depth; hybrid uses the configured candidates
    # so that its score normalisation is the one users get.
    depths = {m: max(assistant.options.retrieval.candidates, 200) for m in ("dense", "lexical")}
    depths["hybrid"] = assistant.options.retrieval.candidates
    totals: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    seconds: dict[str, float] = dict.fromkeys(modes, 0.0)
    for n, qid in enumerate(judged, start=1):
        for mode in modes:
            start = time.perf_counter()
            ranked = retriever.ranked(queries[qid], mode=mode, depth=depths[mode])
            seconds[mode] += time.perf_counter() - start
            totals[mode].append(retrieval_metrics(unique_articles(ranked), qrels[qid]))
        if progress and (n % 25 == 0 or n == len(judged)):
            progress(f"  … {n}/{len(judged)} queries")
    result: dict[str, Any] = {"queries": len(judged), "modes": {}}
    for mode in modes:
        rows = totals[mode]
        result["modes"][mode] = {
            **{name: round(mean(r[name] for r in rows), 4) for name in
               ("ndcg@10", "recall@10", "recall@100", "mrr@10")},
            "ms_per_query": round(1000 * seconds[mode] / max(len(judged), 1), 2),
        }
    return result


def evaluate_qa(
    assistant: Assistant,
    questions: Sequence[QAQuestion],
    *,
    k: int = 10,
    thresholds: Sequence[float] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Retrieval hits, answer/citation containment, abstention and latency over the questions.

    Each question goes through ``Assistant.ask`` (rewriting, dates, answering, verification),
    and retrieval is timed again on its own for ``retrieve`` latency; hits are counted over the
    passages the answer was given. With ``thresholds``, ``curve`` lists the answer metrics at
    each abstention threshold (``threshold_curve``)."""
    hits: list[list[bool]] = []
    outcomes: list[tuple[QAQuestion, Answer]] = []
    asked: list[tuple[QAQuestion, list[Passage]]] = []
    retrieve_ms: list[float] = []
    ask_ms: list[float] = []
    for n, q in enumerate(questions, start=1):
        start = time.perf_counter()
        answer = assistant.ask(q.question, k=k, history=list(q.history), reference_date=q.date)
        answered = time.perf_counter()
        assistant.retrieve(answer.rewritten_question or q.question, k=k, reference_date=q.date)
        retrieve_ms.append(1000 * (time.perf_counter() - answered))
        ask_ms.append(1000 * (answered - start))
        passages = list(answer.passages)
        if q.gold_articles:
            hits.append([p.article_id in q.gold_articles for p in passages])
        elif q.answers:
            hits.append([contains_any(p.text, q.answers) for p in passages])
        outcomes.append((q, answer))
        if thresholds:
            asked.append((q, passages))
        if progress and (n % 25 == 0 or n == len(questions)):
            progress(f"  … {n}/{len(questions)} questions")
    result: dict[str, Any] = {
        "hit@1": round(mean(hit_at_k(h, 1) for h in hits), 4),
        "hit@5": round(mean(hit_at_k(h, 5) for h in hits), 4),
        "hit@10": round(mean(hit_at_k(h, 10) for h in hits), 4),
        "mrr@10": round(mean(mrr_at_k(h, 10) for h in hits), 4),
        **answer_metrics(outcomes),
        "by_kind": kind_metrics(outcomes),
        "latency_ms": {
            "retrieve_p50": round(percentile(retrieve_ms, 50), 1),
            "retrieve_p95": round(percentile(retrieve_ms, 95), 1),
            "ask_p50": round(percentile(ask_ms, 50), 1),
            "ask_p95": round(percentile(ask_ms, 95), 1),
        },
        "counts": {
            "questions": len(questions),
            "answerable": sum(q.answerable for q in questions),
            "unanswerable": sum(not q.answerable for q in questions),
            "with_retrieval_target": len(hits),
        },
        "k": k,
    }
    if thresholds:
        result["curve"] = threshold_curve(assistant.answerer, asked, thresholds,
                                          progress=progress)
    return result


def answer_metrics(outcomes: Sequence[tuple[QAQuestion, Answer]]) -> dict[str, float]:
    """Answer and citation containment, and abstention rates, over ``(question, answer)`` pairs.

    ``answer_contains`` and ``cited_contains`` count an abstention on an answerable question as
    a miss; the ``answered_`` variants are over the answerable questions that were answered, so
    the cost of abstaining more is visible apart from the quality of the answers given; so are
    the source-diversity figures."""
    answerable = [(q, a) for q, a in outcomes if q.answerable]
    answered = [(q, a) for q, a in answerable if not a.abstained]

    return {
        "answer_contains": round(mean(found(q, a) for q, a in answerable), 4),
        "cited_contains": round(mean(cited(q, a) for q, a in answerable), 4),
        "abstain_answerable": round(mean(a.abstained for _, a in answerable), 4),
        "abstain_unanswerable": round(mean(a.abstained for q, a in outcomes
                                           if not q.answerable), 4),
        "answered_answer_contains": round(mean(found(q, a) for q, a in answered), 4),
        "answered_cited_contains": round(mean(cited(q, a) for q, a in answered), 4),
        # Citation source diversity: independent sources per answer (syndicated copies of one
        # wire story count once), and the share of answers resting on two or more.
        "sources_per_answer": round(mean(len(a.sources) for _, a in answered), 4),
        "multi_source_answers": round(mean(len(a.sources) > 1 for _, a in answered), 4),
    }


def found(q: QAQuestion, a: Answer) -> bool:
    """The answer text holds one of ``answers`` and all of ``answers_all``."""
    return not a.abstained and _holds(a.text, q)


def cited(q: QAQuestion, a: Answer) -> bool:
    """The cited passages hold the gold strings (one of ``answers``, all of ``answers_all``)."""
    return bool(a.citations) and _holds(" ".join(c.passage for c in a.citations), q)


def _holds(text: str, q: QAQuestion) -> bool:
    low = text.lower()
    return (not q.answers or contains_any(text, q.answers)) and \
        all(x.lower() in low for x in q.answers_all)


def correct(q: QAQuestion, a: Answer) -> bool:
    """Right, as a user would judge it: an unanswerable question abstains; an answerable one
    is answered with its gold strings and cites every article in ``cite``."""
    if not q.answerable:
        return a.abstained
    return found(q, a) and set(q.cite) <= {c.article_id for c in a.citations}


def cites_all(q: QAQuestion, a: Answer) -> bool:
    """The answer cites every article the question needs (``cite``, else ``article_ids``)."""
    return not a.abstained and set(q.cite or q.article_ids) <= {c.article_id for c in a.citations}


def kind_metrics(outcomes: Sequence[tuple[QAQuestion, Answer]]) -> dict[str, dict[str, Any]]:
    """Per question kind: how many, the shares right (``correct``; a yes/no question judged by
    its citations), abstained, citing every needed article and holding the gold (None: no
    question of the kind has what the share needs)."""
    kinds: dict[str, list[tuple[QAQuestion, Answer]]] = {}
    for q, a in outcomes:
        kinds.setdefault(q.kind or "all", []).append((q, a))
    share = lambda xs: round(mean(xs), 4) if xs else None  # noqa: E731
    return {kind: {"questions": len(pairs),
                   "correct": round(mean(correct(q, a) for q, a in pairs), 4),
                   "abstained": round(mean(a.abstained for _, a in pairs), 4),
                   "cites_all": share([cites_all(q, a) for q, a in pairs if q.gold_articles]),
                   "holds_gold": share([found(q, a) for q, a in pairs
                                        if q.answers or q.answers_all]),
                   "yes_no": share([correct(q, a) for q, a in pairs if q.yes_no]),
                   "sources_per_answer": round(mean(
                       len(a.sources) for _, a in pairs if not a.abstained), 4)}
            for kind, pairs in sorted(kinds.items())}


def threshold_curve(
    answerer: Answerer,
    asked: Sequence[tuple[QAQuestion, Sequence[Passage]]],
    thresholds: Sequence[float],
    *,
    progress: Progress | None = None,
) -> list[dict[str, float]]:
    """The answer metrics at each abstention threshold, answering the same retrieved passages
    again (only the extractive answerer has a threshold; an LLM has no curve)."""
    if not isinstance(answerer, ExtractiveAnswerer):
        return []
    curve = []
    for t in thresholds:
        variant = copy.copy(answerer)
        variant.abstain_threshold = t
        outcomes = [(q, variant.answer(q.question, passages)) for q, passages in asked]
        curve.append({"threshold": t, **answer_metrics(outcomes)})
        if progress:
            progress(f"  … threshold {t}")
    return curve
