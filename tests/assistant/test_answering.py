from __future__ import annotations

from langchain_core.documents import Document

from assistant import Answer
from assistant.answer import ABSTAIN_TEXT
from tests.conftest import DENEUVE_QUESTION


def test_retrieval_ranks_the_right_article_first(news):
    cases = {
        "How much did the European Central Bank raise rates?": "rates",
        "Which town was evacuated before the eruption?": "volcano",
        "Who won the rapid chess championship?": "chess",
        "How much will the pedestrian bridge cost?": "bridge",
    }
    for question, article_id in cases.items():
        passages = news.retrieve(question, k=3)
        assert passages[0].article_id == article_id, question
        assert passages[0].score >= passages[-1].score


def test_passages_carry_article_fields_and_offsets(news):
    [p] = news.retrieve("Lagarde interest rates", k=1)
    article = news.catalog.entry(p.article_id).article
    assert article.text[p.start:p.end] == p.text
    assert (p.title, p.source, p.published, p.url) == (
        article.title, "Reuters", "2023-09-14", "https://news.example.com/ecb-rates")


def test_answer_quotes_and_cites_the_right_passage(news):
    answer = news.ask(DENEUVE_QUESTION)
    assert not answer.abstained
    assert "puritanism" in answer.text
    assert "[1]" in answer.text
    cited = {c.n: c for c in answer.citations}
    assert set(cited) == {int(n) for n in __import__("re").findall(r"\[(\d+)\]", answer.text)}
    c = cited[1]
    assert "Deneuve" in c.title and c.published == "2018-01-09"
    article = news.catalog.entry(c.article_id).article
    assert article.text[c.start:c.end] == c.passage
    assert any("puritanism" in article.text[s:e] for s, e in c.sentences)


def test_answer_about_another_article(news):
    answer = news.ask("How much will the new pedestrian bridge cost?")
    assert "48 million euros" in answer.text
    assert answer.citations[0].article_id == "bridge"


def test_unrelated_questions_abstain_without_citations(news):
    for question in ["What is the boiling point of mercury?",
                     "How do I bake sourdough bread at home?",
                     "Which team won the 1998 basketball finals?"]:
        answer = news.ask(question)
        assert answer.abstained, (question, answer.text)
        assert answer.text == ABSTAIN_TEXT and answer.citations == ()


def test_stream_yields_deltas_then_the_answer(news):
    items = list(news.stream(DENEUVE_QUESTION))
    *deltas, final = items
    assert isinstance(final, Answer) and len(deltas) > 1
    assert "".join(deltas) == final.text


def test_retriever_and_chain_are_langchain_runnables(news):
    docs = news.retriever.invoke("Grindavik lava")
    assert isinstance(docs[0], Document) and docs[0].metadata["article_id"] == "volcano"
    answer = news.chain.invoke("Which town is near the volcano?")
    assert isinstance(answer, Answer) and "Grindavik" in answer.text


def test_abstention_signals_see_a_year_the_article_does_not_report(news):
    asked = "How much will the new pedestrian bridge cost?"
    swapped = "How much will the new pedestrian bridge that opens in 2031 cost?"
    plain = news.answerer.abstention_signals(asked, news.retrieve(asked))
    other_year = news.answerer.abstention_signals(swapped, news.retrieve(swapped))
    assert plain is not None and other_year is not None
    # The article says 2027: the best sentence states another year than the question's.
    assert plain.conflict == 0.0 and other_year.conflict == 1.0
    assert other_year.unanswerable() > plain.unanswerable()
    assert news.answerer.abstention_signals(asked, []) is None
