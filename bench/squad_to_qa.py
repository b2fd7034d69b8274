"""Convert the SQuAD 2.0 sample into the evaluator's QA format; prints the two paths as JSON.

    python bench/squad_to_qa.py [--sample ../shared/eval/squad2-sample] [--out DIR]
    assistant eval qa --articles DIR/articles.jsonl --questions DIR/questions.jsonl --json

Each distinct paragraph becomes one article (id = a hash of its text); every question keeps the
id of its paragraph in ``article_ids`` and is asked against the whole index. Unanswerable
questions get ``"answers": []``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLE = ROOT.parent / "shared" / "eval" / "squad2-sample"


def convert(sample: Path, out: Path) -> dict[str, object]:
    queries = json.loads((sample / "queries.json").read_text(encoding="utf-8"))["queries"]
    truth = json.loads((sample / "ground_truth.json").read_text(encoding="utf-8"))
    articles: dict[str, dict[str, str]] = {}
    questions = []
    for q in queries:
        context = q["context"]
        article_id = "squad-" + hashlib.sha256(context.encode("utf-8")).hexdigest()[:16]
        articles.setdefault(article_id, {"id": article_id, "title": "", "text": context})
        gold = truth[q["id"]]
        answers = [] if gold["is_impossible"] else list(dict.fromkeys(gold["answers"]))
        questions.append({"id": q["id"], "question": q["question"], "answers": answers,
                          "article_ids": [article_id]})
    out.mkdir(parents=True, exist_ok=True)
    paths = {"articles": out / "articles.jsonl", "questions": out / "questions.jsonl"}
    for name, rows in (("articles", articles.values()), ("questions", questions)):
        with paths[name].open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {"articles": str(paths["articles"]), "questions": str(paths["questions"]),
            "n_articles": len(articles), "n_questions": len(questions),
            "n_unanswerable": sum(not q["answers"] for q in questions)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if not (args.sample / "queries.json").is_file():
        sys.exit(f"No SQuAD sample at {args.sample} (expected queries.json and "
                 "ground_truth.json): pass --sample DIR.")
    out = args.out or Path(tempfile.mkdtemp(prefix="squad-qa-"))
    print(json.dumps(convert(args.sample, out), indent=2))


if __name__ == "__main__":
    main()
