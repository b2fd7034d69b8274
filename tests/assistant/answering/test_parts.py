"""Splitting a question into the outlets it names (parts.py): pure, no model."""

from __future__ import annotations

from assistant.answering.parts import (
    Outlet,
    _spans,
    asks_of_reports,
    find_outlets,
    forms,
    negated,
    normal,
    outlet_filters,
    sequence_like,
    yes_no,
)
from assistant.retrieval.filters import Filters

SOURCES = ["The Verge", "TechCrunch", "The Age", "Sporting News", "Wired",
           "Cnbc | World Business News Leader", "The Independent - Life and Style",
           "The Independent - Sports", "The New York Times", "The Sydney Morning Herald"]


def mentions(text: str, names: tuple[str, ...] = ()) -> list[tuple[str, tuple[str, ...]]]:
    return [(o.mention, o.sources) for o in find_outlets(text, SOURCES, names)]


def test_an_outlet_is_matched_in_its_usual_forms_whatever_the_case():
    assert normal("theverge.com") == normal("The Verge") == normal("the verge") == "theverge"
    assert mentions("Does the Verge article suggest it, while TechCrunch implies the opposite?") \
        == [("the Verge", ("The Verge",)), ("TechCrunch", ("TechCrunch",))]
    assert mentions("as theverge.com and techcrunch.com reported") == [
        ("theverge.com", ("The Verge",)), ("techcrunch.com", ("TechCrunch",))]


def test_a_section_name_and_its_outlet_name_both_match():
    assert "cnbc" in forms("Cnbc | World Business News Leader")
    assert mentions("the article from Cnbc | World Business News Leader says") == [
        ("Cnbc | World Business News Leader", ("Cnbc | World Business News Leader",))]
    assert mentions("a report from Cnbc") == [("Cnbc", ("Cnbc | World Business News Leader",))]
    # The outlet without its section: every section of it.
    assert mentions("What did The Independent report?") == [
        ("The Independent", ("The Independent - Life and Style", "The Independent - Sports"))]
    assert mentions("a report from The Independent - Sports") == [
        ("The Independent - Sports", ("The Independent - Sports",))]


def test_ordinary_words_are_not_outlets():
    assert mentions("He retired at the age of 30 after a wired connection failed.") == []
    # "The Times" is not "The New York Times".
    assert mentions("an article from The Times", ("The Times",)) == [("The Times", ())]


def test_a_name_used_as_an_outlet_that_no_source_matches_is_a_part_without_articles():
    text = ("Considering an article by The Verge and another by CNET, and a Bloomberg report "
            "that Apple's chief Tim Cook praised, which feature is new?")
    assert mentions(text, ("The Verge", "CNET", "Bloomberg", "Apple", "Tim Cook")) == [
        ("The Verge", ("The Verge",)), ("CNET", ()), ("Bloomberg", ())]
    # Someone's view is not a report.
    assert mentions("what TechCrunch reports consumers desire according to Mozilla's "
                    "perspective", ("TechCrunch", "Mozilla")) == [("TechCrunch", ("TechCrunch",))]


def test_an_outlet_named_with_a_date_selects_that_report():
    found = find_outlets("Between the report from Wired on 2023-11-25 and the article by The Verge "
                         "published on October 1st, and TechCrunch on November 6, 2023?", SOURCES)
    assert [(o.mention, o.day) for o in found] == [
        ("Wired", "2023-11-25"), ("The Verge", "--10-01"), ("TechCrunch", "2023-11-06")]
    wired, verge, _ = found
    assert wired.dated("2023-11-25T08:00:00") and not wired.dated("2023-11-24")
    assert verge.dated("2023-10-01") and verge.dated("2024-10-01") and not verge.dated("2023-10-02")
    assert Outlet("x", ("X",), 0, 1).dated(None)


def test_each_indexed_outlet_is_a_retrieval_filter_with_its_day_when_it_has_a_year():
    text = "Did TechCrunch on 2023-12-15 and The Verge say so, and did CNET?"
    assert outlet_filters(text, SOURCES) == [
        Filters(sources=("TechCrunch",), since="2023-12-15", until="2023-12-15"),
        Filters(sources=("The Verge",))]


def test_question_cues():
    assert sequence_like("Between the report from Wired and the one after it, …")
    assert not sequence_like("Does the Verge article suggest that Google pays?")
    assert yes_no("Does the Verge article suggest it?") and yes_no("Was there a change?")
    assert not yes_no("Which company spent billions?")
    assert negated("Apple did not pay.") and negated("Sportsbooks don't adjust odds")
    assert not negated("Apple paid $18 billion.")


def test_a_date_no_outlet_claims_is_another_report_of_the_outlet_before_it():
    found = find_outlets("Between the article published by Sporting News on 2023-10-02 and the "
                         "one on 2023-11-06, has the explanation changed?", SOURCES)
    assert [(o.mention, o.day, o.implied) for o in found] == [
        ("Sporting News", "2023-10-02", False), ("Sporting News", "2023-11-06", True)]
    # The year of a date written in full is kept, however far it is from the outlet's name.
    found = find_outlets("Did the Sporting News change its explanation after November 6, 2023, "
                         "as compared to its earlier report on November 1, 2023?", SOURCES)
    assert [(o.day, o.implied) for o in found] == [("2023-11-01", False), ("2023-11-06", True)]


def test_a_sequence_between_two_dated_reports_also_searches_each_outlet_in_between():
    text = ("Between the TechCrunch report on 2023-11-06 and the one from The Verge on "
            "2023-12-15, did the coverage change?")
    assert _spans(find_outlets(text, SOURCES), text) == [
        Filters(sources=("TechCrunch",), since="2023-11-06", until="2023-12-15"),
        Filters(sources=("The Verge",), since="2023-11-06", until="2023-12-15")]
    # Not a sequence, or a single day: nothing in between.
    same = "Did the TechCrunch report on 2023-11-06 and The Verge on 2023-12-15 agree?"
    assert _spans(find_outlets(same, SOURCES), same) == []
    one = "Between the TechCrunch report on 2023-11-06 and the one from The Verge, who changed?"
    assert _spans(find_outlets(one, SOURCES), one) == []


def test_digest_words_do_not_hide_a_question_asked_of_the_reports():
    assert asks_of_reports("Which company, recently noted by TechCrunch, partners with Google?")
    assert asks_of_reports("Does the Sporting News article anticipate the upcoming game?")
    assert asks_of_reports("Between the latest report from Wired and the one before, …")
    assert not asks_of_reports("What's the latest from The Verge?")
    assert not asks_of_reports("Is there any news from Reuters this week?")
    assert not asks_of_reports("Any updates from TechCrunch?")
