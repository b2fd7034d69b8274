"""Questions about what outlets reported, comparisons, sequences and conflicting values, on a
real index: each named outlet's evidence laid out with its date, or an abstention when a part
has none."""

from __future__ import annotations

from datetime import date

import pytest

from index import Article

REF = date(2023, 12, 31)


def article(text: str, source: str, slug: str, published: str, title: str) -> Article:
    page = "".join(ch if ch.isalnum() else "-" for ch in title[:12])
    return Article(title=title, text=text, url=f"https://{slug}.test/{published}/{page}",
                   source=source, published=published)


@pytest.fixture(scope="module")
def desk(tmp_path_factory, embeddings):
    from assistant import Assistant, Settings

    a = Assistant.from_settings(
        Settings(data_dir=tmp_path_factory.mktemp("parts"), reference_date=REF),
        embeddings=embeddings)
    a.add_articles([
        article("Apple's services chief Eddy Cue testified that there was no valid alternative "
                "to Google as the default search engine on the iPhone. He said Apple always "
                "thought Google was the best.", "The Verge", "theverge", "2023-09-26",
                "Apple defends Google search deal in court"),
        article("Google paid $26.3 billion in 2021 to be the default search engine across "
                "platforms, the antitrust trial revealed on Monday. Most of it went to Apple.",
                "TechCrunch", "techcrunch", "2023-10-31", "Google's $26 billion default deals"),
        article("Critics say Google manipulated its search results to maximise advertising "
                "revenue, harming publishers. The company denies the claims.",
                "The Age", "theage", "2023-10-22", "Google accused of gaming search ads"),
        article("Justice Department lawyers argued that Google's search deals with phone "
                "makers shut rivals out of the market, as the antitrust trial entered its fifth "
                "week.", "TechCrunch", "techcrunch", "2023-10-15",
                "Google's search deals under fire at antitrust trial"),
        article("Sony's WH-1000XM5 headphones are the best value in their class this Cyber "
                "Monday, at $298 after a discount.", "Wired", "wired", "2023-11-25",
                "Cyber Monday headphone deals"),
        article("Bose QuietComfort headphones are the best value in their class this week, at "
                "$249 after a discount.", "Wired", "wired", "2023-11-20",
                "Early Black Friday headphone deals"),
        # Four outlets on one prize: three name one winner, one another.
        article("Lena Ortiz won the 2026 Pemberton Prize for fiction for her novel Salt Roads, "
                "the jury announced in London.", "Daily Gazette", "gazette", "2023-12-01",
                "Pemberton Prize goes to Salt Roads"),
        article("The 2026 Pemberton Prize for fiction was won by Lena Ortiz, whose novel Salt "
                "Roads follows three generations of fishermen.", "Port News", "portnews",
                "2023-12-01", "Ortiz takes the Pemberton"),
        article("Novelist Lena Ortiz won the 2026 Pemberton Prize for fiction on Thursday "
                "evening, beating five other finalists.", "Miami Herald", "herald",
                "2023-12-01", "Ortiz wins fiction prize"),
        article("Marcus Hale won the 2026 Pemberton Prize for fiction for his novel The Long "
                "Tide, the jury announced in London.", "Shipping Weekly", "shipping",
                "2023-12-01", "Pemberton Prize goes to The Long Tide"),
        # A stadium's cost: three outlets give one figure; one copy another, in the question's
        # own words (it ranks first).
        article("The Meridian stadium, which cost 1.3 billion euros, hosted its first match on "
                "Saturday.", "Harbour Herald", "harbour", "2023-11-02", "Meridian stadium opens"),
        article("Auditors said the 1.3 billion euros spent on the Meridian stadium was within "
                "budget.", "Daily Ledger", "ledger", "2023-11-03", "Stadium within budget"),
        article("Fans packed the Meridian stadium, a 1.3 billion euro project paid for by the "
                "city and the club.", "Coastal Times", "coastal", "2023-11-04",
                "A full house at the Meridian"),
        article("How much did the Meridian stadium cost? The Meridian stadium cost 2.1 billion "
                "euros, twice the first estimate.", "Metro Wire", "metro", "2023-11-05",
                "The Meridian's bill"),
        # A bridge's opening year: three outlets against one.
        article("The Velmora harbour bridge, which opened in 1987, will close for three weekends "
                "of resurfacing.", "Harbour Herald", "harbour", "2023-10-02",
                "Harbour bridge to close for resurfacing"),
        article("When the Velmora harbour bridge opened in 1992, it was the longest span in the "
                "region.", "Metro Wire", "metro", "2023-10-03", "Velmora bridge at capacity"),
        article("Velmora's harbour crossing opened to traffic in 1987 after six years of "
                "construction.", "Coastal Times", "coastal", "2023-10-04",
                "A crossing that changed Velmora"),
        article("Engineers say the Velmora harbour bridge has carried traffic since it opened in "
                "1987 and needs new cables.", "Daily Ledger", "ledger", "2023-10-05",
                "Velmora bridge needs new cables"),
    ])
    yield a
    a.close()


