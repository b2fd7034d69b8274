"""The Question parser and the candidate stage, on the English pipeline alone (no embedding
model): what a question asks for, its names, and which sentences may answer it."""

from __future__ import annotations

import pytest

from assistant.answering.candidates import (
    answer_span,
    by_entity,
    enumerates,
    quotable,
    type_bonus,
)
from assistant.answering.language import english
from assistant.answering.question import parse_question
from assistant.answering.text import Sentence


@pytest.mark.parametrize(("question", "form", "answer_type", "first_label"), [
    ("How many people died in the floods?", "factoid", "number", "CARDINAL"),
    ("How strong were the typhoon's winds when it came ashore?", "factoid", "number",
     "QUANTITY"),
    ("When will the bridge open?", "factoid", "date", "DATE"),
    ("Who called the strike?", "factoid", "person", "PERSON"),
    ("Where will the factory be built?", "factoid", "place", "GPE"),
    ("Why did the bank hold rates?", "factoid", None, None),
    ("Which company bought the port?", "factoid", "name", "ORG"),
    ("Which companies announced new plants?", "list", "name", "ORG"),
    ("Which countries want to join NATO?", "list", "place", "GPE"),
    ("Which paintings did the activists glue themselves to?", "list", "name", "WORK_OF_ART"),
    ("What is the capital of France?", "factoid", "place", "GPE"),
    ("What is the name of the company that makes the robot?", "factoid", "name", "ORG"),
    ("What raise are the bus drivers being offered?", "factoid", "number", "PERCENT"),
    ("In what year did the museum open?", "factoid", "date", "DATE"),
    ("What did the Bank of England and the ECB decide?", "list", None, None),
    ("How does inflation in Britain compare with the euro zone?", "list", None, None),
    ("Who else signed the letter?", "list", "person", "PERSON"),
    ("What happened in London last week?", "digest", None, None),
    ("What's the latest on the dock strike?", "digest", None, None),
    ("main stories this week", "digest", None, None),
    ("Give me the price of the robot.", "factoid", "number", "MONEY"),
    # The noun asked about, past the words between it and "which" (parsed apart from it).
    ("Which Italian cities saw the sharpest rent increases?", "list", "place", "GPE"),
    ("Which two groups of workers walked out?", "list", None, None),  # workers: no kind
    ("Which groups of banks were fined?", "list", "name", "ORG"),  # banks: organisations
    ("Which prefectures were evacuated?", "list", "place", "GPE"),
    # A plural the tagger took for a verb.
    ("Which runners made up the podium in the men's race?", "list", "person", "PERSON"),
    # "Where" of a measure asks for its value; a price is money.
    ("Where do interest rates in Chile stand?", "factoid", "number", "PERCENT"),
    ("What do the new phone and the tablet cost?", "factoid", "number", "MONEY"),
])
def test_what_a_question_asks_for(question, form, answer_type, first_label):
    q = parse_question(question)
    assert (q.form, q.answer_type) == (form, answer_type)
    assert (q.expected[0] if q.expected else None) == first_label


def test_a_station_is_named_by_its_town_too():
    assert {"FAC", "GPE"} <= set(parse_question("At which stations will the train stop?").expected)
    assert parse_question("Where did the president go?").expected[0] == "GPE"  # no measure
    assert parse_question("Where does most of the population live?").expected[0] == "GPE"
    assert parse_question("What increases the risk?").expected == ()  # a verb, not a rise


def test_names_are_entities_and_proper_nouns_not_question_words():
    assert parse_question("What's the latest on the Tube strike?").names == ("Tube",)
    assert parse_question("Anything going on in Leeds?").names == ("Leeds",)
    assert parse_question("Did the Bank of Japan raise rates?").names == ("Bank of Japan",)
    assert parse_question("Who was arrested after Shinzo Abe was shot?").names == ("Shinzo Abe",)
    # A number or a date is no name the passages must mention.
    assert parse_question("How many people died in 2023?").names == ()
    assert parse_question("How many people died in 2023?").dates == ("2023",)


