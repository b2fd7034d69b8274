"""Query speed at scale: retrieve and ask (extractive) latency p50/p95 at 5k, 25k and 100k chunks,
how it grows, a cold ``assistant ask`` and the server's peak memory. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/query.py [--sizes 5000,25000,100000] [--queries 40]

Embedding 100k chunks is too slow here, so the corpus is built from a pool of a few thousand
distinct news-like sentences embedded once with the real model; each chunk's vector is the
normalised sum of its sentences' vectors. The articles still go through Assistant.add_articles
(chunking, catalog, Chroma, BM25 index), so everything a query touches is the real thing; only the
ingest-time encoder is the cheap one. Queries are embedded with the real model, as in the app.

Baselines in the same run: latency at the smallest size (growth ratios; a copy of the index is
kept at each size and all are queried side by side, question by question, so machine load hits
every size alike), retrieval alone against ask, a from-scratch BM25 build against adding one
article, and for the cold start a bare ``python -c pass`` and ``assistant --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from index import Article  # noqa: E402
from index.chunking import split_sentences  # noqa: E402
from index.embeddings import LocalEmbeddings  # noqa: E402
from index.lexical import LexicalEngine  # noqa: E402
from tests.conftest import free_port  # noqa: E402

SUBJECTS = ["The council", "The minister", "Investors", "The company", "Local residents",
            "The union", "Researchers", "The court", "Police", "The central bank", "Farmers",
            "The airline", "Doctors", "The coach", "Officials", "The museum", "Teachers",
            "The mayor", "Engineers", "The regulator", "Nurses", "The prosecutor"]
VERBS = ["announced", "rejected", "approved", "criticised", "delayed", "welcomed", "reviewed",
         "questioned", "expanded", "cancelled", "defended", "funded", "investigated", "praised"]
OBJECTS = ["a new budget", "the harbour plan", "a rail link", "the tax reform", "a vaccine trial",
           "the stadium project", "a wind farm", "the school merger", "a water treaty",
           "the pension change", "a film festival", "the bridge repairs", "a drought plan",
           "the hospital extension", "a housing scheme", "the airport expansion", "a bus strike"]
PLACES = ["Lyon", "Porto", "Malmo", "Graz", "Leeds", "Turin", "Ghent", "Split", "Cork", "Bonn",
          "Tartu", "Kaunas", "Varna", "Bergen", "Aarhus", "Bilbao", "Brno", "Lille", "Ljubljana"]
REASONS = ["rising costs", "a court ruling", "public protests", "new safety rules", "a heatwave",
           "an audit report", "falling revenue", "a petition", "the election", "record demand"]


def sentence_pool(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    pool: set[str] = set()
    while len(pool) < n:
        pool.add(f"{rng.choice(SUBJECTS)} in {rng.choice(PLACES)} {rng.choice(VERBS)} "
                 f"{rng.choice(OBJECTS)} after {rng.choice(REASONS)}, officials said "
                 f"on day {rng.randint(1, 300)}.")
    return sorted(pool)


class PoolEmbeddings:
    """Chunk vectors as normalised sums of precomputed sentence vectors (ingest only)."""

    def __init__(self, real: LocalEmbeddings, pool: list[str]) -> None:
        self.name, self.dimension = real.name, real.dimension
        self._index = {s: i for i, s in enumerate(pool)}
        self._vectors = real.encode(pool)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._vectors.shape[1]), dtype=np.float32)
        for row, text in enumerate(texts):
            sentences = (text[a:b] for a, b in split_sentences(text))
            ids = [self._index[s] for s in sentences if s in self._index]
            if ids:
                out[row] = self._vectors[ids].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def articles(start: int, count: int, pool: list[str], seed: int = 2) -> list[Article]:
    out = []
    for i in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + i)
        out.append(Article(title=f"Report {i}", text=" ".join(rng.sample(pool, 16)),
                           source=rng.choice(["Daily", "Herald", "Post"]),
                           published=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    return out


def questions(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [f"What did {rng.choice(SUBJECTS).lower()} in {rng.choice(PLACES)} "
            f"{rng.choice(VERBS)} after {rng.choice(REASONS)}?" for _ in range(n)]


def percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    return {"p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1)}


def latency(readers: dict[int, Assistant], qs: list[str], block: int = 8
            ) -> dict[int, dict[str, Any]]:
    """Retrieve and ask latency at every size. Sizes take turns in blocks of ``block`` questions
    (rotating order), so load from other processes on a shared machine hits all sizes alike; the
    first question of a block only warms up, as a server answering from one index is warm — an
    index switch per question would charge each size for evicting the other's caches."""
    for a in readers.values():
        for q in qs[:3]:  # warm up: lazy BM25 load, HNSW pages, encoder kernels
            a.ask(q)
    sizes = list(readers)
    retrieve: dict[int, list[float]] = {s: [] for s in sizes}
    ask: dict[int, list[float]] = {s: [] for s in sizes}
    blocks = [qs[i:i + block] for i in range(0, len(qs), block)]
    for b, questions_ in enumerate(blocks):
        for size in sizes[b % len(sizes):] + sizes[: b % len(sizes)]:
            a = readers[size]
            a.ask(questions_[-1])  # the block's warm-up
            for q in questions_:
                start = time.perf_counter()
                a.retrieve(q)
                retrieve[size].append(1000 * (time.perf_counter() - start))
                start = time.perf_counter()
                a.ask(q)
                ask[size].append(1000 * (time.perf_counter() - start))
    return {s: {"retrieve": percentiles(retrieve[s]), "ask": percentiles(ask[s])} for s in sizes}


