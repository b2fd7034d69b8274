"""Load benchmark: concurrent clients asking over HTTP while the index is being updated.

Starts a real server (``assistant serve``) on 127.0.0.1 over a temporary data dir holding the
sample article and a synthetic news corpus, measures a one-client baseline, then runs N clients
asking for D seconds while one reindex (a batch of new articles uploaded through the API) runs.
Prints one JSON object. Traffic goes to 127.0.0.1 only; every loop is bounded in time.

    python bench/load.py [--clients 20] [--seconds 30] [--articles 300] [--new 150]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from assistant.evaluation import percentile

ROOT = Path(__file__).resolve().parent.parent
PLACES = ["PARIS", "LONDON", "BERLIN", "MADRID", "ROME", "TOKYO", "NAIROBI", "LIMA", "OSLO"]
TOPICS = [
    ("harbour", "The harbour authority said {n} ships were delayed by the strike on {day}."),
    ("election", "Voters in district {n} elected a new mayor on {day}, officials said."),
    ("storm", "A storm brought {n} millimetres of rain to the coast on {day}."),
    ("museum", "The national museum welcomed {n} visitors to its new wing on {day}."),
    ("rail", "Rail operators cancelled {n} trains after a signal failure on {day}."),
    ("budget", "The finance ministry cut the {topic} budget by {n} million on {day}."),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
QUESTIONS = [
    "What did Catherine Deneuve and the other signatories call the #MeToo campaign?",
    "Who is Marlene Schiappa?",
    "How many ships were delayed by the strike?",
    "How much rain did the storm bring?",
    "Why were trains cancelled?",
    "How many visitors did the museum welcome?",
]


def synthetic_articles(n: int, seed: int, prefix: str) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topic, template = rng.choice(TOPICS)
        sentences = [template.format(n=rng.randint(2, 900), day=rng.choice(DAYS), topic=topic)
                     for _ in range(rng.randint(6, 14))]
        place = rng.choice(PLACES)
        out.append({
            "id": f"{prefix}-{i}", "title": f"{place.title()} {topic} report {i}",
            "text": f"{place} (Reuters) - " + " ".join(sentences),
            "source": rng.choice(["Reuters", "AP", "AFP"]),
            "published": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        })
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--articles", type=int, default=300, help="indexed before the run")
    parser.add_argument("--new", type=int, default=150, help="added by the concurrent reindex")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="assistant-load-"))
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(work / "data")}
    assistant_bin = str(Path(sys.executable).parent / "assistant")
    corpus = work / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(a) for a in synthetic_articles(args.articles, 1,
                                                                            "base")))
    t0 = time.perf_counter()
    subprocess.run([assistant_bin, "index", "add", str(ROOT / "samples"), str(corpus), "-q"],
                   env=env, check=True)
    index_seconds = time.perf_counter() - t0

    port = free_port()
    server = subprocess.Popen([assistant_bin, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.3)

        with httpx.Client(timeout=60) as client:
            client.post(f"{base}/ask", json={"question": QUESTIONS[0]})  # warm caches
            baseline = []
            for i in range(20):
                t = time.perf_counter()
                client.post(f"{base}/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                baseline.append(time.perf_counter() - t)

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def client_loop(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(timeout=60) as client:
                while time.monotonic() < stop_at:
                    t = time.perf_counter()
                    try:
                        r = client.post(f"{base}/ask", json={"question": rng.choice(QUESTIONS)})
                        ok = r.status_code == 200 and "text" in r.json()
                        problem = None if ok else f"HTTP {r.status_code}"
                    except (httpx.HTTPError, ValueError) as exc:
                        problem = type(exc).__name__
                    with lock:
                        if problem:
                            errors.append(problem)
                        else:
                            latencies.append(time.perf_counter() - t)

        reindex: dict = {}

        def reindex_once() -> None:
            batch = "\n".join(json.dumps(a) for a in synthetic_articles(args.new, 2, "new"))
            t = time.perf_counter()
            with httpx.Client(timeout=600) as client:
                r = client.post(f"{base}/articles",
                                files={"file": ("batch.jsonl", batch.encode(), "text/plain")})
            reindex.update(status=r.status_code, seconds=round(time.perf_counter() - t, 2),
                           added=len(r.json().get("added", [])) if r.status_code == 200 else 0)

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
        started = time.perf_counter()
        for th in threads:
            th.start()
        time.sleep(1.0)
        writer = threading.Thread(target=reindex_once)
        writer.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - started
        writer.join(timeout=600)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    p50 = percentile(latencies, 50)
    print(json.dumps({
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "latency_p50_s": round(p50, 3),
        "latency_p95_s": round(percentile(latencies, 95), 3),
        "baseline_one_client_p50_s": round(statistics.median(baseline), 3),
        "p50_vs_one_client": round(p50 / statistics.median(baseline), 2),
        "reindex_during_load": reindex,
        "initial_index": {"articles": args.articles + 1, "seconds": round(index_seconds, 1)},
    }, indent=2))


if __name__ == "__main__":
    main()
