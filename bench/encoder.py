"""Encoder speed and quality: embedding throughput and SciFact nDCG@10 (dense retrieval) of each
encoder against fp32 torch, in the same run. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/encoder.py [--docs 1000]
        [--encoders fp32,bf16,int8,onnx-int8] [--batch-sizes 16,32,64] [--throughput-docs 300]
        [--rounds 2] [--cache-dir DIR]

The corpus is every SciFact abstract a test query is judged relevant to, filled up to ``--docs``
with the first abstracts of the corpus file, so all 300 test queries can be scored and the rest are
distractors. Throughput encodes the same abstracts (title + text, as indexing does) with every
encoder, rounds interleaved so drift on a shared machine hits all encoders alike. Quality is
scored twice: queries embedded in batches of 32 like the documents, and one at a time as the
assistant embeds a question (dynamic int8 scales activations per batch, so the two differ a little).
The onnx-int8 file is built (or found) in the usual cache before anything is timed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.embeddings import LocalEmbeddings  # noqa: E402

SCIFACT = Path("/work/shared/eval/scifact")


def load_scifact(folder: Path, n_docs: int) -> tuple[list[str], list[str], dict[str, str],
                                                      dict[str, set[str]]]:
    """(doc ids, doc texts, {query id: text}, {query id: relevant doc ids})."""
    qrels: dict[str, set[str]] = {}
    for line in (folder / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(qid, set()).add(did)
    relevant = set().union(*qrels.values())
    docs: dict[str, str] = {}
    fill: list[tuple[str, str]] = []
    with (folder / "corpus.jsonl").open() as f:
        for line in f:
            row = json.loads(line)
            text = f"{row.get('title', '')}\n{row['text']}".strip()
            if row["_id"] in relevant:
                docs[row["_id"]] = text
            elif len(fill) < n_docs:
                fill.append((row["_id"], text))
    for did, text in fill:
        if len(docs) >= n_docs:
            break
        docs[did] = text
    queries = {}
    with (folder / "queries.jsonl").open() as f:
        for line in f:
            row = json.loads(line)
            if row["_id"] in qrels:
                queries[row["_id"]] = row["text"]
    return list(docs), list(docs.values()), queries, qrels


def ndcg_at_10(doc_vecs: np.ndarray, query_vecs: np.ndarray, doc_ids: list[str],
               query_ids: list[str], qrels: dict[str, set[str]]) -> float:
    scores = query_vecs @ doc_vecs.T
    total = 0.0
    for row, qid in zip(scores, query_ids, strict=True):
        top = np.argsort(-row)[:10]
        dcg = sum(1 / math.log2(rank + 2) for rank, i in enumerate(top)
                  if doc_ids[i] in qrels[qid])
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(10, len(qrels[qid]))))
        total += dcg / ideal
    return total / len(query_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--encoders", default="fp32,bf16,int8,onnx-int8")
    parser.add_argument("--batch-sizes", default="16,32,64")
    parser.add_argument("--throughput-docs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-dir", default=None, help="onnx-int8 cache [default: the usual]")
    args = parser.parse_args()

    doc_ids, texts, queries, qrels = load_scifact(SCIFACT, args.docs)
    query_ids = list(queries)
    encoders = args.encoders.split(",")
    assert encoders[0] == "fp32", "fp32 is the baseline and comes first"
    models = {e: LocalEmbeddings(encoder=e, cache_dir=args.cache_dir) for e in encoders}
    sample = texts[: args.throughput_docs]
    for emb in models.values():
        emb.encode(sample[:32])  # warm up: lazy loading and quantisation are not throughput

    # Throughput: best of the rounds per (encoder, batch size), rounds interleaved.
    seconds: dict[tuple[str, int], float] = {}
    for _ in range(args.rounds):
        for bs in (int(b) for b in args.batch_sizes.split(",")):
            for name, emb in models.items():
                emb.batch_size = bs
                start = time.perf_counter()
                emb.encode(sample)
                took = time.perf_counter() - start
                seconds[(name, bs)] = min(seconds.get((name, bs), math.inf), took)
    throughput = {name: {str(bs): round(len(sample) / s, 1)
                         for (n, bs), s in seconds.items() if n == name} for name in models}
    best = {name: max(v.values()) for name, v in throughput.items()}

    # Quality: the full corpus and all queries; batch size does not change the vectors.
    quality, quality_single = {}, {}
    for name, emb in models.items():
        emb.batch_size = 32
        doc_vecs = emb.encode(texts)
        query_vecs = emb.encode([queries[q] for q in query_ids])
        quality[name] = ndcg_at_10(doc_vecs, query_vecs, doc_ids, query_ids, qrels)
        one_by_one = np.stack([emb.encode([queries[q]])[0] for q in query_ids])
        quality_single[name] = ndcg_at_10(doc_vecs, one_by_one, doc_ids, query_ids, qrels)

    print(json.dumps({
        "docs": len(texts), "queries": len(query_ids), "throughput_docs": len(sample),
        "chosen_by_auto": LocalEmbeddings(encoder="auto").encoder,
        "docs_per_s": throughput,
        "ratio_vs_fp32": {n: round(best[n] / best["fp32"], 3) for n in models},
        "ratio_vs_fp32_same_batch": {
            n: {bs: round(throughput[n][bs] / throughput["fp32"][bs], 3) for bs in throughput[n]}
            for n in models},
        "ndcg_at_10": {n: round(v, 4) for n, v in quality.items()},
        "ndcg_delta_vs_fp32": {n: round(quality[n] - quality["fp32"], 4) for n in models},
        "ndcg_at_10_single_queries": {n: round(v, 4) for n, v in quality_single.items()},
        "ndcg_delta_vs_fp32_single_queries": {
            n: round(quality_single[n] - quality_single["fp32"], 4) for n in models},
    }, indent=2))


if __name__ == "__main__":
    main()
