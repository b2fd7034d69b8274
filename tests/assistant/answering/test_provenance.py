"""Independent sources and "as of" answers, as pure functions (no model, no store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from assistant.answering.currency import as_of, stale_note
from assistant.answering.provenance import annotate
from assistant.answering.sources import independent_sources
from assistant.results import Answer, Citation, Source, describe_sources
from assistant.retrieval.dates import resolve_dates
from index.catalog import StoryCopy

REF = date(2026, 11, 30)


def cite(n: int, article_id: str, source: str | None, *, agencies: tuple[str, ...] = (),
         story: str | None = None, published: str | None = "2026-11-27",
         title: str = "A story") -> Citation:
    return Citation(n=n, article_id=article_id, title=title, url=None, published=published,
                    source=source, passage="…", start=0, end=1, score=1.0, agencies=agencies,
                    canonical_id=story)


def test_syndicated_copies_of_one_wire_story_are_one_source():
    # The wire original, a near-duplicate and an exact duplicate, cited as [1] and [2].
    citations = [cite(1, "bbc-copy", "BBC", story="reuters-1"),
                 cite(2, "reuters-1", "Reuters", agencies=("Reuters",))]
    copies = [StoryCopy("reuters-1", "reuters-1", "Reuters", ("Reuters",)),
              StoryCopy("bbc-copy", "reuters-1", "BBC"),
              StoryCopy("exact", "reuters-1", "Gazette", ("Reuters",), exact=True),
              StoryCopy("exact-2", "reuters-1", "gazette", exact=True)]
    sources = independent_sources(citations, copies)
    assert sources == (Source("Reuters", (1, 2), ("BBC", "Reuters", "Gazette"), agency=True),)
    assert describe_sources(sources) == "1 source (Reuters), carried by 3 outlets"


def test_agencies_outlets_and_unnamed_stories_each_count_once():
    citations = [cite(1, "a", "Le Monde", agencies=("AFP",)),
                 cite(2, "b", "BBC"),                      # the BBC's own reporting
                 cite(3, "c", "Reuters"),                  # an outlet named like an agency
                 cite(4, "d", "The Times", agencies=("Reuters",)),
                 cite(5, "e", "BBC"),                      # a second BBC story: same source
                 cite(6, "f", None, title="Untitled note"),
                 cite(7, "g", None, title="Another note")]
    sources = independent_sources(citations, [])
    # A file without an outlet is called by its title, in quotes, not "unnamed source (…)".
    assert [(s.name, s.citations) for s in sources] == [
        ("AFP", (1,)), ("BBC", (2, 5)), ("Reuters", (3, 4)),
        ("“Untitled note”", (6,)), ("“Another note”", (7,))]
    assert [s.agency for s in sources] == [True, False, False, False, False]
    assert describe_sources(sources[-1:]) == "1 source: “Another note”"
    assert describe_sources(sources[:3]) == "3 sources: AFP, BBC, Reuters (carried by 2 outlets)"


def test_a_copy_without_its_dateline_still_belongs_to_the_wire_story():
    # The syndicating site dropped "(AP)"; the story it copies names the agency.
    citations = [cite(1, "copy", "Miami Daily", story="ap-1")]
    copies = [StoryCopy("ap-1", "ap-1", None, ("AP",)), StoryCopy("copy", "ap-1", "Miami Daily")]
    assert independent_sources(citations, copies) == (
        Source("AP", (1,), ("Miami Daily",), agency=True),)
    assert describe_sources(independent_sources(citations, copies)) == "1 source: AP"


def test_joint_datelines_count_each_agency_and_no_sources():
    # "PARIS (Reuters, AFP) -": both agencies reported it; a later Reuters story adds none.
    sources = independent_sources([cite(1, "x", "Y", agencies=("Reuters", "AFP")),
                                   cite(2, "z", "Reuters", agencies=("Reuters",))], [])
    assert [(s.name, s.citations) for s in sources] == [("Reuters", (1, 2)), ("AFP", (1,))]
    assert describe_sources(sources) == "2 sources: Reuters (carried by 2 outlets), AFP"
    assert describe_sources(()) == ""


def test_an_outlet_less_web_page_is_named_by_its_site():
    sources = independent_sources([
        replace(cite(1, "a", None), url="https://www.harbour-notes.example/cranes"),
        replace(cite(2, "b", " "), url="https://harbour-notes.example/update"),
        replace(cite(3, "c", None, title="report.pdf"), url="file:///tmp/report.pdf")], [])
    assert [(s.name, s.citations) for s in sources] == [
        ("harbour-notes.example", (1, 2)), ("“report.pdf”", (3,))]


def test_as_of_is_the_newest_cited_date():
    assert as_of(["2026-11-02", None, "2026-11-20T08:00:00", "2025-01-01"]) == "2026-11-20"
    assert as_of([None]) is None


@pytest.mark.parametrize(("question", "newest", "stale"), [
    ("What is the latest death toll?", "2026-11-02", True),
    ("Is the bridge still closed?", "2026-11-02", True),
    ("How many people are currently without power?", "2026-11-26", False),  # within a week
    ("What happened this week at the port?", "2026-11-26", True),  # "this week" = from Monday 30
    ("What happened this week at the port?", "2026-11-30", False),
    ("How many people died in the quake?", "2026-01-02", False),  # not about the present
    ("What is Britain's current account deficit?", "2026-01-02", False),
    ("Was the bridge still closed in January 2025?", "2025-01-10", False),  # a past period
    ("What is the latest death toll?", None, False),
])
def test_a_question_about_the_present_says_when_its_news_is_older(question, newest, stale):
    note = stale_note(question, newest, reference=REF, window=resolve_dates(question, REF))
    assert (note is not None) is stale
    if note:
        assert newest in note and "may not be the current state" in note


def test_stale_note_says_how_old():
    note = stale_note("What is the latest?", "2026-11-02", reference=REF)
    assert note == ("The newest article this rests on is from 2026-11-02 (4 weeks before "
                    "2026-11-30); nothing newer on it is indexed, so this may not be the "
                    "current state.")


def test_annotate_adds_sources_as_of_and_note_but_leaves_abstentions_alone():
    answer = Answer("What is the latest toll?", "It rose to 31 [1].",
                    citations=(cite(1, "a", "BBC", published="2026-11-01"),))
    asked: list[set[str]] = []

    def copies_of(ids):
        asked.append(set(ids))
        return [StoryCopy("a", "a", "BBC")]

    done = annotate(answer, copies_of=copies_of, reference=REF)
    assert done.as_of == "2026-11-01" and asked == [{"a"}]
    assert done.sources == (Source("BBC", (1,), ("BBC",)),) and len(done.notes) == 1
    assert done.to_dict()["sources_summary"] == "1 source: BBC"
    abstained = Answer.abstaining("What is the latest toll?")
    assert annotate(abstained, copies_of=copies_of, reference=REF) is abstained
