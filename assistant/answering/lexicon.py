"""English knowledge the trained pipeline does not hold, as data: ``lexicon/en/*.txt``.

Word lists, the country table, section vocabularies, opposites, answer types and page furniture
live in text files beside this module (installed with the package), one entry a line, ``#``
comments. Each is read once and checked as it is read: a malformed line names its file and line.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent / "lexicon" / "en"


@cache
def lines(name: str) -> tuple[str, ...]:
    """The entries of ``lexicon/en/NAME.txt``: its lines, stripped, comments and blanks left
    out."""
    path = FOLDER / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuntimeError(f"The answerer's word list {path} cannot be read ({exc.strerror}); "
                           "reinstall the package.") from exc
    found = tuple(line.strip() for line in text.splitlines()
                  if line.strip() and not line.lstrip().startswith("#"))
    if not found:
        raise RuntimeError(f"The answerer's word list {path} is empty; reinstall the package.")
    return found


def words(name: str) -> frozenset[str]:
    """The entries of a one-word-a-line list, lower case."""
    return frozenset(w.lower() for w in lines(name))


def pairs(name: str, sep: str, *, second: bool = True) -> tuple[tuple[str, str], ...]:
    """The entries of a two-field list (``first SEP second``; the second may be empty when
    ``second`` is false), checked."""
    out = []
    for n, line in enumerate(lines(name), 1):
        first, found, rest = line.partition(sep)
        if not found or not first.strip() or (second and not rest.strip()):
            raise ValueError(f"{FOLDER / (name + '.txt')}: entry {n} ({line!r}) needs "
                             f"two fields separated by {sep!r}")
        out.append((first.strip(), rest.strip()))
    return tuple(out)


def table(name: str, *, split: str | None = None, needs: tuple[str, ...] = ()
          ) -> dict[str, tuple[str, ...]]:
    """A keyed list (``key<TAB>item item …``, or items separated by ``split``): key → its
    items, lower case; every key of ``needs`` must be there."""
    out: dict[str, tuple[str, ...]] = {}
    for key, listed in pairs(name, "\t"):
        out[key] = tuple(w.strip().lower() for w in listed.split(split) if w.strip())
    if missing := [k for k in needs if not out.get(k)]:
        raise ValueError(f"{FOLDER / (name + '.txt')} has no list for {', '.join(missing)}: "
                         "add a line 'KEY<tab>words' for each")
    return out
