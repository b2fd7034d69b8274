"""Fit and cross-validate the abstention model over development QA sets; prints JSON.

    python bench/squad_to_qa.py --out DIR
    python bench/abstain_cv.py --data-dir /tmp/abstain --set squad=DIR \\
        --set news_eval=tests/data/news_eval --set news_heldout=tests/data/news_heldout \\
        --offtopic squad [--folds 5 --repeats 5]

Each set is a folder with ``articles.jsonl`` and ``questions.jsonl`` (the ``assistant eval qa``
format); sets with the same articles file share one index under ``--data-dir``. ``--offtopic
NAME`` adds the set ``offtopic``: questions NAME's articles cannot answer, asked of them — the
lines of ``tests/data/offtopic_questions.txt`` and the news sets' own questions (all but
follow-ups and digests), each unanswerable there (news quiz questions asked of encyclopedia
paragraphs).

Every question is asked through the assistant as a user's would be (follow-ups rewritten, dates
resolved); the abstention signals of the answerer's best sentence for the question it was given
(``ExtractiveAnswerer.abstention_signals``) are the row, "unanswerable" (an empty ``answers``
list) the label. Questions the model never decides are left out: no sentence reaches the minimum
support, a name of the question is missing from every passage, a digest, a question by outlets.

The model has two parts (``assistant/answering/abstain.py``): the within-article signals
(similarity, type, negation, missing terms and names, conflict), fitted on the SQuAD sample,
whose unanswerable questions are written against the very paragraph retrieved; and ``flat``,
the one cross-domain signal (nothing retrieved stands out), whose weight is fitted here over
all the sets with the first part's log-odds held fixed, each set given the same total weight
(a set of 40 questions counts as much as one of 480). Reported:

- each signal's AUC per set (sets with both classes);
- per set, the share of answerable and unanswerable questions abstained on at the answerer's
  thresholds: by the within-article part alone, and by the shipped weights (training-set
  numbers);
- grouped k-fold cross-validation of the ``flat`` weight (SQuAD questions grouped by
  paragraph), repeated with several shuffles; and leave one set out: the weight fitted on the
  other sets, each set's abstention with it (how a set unlike the others fares);
- the ``flat`` weight fitted on all of it, and the within-article weights refitted on the SQuAD
  sample (``--base``), in the form ``abstain.py`` keeps them.
"""

from __future__ import annotations

import argparse
import hashlib
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


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, *,
                 l2: float = 1e-2) -> np.ndarray:
    """Weights then bias of a lightly L2-regularised logistic regression, each row weighted,
    by Newton steps."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    rw = np.ones(len(x)) if weights is None else weights
    w = np.zeros(x1.shape[1])
    penalty = l2 * np.eye(x1.shape[1])
    penalty[-1, -1] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-x1 @ w))
        hessian = (x1 * (rw * p * (1 - p))[:, None]).T @ x1 + penalty
        step = np.linalg.solve(hessian, x1.T @ (rw * (p - y)) + penalty @ w)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def set_weights(sets: np.ndarray) -> np.ndarray:
    """Row weights giving each set the same total (mean 1)."""
    counts = {s: int((sets == s).sum()) for s in set(sets)}
    w = np.array([1.0 / counts[s] for s in sets])
    return w * len(w) / w.sum()


def grouped_folds(groups: list[str], folds: int, seed: int) -> np.ndarray:
    distinct = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(distinct))
    fold_of = {distinct[j]: n % folds for n, j in enumerate(order)}
    return np.array([fold_of[g] for g in groups])


def fit_cross_domain(x: np.ndarray, y: np.ndarray, sets: np.ndarray, offset: np.ndarray
                     ) -> float:
    """The weight of ``flat`` over the pooled sets (each set the same total weight), the
    within-article signals' log-odds ``offset`` held fixed: Newton steps on one weight."""
    rw, w = set_weights(sets), 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(offset + w * x)))
        step = float(np.sum(rw * (p - y) * x)) / (float(np.sum(rw * p * (1 - p) * x * x)) + 1e-9)
        w -= step
        if abs(step) < 1e-9:
            break
    return w