def add_one(writer: Assistant, made: int, pool: list[str]) -> dict[str, float]:
    """Adding one article to the index as it stands (median of 3), against a from-scratch build
    of the BM25 index — what every write cost before the lexical index was incremental."""
    seconds = []
    for i in range(3):
        start = time.perf_counter()
        writer.add_articles(articles(made + i, 1, pool))
        seconds.append(time.perf_counter() - start)
    start = time.perf_counter()
    LexicalEngine.of(writer.store.all_chunks())
    full = time.perf_counter() - start
    return {"add_one_article_s": round(statistics.median(seconds), 3),
            "bm25_full_build_s": round(full, 2)}


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    return round(time.perf_counter() - start, 2)


def cold_start(data: Path, question: str) -> dict[str, float]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    exe = str(Path(sys.executable).parent / "assistant")
    return {"python_pass_s": timed([sys.executable, "-c", "pass"], env),
            "assistant_help_s": timed([exe, "--help"], env),
            "assistant_ask_s": timed([exe, "ask", question], env)}


def server_memory(data: Path, qs: list[str]) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    exe = str(Path(sys.executable).parent / "assistant")
    proc = subprocess.Popen([exe, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        started = _rss_mb(proc.pid)
        for q in qs:
            req = urllib.request.Request(f"{base}/ask", data=json.dumps({"question": q}).encode(),
                                         headers={"Content-Type": "application/json"})
            urllib.request.urlopen(req, timeout=60).read()
        return {"rss_after_start_mb": started, "peak_rss_mb": _rss_mb(proc.pid),
                "asks": len(qs)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _rss_mb(pid: int) -> float:
    """Peak resident set size (VmHWM) of the process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def relabel(data: Path, real: LocalEmbeddings) -> None:
    """Let a kept corpus be queried with another encoder: its chunk vectors stay as built (the
    encoders' vectors agree to cosine > 0.99, and only latency is measured here), the collection
    is relabelled with the query encoder's name so the model check lets it open."""
    from index.store import COLLECTION, persistent_client

    collection = persistent_client(data / "chroma").get_collection(COLLECTION,
                                                                   embedding_function=None)
    if (collection.metadata or {}).get("embedding_model") != real.name:
        collection.modify(metadata={"embedding_model": real.name,
                                    "embedding_dimension": real.dimension})


def build(work: Path, settings: Settings, real: LocalEmbeddings, sizes: list[int], pool_size: int,
          result: dict[str, Any], snapshots: dict[int, Path]) -> None:
    """Grow one index to each size in turn, keeping a copy of it at each."""
    start = time.perf_counter()
    pool = sentence_pool(pool_size)
    cheap = PoolEmbeddings(real, pool)
    result.update(pool_sentences=len(pool), pool_embed_s=round(time.perf_counter() - start, 1))
    writer = Assistant.from_settings(settings, embeddings=cheap)  # type: ignore[arg-type]
    made = 0
    for size in sizes:
        start = time.perf_counter()
        while writer.store.count() < size:
            missing = size - writer.store.count()
            batch = articles(made, max(1, missing // 4), pool)  # ~4 chunks per article
            writer.add_articles(batch)
            made += len(batch)
        ingest_s = time.perf_counter() - start
        result["sizes"][size] = {"chunks": writer.store.count(), "articles": made,
                                 "ingest_s": round(ingest_s, 1),
                                 "add_one": add_one(writer, made, pool)}
        made += 3
        print(json.dumps({size: result["sizes"][size]}), file=sys.stderr)
        # A copy of the index at this size, to query side by side with the others later.
        writer.close()
        snapshots[size] = work / f"data-{size}"
        shutil.copytree(settings.data_dir, snapshots[size])
        writer = Assistant.from_settings(settings, embeddings=cheap)  # type: ignore[arg-type]
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="5000,25000,100000")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--pool", type=int, default=3000)
    parser.add_argument("--keep", type=Path, help="Build the index here and keep it.")
    parser.add_argument("--reuse", type=Path,
                        help="Query the indexes a --keep run left in this folder (no build).")
    args = parser.parse_args()
    if args.reuse:
        args.keep = args.reuse

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-query-"))
    data = work / "data"
    settings = Settings(data_dir=data)
    real = LocalEmbeddings(encoder=settings.encoder, batch_size=64)
    result: dict[str, Any] = {"encoder": real.encoder, "sizes": {}}
    qs = questions(args.queries)
    snapshots: dict[int, Path] = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.reuse:
        snapshots = {size: work / f"data-{size}" for size in sizes}
        result["sizes"] = {size: {} for size in sizes}
        for path in snapshots.values():
            relabel(path, real)
    else:
        build(work, settings, real, sizes, args.pool, result, snapshots)

    readers = {size: Assistant.from_settings(Settings(data_dir=path), embeddings=real)
               for size, path in snapshots.items()}
    for size, measured in latency(readers, qs).items():
        result["sizes"][size].update(chunks=readers[size].store.count(), **measured)
        readers[size].close()
    measured = list(result["sizes"].values())
    first, last = measured[0], measured[-1]
    result["growth_first_to_last"] = {
        "from_chunks": first["chunks"], "to_chunks": last["chunks"],
        "retrieve_p50_ratio": round(last["retrieve"]["p50_ms"] / first["retrieve"]["p50_ms"], 2),
        "ask_p50_ratio": round(last["ask"]["p50_ms"] / first["ask"]["p50_ms"], 2),
    }
    largest = snapshots[max(snapshots)]
    result["cold_start"] = cold_start(largest, qs[0])
    result["server_memory"] = server_memory(largest, qs[:20])
    print(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
