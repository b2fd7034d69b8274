"""News metadata read from an article's own text: datelines, wire agencies and bylines.

"PARIS (Reuters, AFP) - Actress …" → place "PARIS", agencies ("Reuters", "AFP"). The dateline
stays in the article text (it is part of the story as published); ``body_start`` says where the
story proper begins, so the first chunk can start there and citations still use exact offsets.
Pure functions: no I/O, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.articles import split_authors

# Wire services as they appear inside dateline brackets; anything else in the brackets (a
# date, "dpa-AFX") is still accepted when it looks like a name, this list only fixes spelling.
KNOWN_AGENCIES = {
    "reuters": "Reuters", "afp": "AFP", "ap": "AP", "dpa": "dpa", "ansa": "ANSA", "efe": "EFE",
    "upi": "UPI", "xinhua": "Xinhua", "bloomberg": "Bloomberg", "kyodo": "Kyodo",
    "pa": "PA", "aap": "AAP", "cp": "CP", "tass": "TASS", "apa": "APA", "belga": "Belga",
}

# PLACE[, Region][, Mon D] [(Agency, Agency)] - text      (the dash may be -, – or —)
_DATELINE = re.compile(
    r"""\s*
    (?P<place>[A-ZÀ-Þ][A-ZÀ-Þ.'’\- ]{1,40}?(?:,\ [A-Z][A-Za-z.]{1,20})?)
    (?:,\ (?P<date>[A-Z][a-z]{2,8}\.?\ \d{1,2}))?
    \s*(?:\((?P<agencies>[^()\n]{2,60})\))?
    \s*[-–—]{1,2}\s+""",
    re.X,
)
_BYLINE = re.compile(r"\A\s*By\s+(?P<names>[A-Z][^\n]{2,80}?)\s*\n")


@dataclass(frozen=True)
class NewsMeta:
    place: str | None = None
    agencies: tuple[str, ...] = ()
    byline: tuple[str, ...] = ()
    body_start: int = 0  # where the story begins once byline and dateline are skipped


def parse_news(text: str) -> NewsMeta:
    """Byline and dateline at the top of ``text``; an all-default NewsMeta when there are none."""
    offset = 0
    byline: tuple[str, ...] = ()
    match = _BYLINE.match(text)
    if match:
        byline = split_authors(match.group("names"))
        offset = match.end()
    dateline = _DATELINE.match(text, offset)
    if dateline is None or not _is_place(dateline.group("place")):
        return NewsMeta(byline=byline, body_start=offset)
    agencies = _agencies(dateline.group("agencies"))
    if dateline.group("agencies") and not agencies:
        return NewsMeta(byline=byline, body_start=offset)
    return NewsMeta(place=dateline.group("place").strip(), agencies=agencies, byline=byline,
                    body_start=dateline.end())


def _is_place(place: str) -> bool:
    # A dateline place is upper case ("NEW YORK", "WASHINGTON, D.C."); a sentence that starts
    # with a capitalised word and a dash is not one.
    head = place.split(",")[0].strip()
    letters = [c for c in head if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _agencies(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    names = []
    for part in re.split(r"\s*(?:,|/|&|\band\b)\s*", raw.strip()):
        if not part:
            continue
        known = part.lower() in KNOWN_AGENCIES
        if not known and re.fullmatch(r"[A-Z][A-Za-z.\- ]{0,20}", part) is None:
            return ()  # "(Jan 9)" or "(pictured)": not an agency list
        names.append(KNOWN_AGENCIES.get(part.lower(), part))
    return tuple(names)