def cited(answer) -> dict[str, str]:
    return {c.source: c.published[:10] for c in answer.citations}


def test_a_question_about_one_outlet_is_answered_from_its_articles(desk):
    answer = desk.ask("According to techcrunch.com, how much did Google pay to be the default "
                      "search engine?")
    assert not answer.abstained
    assert answer.text.startswith("TechCrunch (2023-10-31) [1]: ")
    assert "$26.3 billion" in answer.text
    assert set(cited(answer)) == {"TechCrunch"}


def test_a_comparison_lays_out_each_outlets_evidence_with_its_date(desk):
    answer = desk.ask("Does the Verge article suggest that there was no valid alternative to "
                      "Google, while the report from The Age says Google manipulated its search "
                      "results to maximise advertising revenue?")
    assert not answer.abstained
    assert cited(answer) == {"The Verge": "2023-09-26", "The Age": "2023-10-22"}
    lines = answer.text.splitlines()
    assert any(line.startswith("The Verge (2023-09-26) [") and "no valid alternative" in line
               for line in lines)
    assert any(line.startswith("The Age (2023-10-22) [") and "manipulated" in line
               for line in lines)


def test_a_part_from_an_outlet_that_is_not_indexed_abstains(desk):
    answer = desk.ask("Does the CNET article say Google paid Apple, while The Verge reports "
                      "there was no valid alternative to Google?")
    assert answer.abstained
    assert "CNET" in answer.text


def test_a_sequence_is_laid_out_by_date(desk):
    answer = desk.ask("Did TechCrunch report on what Google paid for default search before The "
                      "Verge reported Eddy Cue's testimony about Google?")
    assert not answer.abstained
    lines = answer.text.splitlines()
    verge = next(i for i, line in enumerate(lines) if line.startswith("The Verge (2023-09-26)"))
    crunch = next(i for i, line in enumerate(lines) if line.startswith("TechCrunch (2023-10-31)"))
    assert verge < crunch  # by publication date, not in the order the question names them


def test_an_outlet_named_with_a_date_selects_that_report(desk):
    answer = desk.ask("Which headphones did the report from Wired on 2023-11-25 call the best "
                      "value in their class?")
    assert not answer.abstained
    assert cited(answer) == {"Wired": "2023-11-25"}
    assert "Sony" in answer.text and "Bose" not in answer.text


def test_sources_that_disagree_on_the_value_asked_for_are_shown_with_their_counts(desk):
    answer = desk.ask("Who won the 2026 Pemberton Prize for fiction?")
    assert not answer.abstained
    assert "Lena Ortiz" in answer.text and "Marcus Hale" in answer.text
    # The value most sources give comes first, never only the one they contradict.
    assert answer.text.index("Lena Ortiz") < answer.text.index("Marcus Hale")
    (conflict,) = answer.conflicts
    assert conflict.kind == "differ"
    assert [f.text for f in conflict.figures] == ["Lena Ortiz", "Marcus Hale"]
    note = next(n for n in answer.notes if n.startswith("Sources differ"))
    assert "\u201cLena Ortiz\u201d in 3 sources" in note
    assert "\u201cMarcus Hale\u201d in 1 source (Shipping Weekly)" in note


def test_a_figure_most_sources_contradict_is_never_shown_alone_or_first(desk):
    answer = desk.ask("How much did the Meridian stadium cost?")
    assert not answer.abstained
    assert "1.3 billion" in answer.text and "2.1 billion" in answer.text
    assert answer.text.index("1.3 billion") < answer.text.index("2.1 billion")
    (conflict,) = answer.conflicts
    assert conflict.kind == "differ"
    assert [f.text for f in conflict.figures][1] == "2.1 billion euros"
    note = next(n for n in answer.notes if n.startswith("Sources differ"))
    assert " in 3 sources (" in note and "\u201d in 1 source (Metro Wire)" in note
    assert "Superseded" not in answer.text  # the newest copy is no update of the others


def test_a_year_most_sources_give_comes_first(desk):
    answer = desk.ask("When did the Velmora harbour bridge open?")
    assert not answer.abstained
    assert answer.text.index("1987") < answer.text.index("1992")
    assert [c.kind for c in answer.conflicts] == ["differ"]
    note = next(n for n in answer.notes if n.startswith("Sources differ"))
    assert "\u201c1987\u201d in 3 sources" in note and "\u201c1992\u201d in 1 source" in note


def test_a_sequence_between_two_dated_reports_quotes_what_came_in_between(desk):
    answer = desk.ask("Between the report from The Verge on 2023-09-26 about Google's search "
                      "deal with Apple and the TechCrunch report on 2023-10-31 about Google's "
                      "default search payments, did the coverage of Google's search deals "
                      "change?")
    assert not answer.abstained
    days = [line.split(" [")[0] for line in answer.text.splitlines() if " [" in line]
    assert days == ["The Verge (2023-09-26)", "TechCrunch (2023-10-15)",
                    "TechCrunch (2023-10-31)"]
