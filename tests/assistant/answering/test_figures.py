"""Figures and conflicting reports, as pure functions: hand-made pairs of news sentences that
agree, conflict, or state different facts that only look alike."""

from __future__ import annotations

import pytest

from assistant.answering.figures import agree, figures, same_fact
from assistant.answering.reconcile import reconcile
from assistant.results import Answer, Citation, Passage


def test_figures_read_value_unit_and_hedges_and_skip_dates_and_years():
    found = figures("Some 3 million journeys were made on Monday, up 4.2% on a year earlier, "
                    "and the operator earned $4.5 billion in 2025 from 1,200 stations at 10:30 am.")
    assert [(f.text, f.value, f.unit, f.hedged) for f in found] == [
        ("Some 3 million journeys", 3e6, "journey", True),
        ("4.2%", 4.2, "%", False),
        ("$4.5 billion", 4.5e9, "$", False),
        ("1,200 stations", 1200, "station", False)]
    assert figures("On January 9, 2018 the 12 said nothing.") == []
    assert [f.value for f in figures("Twelve people were killed.")] == [12]


def pair(a: str, a_title: str, b: str, b_title: str) -> tuple[bool, bool]:
    fa, fb = figures(a)[0], figures(b)[0]
    return same_fact(fa, a, a_title, fb, b, b_title), agree(fa, fb)


@pytest.mark.parametrize(("a", "a_title", "b", "b_title", "same", "agreeing"), [
    # agreeing: the same figure, written differently or hedged within 10 %
    ("Transport for London said 2.8 million journeys were made on the Tube on Monday.",
     "Tube strike halts London", "About 2.9 million journeys were made on the Tube on Monday.",
     "London Tube walkout", True, True),
    ("The plant will create 3,500 jobs, the company said.", "Nordvik picks Mexico",
     "Nordvik said the Monterrey plant would create 3,500 jobs.", "Nordvik plant", True, True),
    # conflicting: the same fact, different values
    ("Transport for London said 2.8 million journeys were made on the Tube on Monday.",
     "Tube strike halts London", "Officials said 3 million journeys were made on the Tube on "
     "Monday.", "London Tube walkout", True, False),
    ("The quake killed 12 people in the city of Cusco on Monday, officials said.",
     "Earthquake kills 12 in Peru", "The Cusco quake killed 31 people, officials said on "
     "Wednesday.", "Peru quake death toll rises to 31", True, False),
    # different facts that only look alike
    ("A total of 2.8 million journeys were made on the Tube on Monday.", "London strike",
     "A total of 3 million journeys were made on buses on Monday.", "London strike", False,
     False),
    ("The plant will employ 2,000 workers by 2027.", "Carmaker picks Poland",
     "The union represents 4,000 workers at the port.", "Port strike", False, False),
    ("The quake killed 12 people in southern Peru.", "Peru quake",
     "The civil defence institute said 412 people were injured in southern Peru.",
     "Peru quake", False, False),
    ("The Reserve Bank of New Zealand raised its rate to 2.75% on Wednesday.", "Rates",
     "The Bank of Thailand kept its rate at 1.25% on Wednesday.", "Rates", False, False),
])
def test_same_fact_and_agreement(a, a_title, b, b_title, same, agreeing):
    assert pair(a, a_title, b, b_title) == (same, agreeing)


def passage(article_id: str, text: str, *, title: str, source: str, published: str,
            score: float = 1.0) -> Passage:
    return Passage(article_id=article_id, chunk_id=f"{article_id}:0", title=title, url=None,
                   published=published, source=source, text=text, start=0, end=len(text),
                   score=score)


def answer_from(question: str, first: Passage, *others: Passage) -> Answer:
    citation = Citation.of(first, n=1, score=0.9, sentences=[(0, len(first.text))])
    return Answer(question=question, text=f"{first.text} [1]", citations=(citation,),
                  passages=(first, *others), answer_spans=((0, 3),))


def yes(_a: str, _b: str) -> bool:
    return True


def test_two_sources_that_disagree_are_both_shown_with_their_citations():
    reuters = passage("r", "Transport for London said 2.8 million journeys were made on the Tube "
                      "on Monday.", title="Tube strike halts London", source="Reuters",
                      published="2026-11-23")
    bbc = passage("b", "Officials said 3 million journeys were made on the Tube on Monday.",
                  title="London Tube walkout", source="BBC", published="2026-11-23")
    done = reconcile(answer_from("How many journeys were made on the Tube?", reuters, bbc), yes)
    assert [c.kind for c in done.conflicts] == ["differ"]
    assert [(f.text, f.n, f.source) for f in done.conflicts[0].figures] == [
        ("2.8 million journeys", 1, "Reuters"), ("3 million journeys", 2, "BBC")]
    assert done.text.endswith("Sources differ on this figure: 2.8 million journeys [1] (Reuters, "
                              "2026-11-23) against 3 million journeys [2] (BBC, 2026-11-23).")
    assert [c.article_id for c in done.citations] == ["r", "b"]
    assert done.citations[1].sentences == ((0, len(bbc.text)),)


def test_a_newer_report_leads_and_the_older_figure_is_superseded():
    first = passage("p1", "The quake killed 12 people in the city of Cusco on Monday, officials "
                    "said.", title="Earthquake kills 12 in Peru", source="Reuters",
                    published="2026-10-14")
    later = passage("p2", "The Cusco quake killed 31 people, officials said on Wednesday.",
                    title="Peru quake death toll rises to 31", source="Reuters",
                    published="2026-10-16")
    old = answer_from("How many people did the quake kill?", first, later)
    done = reconcile(old, yes)
    assert [(c.kind, [f.text for f in c.figures]) for c in done.conflicts] == [
        ("updated", ["31 people", "12 people"])]
    assert done.text.startswith("Updated 2026-10-16: The Cusco quake killed 31 people")
    assert done.text.endswith("(Superseded: an earlier report of 2026-10-14 gave 12 people [1].)")
    lead = len("Updated 2026-10-16: ") + len(later.text) + len(" [2]\n")
    assert done.answer_spans == ((lead, lead + 3),)  # the answer's phrase moved with its text
    # Not the same story (headlines apart): nothing is set against it.
    assert reconcile(old, lambda a, b: False) is old


def test_agreeing_reports_the_same_outlet_and_unrelated_figures_are_left_alone():
    a = passage("a", "The plant will create 3,500 jobs, the company said.", title="Nordvik plant",
                source="Reuters", published="2026-10-20")
    same = passage("b", "Nordvik said the Monterrey plant would create about 3,400 jobs.",
                   title="Nordvik plant", source="AP", published="2026-10-20")
    outlet = passage("c", "The plant will create 3,000 jobs in all.", title="Nordvik plant",
                     source="Reuters", published="2026-10-20")
    other = passage("d", "The union represents 4,000 workers at the port.", title="Port strike",
                    source="AFP", published="2026-10-20")
    for second in (same, outlet, other):
        answer = answer_from("How many jobs will the plant create?", a, second)
        assert reconcile(answer, yes) is answer
