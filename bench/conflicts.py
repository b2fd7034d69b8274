"""Score answers to questions whose passages disagree on a value (RGB's counterfactual shape).

Each question line of the set carries ``answers`` (the true value) and ``false`` (the value some
copies carry instead). Every question is asked through the assistant, as a user's would, and
its answer is sorted into: the true value alone, both values, the false value alone, neither
(answered without either) or abstained; ``true_first`` is the share whose text gives the true
value first, ``conflicts`` the share whose ``Answer.conflicts`` is filled. Prints JSON;
``--dump`` adds each question's answer.

    python bench/conflicts.py --set tests/data/conflicts --data-dir /tmp/conflicts

The targets (issue 20): the false value alone ≤ 5 %, the true value shown (alone or beside
the false one) ≥ 60 %.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings  # noqa: E402
from assistant.evaluation import contains_any, load_qa_articles  # noqa: E402


def outcome(text: str, true: list[str], false: list[str], abstained: bool) -> str:
    """Which of the values the answer shows."""
    if abstained:
        return "abstained"
    has_true, has_false = contains_any(text, true), contains_any(text, false)
    return {(True, False): "true_only", (True, True): "both",
            (False, True): "false_only", (False, False): "neither"}[(has_true, has_false)]


def leads(text: str, true: list[str], false: list[str]) -> bool:
    """Whether the true value comes first in the answer (or alone)."""
    low = text.lower()
    at = lambda values: min((low.find(v.lower()) for v in values  # noqa: E731
                             if v.lower() in low), default=len(low) + 1)
    return at(true) < at(false)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=Path("tests/data/conflicts"))
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--dump", action="store_true", help="each question's answer too")
    args = parser.parse_args()
    assistant = Assistant.from_settings(Settings(data_dir=args.data_dir))
    if assistant.stats().articles == 0:
        assistant.add_articles(load_qa_articles(args.set / "articles.jsonl"))
    rows = []
    for line in (args.set / "questions.jsonl").read_text().splitlines():
        q = json.loads(line)
        a = assistant.ask(q["question"], k=args.k)
        rows.append({"id": q["id"], "outcome": outcome(a.text, q["answers"], q["false"],
                                                       a.abstained),
                     "true_first": leads(a.text, q["answers"], q["false"]),
                     "conflicts": bool(a.conflicts), "answer": a.text[:800]})
    n = len(rows)
    share = lambda key: round(sum(r["outcome"] == key for r in rows) / n, 3)  # noqa: E731
    summary = {k: share(k) for k in ("true_only", "both", "false_only", "neither", "abstained")}
    summary["true_shown"] = round(summary["true_only"] + summary["both"], 3)
    summary["true_first"] = round(sum(r["true_first"] for r in rows) / n, 3)
    summary["conflicts_filled"] = round(sum(r["conflicts"] for r in rows) / n, 3)
    summary["questions"] = n
    print(json.dumps({"summary": summary, **({"questions": rows} if args.dump else {})},
                     indent=1))


if __name__ == "__main__":
    main()
