"""News-aware answers on a real index: independent sources (syndicated copies with edits count
once) and answers "as of" the newest article they rest on."""

from __future__ import annotations

from datetime import date

import pytest

from index import Article
from tests.syndicated import OTHER_PORT_STRIKE, PORT_STRIKE, PORT_STRIKE_VARIANTS, STORM

REF = date(2026, 11, 30)


def article(text: str, source: str, slug: str, published: str, title: str) -> Article:
    return Article(title=title, text=text, url=f"https://{slug}.test/story", source=source,
                   published=published)


def indexed(tmp_path_factory, embeddings, name: str, articles: list[Article]):
    """An Assistant over ``articles`` in a fresh data dir, its reference date REF."""
    from assistant import Assistant, Settings

    a = Assistant.from_settings(
        Settings(data_dir=tmp_path_factory.mktemp(name), reference_date=REF),
        embeddings=embeddings)
    a.add_articles(articles)
    yield a
    a.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory, embeddings):
    yield from indexed(tmp_path_factory, embeddings, "desk", [
        article(PORT_STRIKE, "Reuters", "reuters", "2026-11-23", "Rotterdam dockworkers strike"),
        # The same wire story as three other outlets carried it: edited, trimmed, verbatim.
        article(PORT_STRIKE_VARIANTS["edited"], "Port News", "portnews", "2026-11-23",
                "Dockers at Europe's biggest port go on strike"),
        article(PORT_STRIKE_VARIANTS["trimmed"], "Daily Gazette", "gazette", "2026-11-24",
                "Rotterdam port at a standstill"),
        article(PORT_STRIKE, "Shipping Weekly", "shipping", "2026-11-24", "Port walkout"),
        # Another agency's story on a related subject, and an older story of its own.
        article(OTHER_PORT_STRIKE, "Le Monde", "lemonde", "2026-11-26",
                "Antwerp port workers strike over pensions"),
        article(STORM, "Miami Herald", "herald", "2026-09-02", "Hurricane Delia strengthens"),
    ])


def test_a_wire_story_carried_by_four_outlets_is_one_source(desk):
    answer = desk.ask("How many workers joined the stoppage at Rotterdam?")
    assert not answer.abstained and "4,000" in answer.text
    assert [s.name for s in answer.sources] == ["Reuters"]
    assert set(answer.sources[0].outlets) == {"Reuters", "Port News", "Daily Gazette",
                                              "Shipping Weekly"}
    assert answer.sources_summary == "1 source (Reuters), carried by 4 outlets"
    assert answer.as_of is not None and answer.as_of >= "2026-11-23"
    assert answer.to_dict()["sources"][0]["citations"] == [c.n for c in answer.citations]


def test_two_agencies_are_two_sources(desk):
    answer = desk.ask("Why did dockworkers strike in Rotterdam and Antwerp?")
    assert not answer.abstained
    assert {s.name for s in answer.sources} == {"Reuters", "AFP"}
    assert answer.sources_summary.startswith("2 sources: ")
    assert answer.as_of == "2026-11-26"


def test_old_news_for_a_question_about_now_says_so(desk):
    answer = desk.ask("What are Hurricane Delia's sustained winds now?")
    assert not answer.abstained and "120 mph" in answer.text
    assert answer.as_of == "2026-09-02"
    assert answer.notes and "2026-09-02" in answer.notes[0]
    # The same fact asked without "now" carries its date and no warning.
    plain = desk.ask("What were Hurricane Delia's maximum sustained winds?")
    assert plain.as_of == "2026-09-02" and not plain.notes


TUBE_REUTERS = ("LONDON (Reuters) - A strike by London Underground staff shut most of the Tube on "
                "Monday. Transport for London said 2.8 million journeys were made on the Tube on "
                "Monday, about half the usual number, as commuters switched to buses and bikes.")
TUBE_BBC = ("Commuters faced long queues at bus stops on Monday as a walkout closed most Tube "
            "lines. Officials said 3 million journeys were made on the Tube on Monday, with only "
            "the Elizabeth line running a full service.")
FIRE_FIRST = ("ATHENS (AFP) - A wildfire fanned by strong winds has burned about 4,800 hectares of "
              "forest in western Greece, forcing the evacuation of six villages, the fire service "
              "said on Monday.")
FIRE_LATER = ("ATHENS (AFP) - The wildfire in western Greece has now burned about 11,300 hectares, "
              "the fire service said on Wednesday in an updated assessment, as firefighters "
              "brought most of the blaze under control.")


@pytest.fixture(scope="module")
def disputed(tmp_path_factory, embeddings):
    yield from indexed(tmp_path_factory, embeddings, "disputed", [
        article(TUBE_REUTERS, "Reuters", "reuters-tube", "2026-11-23",
                "Tube strike brings London to a standstill"),
        article(TUBE_BBC, "BBC", "bbc-tube", "2026-11-23", "London Tube strike: commuters queue"),
        article(FIRE_FIRST, "AFP", "afp-fire-1", "2026-11-16",
                "Wildfire in western Greece burns 4,800 hectares"),
        article(FIRE_LATER, "AFP", "afp-fire-2", "2026-11-18",
                "UPDATE: Greek wildfire burned area rises to 11,300 hectares"),
        article(STORM, "Miami Herald", "herald", "2026-09-02", "Hurricane Delia strengthens"),
    ])


def test_sources_that_disagree_on_a_figure_are_both_shown(disputed):
    answer = disputed.ask("How many journeys were made on the Tube during the strike?")
    assert [c.kind for c in answer.conflicts] == ["differ"]
    shown = {(f.text, f.source) for f in answer.conflicts[0].figures}
    assert shown == {("2.8 million journeys", "Reuters"), ("3 million journeys", "BBC")}
    assert "Sources differ on this figure" in answer.text
    assert {c.source for c in answer.citations} == {"Reuters", "BBC"}
    assert {s.name for s in answer.sources} == {"Reuters", "BBC"}


def test_an_updated_figure_leads_and_the_older_one_is_superseded(disputed):
    answer = disputed.ask("How many hectares has the wildfire in Greece burned?")
    assert [c.kind for c in answer.conflicts] == ["updated"]
    newer, older = answer.conflicts[0].figures
    assert (newer.text, newer.published) == ("about 11,300 hectares", "2026-11-18")
    assert (older.text, older.published) == ("about 4,800 hectares", "2026-11-16")
    assert answer.text.index("11,300") < answer.text.index("4,800")
    assert "Superseded" in answer.text and answer.as_of == "2026-11-18"


def test_different_facts_that_look_alike_are_not_a_conflict(disputed):
    answer = disputed.ask("What were Hurricane Delia's maximum sustained winds?")
    assert not answer.abstained and not answer.conflicts
