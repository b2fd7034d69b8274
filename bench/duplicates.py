"""Near-duplicate detection: MinHash (word 5-gram shingles) against embedding similarity, on
hand-made syndicated variants (tests/syndicated.py). Prints one JSON object.

    nice -n 10 .venv/bin/python bench/duplicates.py

Positive pairs: an original wire story and its variants (new headline, trimmed paragraph,
copy-edits, boilerplate), and variants among themselves. Negative pairs: a different story on the
same topic, and stories on other topics. A method separates them when its lowest positive score
is above its highest negative score; the gap between the two is its margin.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import Article, chunk_article  # noqa: E402
from index.duplicates import THRESHOLD, signature  # noqa: E402
from index.embeddings import LocalEmbeddings  # noqa: E402
from tests.syndicated import DIFFERENT, ORIGINALS, VARIANTS  # noqa: E402


def pairs() -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, str]]:
    texts: dict[str, str] = {}
    positive, negative = [], []
    for topic, original in ORIGINALS.items():
        group = [f"{topic}/original"] + [f"{topic}/{name}" for name in VARIANTS[topic]]
        texts[group[0]] = original
        texts.update({f"{topic}/{n}": t for n, t in VARIANTS[topic].items()})
        texts[f"{topic}/different"] = DIFFERENT[topic]
        positive += list(itertools.combinations(group, 2))
        negative += [(g, f"{topic}/different") for g in group]
    topics = list(ORIGINALS)
    for a, b in itertools.combinations(topics, 2):
        negative += [(x, y) for x in texts if x.startswith(a) for y in texts if y.startswith(b)]
    return positive, negative, texts


def main() -> None:
    positive, negative, texts = pairs()
    sigs = {k: signature(t) for k, t in texts.items()}
    emb = LocalEmbeddings()
    vectors = {}
    for key, text in texts.items():
        chunks = chunk_article(Article(title="", text=text))
        mean = np.asarray(emb.encode([c.text for c in chunks])).mean(axis=0)
        vectors[key] = mean / np.linalg.norm(mean)

    def minhash(a: str, b: str) -> float:
        return float(sigs[a].jaccard(sigs[b]))

    def cosine(a: str, b: str) -> float:
        return float(vectors[a] @ vectors[b])

    result: dict[str, object] = {"positive_pairs": len(positive),
                                 "negative_pairs": len(negative)}
    for name, fn in (("minhash_jaccard", minhash), ("embedding_cosine", cosine)):
        pos = [fn(a, b) for a, b in positive]
        neg = [fn(a, b) for a, b in negative]
        same_topic = [fn(a, b) for a, b in negative if a.split("/")[0] == b.split("/")[0]]
        result[name] = {
            "positive_min": round(min(pos), 3), "positive_mean": round(float(np.mean(pos)), 3),
            "negative_max": round(max(neg), 3),
            "same_topic_different_story_max": round(max(same_topic), 3),
            "margin": round(min(pos) - max(neg), 3),
        }
    result["minhash_threshold"] = THRESHOLD
    result["minhash_errors_at_threshold"] = (
        sum(minhash(a, b) < THRESHOLD for a, b in positive)
        + sum(minhash(a, b) >= THRESHOLD for a, b in negative))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
