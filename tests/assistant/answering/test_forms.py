"""Question forms and answer composition, pure: no model."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answering.compose import lead_sentences, nothing_published
from assistant.answering.conversation import Turn, rewrite_followup
from assistant.answering.forms import digest_topic, parts, search_text
from assistant.answering.question import parse_question
from assistant.answering.text import Sentence
from assistant.answering.topics import is_section, spell_out
from assistant.results import Passage
from assistant.retrieval.dates import DateRange, prefer_dates


def test_digest_topic():
    assert digest_topic("What's the latest on the dock strike?") == "dock strike"
    assert digest_topic("What happened in Lagos?") == "Lagos"
    assert digest_topic("What are the main stories?") == ""


def _passage(article_id, published, text="x", canonical=None):
    return Passage(article_id=article_id, chunk_id=f"{article_id}:0", title=article_id,
                   url=None, published=published, source=None, text=text, start=0,
                   end=len(text), score=1.0, canonical_id=canonical)


def test_digest_leads_are_one_per_story_newest_first():
    passages = [_passage("old", "2026-10-01"), _passage("new", "2026-10-09"),
                _passage("copy", "2026-10-10", canonical="old")]
    sentences = [Sentence(0, 50, 60, "second of old"), Sentence(0, 0, 10, "lead of old"),
                 Sentence(1, 0, 10, "lead of new"), Sentence(2, 0, 10, "lead of copy")]
    picked = [sentences[i].text for i in lead_sentences(sentences, passages, limit=5)]
    assert picked[0] == "lead of new" and len(picked) == 2
    assert lead_sentences(sentences, passages, limit=1) == [2]


def test_a_period_with_no_article_says_so():
    answer = nothing_published("What happened?", DateRange(date(2026, 1, 5),
                                                           date(2026, 1, 11), "last week"))
    assert answer.abstained and "2026-01-05 to 2026-01-11" in answer.text


def test_dates_prefer_their_period_and_exclude_nothing():
    week = DateRange(date(2026, 10, 5), date(2026, 10, 11), "last week")
    ranked = [replace_score(_passage("far", "2026-08-01"), 2.7),
              replace_score(_passage("near", "2026-10-01"), 2.5),
              replace_score(_passage("in", "2026-10-07"), 2.3),
              replace_score(_passage("undated", None), 1.0)]
    got = prefer_dates(ranked, week)
    assert [p.article_id for p in got] == ["in", "near", "far", "undated"]
    # A much better match from another time keeps its place: a preference, not a wall.
    strong = [replace_score(_passage("strong", "2026-01-01"), 5.0), *ranked]
    assert [p.article_id for p in prefer_dates(strong, week)][:2] == ["strong", "in"]


def replace_score(p, score):
    from dataclasses import replace

    return replace(p, score=score)


def test_follow_ups_keep_the_topic():
    strike = [Turn("user", "Why are dock workers in Antwerp going on strike?"),
              Turn("assistant", "Over pay [1].")]
    assert rewrite_followup("How long will it last?", strike) == \
        "How long will the strike last (dock workers Antwerp going)?"
    assert rewrite_followup("How many ships are stuck?", strike) == \
        "How many ships are stuck (dock workers Antwerp going strike)?"
    assert rewrite_followup("What about the Rotterdam one?",
                            [Turn("user", "How long is the Antwerp strike?")]) == \
        "How long is the Rotterdam strike?"
    # A question with a subject of its own is left alone.
    assert rewrite_followup("Who won the Antwerp marathon?", strike) is None


@pytest.mark.parametrize(("question", "expected"), [
    ("What did the Bank of England and the ECB decide on rates?",
     [("Bank of England", "What did the Bank of England and the decide on rates?"),
      ("ECB", "What did the and the ECB decide on rates?")]),
    # A month is a date, not a part: two parts, not three.
    ("What hit Kenya and the Philippines in September?",
     [("Kenya", "What hit Kenya and the in September?"),
      ("Philippines", "What hit and the Philippines in September?")]),
    ("Who won the Chicago Marathon?", []),
    # One name twice is one thing asked about, not two parts.
    ("What will the Chilean strike cost, and what did the Chilean plant cost?", []),
    ("Which unions called strikes in London?", []),
])
def test_a_question_joining_names_is_asked_of_each(question, expected):
    assert parts(question, parse_question(question).names) == expected


@pytest.mark.parametrize(("topic", "section", "spelled"), [
    ("sport", True, "tennis"),
    ("Africa", True, "Kenya"),
    ("tech regulation and the courts", True, "jury"),
    ("the Tube strike", False, None),
])
def test_sections_and_regions_are_spelled_out_subjects_are_not(topic, section, spelled):
    assert is_section(topic) is section
    out = spell_out(topic)
    assert out.startswith(topic)
    assert (spelled in out) if spelled else out == topic


def test_a_digest_of_a_section_searches_its_vocabulary_a_fact_does_not():
    assert "marathon" in search_text("What happened in sport this weekend?", True)
    assert search_text("Who won in sport?", False) == "Who won in sport?"