def cross_validated(x: np.ndarray, y: np.ndarray, sets: np.ndarray, groups: list[str],
                    offset: np.ndarray, *, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold P(unanswerable), the ``flat`` weight fitted without each fold."""
    fold = grouped_folds(groups, folds, seed)
    out = np.zeros(len(y))
    for k in range(folds):
        train, test = fold != k, fold == k
        w = fit_cross_domain(x[train], y[train].astype(float), sets[train], offset[train])
        out[test] = 1.0 / (1.0 + np.exp(-(offset[test] + w * x[test])))
    return out


def per_set(p: np.ndarray, y: np.ndarray, sets: np.ndarray, threshold: np.ndarray
            ) -> dict[str, dict[str, float | int | None]]:
    """Per set: questions, unanswerable ones, the AUC (both classes needed) and the share of
    answerable / unanswerable questions abstained on at ``threshold``."""
    out: dict[str, dict[str, float | int | None]] = {}
    for s in sorted(set(sets)):
        m = sets == s
        pos, neg = m & y, m & ~y
        abstains = p > threshold
        out[s] = {"questions": int(m.sum()), "unanswerable": int(pos.sum()),
                  "auc": round(auc(p[m], y[m]), 3) if pos.any() and neg.any() else None,
                  "abstain_answerable": round(float(abstains[neg].mean()), 3) if neg.any()
                  else None,
                  "abstain_unanswerable": round(float(abstains[pos].mean()), 3) if pos.any()
                  else None}
    return out


def collect(specs: list[str], data_dir: Path, k: int):
    """Per decided question: its set, signals, label, group, and whether it is a list."""
    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.evaluation import load_qa_articles, load_qa_questions
    from assistant.service import Assistant
    from assistant.settings import Settings

    rows = []
    for spec in specs:
        name, _, folder_name = spec.partition("=")
        folder = Path(folder_name)
        articles = (folder / "articles.jsonl").resolve()
        key = hashlib.sha256(str(articles).encode()).hexdigest()[:12]
        assistant = Assistant.from_settings(Settings(data_dir=data_dir / key))
        answerer = assistant.answerer
        if not isinstance(answerer, ExtractiveAnswerer):
            sys.exit("The abstention model belongs to the extractive answerer: "
                     "unset ASSISTANT_LLM_*.")
        given: list[tuple[str, list]] = []
        answer = answerer.answer

        def spy(question, passages, _answer=answer, given=given):  # what it is given
            given.append((question, list(passages)))
            return _answer(question, passages)
        answerer.answer = spy
        try:
            if assistant.stats().articles == 0:
                assistant.add_articles(load_qa_articles(articles))
            for q in load_qa_questions(folder / "questions.jsonl"):
                given.clear()
                assistant.ask(q.question, k=k, history=list(q.history), reference_date=q.date)
                if not given:
                    continue
                asked, passages = given[0]
                found = answerer.abstention_signals(asked, passages)
                if found is None:
                    continue
                rows.append((name, found, not q.answerable,
                             q.article_ids[0] if name == "squad" and q.article_ids
                             else f"{name}:{q.id}", answerer.parse(asked).form == "list"))
        finally:
            assistant.close()
    return rows


def offtopic_set(of: Path, out: Path) -> Path:
    """A set asking ``of``'s articles the off-topic file's and the news sets' questions."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "articles.jsonl").unlink(missing_ok=True)
    (out / "articles.jsonl").symlink_to((of / "articles.jsonl").resolve())
    data = ROOT / "tests" / "data"
    lines = (data / "offtopic_questions.txt").read_text(encoding="utf-8").splitlines()
    asked = [q.strip() for q in lines if q.strip() and not q.startswith("#")]
    for news in ("news_eval", "news_heldout"):
        for line in (data / news / "questions.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            if q.get("kind") not in ("followup", "digest") and not q.get("history"):
                asked.append(q["question"])
    with (out / "questions.jsonl").open("w", encoding="utf-8") as f:
        for n, text in enumerate(asked):
            f.write(json.dumps({"id": f"off-{n}", "question": text, "answers": []}) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True,
                        help="NAME=FOLDER holding articles.jsonl and questions.jsonl")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--offtopic", metavar="NAME",
                        help="add the off-topic questions asked of set NAME's articles")
    parser.add_argument("--base", default="squad",
                        help="the set the within-article signals' weights are refitted on")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from assistant.answering.config import ExtractiveConfig

    cfg = ExtractiveConfig()
    specs = list(args.set)
    if args.offtopic:
        folders = dict(spec.partition("=")[::2] for spec in specs)
        made = offtopic_set(Path(folders[args.offtopic]), args.data_dir / "offtopic-set")
        specs.append(f"offtopic={made}")
    rows = collect(specs, args.data_dir, args.k)
    within = [n for n in WEIGHTS if n != "flat"]
    sets = np.array([r[0] for r in rows])
    x = np.array([[getattr(r[1], n) for n in within] for r in rows], dtype=float)
    flat = np.array([r[1].flat for r in rows])
    y = np.array([r[2] for r in rows], dtype=bool)
    groups = [r[3] for r in rows]
    threshold = np.array([cfg.list_abstain_threshold if r[4] else cfg.abstain_threshold
                          for r in rows])
    offset = x @ np.array([WEIGHTS[n] for n in within]) + BIAS
    shipped = 1.0 / (1.0 + np.exp(-(offset + WEIGHTS.get("flat", 0.0) * flat)))
    runs = [cross_validated(flat, y, sets, groups, offset, folds=args.folds, seed=s)
            for s in range(args.repeats)]
    cv = [per_set(p, y, sets, threshold) for p in runs]
    held_out = {}
    for s in sorted(set(sets)):
        m = sets == s
        w = fit_cross_domain(flat[~m], y[~m].astype(float), sets[~m], offset[~m])
        p = 1.0 / (1.0 + np.exp(-(offset[m] + w * flat[m])))
        held_out[s] = {"flat_weight": round(w, 2), **per_set(p, y[m], sets[m], threshold[m])[s]}
    base = sets == args.base
    refit = fit_logistic(x[base], y[base].astype(float))
    both = {"signal_auc": {}}
    for s in sorted(set(sets)):
        m = sets == s
        if 0 < y[m].sum() < m.sum():
            both["signal_auc"][s] = {n: round(auc(v[m], y[m]), 3) for n, v in
                                     [*zip(within, x.T, strict=True), ("flat", flat)]}
    print(json.dumps({
        "questions": len(y), "unanswerable": int(y.sum()), **both,
        "within_article_only": per_set(1.0 / (1.0 + np.exp(-offset)), y, sets, threshold),
        "shipped_weights_training_set": per_set(shipped, y, sets, threshold),
        "cross_validated": {s: {m: (None if cv[0][s][m] is None else
                                    round(float(np.mean([c[s][m] for c in cv])), 3))
                                for m in cv[0][s]} for s in cv[0]},
        "leave_one_set_out": held_out,
        "folds": args.folds, "repeats": args.repeats,
        "thresholds": {"factoid": cfg.abstain_threshold, "list": cfg.list_abstain_threshold},
        "fit_on_all": {"flat": round(fit_cross_domain(flat, y.astype(float), sets, offset), 2)},
        f"within_article_refit_on_{args.base}": {
            "weights": {n: round(float(w), 2) for n, w in zip(within, refit[:-1], strict=True)},
            "bias": round(float(refit[-1]), 2)},
        "note": "shipped_weights_training_set is measured on the data they were fitted on",
    }, indent=2))


if __name__ == "__main__":
    main()
