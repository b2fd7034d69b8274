"""Cross-validate the abstention model on a QA set; prints JSON (README, "Answer quality").

    python bench/squad_to_qa.py --out DIR
    python bench/abstain_cv.py --articles DIR/articles.jsonl --questions DIR/questions.jsonl \
        --data-dir DIR/data [--folds 5 --repeats 5]

Retrieves each question's passages (k=10), takes the abstention signals of the answerer's best
sentence (``ExtractiveAnswerer.abstention_signals``), and reports for "unanswerable" (an empty
``answers`` list) against answerable questions:

- each signal's AUC alone, and the AUC and recall (share of unanswerable questions caught at
  15 % / 10 % of answerable ones) of the weights in ``assistant/abstain.py`` — fitted on this
  sample, so these are training-set numbers;
- the same for a logistic regression refitted in k-fold cross-validation, the folds grouped by
  article so that questions about one paragraph never sit on both sides (repeated with several
  shuffles: mean and range);
- the weights of a fit on all of it, in the form ``abstain.py`` keeps them.

Questions where no sentence reaches the answerer's minimum support abstain before the model
and are left out.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answering.abstain import BIAS, WEIGHTS  # noqa: E402


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = scores[labels], scores[~labels]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def recall_at(scores: np.ndarray, labels: np.ndarray, max_false: float) -> float:
    """Share of positives caught when at most ``max_false`` of the negatives are."""
    threshold = np.quantile(scores[~labels], 1 - max_false)
    return float((scores[labels] > threshold).mean())


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1e-3) -> np.ndarray:
    """Weights then bias of a (barely) L2-regularised logistic regression, by Newton steps."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    penalty = l2 * np.eye(x1.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-x1 @ w))
        hessian = (x1 * (p * (1 - p))[:, None]).T @ x1 + penalty
        step = np.linalg.solve(hessian, x1.T @ (p - y) + penalty @ w)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def grouped_folds(groups: list[str], folds: int, seed: int) -> np.ndarray:
    distinct = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(distinct))
    fold_of = {distinct[j]: n % folds for n, j in enumerate(order)}
    return np.array([fold_of[g] for g in groups])


def cross_validated(x: np.ndarray, y: np.ndarray, groups: list[str], *, folds: int,
                    seed: int) -> np.ndarray:
    """Out-of-fold linear scores (log-odds of "unanswerable")."""
    fold = grouped_folds(groups, folds, seed)
    out = np.zeros(len(y))
    for k in range(folds):
        train, test = fold != k, fold == k
        w = fit_logistic(x[train], y[train].astype(float))
        out[test] = x[test] @ w[:-1] + w[-1]
    return out


def summary(scores: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {"auc": round(auc(scores, y), 3), "recall_at_0.15": round(recall_at(scores, y, 0.15), 3),
            "recall_at_0.10": round(recall_at(scores, y, 0.10), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.evaluation import load_qa_articles, load_qa_questions
    from assistant.service import Assistant
    from assistant.settings import Settings

    assistant = Assistant.from_settings(Settings(data_dir=args.data_dir))
    answerer = assistant.answerer
    if not isinstance(answerer, ExtractiveAnswerer):
        sys.exit("The abstention model belongs to the extractive answerer: unset ASSISTANT_LLM_*.")
    try:
        assistant.add_articles(load_qa_articles(args.articles))
        names = list(WEIGHTS)
        rows, labels, groups = [], [], []
        for q in load_qa_questions(args.questions):
            passages = assistant.retrieve(q.question, k=args.k)
            found = answerer.abstention_signals(q.question, passages)
            if found is None:
                continue
            rows.append([getattr(found, n) for n in names])
            labels.append(not q.answerable)
            groups.append(q.article_ids[0] if q.article_ids else q.id)
    finally:
        assistant.close()
    x, y = np.array(rows, dtype=float), np.array(labels, dtype=bool)
    shipped = x @ np.array([WEIGHTS[n] for n in names]) + BIAS
    runs = [summary(cross_validated(x, y, groups, folds=args.folds, seed=s), y)
            for s in range(args.repeats)]
    full = fit_logistic(x, y.astype(float))
    fitted = {n: round(float(w), 2) for n, w in zip(names, full[:-1], strict=True)}
    print(json.dumps({
        "questions": len(y), "unanswerable": int(y.sum()),
        "signal_auc": {n: round(auc(x[:, i], y), 3) for i, n in enumerate(names)},
        "shipped_weights_training_set": summary(shipped, y),
        "cross_validated": {m: {"mean": round(float(np.mean([r[m] for r in runs])), 3),
                                "min": min(r[m] for r in runs), "max": max(r[m] for r in runs)}
                            for m in runs[0]},
        "folds": args.folds, "repeats": args.repeats,
        "fit_on_all": {"weights": fitted, "bias": round(float(full[-1]), 2)},
        "note": "shipped_weights_training_set is measured on the data they were fitted on",
    }, indent=2))


if __name__ == "__main__":
    main()
