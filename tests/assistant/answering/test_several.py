"""Answers gathered from several stories: each story's part holds what the question asks for,
two questions in one are a list, a sentence that opens with a pronoun comes with its lead.

The English pipeline is real; sentence scores are the hashed-words fake's (``tests/fakes.py``)
or given by hand.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from assistant.answering.candidates import asked_unit, completed
from assistant.answering.compose import measured
from assistant.answering.evidence import with_lead
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.forms import list_like, two_questions
from assistant.answering.language import english
from assistant.answering.question import parse_question
from assistant.answering.text import Sentence
from assistant.results import Passage
from assistant.retrieval.dates import resolve_dates
from tests.fakes import HashEmbeddings

NO_ABSTAINING = {"abstain_threshold": 1.0, "list_abstain_threshold": 1.0,
                 "part_abstain_threshold": 1.0}


def _story(*texts: str) -> list[Sentence]:
    out, at = [], 0
    for text in texts:
        out.append(Sentence(0, at, at + len(text), text))
        at += len(text) + 1
    return out


def passage(article_id: str, text: str, *, title: str = "", published: str = "2024-01-02"
            ) -> Passage:
    return Passage(article_id=article_id, chunk_id=f"{article_id}:0",
                   title=title or f"{article_id.title()} story",
                   url=f"https://news.example.com/{article_id}", published=published,
                   source="Reuters", text=text, start=0, end=len(text), score=0.5)


# -- the question ----------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "several"), [
    ("How many votes did the plan get in the first count, and how many in the final count?",
     True),
    ("What will the strike cost per day, and what did the plant cost?", True),
    ("Which makers are hiring and which are cutting jobs?", True),
    ("Who won and how?", False),  # no second question of its own
    ("Tell me where the volcano erupted and what the bridge will cost.", False),
    ("How many people died?", False),
])
def test_two_questions_in_one_are_a_list(question, several):
    assert list_like(question, ()) is several


def test_two_questions_in_one_are_asked_apart():
    assert two_questions("How much does a bus ticket cost now, and what was the fare before?") \
        == ("How much does a bus ticket cost now", "what was the fare before?")
    assert two_questions("Which makers are hiring and which are cutting jobs?") == (
        "Which makers are hiring", "which are cutting jobs?")
    assert two_questions("What did the ECB and the Bank of England decide?") is None
    assert two_questions("Who won and how?") is None


@pytest.mark.parametrize(("question", "counted"), [
    ("How many yes votes did the plan get?", "votes"),  # "yes" qualifies, "votes" is counted
    ("How many legislators voted to topple the premier?", "legislators"),  # not "voted"
    ("How many more jobs will the plant create?", "jobs"),
    ("How many did it get?", None),
    ("how many", None),  # "many" heads itself
])
def test_what_how_many_counts(question, counted):
    q = parse_question(question)
    assert q.counted == counted
    unit = asked_unit(q)
    assert (unit.pattern if unit else None) == (rf"\b{counted[:4]}" if counted else None)


def test_how_long_asks_for_hours_or_days_though_a_date_may_answer_it():
    q = parse_question("How long is the strike supposed to last?")
    assert q.answer_type == "date"
    assert measured("Workers will walk out for 48 hours from Wednesday.", asked_unit(q))


@pytest.mark.parametrize(("question", "cue", "label"), [
    ("What are the names of the energy projects approved in Norway?", "name", "ORG"),
    ("What will the cabin crew strike cost the airline?", "cost", "MONEY"),
])
def test_what_a_question_of_a_name_or_a_cost_asks_for(question, cue, label):
    q = parse_question(question)
    assert q.cue == cue and label in q.expected
    assert "NORP" not in parse_question("Name the new species.").expected


def test_numbers_in_words_are_measured():
    unit = asked_unit(parse_question("How many people were killed?"))
    assert measured("At least four people were killed.", unit)
    assert not measured("The storm hit the north.", unit)


def test_a_period_possessive_is_the_period_not_after_it():
    found = resolve_dates("Where did the baht trade after this month's rate decisions?",
                          date(2018, 1, 10))
    assert (found.start, found.end, found.expression) == (date(2018, 1, 1), date(2018, 1, 31),
                                                          "this month")
    after = resolve_dates("What happened after this month?", date(2018, 1, 10))
    assert after.start == date(2018, 2, 1)


# -- a story's part holds what is asked ------------------------------------------------------

def test_a_story_lead_without_the_number_is_completed_by_the_sentence_with_it():
    q = parse_question("How many votes did the plan get in the first count?")
    sentences = _story("Voters in Reykjavik backed the tram plan in a referendum on Saturday.",
                       "Three parties campaigned against it.",
                       "With most ballots counted, 38,412 people had voted in favour.",
                       "The result surprised the mayor.")
    scores = np.array([0.9, 0.7, 0.65, 0.5], dtype=np.float32)
    story = ["a"] * 4
    got = completed(q, [0], sentences, scores, story, english(), floor=0.6, top=8)
    assert got == [0, 2]  # "Three parties" is a number, but not of votes
    # Below the floor, nothing is added; a part that holds the number stays as it is.
    assert completed(q, [0], sentences, scores, story, english(), floor=0.8, top=8) == [0]
    assert completed(q, [2], sentences, scores, story, english(), floor=0.6, top=8) == [2]


def test_a_name_is_looked_for_beyond_the_lead_that_describes_it():
    q = parse_question("What is the name of the new frog species?")
    sentences = _story("Scientists in Peru described a new species of frog found in the Andes.",
                       "The frog, named Atelopus Valentina by the team, lives in cold streams.")
    scores = np.array([0.9, 0.7], dtype=np.float32)
    assert completed(q, [0], sentences, scores, ["a", "a"], english(), floor=0.6,
                     top=8) == [0, 1]


def test_a_sentence_opening_with_a_pronoun_comes_with_its_lead():
    text = ("Typhoon Dindo tore across the north of the country on Sunday. "
            "The archipelago is struck by about 20 storms a year. "
            "It was the ninth storm to hit the country this year.")
    p = passage("dindo", text)
    sentences = [Sentence(0, text.index(s), text.index(s) + len(s), s)
                 for s in ("Typhoon Dindo tore across the north of the country on Sunday.",
                           "The archipelago is struck by about 20 storms a year.",
                           "It was the ninth storm to hit the country this year.")]
    scores = np.array([0.3, 0.5, 0.9], dtype=np.float32)
    assert with_lead([2], sentences, [p], scores, 0.85) == [0, 2]
    assert with_lead([1], sentences, [p], scores, 0.85) == [1]  # no pronoun: the lead is far


# -- end to end, with the fake encoder -------------------------------------------------------

@pytest.fixture(scope="module")
def answerer() -> ExtractiveAnswerer:
    return ExtractiveAnswerer(HashEmbeddings().encode, **NO_ABSTAINING)


def test_each_story_of_a_question_of_two_answers_with_its_figure(answerer):
    passages = [
        passage("strike", "Cabin crew at Andes Air began a three-day strike over pay on "
                          "Thursday, cancelling flights. The airline said the strike would "
                          "cost it $6 million a day in lost fares."),
        passage("battery", "Chile opened a large battery plant for solar power in the desert "
                           "on Friday. The battery plant cost $720 million to build."),
    ]
    answer = answerer.answer("What will the cabin crew strike cost the airline, and what did "
                             "the battery plant cost?", passages)
    assert answer.form == "list"
    assert "$6 million a day" in answer.text and "$720 million" in answer.text
    assert {c.article_id for c in answer.citations} == {"strike", "battery"}


def test_the_month_a_report_was_published_in_is_no_missing_name(answerer):
    def report(published: str) -> Passage:
        return passage("bank", "The central bank of Ruritania held its main rate at 6 percent "
                               "on Thursday, citing sticky inflation.", title="Ruritania holds "
                       "rates", published=published)

    question = "What did the central bank of Ruritania decide about its rate in November?"
    november = answerer.abstention_signals(question, [report("2026-11-19")])
    october = answerer.abstention_signals(question, [report("2026-10-15")])
    assert november.names_missing == 0.0 and october.names_missing == 1.0
    assert november.unanswerable() < october.unanswerable()


def test_one_story_answers_both_questions_in_one(answerer):
    passages = [
        passage("fares", "The Lumeria transport authority raised the single bus fare to 3 euros "
                         "on Monday, blaming fuel costs. Drivers said passengers were angry. The "
                         "previous fare was 2.50 euros, set in 2022."),
        passage("ferry", "A new ferry linked Lumeria and Oska on Tuesday. Tickets cost 12 euros."),
    ]
    answer = answerer.answer("How much is the Lumeria bus fare now, and what was the fare "
                             "before?", passages)
    assert answer.form == "list"
    assert "3 euros" in answer.text and "2.50 euros" in answer.text, answer.text
