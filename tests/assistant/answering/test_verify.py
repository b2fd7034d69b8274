"""Citation parsing and the support checks, without a chat model."""

from __future__ import annotations

from assistant.answering.text import CachedEncoder
from assistant.answering.verify import (
    CitationVerifier,
    is_abstention,
    missing_facts,
    parse_citations,
)
from assistant.results import Passage

BRIDGE = ("The city council voted eleven to two on Tuesday to approve a new pedestrian bridge. "
          "The bridge will cost 48 million euros and should open in 2027, the mayor said.")
VOLCANO = "A volcano erupted near the fishing town of Grindavik on Monday night."


def passage(article_id: str, text: str, start: int = 100) -> Passage:
    return Passage(article_id=article_id, chunk_id=f"{article_id}:0", title=article_id.title(),
                   url=None, published=None, source=None, text=text, start=start,
                   end=start + len(text), score=0.5)


def test_markers_are_parsed_wherever_the_model_puts_them():
    claims = parse_citations("It costs 48 million euros [1][2]. It opens in 2027. [3] "
                             "Lava reached the town [1, 4]. [2]")
    assert [(c.text, c.cited) for c in claims] == [
        ("It costs 48 million euros.", (1, 2)),
        ("It opens in 2027.", (3,)),
        ("Lava reached the town.", (1, 4, 2)),
    ]


def test_numbers_and_names_must_occur_in_the_cited_passage():
    assert missing_facts("The bridge will cost 48 million euros.", BRIDGE) == set()
    assert missing_facts("The bridge will cost 90 million euros.", BRIDGE) == {"90"}
    assert missing_facts("The bridge was designed by Zaha Hadid.", BRIDGE) == {"Zaha", "Hadid"}


def test_verifier_renumbers_drops_and_locates(embeddings):
    verify = CitationVerifier(CachedEncoder(embeddings.encode))
    passages = [passage("volcano", VOLCANO, 0), passage("bridge", BRIDGE, 100)]
    answer = verify("How much will the bridge cost?",
                    "The bridge will cost 48 million euros [2]. The volcano erupted near "
                    "Grindavik [2]. It opens in 2031 [2]. Nobody knows why [5].", passages)
    assert answer.text == "The bridge will cost 48 million euros. [1]"
    assert answer.unsupported == ("The volcano erupted near Grindavik.", "It opens in 2031.",
                                  "Nobody knows why.")
    [c] = answer.citations
    assert c.n == 1 and c.article_id == "bridge"
    # Offsets are in the article: the passage starts at 100.
    [(s, e)] = c.sentences
    assert BRIDGE[s - 100:e - 100].startswith("The bridge will cost 48 million euros")


def test_nothing_supported_means_abstaining(embeddings):
    verify = CitationVerifier(CachedEncoder(embeddings.encode))
    answer = verify("Who designed it?", "Zaha Hadid designed the bridge [1].",
                    [passage("bridge", BRIDGE)])
    assert answer.abstained and answer.citations == ()
    assert answer.unsupported == ("Zaha Hadid designed the bridge.",)
    assert is_abstention("I don't know.") and not is_abstention("The bridge costs 48m. [1]")


def test_sentence_vectors_are_cached(embeddings):
    calls: list[list[str]] = []

    def encode(texts):
        calls.append(list(texts))
        return embeddings.encode(texts)

    cached = CachedEncoder(encode)
    first = cached(["a b c", "d e f"])
    second = cached(["d e f", "g h i", "a b c"])
    assert calls == [["a b c", "d e f"], ["g h i"]]
    assert (second[0] == first[1]).all() and (second[2] == first[0]).all()


def test_a_sentence_may_combine_the_passages_it_cites(embeddings):
    verify = CitationVerifier(CachedEncoder(embeddings.encode))
    passages = [passage("volcano", VOLCANO, 0), passage("bridge", BRIDGE, 100)]
    answer = verify("What happened?", "A volcano erupted near Grindavik on Monday and the "
                    "council approved a pedestrian bridge costing 48 million euros [1][2].",
                    passages)
    assert not answer.abstained and answer.text.endswith("[1][2]")
    assert [c.article_id for c in answer.citations] == ["volcano", "bridge"]
    # Each alone lacks a fact of the sentence.
    alone = verify("What happened?", "A volcano erupted near Grindavik on Monday and the "
                   "council approved a pedestrian bridge costing 48 million euros [2].", passages)
    assert alone.abstained
