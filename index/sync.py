"""Mirror a folder into the index: new files added, changed files updated, deleted files removed.

The catalog's ``files`` table remembers each file's (size, mtime) and the articles it gave, so an
unchanged file is skipped on a ``stat`` alone — no read, no parse, no embedding — and a deleted
file's articles can be found. A file that fails to parse keeps the articles it gave before (a
half-written or corrupted file must not wipe what was indexed) and is reported with its reason;
so does a folder that cannot be read (its files are not known to be gone). The walk itself
(links, loops, pipes) is ``index.folders``. Articles are written first, then the articles of
deleted or changed files removed, and the file records written last: a sync interrupted at any
step is finished by running it again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from index.articles import Article, Failure, article_id
from index.catalog import FileRecord
from index.errors import BadArticle
from index.folders import scan_folder
from index.indexer import Indexer, ProgressFn, report_dict
from index.loaders import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, load_file


@dataclass(frozen=True)
class SyncReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Failure, ...] = ()
    chunks_embedded: int = 0
    duplicates: tuple[tuple[str, str], ...] = ()
    near_duplicates: tuple[tuple[str, str], ...] = ()
    files_read: int = 0  # files parsed this time (new or changed); the rest were skipped by stat

    def to_dict(self) -> dict[str, Any]:
        return report_dict(self)


def _text_derived_id(article: Article) -> bool:
    return article.url is None and article.id == article_id(url=None, text=article.text)


def sync_folder(
    indexer: Indexer,
    folder: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: ProgressFn | None = None,
    follow_links: bool = False,
) -> SyncReport:
    root = Path(folder).resolve()
    if not root.is_dir():
        raise BadArticle(str(folder), "no such folder (index sync takes a folder; use "
                         '"assistant index add" for single files)')
    catalog = indexer.catalog
    found = scan_folder(root, suffixes=SUPPORTED_SUFFIXES, follow_links=follow_links)
    current = {p: (st.st_size, st.st_mtime_ns) for p, st in found.files.items()}
    prefix = str(root) + os.sep
    records = {p: r for p, r in catalog.files().items() if p.startswith(prefix)}
    failed = _kept_unreadable(found.skipped, found.unreadable, records)

    unchanged_ids: list[str] = []
    to_read = []
    for path, (size, mtime) in current.items():
        record = records.get(path)
        if record and (record.size, record.mtime_ns) == (size, mtime):
            unchanged_ids.extend(record.article_ids)
        else:
            to_read.append(path)

    articles: list[Article] = []
    origins: dict[str, str] = {}
    per_file: dict[str, list[str]] = {}
    for path in to_read:
        try:
            got = load_file(path, max_bytes=max_bytes)
        except BadArticle as exc:
            failed.append(Failure(exc.source, exc.reason))
            continue
        old = records.get(path)
        if old and len(old.article_ids) == 1 and len(got) == 1 and _text_derived_id(got[0]):
            # An edited one-article file is the same article updated, not a new one: its id
            # (derived from its text) would otherwise change with every edit.
            got = [replace(got[0], id=old.article_ids[0])]
        per_file[path] = [a.id for a in got]
        articles.extend(got)
        origins.update({a.id: path for a in got})

    report = indexer.add(articles, progress=progress, origins=origins)
    same_as = dict(report.duplicates)  # an exact duplicate's file points at the stored copy
    new_records = [
        FileRecord(path, *current[path], tuple(dict.fromkeys(same_as.get(i, i) for i in ids)))
        for path, ids in per_file.items()
    ]
    unread = tuple(u.rstrip(os.sep) + os.sep for u in found.unreadable)
    gone = [p for p in records if p not in current and not p.startswith(unread)]
    # Removed first, records written after: a sync killed at any step still finds, when run
    # again, the records naming what it was removing (their articles are looked up again).
    candidates = {i for p in gone for i in records[p].article_ids}
    for record in new_records:
        if record.path in records:
            candidates |= set(records[record.path].article_ids) - set(record.article_ids)
    forgotten = set(gone)
    held = {p: r.article_ids for p, r in catalog.files().items() if p not in forgotten}
    held.update((r.path, r.article_ids) for r in new_records)
    still_used = {i for ids in held.values() for i in ids}
    removed = sorted(catalog.known_ids(candidates - still_used))
    if removed:
        indexer.remove(removed)
    catalog.record_files(new_records)
    catalog.forget_files(gone)
    return SyncReport(
        added=report.added, updated=report.updated, removed=tuple(removed),
        unchanged=tuple(dict.fromkeys([*unchanged_ids, *report.unchanged])),
        failed=tuple(failed) + report.failed, chunks_embedded=report.chunks_embedded,
        duplicates=report.duplicates, near_duplicates=report.near_duplicates,
        files_read=len(to_read),
    )


def _kept_unreadable(
    skipped: list[Failure], unreadable: list[str], records: dict[str, FileRecord]
) -> list[Failure]:
    """The walk's skipped entries; an unreadable folder's says that its articles are kept."""
    kept = {}
    for folder in unreadable:
        under = folder.rstrip(os.sep) + os.sep
        kept[folder] = len({i for p, r in records.items() if p.startswith(under)
                            for i in r.article_ids})
    return [replace(f, reason=f"{f.reason}; kept what was indexed from it "
                    f"({_articles(kept[f.source])}) until it can be read")
            if kept.get(f.source) else f for f in skipped]


def _articles(n: int) -> str:
    return f"{n} article" + ("" if n == 1 else "s")
