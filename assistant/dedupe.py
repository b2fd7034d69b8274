"""Keeps one copy of a syndicated story among retrieved passages.

Near-duplicate articles are indexed (each keeps its own URL and source) but linked to a canonical
article; a question should not read the same wire story twice, so among the articles of one
group only the best-ranked one keeps its passages. Pure function: tests need no model.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.retrieval import Passage


def collapse_duplicates(passages: Sequence[Passage]) -> list[Passage]:
    """Passages in rank order, dropping those of an article whose story already appeared."""
    chosen: dict[str, str] = {}  # group (canonical id) → the article that represents it
    kept = []
    for passage in passages:
        group = passage.canonical_id or passage.article_id
        if chosen.setdefault(group, passage.article_id) == passage.article_id:
            kept.append(passage)
    return kept
