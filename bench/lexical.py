"""The lexical index alone: build, query, add and remove times, SciFact lexical nDCG@10, and the
top-10 agreement with another implementation's run. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/lexical.py --scifact ../shared/eval/scifact \\
        --sizes 5183,50000 --dump /tmp/lex-new.json [--compare /tmp/lex-old.json]

It drives only ``LexicalIndex(path, catalog, store)``, the interface the rest of the code uses,
so the same script measures any implementation behind it: run it with another checkout's venv
(whose ``index`` package it then imports) and pass that run's ``--dump`` file as ``--compare``.
The chunks come from SciFact: at the corpus size, one chunk per abstract (title + text, as
``ASSISTANT_CHUNK_TOKENS=400`` makes them); larger sizes add chunks of four random sentences of
the corpus. Catalog and store are in memory, so only the lexical index is timed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.evaluation import load_beir_queries, load_qrels, mean, ndcg_at_k
from index.lexical import LexicalIndex
from index.store import StoredChunk


class MemoryCatalog:
    """What the lexical index reads of the catalog: a generation and every article's version."""

    def __init__(self) -> None:
        self.articles: dict[str, tuple[str, int]] = {}
        self.gen = 0

    def generation(self) -> int:
        return self.gen

    def article_versions(self) -> dict[str, tuple[str, int]]:
        return dict(self.articles)


class MemoryStore:
    """What the lexical index reads of the vector store: chunks, all or by article."""

    def __init__(self) -> None:
        self.chunks: dict[str, list[StoredChunk]] = {}

    def count(self) -> int:
        return sum(len(c) for c in self.chunks.values())

    def all_chunks(self) -> list[StoredChunk]:
        return [c for cs in self.chunks.values() for c in cs]

    def article_chunks(self, ids: list[str]) -> list[StoredChunk]:
        return [c for a in ids for c in self.chunks.get(a, ())]


def put(catalog: MemoryCatalog, store: MemoryStore, article_id: str, title: str,
        texts: list[str]) -> None:
    store.chunks[article_id] = [
        StoredChunk(id=f"{article_id}:{n}", text=t, score=0.0,
                    metadata={"article_id": article_id, "title": title, "chunk": n})
        for n, t in enumerate(texts)]
    catalog.articles[article_id] = (f"v{catalog.gen}", len(texts))
    catalog.gen += 1


def corpus(path: Path, size: int, seed: int = 5) -> list[tuple[str, str, list[str]]]:
    docs = [json.loads(line) for line in (path / "corpus.jsonl").open()]
    out = [(str(d["_id"]), d.get("title", ""), [d["text"]]) for d in docs][:size]
    sentences = [s for d in docs for s in re.split(r"(?<=[.!?])\s+", d["text"]) if len(s) > 20]
    rng = random.Random(seed)
    for i in range(size - len(out)):
        out.append((f"syn{i}", "", [" ".join(rng.sample(sentences, 4))]))
    return out


def ms(seconds: list[float]) -> dict[str, float]:
    s = sorted(seconds)
    return {"p50_ms": round(1000 * statistics.median(s), 2),
            "p95_ms": round(1000 * s[min(len(s) - 1, int(0.95 * len(s)))], 2)}


def run(size: int, args: argparse.Namespace, queries: dict[str, str],
        qrels: dict[str, dict[str, int]]) -> dict[str, Any]:
    catalog, store = MemoryCatalog(), MemoryStore()
    for article_id, title, texts in corpus(args.scifact, size):
        put(catalog, store, article_id, title, texts)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lexical"
        start = time.perf_counter()
        LexicalIndex(path, catalog, lambda: store).refresh()  # type: ignore[arg-type]
        build = time.perf_counter() - start
        start = time.perf_counter()
        index = LexicalIndex(path, catalog, lambda: store)  # type: ignore[arg-type]
        index.current()  # as a new process opens it
        opened = time.perf_counter() - start
        asked = [q for q in queries if q in qrels]
        for q in asked[:20]:  # warm up: lazy imports, page cache
            index.search(queries[q], k=100)
        times, ndcg, top10 = [], [], {}
        for _ in range(args.rounds):
            for q in asked:
                start = time.perf_counter()
                hits = index.search(queries[q], k=100)
                times.append(time.perf_counter() - start)
                top10[q] = [h.id for h in hits[:10]]
                docs = list(dict.fromkeys(h.metadata["article_id"] for h in hits))
                ndcg.append(ndcg_at_k(docs, qrels[q], 10))
        adds, removes = [], []
        for i in range(args.writes):  # one article added, then one removed, each with its commit
            put(catalog, store, f"new{i}", "Added", [f"An added abstract number {i} about "
                                                      "zebrafish retina regeneration."])
            start = time.perf_counter()
            index.refresh()
            adds.append(time.perf_counter() - start)
            del catalog.articles[f"new{i}"], store.chunks[f"new{i}"]
            catalog.gen += 1
            start = time.perf_counter()
            index.refresh()
            removes.append(time.perf_counter() - start)
        found = index.search("zebrafish retina regeneration", k=5)
        assert not [h for h in found if h.id.startswith("new")], "a removed article was found"
    return {"chunks": size, "build_s": round(build, 2), "open_s": round(opened, 3),
            "query": ms(times), "add_one_ms": round(1000 * statistics.median(adds), 1),
            "remove_one_ms": round(1000 * statistics.median(removes), 1),
            "ndcg@10": round(mean(ndcg[:len(asked)]), 4), "top10": top10}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, required=True)
    parser.add_argument("--sizes", default="5183,50000")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the test queries")
    parser.add_argument("--writes", type=int, default=7)
    parser.add_argument("--dump", type=Path, help="write each size's top-10 lists here")
    parser.add_argument("--compare", type=Path, help="another run's --dump file")
    args = parser.parse_args()
    queries = load_beir_queries(args.scifact / "queries.jsonl")
    qrels = load_qrels(args.scifact / "qrels" / "test.tsv")
    results = [run(int(s), args, queries, qrels) for s in args.sizes.split(",")]
    if args.dump:
        args.dump.write_text(json.dumps({r["chunks"]: r["top10"] for r in results}))
    if args.compare:
        other = json.loads(args.compare.read_text())
        for r in results:
            theirs = other.get(str(r["chunks"]), {})
            r["top10_agreement"] = round(mean(
                [len(set(top) & set(theirs[q])) / max(len(top), len(theirs[q]), 1)
                 for q, top in r["top10"].items() if q in theirs]), 3)
    for r in results:
        del r["top10"]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
