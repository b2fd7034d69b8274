"""List and several-story answers on a real index (the bundled model, invented stories): a
sentence listing the asked names answers a list though it repeats few of the question's words;
a station is named by its town; "where does a rate stand" asks for each named country's rate."""

from __future__ import annotations

import pytest

from index import Article


def article(slug: str, published: str, title: str, text: str) -> Article:
    return Article(title=title, text=text, url=f"https://news.example.org/{published}/{slug}",
                   source="Reuters", published=published)


@pytest.fixture(scope="module")
def desk(tmp_path_factory, embeddings):
    from assistant import Assistant, Settings

    a = Assistant.from_settings(Settings(data_dir=tmp_path_factory.mktemp("lists")),
                                embeddings=embeddings)
    a.add_articles([
        article("stadium-bids", "2026-09-07",
                "Valletta picks three finalists for national stadium contract",
                "VALLETTA, Malta (Reuters) - Malta has picked three consortia as finalists to "
                "design and build a new national football stadium near the capital, the sports "
                "ministry said on Monday.\n\nThe finalists are headed by Austria's Brunnhof Bau, "
                "Greece's Kallisto Erga and Ireland's Tullamore Structures, each with local "
                "partners. A fourth group was disqualified for missing paperwork, the ministry "
                "said.\n\nThe stadium is expected to cost about 240 million euros and seat "
                "25,000 fans. Sports Minister Clara Vella said a winner would be named in the "
                "spring."),
        article("night-train", "2026-09-08", "New night train to link Milan and Vienna from March",
                "MILAN (Reuters) - Italian rail start-up Notturna will launch a night train "
                "between Milan and Vienna on March 2, with couchettes from 49 euros, it said on "
                "Tuesday.\n\nThe train will leave Milan at 8 p.m. three times a week, stopping "
                "in Verona, Bolzano and Innsbruck before reaching Vienna the next morning. "
                "Notturna said it had bought 14 used sleeping cars from a Swiss operator."),
        article("chile-rates", "2026-09-16", "Chile's central bank cuts rate to 5.25%",
                "SANTIAGO, Chile (Reuters) - Chile's central bank cut its benchmark interest "
                "rate by 25 basis points to 5.25 percent on Wednesday, its third cut this year, "
                "as inflation eased.\n\nThe board's decision was unanimous. Governor Rosa "
                "Fuentes said further cuts would depend on copper prices and the peso."),
        article("peru-rates", "2026-09-17", "Peru's central bank keeps reference rate on hold "
                "at 4.75%", "LIMA, Peru (Reuters) - Peru's central bank kept its reference rate "
                "unchanged at 4.75 percent on Thursday, saying it wanted to see core inflation "
                "fall further before easing.\n\nAll seven board members voted to hold. Most "
                "analysts had expected no change after two cuts earlier in the year."),
        article("wine-harvest", "2026-09-12", "French wine harvest to be smallest in decades",
                "BORDEAUX, France (AFP) - France's wine harvest will be the smallest in more "
                "than 50 years after spring frosts and summer hail hit vineyards, the "
                "agriculture ministry said on Friday.\n\nGrowers in Burgundy and the Loire "
                "valley were hit hardest."),
    ])
    return a


def _cited(answer) -> set[str]:
    return {c.url.rsplit("/", 1)[-1] for c in answer.citations}


@pytest.mark.parametrize(("question", "names", "story"), [
    ("Which firms head the groups shortlisted for the Maltese stadium?",
     ["Brunnhof Bau", "Kallisto Erga", "Tullamore Structures"], "stadium-bids"),
    ("At which stations will the Notturna night train stop on its way from Milan to Vienna?",
     ["Verona", "Bolzano", "Innsbruck"], "night-train"),
])
def test_a_list_quotes_the_sentence_that_lists_the_names(desk, question, names, story):
    answer = desk.ask(question)
    assert answer.form == "list" and not answer.abstained
    assert all(name in answer.text for name in names), answer.text
    assert _cited(answer) == {story}


def test_where_a_rate_stands_is_its_value_in_each_country_named(desk):
    answer = desk.ask("Where do the reference interest rates in Chile and Peru stand after "
                      "their September decisions?")
    assert "5.25 percent" in answer.text and "4.75 percent" in answer.text, answer.text
    assert _cited(answer) == {"chile-rates", "peru-rates"}
