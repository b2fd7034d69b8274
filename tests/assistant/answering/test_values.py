"""What two statements of a value share, and which values are in dispute (values.py): pure, no
model."""

from __future__ import annotations

from assistant.answering.values import _disputed, _key, _shape


def test_spellings_of_one_value_share_a_key():
    assert _key("14 March", "DATE") == _key("March 14", "DATE")
    assert _key("4,812 metres", "QUANTITY") == _key("4,812-metre", "QUANTITY")
    assert _key("About 12,500", "CARDINAL") == _key("12,500", "CARDINAL")
    assert _key("1987", "DATE") != _key("1992", "DATE")
    assert _key("The Lena Ortiz's", "PERSON") == _key("Lena Ortiz", "PERSON")
    assert _key("Orbitel", "ORG") != _key("Granmark", "ORG")


def test_a_figure_counts_one_kind_of_thing_whatever_its_number():
    assert _shape("about 12,500 people") == _shape("3,000 people")
    assert _shape("14 March") == _shape("2 April")
    assert _shape("$799") == _shape("$899") != _shape("799 euros")
    assert _shape("1.3 billion") <= _shape("2.1 billion euros")  # (as the model cuts them)
    assert _shape("14.2 kilometres") == _shape("9.8 kilometres") != _shape("40 minutes")
    assert _shape("48 hours") != _shape("November 2")


def test_values_stated_together_or_only_by_the_same_reports_are_no_dispute():
    groups = {"rmt": [("the RMT", 0), ("the RMT", 1)], "unite": [("Unite", 2)],
              "hale": [("Marcus Hale", 3)], "kiprono": [("Daniel Kiprono", 4)]}
    holds = {0: {"rmt"}, 1: {"rmt"}, 2: {"unite", "rmt"}, 3: {"hale"}, 4: {"kiprono"}}
    story = ["a", "b", "b", "c", "a"]
    # Sentence 2 names both unions ("called by the RMT …, this one by Unite"); sentence 4 is
    # of a report that also gives the most stated value.
    assert list(_disputed(groups, holds, story)) == ["rmt", "hale"]
