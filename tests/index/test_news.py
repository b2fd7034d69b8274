from __future__ import annotations

import json

import pytest

from index import Article, chunk_article
from index.news import parse_news
from tests.conftest import DENEUVE_QUESTION


@pytest.mark.parametrize(
    ("text", "place", "agencies"),
    [
        ("PARIS (Reuters, AFP) - Actress Catherine Deneuve said", "PARIS", ("Reuters", "AFP")),
        ("NEW YORK (AP) — Stocks fell on Monday.", "NEW YORK", ("AP",)),
        ("WASHINGTON, March 5 (Reuters) - The Senate voted", "WASHINGTON", ("Reuters",)),
        ("TAMPA, Fla. (reuters) - Residents were cleaning up", "TAMPA, Fla.", ("Reuters",)),
        ("LONDON - Prices rose again in May.", "LONDON", ()),
        ("BERLIN (dpa/AFP) – Die Regierung", "BERLIN", ("dpa", "AFP")),
    ],
)
def test_dateline_gives_place_and_agencies(text, place, agencies):
    news = parse_news(text)
    assert (news.place, news.agencies) == (place, agencies)
    assert text[news.body_start:][0].isalpha() and text[news.body_start - 2] in " -–—"


@pytest.mark.parametrize("text", [
    "Paris (a city) - not a dateline because the place is not upper case.",
    "The council met on Tuesday - and approved the bridge.",
    "US (Jan 9) - a date in brackets is not an agency.",
    "Plain text without any dateline at all.",
])
def test_text_without_a_dateline_is_left_alone(text):
    news = parse_news(text)
    assert (news.place, news.agencies, news.body_start) == (None, (), 0)


def test_byline_is_read_before_the_dateline():
    news = parse_news("By Jane Smith and Tom Jones\nLONDON (Reuters) - Prices rose.")
    assert news.byline == ("Jane Smith", "Tom Jones")
    assert news.place == "LONDON" and news.agencies == ("Reuters",)


def test_first_chunk_starts_after_the_dateline_with_exact_offsets():
    text = "PARIS (Reuters, AFP) - Actress Catherine Deneuve spoke. " + " ".join(
        f"Sentence number {i} adds detail to the story." for i in range(60))
    article = Article(title="Deneuve", text=text)
    chunks = chunk_article(article)
    assert len(chunks) > 1
    first = chunks[0]
    assert first.text.startswith("Actress Catherine Deneuve")
    assert text[first.start:first.end] == first.text
    assert article.text.startswith("PARIS (Reuters, AFP) - ")  # kept in the article
    assert all(text[c.start:c.end] == c.text for c in chunks)


def test_passages_and_citations_carry_the_news_metadata(news):
    [passage] = news.retrieve("Deneuve 99 French women backlash against men", k=1)
    assert passage.place == "PARIS" and passage.agencies == ("Reuters", "AFP")
    answer = news.ask(DENEUVE_QUESTION)
    assert answer.citations and answer.citations[0].place == "PARIS"
    assert answer.citations[0].agencies == ("Reuters", "AFP")
    assert json.loads(json.dumps(answer.to_dict()))["citations"][0]["place"] == "PARIS"
    assert not any(c.passage.startswith("PARIS (Reuters") for c in answer.citations)


def test_agency_is_the_source_when_the_article_names_none(make_assistant):
    a = make_assistant()
    a.add_articles([Article(title="Ferry", text="OSLO (NTB, Reuters) - A ferry ran aground "
                            "near Bergen on Friday and all 80 passengers were rescued.")])
    [passage] = a.retrieve("ferry aground near Bergen", k=1)
    assert passage.source == "NTB; Reuters" and passage.place == "OSLO"
