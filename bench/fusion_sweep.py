"""Compare fusion methods over one existing index: prints JSON (a benchmark, not a test).

    python bench/fusion_sweep.py --data-dir /tmp/scifact-data \\
        --queries ../shared/eval/scifact/queries.jsonl --qrels ../shared/eval/scifact/qrels/test.tsv

Index the corpus first (``assistant eval retrieval ... --data-dir DIR`` does it). Dense and
lexical candidates (``--depth`` each) are retrieved once per query; every fusion variant is then
a pure function of those two lists, so the sweep costs one retrieval pass.

Every variant is scored on all queries and on two halves split by a hash of the query id:
``tune`` (where a default may be chosen) and ``held_out`` (which then measures it unseen);
``chosen`` is the best variant on the tune half.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

from assistant import Assistant, Settings
from assistant.evaluation import load_beir_queries, load_qrels, mean, ndcg_at_k, recall_at_k
from assistant.retrieval.fusion import fuse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--qrels", type=Path, required=True)
    parser.add_argument("--depth", type=int, default=100)
    args = parser.parse_args()

    queries, qrels = load_beir_queries(args.queries), load_qrels(args.qrels)
    assistant = Assistant.from_settings(Settings(data_dir=args.data_dir))
    retriever = assistant.retriever
    runs = []
    for n, qid in enumerate(q for q in queries if q in qrels):
        dense = retriever.ranked(queries[qid], mode="dense", depth=args.depth)
        lexical = retriever.ranked(queries[qid], mode="lexical", depth=args.depth)
        runs.append((qid, [(p.chunk_id, p.score) for p in dense],
                     [(p.chunk_id, p.score) for p in lexical]))
        if n % 50 == 0:
            print(f"… {n} queries", file=sys.stderr)

    def score(fused_lists):
        ndcg, r100, half = [], [], []
        for (qid, _, _), fused in zip(runs, fused_lists, strict=True):
            docs = list(dict.fromkeys(cid.rsplit(":", 1)[0] for cid, _ in fused))
            ndcg.append(ndcg_at_k(docs, qrels[qid], 10))
            r100.append(recall_at_k(docs, qrels[qid], 100))
            half.append(zlib.crc32(qid.encode()) % 2)  # 0: tune, 1: held out
        return {"ndcg@10": round(mean(ndcg), 4), "recall@100": round(mean(r100), 4),
                "tune": round(mean(n for n, h in zip(ndcg, half, strict=True) if h == 0), 4),
                "held_out": round(mean(n for n, h in zip(ndcg, half, strict=True) if h), 4)}

    variants: dict[str, dict[str, float]] = {
        "dense": score([d for _, d, _ in runs]),
        "lexical": score([lx for _, _, lx in runs]),
    }
    for w in (0.3, 0.4, 0.5, 0.6, 0.7):
        variants[f"rrf k=60 w={w}"] = score(
            [fuse(d, lx, method="rrf", dense_weight=w) for _, d, lx in runs])
    weights = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
    for how in ("minmax", "zscore", "max"):
        for w in weights:
            variants[f"{how} w={w}"] = score(
                [fuse(d, lx, method="weighted", how=how, dense_weight=w) for _, d, lx in runs])
    for w in weights:  # z-score counting unreturned BM25 results as zeros (the default)
        variants[f"zscore-padded w={w}"] = score(
            [fuse(d, lx, method="weighted", how="zscore", dense_weight=w,
                  lexical_depth=args.depth) for _, d, lx in runs])
    # What the settings can express (the app's z-score always counts BM25's unreturned chunks).
    fused = {name: v for name, v in variants.items()
             if name not in ("dense", "lexical") and not name.startswith("zscore w=")}
    chosen = max(fused, key=lambda name: fused[name]["tune"])
    print(json.dumps({"queries": len(runs), "depth": args.depth, "chosen": chosen,
                      "variants": variants}, indent=2))
    assistant.close()


if __name__ == "__main__":
    main()
