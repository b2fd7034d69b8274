"""Hybrid retrieval with the real model and real Chroma: exact names, modes, filters, dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from langchain_core.retrievers import BaseRetriever

from assistant.retrieval.filters import Filters
from index import Article

# Dense similarity sees "Vestergaard" and "Vastergaard" as nearly the same name, and the articles
# about the Vestergaards are *about* someone of that name, so they outrank the storm story that
# quotes Ingrid Vastergaard once. Only the exact spelling tells them apart — BM25's job.
VESTERGAARDS = [
    ("Vestergaard wins the sailing regatta",
     "Anders Vestergaard won the autumn regatta on Sunday, his third title in a row."),
    ("Vestergaard bakery celebrates 100 years",
     "The Vestergaard family bakery marked its centenary with free bread for the whole town."),
    ("Vestergaard named coach of the year",
     "Mette Vestergaard was named coach of the year by the national handball federation."),
    ("Vestergaard opens a gallery",
     "Painter Lars Vestergaard opened a small gallery of seascapes in the old harbour."),
    ("Vestergaard elected to the board",
     "Shareholders elected Sofie Vestergaard to the board of the shipping company."),
]
TARGET = Article(
    id="storm", title="Storm knocks out power across the coast", source="Coast Herald",
    published="2018-01-09",
    text="A winter storm left thousands of homes without electricity and closed several "
         "motorways overnight. Crews worked through the night, said utility spokeswoman "
         "Ingrid Vastergaard, and most homes should be reconnected by Friday.",
)
OTHERS = [
    Article(id="flood", title="Floods hit the river valley", source="Valley News",
            published="2017-12-20",
            text="Heavy rain caused the river to burst its banks, forcing hundreds of families "
                 "to leave their homes. Storm drains overflowed across the valley."),
    Article(id="budget", title="Parliament passes the budget", source="Capital Times",
            published="2018-01-03",
            text="Lawmakers approved the national budget on Tuesday after a long debate about "
                 "spending on hospitals and schools."),
]


@pytest.fixture
def corpus(make_assistant):
    a = make_assistant()
    people = [Article(id=f"v{i}", title=t, text=x, source="Town Crier", published="2016-06-01")
              for i, (t, x) in enumerate(VESTERGAARDS)]
    report = a.add_articles([*people, TARGET, *OTHERS])
    assert len(report.added) == 8
    return a


def ids(passages):
    return [p.article_id for p in passages]


def test_exact_name_dense_misses_hybrid_finds(corpus):
    question = "What did Vastergaard say?"
    assert "storm" not in ids(corpus.retrieve(question, k=3, mode="dense"))
    assert ids(corpus.retrieve(question, k=3, mode="lexical")) == ["storm"]
    assert ids(corpus.retrieve(question, k=3, mode="hybrid"))[0] == "storm"
    assert ids(corpus.retrieve(question, k=3))[0] == "storm"  # hybrid is the default


def test_filters_apply_on_every_mode(corpus):
    by_source = Filters(sources=("Valley News", "Capital Times"))
    by_date = Filters(since=date(2018, 1, 1), until=date(2018, 1, 31))
    by_id = Filters(article_ids=("v2", "flood"))
    for mode in ("hybrid", "dense", "lexical"):
        got = corpus.retrieve("storm homes families", k=5, mode=mode, filters=by_source,
                              date_filter=False)
        assert got and {p.source for p in got} <= {"Valley News", "Capital Times"}, mode
        got = corpus.retrieve("storm homes families", k=5, mode=mode, filters=by_date)
        assert got and {p.published[:7] for p in got} == {"2018-01"}, mode
        got = corpus.retrieve("Vestergaard coach", k=5, mode=mode, filters=by_id)
        assert got and set(ids(got)) <= {"v2", "flood"}, mode


def test_date_in_a_digest_question_is_its_scope(corpus):
    result = corpus.search("What happened yesterday?", reference_date=date(2018, 1, 10),
                           digest=True)
    assert result.date_range is not None and result.date_filter_applied
    assert (result.date_range.start, result.date_range.end) == (date(2018, 1, 9),) * 2
    assert ids(result.passages) == ["storm"]
    assert result.to_dict()["date_range"]["expression"] == "yesterday"
    # A period with no article: nothing, and the result says the range was the scope.
    empty = corpus.search("What happened in 2023?", reference_date=date(2018, 1, 10),
                          digest=True)
    assert empty.date_filter_applied and empty.passages == []


def test_date_in_other_questions_ranks_first_and_excludes_nothing(corpus):
    last_week = corpus.search("Did the river flood last week?",
                              reference_date=date(2017, 12, 27))
    assert ids(last_week.passages)[0] == "flood"
    assert last_week.dates_preferred and not last_week.date_filter_applied
    # No article from 2023: the range is shown, and answers still come back.
    none = corpus.search("Floods in 2023?", reference_date=date(2018, 1, 10))
    assert none.date_range is not None and none.passages and ids(none.passages)[0] == "flood"
    # The period's article gains on the others, which all stay.

    def scores(question, **options):
        return {p.article_id: p.score for p in corpus.search(question, **options).passages}

    plain = scores("What did lawmakers and crews do?", date_filter=False)
    dated = scores("What did lawmakers and crews do yesterday?",
                   reference_date=date(2018, 1, 10))
    assert set(dated) == set(plain) >= {"storm", "budget"}
    assert dated["storm"] - dated["budget"] > plain["storm"] - plain["budget"] + 0.5
    # The setting's reference date is used when the call gives none.
    corpus.options = replace(corpus.options, reference_date=date(2018, 1, 4))
    assert ids(corpus.search("What passed yesterday?").passages)[0] == "budget"


def test_retriever_is_a_langchain_retriever_with_a_mode(corpus):
    retriever = corpus.retriever
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("What did Vastergaard say?")
    assert docs[0].metadata["article_id"] == "storm"
    with pytest.raises(ValueError, match="mode"):
        retriever.ranked("x", mode="fuzzy")


class LengthReranker:
    """A deterministic stand-in for a cross-encoder: the longer the passage, the better."""

    def __init__(self):
        self.calls = 0

    def score(self, query, texts):
        self.calls += 1
        return [float(len(t)) for t in texts]


def test_reranker_reorders_the_top_candidates(corpus):
    before = corpus.retrieve("Vestergaard", k=3, mode="lexical")
    corpus.reranker = LengthReranker()
    got = corpus.retrieve("Vestergaard", k=3, mode="lexical")
    assert corpus.reranker.calls == 1
    longest = sorted(VESTERGAARDS, key=lambda tx: -len(tx[1]))[:3]
    assert [p.text for p in got] == [x for _, x in longest]
    assert [p.score for p in got] == [float(len(x)) for _, x in longest]
    assert [p.text for p in got] != [p.text for p in before]


def _with_retrieval(a, **changes):
    a.options = replace(a.options, retrieval=replace(a.options.retrieval, **changes))


def test_mmr_option_still_returns_k_relevant_passages(corpus):
    _with_retrieval(corpus, mmr=True)
    got = corpus.retrieve("Vestergaard", k=3, mode="dense")
    assert len(got) == 3 and all("Vestergaard" in p.title for p in got)


def test_mmr_trades_relevance_for_novelty(corpus):
    plain = corpus.retrieve("Vestergaard", k=3, mode="dense")
    assert all(p.article_id.startswith("v") for p in plain)
    # Novelty alone: after the most relevant passage comes the one least like it, which is
    # not another Vestergaard story.
    _with_retrieval(corpus, mmr=True, mmr_lambda=0.0)
    novel = corpus.retrieve("Vestergaard", k=3, mode="dense")
    assert novel[0].chunk_id == plain[0].chunk_id
    assert not novel[1].article_id.startswith("v")
