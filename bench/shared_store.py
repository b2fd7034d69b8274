"""What keeping a view current costs a question; prints JSON (docs/deployment.md).

    python bench/shared_store.py [--articles 20000]

A SQLite catalog of N articles (no model, no vectors); timed per question: reading the catalog's
generation (every question), the catalog lookup of 100 hits' articles (first question after a
change), and the same hits answered from the per-generation cache (every other question).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.articles import Article  # noqa: E402
from index.catalog import Catalog  # noqa: E402
from index.metadata import ARTICLE_ID, CONTENT_HASH  # noqa: E402
from index.shared import SharedStore  # noqa: E402
from index.store import StoredChunk  # noqa: E402


def per_call_ms(fn, n: int = 300) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return round((time.perf_counter() - start) / n * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog.from_url(f"sqlite:///{tmp}/articles.db")
        hits = []
        for i in range(args.articles):
            article = Article(id=f"a{i:07d}", title=f"Story {i}", text=f"Story number {i}.")
            catalog.upsert(article, chunks=1)
            if i % (args.articles // 100 or 1) == 0 and len(hits) < 100:
                hits.append(StoredChunk(f"{article.id}:0", "", {
                    ARTICLE_ID: article.id, CONTENT_HASH: article.content_hash}, 1.0))
        shared = SharedStore(catalog, lambda: None)  # type: ignore[arg-type,return-value]
        generation = catalog.generation()
        uncached = per_call_ms(lambda: shared.in_catalog(hits, None))
        shared.in_catalog(hits, generation)
        print(json.dumps({
            "articles": args.articles, "hits": len(hits),
            "generation_ms": per_call_ms(catalog.generation),
            "catalog_lookup_ms": uncached,
            "cached_lookup_ms": per_call_ms(lambda: shared.in_catalog(hits, generation)),
        }, indent=2))
        catalog.close()


if __name__ == "__main__":
    main()
