"""Sweep the extractive answerer's tuning constants over development question sets.

Each set (articles + questions in the ``assistant eval qa`` format) is indexed once into
``--data-dir``/NAME; every question is asked once through the assistant (follow-ups rewritten,
dates resolved, passages retrieved), then answered again from the same passages with each value
of the swept constant (``ExtractiveConfig``). Prints JSON: per set and value, the share right per
kind (``evaluation.correct``) and the abstention rates. ``--dump`` also prints each question's
outcome at the default config, to read what fails.

    python bench/extractive_sweep.py --set news_eval=tests/data/news_eval \\
        --set squad=DIR --data-dir /tmp/sweep --param type_bonus --values 0,0.1,0.15,0.2

Only development sets belong here (``tests/data/news_eval``, the SQuAD 2.0 sample converted by
``bench/squad_to_qa.py``, ``../shared/eval/multihop-rag-dev``): never a held-out set.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings  # noqa: E402
from assistant.evaluation import (  # noqa: E402
    answer_metrics,
    correct,
    kind_metrics,
    load_qa_articles,
    load_qa_questions,
)
from index.articles import Article  # noqa: E402


def asked(name: str, folder: Path, data_dir: Path, k: int):
    """The assistant over the set's index, and each question with its answer at the defaults."""
    assistant = Assistant.from_settings(Settings(data_dir=data_dir / name))
    if assistant.stats().articles == 0:
        articles: list[Article] = load_qa_articles(folder / "articles.jsonl")
        assistant.add_articles(articles)
    out = []
    for q in load_qa_questions(folder / "questions.jsonl"):
        answer = assistant.ask(q.question, k=k, history=list(q.history), reference_date=q.date)
        out.append((q, answer))
    return assistant, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True,
                        help="NAME=FOLDER holding articles.jsonl and questions.jsonl")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--param", help="an ExtractiveConfig field to sweep")
    parser.add_argument("--values", default="", help="comma-separated values of --param")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--dump", action="store_true", help="each question's outcome too")
    args = parser.parse_args()
    result: dict[str, object] = {"param": args.param, "sets": {}}
    for spec in args.set:
        name, _, folder = spec.partition("=")
        assistant, outcomes = asked(name, Path(folder), args.data_dir, args.k)
        answerer = assistant.answerer
        rows = {"default": _summary(outcomes)}
        if args.dump:
            rows["questions"] = [{
                "id": q.id, "kind": q.kind, "right": correct(q, a), "abstained": a.abstained,
                "asked": a.rewritten_question or q.question, "answer": a.text[:1500],
                "gold": list(q.answers or q.answers_all)} for q, a in outcomes]
        base = answerer.config
        for raw in (v for v in args.values.split(",") if v.strip()):
            kind = type(getattr(base, args.param))
            value = kind(int(float(raw))) if kind is bool else kind(float(raw))
            answerer.config = replace(base, **{args.param: value})
            again = [(q, answerer.answer(a.rewritten_question or q.question, a.passages))
                     for q, a in outcomes]
            rows[raw] = _summary(again)
        answerer.config = base
        result["sets"][name] = rows
        assistant.close()
    print(json.dumps(result, indent=1))


def _summary(outcomes) -> dict[str, object]:
    metrics = answer_metrics(outcomes)
    return {"right": round(sum(correct(q, a) for q, a in outcomes) / len(outcomes), 4),
            "answer_contains": metrics["answer_contains"],
            "abstain_answerable": metrics["abstain_answerable"],
            "abstain_unanswerable": metrics["abstain_unanswerable"],
            "by_kind": {k: v["correct"] for k, v in kind_metrics(outcomes).items()}}


if __name__ == "__main__":
    main()
