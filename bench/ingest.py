"""Ingest speed: indexing throughput against a raw model.encode of the same chunks, and a no-op
folder sync over many unchanged articles. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/ingest.py [--articles 300] [--noop-files 5000]

The raw encode and the full ingest (chunking, MinHash, Chroma and catalog writes) embed exactly
the same chunk texts with the same model and batch size, in the same process, so their ratio is
the share of time the pipeline spends embedding.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings  # noqa: E402
from index import Article, chunk_article  # noqa: E402
from index.embeddings import LocalEmbeddings  # noqa: E402
from tests.corpus import article_text, write_corpus  # noqa: E402


def throughput(embeddings: LocalEmbeddings, n_articles: int, workdir: Path) -> dict:
    articles = [Article(title=f"Story {i}", text=article_text(i, sentences=14, seed=42))
                for i in range(n_articles)]
    texts = [c.embed_text for a in articles for c in chunk_article(a)]
    embeddings.encode(texts[:64])  # warm up: first batches pay for lazy initialisation

    raw_times = []
    for _ in range(2):  # before and after the ingest, so drift on a shared machine evens out
        start = time.perf_counter()
        embeddings.encode(texts)
        raw_times.append(time.perf_counter() - start)
        if len(raw_times) == 1:
            assistant = Assistant.from_settings(Settings(data_dir=workdir / "ingest"),
                                                embeddings=embeddings)
            _ = assistant.store  # open Chroma outside the timed part, as a running app has it
            start = time.perf_counter()
            report = assistant.add_articles(articles)
            ingest = time.perf_counter() - start
            assert report.chunks_embedded == len(texts), report
            assistant.close()
    raw = sum(raw_times) / len(raw_times)
    return {
        "articles": n_articles, "chunks": len(texts),
        "raw_encode_chunks_per_s": round(len(texts) / raw, 1),
        "ingest_chunks_per_s": round(len(texts) / ingest, 1),
        "ingest_articles_per_s": round(n_articles / ingest, 1),
        "ratio": round(raw / ingest, 3),
    }


def noop_sync(embeddings: LocalEmbeddings, n_files: int, workdir: Path) -> dict:
    src = workdir / "corpus"
    write_corpus(src, n_files, sentences=1, seed=7)
    assistant = Assistant.from_settings(Settings(data_dir=workdir / "sync"),
                                        embeddings=embeddings)
    start = time.perf_counter()
    first = assistant.sync(src)
    first_s = time.perf_counter() - start
    calls = []
    inner = assistant.embeddings.encode
    assistant.embeddings.encode = lambda texts: calls.append(len(texts)) or inner(texts)
    start = time.perf_counter()
    again = assistant.sync(src)
    noop_s = time.perf_counter() - start
    assistant.close()
    return {
        "files": n_files, "first_sync_s": round(first_s, 1),
        "first_sync_chunks_per_s": round(first.chunks_embedded / first_s, 1),
        "noop_sync_s": round(noop_s, 3), "noop_files_read": again.files_read,
        "noop_chunks_embedded": again.chunks_embedded, "noop_encode_calls": len(calls),
        "noop_unchanged": len(again.unchanged),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--noop-files", type=int, default=5000)
    args = parser.parse_args()
    embeddings = LocalEmbeddings()
    with tempfile.TemporaryDirectory() as tmp:
        result: dict[str, object] = {
            "model": embeddings.name,
            "throughput": throughput(embeddings, args.articles, Path(tmp)),
        }
        if args.noop_files:  # 0 skips it: the first sync of 5,000 files embeds for minutes
            result["noop_sync"] = noop_sync(embeddings, args.noop_files, Path(tmp))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
