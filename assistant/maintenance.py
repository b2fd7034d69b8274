"""Keeping a data directory healthy: ``index check`` (and ``--repair``), and the part of a rebuild
that gets a damaged vector store out of the way. The comparisons themselves are in
``index.check``; this module decides what a repair does with the Assistant's parts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from index.catalog import Catalog
from index.check import CheckReport, inspect, repair_derived
from index.errors import DamagedIndex
from index.lexical import LexicalIndex
from index.store import COLLECTION, ChunkStore

log = logging.getLogger(__name__)

# Vector-store problems that only re-embedding everything fixes.
REBUILT = {"damaged", "model", "empty"}


class StoreFactory(Protocol):
    """Opens and drops the Chroma collections that hold the chunks (``wiring.ChromaStores``)."""

    where: str  # for messages: the folder or the server

    def open(self, collection: str = COLLECTION) -> ChunkStore: ...

    def drop(self, collection: str) -> None: ...

    def set_aside(self) -> Path | None: ...

    def collect_garbage(self) -> list[Path]: ...


def clear_staging(stores: StoreFactory, staging: str) -> None:
    """Drop a rebuild's leftover staging collection; a store too damaged to open is first moved
    aside (embedded Chroma), since everything in it is about to be derived again."""
    try:
        stores.drop(staging)
    except DamagedIndex:
        aside = stores.set_aside()
        if aside is None:  # a Chroma server: its operator repairs it
            raise
        log.warning("The vector store could not be opened: moved it to %s and rebuilding it "
                    "from the catalog (delete that folder once the rebuild is done).", aside)
        stores.drop(staging)


def check(
    catalog: Catalog,
    stores: StoreFactory,
    lexical: LexicalIndex,
    *,
    embedding_model: str,
    reembed: Callable[[Sequence[str]], Any],
    rebuild: Callable[[], Any] | None = None,
) -> CheckReport:
    """Inspect the stores; with ``rebuild`` (a repair), fix what the catalog determines, then
    inspect again: the report lists what was done and what is still wrong."""
    report = inspect(catalog, stores.open, lexical, embedding_model=embedding_model)
    if rebuild is None or report.ok:
        return report
    if any(p.store == "vectors" and p.kind in REBUILT for p in report.problems):
        rebuild()
        done = ["rebuilt the vector store and the lexical index from the catalog"]
    else:
        done = repair_derived(report, stores.open(), lexical, reembed)
    return inspect(catalog, stores.open, lexical, embedding_model=embedding_model,
                   repaired=done)
