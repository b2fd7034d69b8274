"""nDCG@10 of the default retrieval over an existing index, on all queries and on the two halves
``bench/fusion_sweep.py`` uses: prints JSON (a benchmark, not a test).

    python bench/retrieval_halves.py --data-dir /tmp/scifact-data \\
        --queries ../shared/eval/scifact/queries.jsonl --qrels ../shared/eval/scifact/qrels/test.tsv

Index the corpus first (``assistant eval retrieval ... --data-dir DIR``), once per setting to
compare (a chunking rule, a chunk size). Queries are split by a hash of their id: ``tune``, where
a setting may be chosen, and ``held_out``, which then measures it unseen. Rankings are the
evaluator's (``retriever.ranked``, chunks folded to articles at their best chunk).
"""

from __future__ import annotations

import argparse
import json
import zlib
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evaluation import load_beir_queries, load_qrels, mean, ndcg_at_k, unique_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "dense", "lexical"))
    args = parser.parse_args()

    queries, qrels = load_beir_queries(args.queries), load_qrels(args.qrels)
    assistant = Assistant.from_settings(Settings(data_dir=args.data_dir))
    depth = assistant.options.retrieval.candidates
    halves: dict[str, list[float]] = {"tune": [], "held_out": []}
    for qid in (q for q in queries if q in qrels):
        ranked = assistant.retriever.ranked(queries[qid], mode=args.mode, depth=depth)
        half = "held_out" if zlib.crc32(qid.encode()) % 2 else "tune"
        halves[half].append(ndcg_at_k(unique_articles(ranked), qrels[qid], 10))
    everything = halves["tune"] + halves["held_out"]
    stats = assistant.stats()
    print(json.dumps({"data_dir": str(args.data_dir), "mode": args.mode,
                      "chunks": stats.chunks, "articles": stats.articles,
                      "ndcg@10": round(mean(everything), 4),
                      **{half: round(mean(v), 4) for half, v in halves.items()},
                      "queries": {half: len(v) for half, v in halves.items()}}, indent=2))


if __name__ == "__main__":
    main()