@pytest.mark.parametrize(("text", "ok"), [
    ("Hide Caption 83 of 226", False),
    ("Photo: Getty Images", False),
    ("By Jane Doe and John Smith", False),
    ("Advertisement", False),
    ("What happens next?", False),
    ("Read more: the strike explained", False),
    ("The strike will last 48 hours from Wednesday.", True),
    ("By Friday, the union said, the talks had collapsed.", True),
])
def test_page_furniture_and_questions_are_never_quoted(text, ok):
    assert quotable(text) is ok


def _sentences(*texts):
    return [Sentence(0, 10 * i, 10 * i + len(t), t) for i, t in enumerate(texts)]


def test_the_answer_span_is_an_entity_of_the_asked_kind():
    nlp = english()
    when = parse_question("When is AT&T shutting down its 3G network?")
    s = _sentences("AT&T is taking the step on February 22, the company said.")[0]
    assert [s.text[a:b] for a, b in answer_span(when, s, nlp)] == ["February 22"]
    who = parse_question("Who was arrested after Shinzo Abe was shot?")
    s = _sentences("Police arrested Tetsuya Yamagami at the scene after Shinzo Abe was shot.")[0]
    assert [s.text[a:b] for a, b in answer_span(who, s, nlp)] == ["Tetsuya Yamagami"]
    count = parse_question("How many people were injured?")
    s = _sentences("The three-day festival ended early after 23 people were injured.")[0]
    assert s.text[slice(*answer_span(count, s, nlp)[0])] == "23"


def test_a_sentence_holding_the_asked_kind_gets_the_bonus():
    import numpy as np

    q = parse_question("Who was arrested after Shinzo Abe was shot?")
    sentences = _sentences("Shinzo Abe was shot while giving a speech in Nara on Friday.",
                           "Police arrested Tetsuya Yamagami, 41, at the scene.",
                           "The weather was mild.")
    bonus = type_bonus(q, sentences, np.array([0.9, 0.8, 0.1]), english(), top=2, bonus=0.15)
    assert bonus.tolist() == pytest.approx([0.0, 0.15, 0.0])


def test_a_list_names_every_entity_of_the_asked_kind_once():
    import numpy as np

    q = parse_question("Which countries want to join NATO?")
    sentences = _sentences("Finland and Sweden applied to join NATO on Wednesday.",
                           "Sweden's application followed Finland's by a day.",
                           "Ukraine has also asked to join NATO.",
                           "Russia condemned the move.")
    chosen = by_entity(q, sentences, np.array([0.9, 0.8, 0.7, 0.2]), english(), floor=0.5,
                       limit=5, top=8)
    # The first names two; the second adds none; the third adds Ukraine; the last is off-topic.
    assert chosen == [0, 2]


def test_a_sentence_listing_names_of_the_asked_kind_answers_a_list():
    q = parse_question("Which firms head the bidding groups?")
    # The recogniser calls these a facility and two people: coordinated, they are one kind.
    listed = enumerates(q, "The finalists are headed by Austria's Brunnhof Bau, Greece's "
                           "Kallisto Erga and Ireland's Tullamore Structures.", english())
    assert listed == ["Brunnhof Bau", "Kallisto Erga", "Tullamore Structures"]
    assert enumerates(q, "Siemens and Alstom bid for the line.", english()) == ["Siemens",
                                                                               "Alstom"]
    # Places it agrees on are no firms; one name is no list; a count asks for no names.
    assert enumerates(q, "The talks were held in Paris, London and Berlin.", english()) == []
    assert enumerates(q, "Brunnhof Bau won the contract on Monday.", english()) == []
    assert enumerates(parse_question("How many firms bid?"),
                      "Siemens and Alstom bid for the line.", english()) == []


def test_how_strong_asks_for_a_speed_or_a_magnitude_not_a_topic_word():
    from assistant.answering.forms import measure_words

    unit, asking = measure_words("How strong were the winds when Typhoon Marilag came ashore?")
    assert unit is not None and asking == frozenset({"strong"})
    assert unit.search("winds of 195 kilometres per hour") and not unit.search("18 people")


def test_whose_words_a_question_asks_for_comes_from_its_parse():
    assert parse_question("What did Merle Kask say about the count?").speaker == "Kask"
    assert parse_question("What did Josephine Wanjiru tell the nurses?").speaker == "Wanjiru"
    assert parse_question("Did Merle Kask win the recount?").speaker is None
    assert parse_question("What did she say?").speaker is None
