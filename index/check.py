"""Checking that the catalog, the vector store and the lexical index agree; repairing what can be
derived from the catalog; writing the catalog out as a JSON Lines backup.

The catalog is the source of truth. The vector store should hold exactly the chunks
``"{article_id}:{n}"`` for ``n < chunks`` of every catalog article, built by the configured
embedding model; the lexical index should hold the same chunks. ``inspect`` lists every
disagreement (orphan chunks, articles without their chunks, another model, unreadable files);
``repair_derived`` fixes the ones a store can recover from the catalog alone. Articles whose
source files are gone are reported, not removed: only a sync of their folder knows the files
are deleted rather than unmounted. A damaged catalog
cannot be derived from anything: the way back is a backup written by ``export_jsonl``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from index.catalog import Catalog
from index.errors import DamagedIndex, IndexingError, IndexNotFound, ModelMismatch
from index.lexical import LexicalIndex
from index.store import ChunkStore

Store = Literal["catalog", "vectors", "lexical"]
REBUILD = 'run "assistant index check --repair" (or "assistant index rebuild")'
RESTORE = ('restore a backup written by "assistant index export" with "assistant index add '
           'BACKUP.jsonl" into a fresh data directory, or re-add your articles')
SHOWN = 5  # ids quoted in a problem's text


@dataclass(frozen=True)
class Problem:
    store: Store
    kind: str  # damaged, model, empty, orphan_chunks, missing_chunks, lexical_count, source_gone
    message: str
    fix: str
    ids: tuple[str, ...] = ()  # the chunk or article ids concerned


@dataclass(frozen=True)
class CheckReport:
    """What ``inspect`` found, and what a repair did before it looked (``repaired``)."""

    articles: int
    chunks: int  # by the catalog
    stored_chunks: int | None  # None: the vector store could not be read
    lexical_chunks: int | None  # None: the lexical index could not be read
    embedding_model: str
    problems: tuple[Problem, ...] = ()
    repaired: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def kinds(self) -> set[str]:
        return {p.kind for p in self.problems}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def require_chunks(store: ChunkStore, catalog: Catalog, where: str) -> ChunkStore:
    """The store, unless it holds nothing while the catalog has articles (its folder deleted or
    replaced): answers would silently miss every article."""
    if store.count() == 0 and catalog.has_articles():
        articles, _ = catalog.counts()
        raise DamagedIndex(where, f"the vector store holds no chunks but the catalog has "
                                  f"{articles} articles", f"To re-embed them, {REBUILD}.")
    return store


def require_articles(catalog: Catalog, data_dir: object | None) -> None:
    """Raise ``IndexNotFound`` (saying how to add articles) when nothing is indexed: asked
    before every question."""
    if not catalog.has_articles():
        where = f" in {data_dir}" if data_dir else ""
        raise IndexNotFound(f"No articles are indexed{where} yet — run "
                            '"assistant index add PATH" (files or folders) first.')


def inspect(catalog: Catalog, open_store: Callable[[], ChunkStore], lexical: LexicalIndex,
            *, embedding_model: str, repaired: Sequence[str] = ()) -> CheckReport:
    """Compare the three stores; every problem says how to fix it."""
    problems: list[Problem] = []
    integrity = catalog.integrity_errors()
    if integrity:
        problems.append(Problem("catalog", "damaged", f"the catalog fails its integrity check: "
                                f"{'; '.join(integrity[:SHOWN])}", f"It cannot be derived: "
                                f"{RESTORE}."))
    gone = sources_gone(catalog)
    if gone:
        problems.append(Problem("catalog", "source_gone", f"{len(gone)} articles come from files "
                                f"that are gone ({_some(gone)})", 'Run "assistant index sync '
                                'FOLDER" on their folder to remove them (or "assistant index '
                                'remove ID"); if the folder is only unmounted, mount it.',
                                tuple(gone)))
    articles, chunks = catalog.counts()
    versions = catalog.article_versions()
    expected = {f"{a}:{n}" for a, (_, count) in versions.items() for n in range(count)}
    stored_chunks: int | None = None
    try:
        store = open_store()
    except (DamagedIndex, ModelMismatch) as exc:
        kind = "model" if isinstance(exc, ModelMismatch) else "damaged"
        what = f"{exc.path}: {exc.problem}" if isinstance(exc, DamagedIndex) else str(exc)
        problems.append(Problem("vectors", kind, what, f"Re-embed every article: {REBUILD}."))
        store = None
    if store is not None:
        stored = set(store.ids())
        stored_chunks = len(stored)
        orphans = sorted(stored - expected)
        missing = sorted({c.rsplit(":", 1)[0] for c in expected - stored})
        if articles and not stored:
            problems.append(Problem("vectors", "empty", "the vector store holds no chunks but "
                                    f"the catalog has {articles} articles",
                                    f"Re-embed them: {REBUILD}.", tuple(missing)))
        elif missing:
            problems.append(Problem(
                "vectors", "missing_chunks", f"{len(missing)} catalog articles lack some or all "
                f"of their chunks ({_some(missing)})", f"Re-embed them: {REBUILD}.",
                tuple(missing)))
        if orphans:
            problems.append(Problem(
                "vectors", "orphan_chunks", f"{len(orphans)} chunks belong to no catalog article "
                f"({_some(orphans)})", f"Delete them: {REBUILD}.", tuple(orphans)))
    lexical_chunks: int | None = None
    if lexical.damaged():
        problems.append(Problem("lexical", "damaged", f"the lexical index at {lexical.path} "
                                "cannot be read", "It is rebuilt from the catalog on its next "
                                f'use, or now: {REBUILD}.'))
    elif store is not None and not any(p.store == "vectors" for p in problems):
        # (The lexical index reads its chunks from the vector store: it waits for that one.)
        lexical_chunks = len(lexical.current())
        if lexical_chunks != len(expected):
            problems.append(Problem("lexical", "lexical_count", f"the lexical index holds "
                                    f"{lexical_chunks} chunks, the catalog {len(expected)}",
                                    f"Rebuild it: {REBUILD}."))
    return CheckReport(articles, chunks, stored_chunks, lexical_chunks, embedding_model,
                       tuple(problems), tuple(repaired))


def repair_derived(report: CheckReport, store: ChunkStore, lexical: LexicalIndex,
                   reembed: Callable[[Sequence[str]], Any]) -> list[str]:
    """Fix, in a readable vector store, what the catalog determines: delete orphan chunks,
    re-embed articles missing chunks (``reembed`` takes their ids), rebuild the lexical index.
    Returns what was done."""
    done: list[str] = []
    for problem in report.problems:
        if problem.kind == "orphan_chunks":
            store.delete_ids(problem.ids)
            done.append(f"deleted {len(problem.ids)} orphan chunks")
        elif problem.kind in ("missing_chunks", "empty"):
            reembed(problem.ids)
            done.append(f"re-embedded {len(problem.ids)} articles")
    if done or any(p.store == "lexical" for p in report.problems):
        lexical.reset()
        lexical.refresh()
        done.append("rebuilt the lexical index")
    return done


def sources_gone(catalog: Catalog) -> list[str]:
    """Articles read from files (by a folder sync) none of which exists any more: what a sync
    has yet to remove."""
    paths: dict[str, set[str]] = {}
    for path, record in catalog.files().items():
        for article_id in record.article_ids:
            paths.setdefault(article_id, set()).add(path)
    for row in catalog.all_rows():
        if row.origin and os.path.isabs(row.origin):
            paths.setdefault(row.id, set()).add(row.origin)
    known = catalog.known_ids(paths)
    return sorted(i for i in known if not any(os.path.exists(p) for p in paths[i]))


def _some(ids: Sequence[str]) -> str:
    return ", ".join(ids[:SHOWN]) + (", …" if len(ids) > SHOWN else "")


def export_jsonl(catalog: Catalog, path: str | Path) -> int:
    """Write every catalog article, one JSON object a line, in the form ``index add`` reads
    (same ids, same content hashes); written to a temporary file, then renamed. Returns how
    many articles were written."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for entry in catalog.all_entries():
                record = {k: v for k, v in entry.article.to_dict().items()
                          if v not in (None, "")}
                out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                count += 1
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise IndexingError(f"Cannot write {target} ({exc.strerror}); choose a writable "
                            "path.") from exc
    return count
