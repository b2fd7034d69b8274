"""The abstention signals on hand-made questions and sentences (no model needed)."""

from __future__ import annotations

import pytest

from assistant.answering.abstain import (
    FLAT_BELOW,
    conflict,
    negated_form_conflict,
    opposite_conflict,
    signals,
    value_conflict,
)

VALUE_CASES = [
    # Another year, count or ordinal than the question's: the sentence answers something else.
    ("Which company was incorporated in 1975?", "Telenet was incorporated in 1973.", True),
    ("How many people died in the 2019 floods?", "The 2018 floods killed 40 people.", True),
    ("When was the third German empire founded?", "The second German Empire was founded in "
     "1871.", True),
    ("Who won the 2nd round?", "She won the second round easily.", False),  # 2nd = second
    ("Who scored three goals?", "Kane scored 3 goals on Sunday.", False),  # three = 3
    ("What was sold for 1,200 dollars?", "The painting sold for 1200 dollars.", False),
    # The sentence has no number: nothing to conflict with (the type check handles that).
    ("How many people died in 2019?", "Many people died in the floods.", False),
    # The question's number is there, beside others.
    ("What happened in 1975?", "Telenet, incorporated in 1973, started in 1975.", False),
    # The count of the things a list asks about is no value to find.
    ("How many flights were cancelled by each of the two airline strikes?",
     "The pilots' strike grounded 120 flights.", False),
    ("How many flights were cancelled by the 2 strikes?", "The strike grounded 120 flights.",
     True),
    # "One" that stands for a thing counts nothing; "one" before a noun counts.
    ("How many died according to the first report and the later one?",
     "The quake killed at least 14 people.", False),
    ("Which firm heads one of the bidding groups?", "Three groups are bidding.", False),
    ("Did one person die?", "The quake killed at least 14 people.", True),
    # How many things the question asks for is no value a sentence repeats.
    ("Which two banks cut rates in May?", "The bank cut its rate to 4.5 percent.", False),
]
OPPOSITE_CASES = [
    ("What did the Rhine create when it took a right turn?",
     "The Rhine took a left turn, creating the Channel River.", True),
    ("Which islands have a larger number of electors?",
     "The islands have a much smaller number of electors.", True),
    ("What did the council decide after the vote?", "Before the vote the council met.", True),
    # Both words in the question: it asks about the contrast, the sentence may answer it.
    ("Was the turnout higher or lower than expected?", "Turnout was lower than expected.", False),
    # "New" in a name is no opposite of "old".
    ("Where is the old harbour?", "The harbour lies in New England.", False),
    ("What took a left turn?", "The Rhine took a left turn.", False),
]
NEGATED_FORM_CASES = [
    ("How many non-Muslims live in Greater London?", "Greater London has 900,000 Muslims.", True),
    ("What does a receiver need to view unencrypted content?",
     "To view the encrypted content a receiver needs a card.", True),
    ("How many non-Muslims live in London?", "London has many Muslims and non-Muslims.", False),
    ("Which unions backed the strike?", "Unions backed the strike.", False),  # not a prefix
]


@pytest.mark.parametrize(("check", "question", "sentence", "expected"), [
    *((value_conflict, *case) for case in VALUE_CASES),
    *((opposite_conflict, *case) for case in OPPOSITE_CASES),
    *((negated_form_conflict, *case) for case in NEGATED_FORM_CASES),
])
def test_conflict_checks(check, question, sentence, expected):
    assert check(question, sentence) is expected
    # Each kind of conflict is a conflict of the combined signal.
    if expected:
        assert conflict(question, sentence) == 1.0


def test_a_conflict_raises_the_probability_of_unanswerable():
    sentence = "The ferry company was founded in 1973 and began sailing in 1975."
    passage = sentence
    same = signals("When was the ferry company founded?", sentence, passage, 0.7, type_ok=1.0)
    swapped = signals("What was founded in 1974?", sentence, passage, 0.7, type_ok=1.0)
    assert conflict("What was founded in 1974?", sentence) == 1.0
    assert same.conflict == 0.0 and swapped.conflict == 1.0
    assert swapped.unanswerable() > same.unanswerable()


def test_a_number_in_a_name_asked_about_is_no_value_asked():
    # The sentence calls it "the tablet": its 499 is no other value than the name's 3.
    sentence = "The tablet will cost 499 euros when it goes on sale in May."
    passage = "Lumo unveiled the Lumo Tab 3 on Monday. " + sentence
    question = "What does the Lumo Tab 3 cost?"
    assert signals(question, sentence, passage, 0.7, type_ok=1.0).conflict == 1.0
    named = signals(question, sentence, passage, 0.7, type_ok=1.0, names=("Lumo Tab 3",))
    assert named.conflict == 0.0 and named.names_missing == 0.0
    assert named.unanswerable() < signals(question, sentence, passage, 0.7,
                                          type_ok=1.0).unanswerable()
    # A number the question asks about outside a name still conflicts.
    assert signals("Did the Lumo Tab 3 sell 200 units?", sentence, passage, 0.7, type_ok=1.0,
                   names=("Lumo Tab 3",)).conflict == 1.0


def test_the_other_sex_s_event_is_a_conflict():
    assert conflict("Who won the men's final?", "Petrovic won the women's final on Sunday.")
    assert not conflict("Who won the women's final?", "Petrovic won the women's final.")


def test_nothing_standing_out_raises_the_probability_of_unanswerable():
    question = "How many calories are in a banana?"
    sentence = "The plantation exported 40,000 tonnes of fruit in 1950."

    def asked(standout: float):
        return signals(question, sentence, sentence, 0.45, type_ok=1.0, standout=standout)

    # A story well above the rest of what was retrieved: the signal says nothing (one-sided).
    assert asked(0.4).flat == 0.0 and asked(FLAT_BELOW).flat == 0.0
    # Every retrieved sentence about as far from the question as the best one.
    assert asked(0.05).flat == pytest.approx(FLAT_BELOW - 0.05)
    assert asked(0.05).unanswerable() > asked(0.15).unanswerable() > asked(0.4).unanswerable()
    assert asked(0.05).unanswerable() > 0.7 > asked(0.4).unanswerable()


def test_terms_the_headline_holds_are_not_missing():
    question = "How big was the penalty handed to Capital Water?"
    sentence = "The regulator fined the utility 4.5 million pounds on Tuesday."
    bare = signals(question, sentence, sentence, 0.6, type_ok=1.0)
    told = signals(question, sentence, sentence, 0.6, type_ok=1.0,
                   context="Capital Water fined over sewage spills LONDON")
    assert told.terms_missing < bare.terms_missing
    assert told.unanswerable() < bare.unanswerable()


def test_a_people_s_name_is_mentioned_by_its_country_as_near_misses_read_it():
    sentence = "Malta has picked three consortia as finalists for the stadium."
    question = "Which firms head the groups shortlisted for the Maltese stadium?"
    assert signals(question, sentence, sentence, 0.6, type_ok=1.0).names_missing == 0.0
    # "Montreux" is no people's name: "month" does not mention it.
    assert signals("Who played at Montreux?", "This month the band played.",
                   "This month the band played.", 0.6, type_ok=1.0).names_missing == 1.0
