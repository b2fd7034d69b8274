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

_SECTIONS: dict[str, str] = {
    r"sports?|sporting": "sport match game final tournament championship league cup "
    "race marathon tennis football soccer cricket rugby golf cycling athletics won beat title "
    "player team coach",
    r"business|companies|corporate|industry|markets?": "company business firm investment "
    "factory plant jobs shares profit revenue chief executive deal market industry",
    r"econom(?:y|ic|ics)|financ(?:e|ial)": "economy inflation interest rates central bank "
    "jobs unemployment growth prices wages budget trade currency",
    r"health|medical|medicine": "health disease outbreak virus hospital patients vaccine "
    "doctors cholera infection deaths ministry of health",
    r"science|scientific|research": "science scientists research study discovery species "
    "researchers fossil laboratory",
    r"space": "space rocket satellite launch orbit astronauts mission",
    r"tech(?:nology)?|digital|internet|online": "technology app software data digital "
    "internet platform users online artificial intelligence",
    r"courts?|legal|law|justice|crime|trials?": "court judge jury trial fined convicted "
    "guilty sentenced charges prosecutors lawsuit ruling",
    r"regulat(?:ion|ors?|ory)": "regulator fine rules commission competition antitrust "
    "ruling breach law",
    r"politics|political|elections?|government": "election vote candidate party minister "
    "government parliament mayor president campaign",
    r"weather|climate|disasters?|emergenc(?:y|ies)": "storm typhoon hurricane earthquake "
    "flood drought wildfire killed evacuated disaster",
    r"culture|arts?|entertainment|film|movies?|music": "film festival museum art music "
    "exhibition award director actor",
    r"transport|travel|commut(?:e|ers|ing)": "train metro subway underground bus airport "
    "flights strike commuters rail",
    r"labou?r|workers": "union strike workers pay walkout wages staff",
    r"agriculture|farming|food|crops?": "harvest crop farmers wheat cocoa prices tonnes",
    r"africa|african": "Africa Nigeria Kenya Ethiopia Ghana Ivory Coast South Africa Egypt "
    "Morocco Senegal Tanzania Uganda Congo Sudan Somalia",
    r"latin america|south america|central america|latin american": "Latin America Mexico "
    "Brazil Argentina Peru Chile Colombia Venezuela Ecuador Bolivia Cuba Mexican Peruvian",
    r"asia|asian": "Asia China Japan India Korea Philippines Indonesia Vietnam Thailand "
    "Malaysia Pakistan Bangladesh",
    r"europe|european": "Europe European Union France Germany Britain Italy Spain Poland "
    "Netherlands Portugal Sweden",
    r"middle east": "Middle East Israel Iran Iraq Saudi Arabia Syria Lebanon Jordan Egypt "
    "Gulf",
}
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
