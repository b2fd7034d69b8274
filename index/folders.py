"""Walking a folder for article files, safely.

A folder handed to ``index add`` or ``index sync`` may hold more than articles: symbolic links
(to files elsewhere on the machine, or back to a folder that contains them), pipes, sockets,
devices and folders this user cannot read. The walk reads only regular files, never opens
anything else, never follows a link out of the folder unless asked, never follows a loop, and
reports every entry it skips with its reason. Hidden entries (``.name``) and files of other types
are passed over silently.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from index.articles import Failure


@dataclass
class FolderScan:
    """What a walk found: regular files (path → stat), skipped entries, unreadable paths."""

    files: dict[str, os.stat_result] = field(default_factory=dict)
    skipped: list[Failure] = field(default_factory=list)
    # Folders that could not be listed: what was indexed from them before must be kept.
    unreadable: list[str] = field(default_factory=list)


def scan_folder(
    root: str | Path, *, suffixes: Iterable[str], follow_links: bool = False
) -> FolderScan:
    """The files under ``root`` whose suffix is in ``suffixes``, in name order.

    Links pointing inside ``root`` are read through; links out of it are skipped (and reported)
    unless ``follow_links``. A folder is never entered twice, so loops end.
    """
    wanted = tuple(s.lower() for s in suffixes)
    result = FolderScan()
    root = Path(root)
    real_root = os.path.realpath(root)
    try:
        top = os.stat(root)
    except OSError as exc:
        result.skipped.append(Failure(str(root), f"cannot read folder ({_why(exc)})"))
        result.unreadable.append(str(root))
        return result
    seen = {(top.st_dev, top.st_ino)}
    # An explicit stack, not recursion: a hostile tree may be thousands of folders deep.
    stack: list[tuple[Path, frozenset[tuple[int, int]]]] = [(root, frozenset(seen))]
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            result.skipped.append(Failure(str(folder), f"cannot read folder ({_why(exc)})"))
            result.unreadable.append(str(folder))
            continue
        subfolders: list[tuple[Path, frozenset[tuple[int, int]]]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            supported = os.path.splitext(entry.name)[1].lower() in wanted
            link = entry.is_symlink()
            try:
                st = os.stat(path) if link else entry.stat(follow_symlinks=False)
            except OSError as exc:
                result.skipped.append(Failure(str(path), _broken(exc, link)))
                continue
            target = os.path.realpath(path) if link else ""
            if link and not follow_links and not _inside(target, real_root):
                if supported or stat.S_ISDIR(st.st_mode):
                    result.skipped.append(Failure(str(path), (
                        f"symbolic link to {target}, outside {root}: not followed "
                        "(pass --follow-links to index what it points to)")))
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if supported:  # a folder named like an article ("x.txt/") is not passed over
                    result.skipped.append(Failure(str(path), "is a folder, not a regular file"))
                if key in ancestors:
                    result.skipped.append(Failure(str(path), (
                        f"symbolic link loop: points to {target}, a folder that contains it; "
                        "not followed")))
                elif link and not follow_links:
                    result.skipped.append(Failure(str(path), (
                        f"symbolic link to {target}, a folder inside {root}: its files are "
                        "read from there")))
                elif key in seen:
                    result.skipped.append(Failure(str(path), (
                        f"same folder as {os.path.realpath(path)}, already read: not read "
                        "twice")))
                else:
                    seen.add(key)
                    subfolders.append((path, ancestors | {key}))
            elif not supported:
                continue
            elif stat.S_ISREG(st.st_mode):
                result.files[str(path)] = st
            else:
                result.skipped.append(Failure(str(path), (
                    "is a pipe, socket or device, not a regular file: skipped without "
                    "opening it")))
        stack.extend(reversed(subfolders))
    return result


def _inside(target: str, real_root: str) -> bool:
    return target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep)


def _broken(exc: OSError, link: bool) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (it points back to itself): not followed"
    if link and exc.errno == errno.ENOENT:
        return "broken symbolic link: what it points to does not exist"
    return f"cannot read ({_why(exc)})"


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)
