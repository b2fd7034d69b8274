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


@pytest.fixture(scope="module")
def desk(tmp_path_factory, embeddings):
    from assistant import Assistant, Settings

    a = Assistant.from_settings(
        Settings(data_dir=tmp_path_factory.mktemp("desk"), reference_date=REF),
        embeddings=embeddings)
    a.add_articles([
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
    yield a
    a.close()


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
