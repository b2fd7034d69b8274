"""News sections and regions named in digest questions ("sport", "business", "Africa"), spelled
out as the words their stories use.

A digest on a category ("What happened in sport this weekend?") rarely shares a word with its
stories ("Brenner won the Paris Masters"), and a small sentence encoder places "sport" only
loosely near a tennis final. Spelling the category out as the vocabulary of its stories (events,
actors, countries) gives both the lexical index and the encoder something to match. Subjects
that are not categories ("the Tube strike") pass through unchanged.
"""

from __future__ import annotations

import re

from assistant.answering.lexicon import pairs

# Section → its stories' words (``lexicon/en/sections.txt``).
_SECTIONS: dict[str, str] = dict(pairs("sections", "\t"))
_PATTERNS = [(re.compile(rf"\b(?:{words})\b", re.IGNORECASE), spelled)
             for words, spelled in _SECTIONS.items()]


def spell_out(topic: str) -> str:
    """``topic`` followed by the vocabulary of every section or region it names; unchanged
    when it names none."""
    extra = [spelled for pattern, spelled in _PATTERNS if pattern.search(topic)]
    return " ".join([topic, *extra]) if extra else topic


def is_section(topic: str) -> bool:
    """Whether ``topic`` names a section or region (rather than a subject)."""
    return any(pattern.search(topic) for pattern, _ in _PATTERNS)
