"""Recall and precision of story timelines on hand-written topic sets: prints JSON (a benchmark,
not a test).

    python bench/timeline_sweep.py --data-dir /tmp/timeline-data \\
        --articles tests/data/timeline_topics/articles.jsonl \\
        --queries tests/data/timeline_topics/queries.jsonl

The articles are indexed into ``--data-dir`` (reused when already there). Each query's wide
retrieval (``TIMELINE_K`` passages) is done once; every cut is then a pure function of it
(``build_timeline``). A query's recall is the share of its topic's articles on the timeline, its
precision the share of the timeline that belongs to the topic. Queries carry a ``half``: the cut
is chosen on ``tune`` (best mean F1) and reported on ``test``, which it never saw.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evaluation import mean
from assistant.timeline import TIMELINE_K, build_timeline

SHARES = (0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--shares", default=",".join(map(str, SHARES)))
    args = parser.parse_args()

    assistant = Assistant.from_settings(Settings(data_dir=args.data_dir))
    if not assistant.stats().articles:
        assistant.add_paths([args.articles])
    queries = [json.loads(line) for line in args.queries.read_text().splitlines() if line]
    found = {q["query"]: assistant.search(q["query"], k=TIMELINE_K, digest=False).passages
             for q in queries}
    print(f"… {len(queries)} queries retrieved", file=sys.stderr)
    # The set's articles have no syndicated copies: each is its own story.
    no_copies = lambda ids: []  # noqa: E731

    def measure(share: float) -> dict[str, dict[str, float]]:
        rows: dict[str, list[tuple[float, float]]] = {"tune": [], "test": []}
        for q in queries:
            timeline = build_timeline(q["query"], found[q["query"]], no_copies, min_share=share)
            listed = {e.article_id for e in (*timeline.entries, *timeline.undated)}
            relevant = set(q["relevant"])
            hit = len(listed & relevant)
            rows[q["half"]].append((hit / len(relevant), hit / len(listed) if listed else 0.0))
        result = {}
        for half, pairs in rows.items():
            recall, precision = mean(r for r, _ in pairs), mean(p for _, p in pairs)
            f1 = mean(2 * r * p / (r + p) if r + p else 0.0 for r, p in pairs)
            result[half] = {"recall": round(recall, 3), "precision": round(precision, 3),
                            "f1": round(f1, 3)}
        return result

    shares = [float(s) for s in args.shares.split(",")]
    cuts = {f"share {s}": measure(s) for s in shares}
    chosen = max(cuts, key=lambda name: (cuts[name]["tune"]["f1"], name))
    print(json.dumps({"queries": len(queries), "chosen": chosen, "cuts": cuts}, indent=2))


if __name__ == "__main__":
    main()
