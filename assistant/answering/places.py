"""Countries as news names them: the country, its people's adjective, its capital and largest
cities, and the usual nicknames ("Thai" and "Bangkok" for Thailand, "Kiwi" for New Zealand).

A question says "the Estonian premier" of an article datelined "TALLINN (Reuters)" that never
writes "Estonia"; without this table the answerer would call that a near miss. The table is
data: ``lexicon/en/countries.txt``, one country a line.
"""

from __future__ import annotations

from assistant.answering.lexicon import pairs

# (names of the country and its people, its cities), each a "|"-separated alternation
COUNTRIES: list[tuple[str, str]] = list(pairs("countries", ";", second=False))
