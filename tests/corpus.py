"""Generated news-like articles for tests and benchmarks: distinct enough never to be duplicates."""

from __future__ import annotations

import json
import random
from pathlib import Path

_SUBJECTS = ["The council", "The minister", "Investors", "The company", "Local residents",
             "The union", "Researchers", "The court", "Police", "The central bank", "Farmers",
             "The airline", "Doctors", "The coach", "Officials", "The museum"]
_VERBS = ["announced", "rejected", "approved", "criticised", "delayed", "welcomed", "reviewed",
          "questioned", "expanded", "cancelled", "defended", "funded", "investigated"]
_OBJECTS = ["a new budget", "the harbour plan", "a rail link", "the tax reform", "a vaccine trial",
            "the stadium project", "a wind farm", "the school merger", "a water treaty",
            "the pension change", "a film festival", "the bridge repairs", "a drought plan"]
_PLACES = ["Lyon", "Porto", "Malmo", "Graz", "Leeds", "Turin", "Ghent", "Split", "Cork", "Bonn",
           "Tartu", "Kaunas", "Varna", "Bergen", "Aarhus", "Bilbao", "Brno", "Lille"]


def article_text(i: int, *, sentences: int = 6, seed: int = 0) -> str:
    rng = random.Random(seed * 1_000_003 + i)
    out = []
    for s in range(sentences):
        day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
        out.append(f"{rng.choice(_SUBJECTS)} in {rng.choice(_PLACES)} {rng.choice(_VERBS)} "
                   f"{rng.choice(_OBJECTS)} on {day}, citing figure {rng.randint(10, 99999)} "
                   f"from report {i}-{s}-{rng.randint(1000, 9999)}.")
    return " ".join(out)


def write_corpus(folder: Path, n: int, *, sentences: int = 6, seed: int = 0) -> list[Path]:
    """``n`` small .txt articles with front matter; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"story-{seed}-{i:05d}.txt"
        path.write_text(f"---\ntitle: Story {seed}-{i}\npublished: 2024-01-{i % 28 + 1:02d}\n"
                        f"---\n{article_text(i, sentences=sentences, seed=seed)}\n")
        paths.append(path)
    return paths


def write_jsonl(path: Path, n: int, *, seed: int = 0) -> Path:
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"title": f"Item {seed}-{i}",
                                "text": article_text(i, seed=seed)}) + "\n")
    return path
