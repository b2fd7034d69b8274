from __future__ import annotations

import re

import pytest
from langchain_core.documents import Document

from assistant.results import ABSTAIN_TEXT, Delta, Final
from tests.conftest import DENEUVE_QUESTION


def test_retrieval_ranks_the_right_article_first(news):
    cases = {
        "How much did the European Central Bank raise rates?": ("rates", "a quarter point"),
        "Which town was evacuated before the eruption?": ("volcano", "had been evacuated"),
        "Who won the rapid chess championship?": ("chess", "Nodirbek Abdusattorov, won"),
        "How much will the pedestrian bridge cost?": ("bridge", "48 million euros"),
    }
    for question, (article_id, answer_words) in cases.items():
        passages = news.retrieve(question, k=3)
        assert len(passages) == 3, question
        top = passages[0]
        # The first passage is the one that answers: the right article, holding the answer.
        assert (top.article_id, answer_words in top.text) == (article_id, True), question
        assert len({p.chunk_id for p in passages}) == 3
        # Best first: the fused scores strictly decrease (MMR, which may reorder, is off).
        scores = [p.score for p in passages]
        assert scores == sorted(set(scores), reverse=True), (question, scores)


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
    assert set(cited) == {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
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
    *deltas, last = items
    assert isinstance(last, Final) and len(deltas) > 1
    assert all(isinstance(d, Delta) for d in deltas)
    assert "".join(d.text for d in deltas) == last.answer.text


def test_retriever_is_a_langchain_retriever(news):
    docs = news.retriever.invoke("Grindavik lava")
    assert isinstance(docs[0], Document) and docs[0].metadata["article_id"] == "volcano"


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


@pytest.mark.parametrize(("question", "expected"), [
    ("How did the signatories describe the #MeToo campaign?", "puritanism"),
    ("How old is Deneuve?", "74"),
    ("What hashtag did French women use?", "#balancetonporc"),
    ("Who else put their name to the letter?", "signatories"),
])
def test_plain_questions_about_the_sample_are_answered_not_abstained(news, question, expected):
    """Questions a new user asked of the sample article, which all used to abstain."""
    answer = news.ask(question)
    assert not answer.abstained and expected in answer.text
    assert [c.title for c in answer.citations if "Deneuve" in c.title]


def test_who_else_signed_it_follows_the_letter(news):
    first = news.ask("Who signed the open letter with Deneuve?")
    history = [{"role": "user", "content": "Who signed the open letter with Deneuve?"},
               {"role": "assistant", "content": first.text}]
    answer = news.ask("Who else signed it?", history=history)
    assert "letter" in answer.rewritten_question and "Deneuve" in answer.rewritten_question
    assert "Catherine Millet" in answer.text
