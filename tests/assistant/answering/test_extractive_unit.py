"""The extractive answerer and the citation verifier as pure stages: hand-made passages and the
hashed-words fake embedding, no model, no store.

The abstention model's weights were fitted on the real model's similarities; tests about how an
answer is composed switch it off (``abstain_threshold=1.0``) so they do not depend on how the fake
scores against those weights.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.answering.evidence import missing_names
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.verify import CitationVerifier
from assistant.results import ABSTAIN_TEXT, Answer, Delta, Final, Passage
from tests.fakes import HashEmbeddings

BRIDGE = ("The city council approved a new pedestrian bridge on Tuesday. "
          "The bridge will cost 48 million euros and should open in 2027. "
          "Critics said the river crossing was too expensive.")
VOLCANO = ("A volcano erupted near the fishing town of Grindavik on Monday night. "
           "The town of Grindavik was evacuated before the eruption began.")
CHESS = "Magnus Carlsen won the rapid chess championship in Samarkand after a tiebreak."

# The abstention model off, for factoids and lists alike.
NO_ABSTAINING = {"abstain_threshold": 1.0, "list_abstain_threshold": 1.0,
                 "part_abstain_threshold": 1.0}

APPROVED = "The city council approved a new pedestrian bridge on Tuesday."
COST = "The bridge will cost 48 million euros and should open in 2027."
ERUPTED = "A volcano erupted near the fishing town of Grindavik on Monday night."
EVACUATED = "The town of Grindavik was evacuated before the eruption began."
# Shares two key words with COST and two with ERUPTED: both sentences score the same.
TWO_PART = "Tell me where the volcano erupted and what the bridge will cost."


def passage(article_id: str, text: str, start: int, *, n: int = 0) -> Passage:
    return Passage(article_id=article_id, chunk_id=f"{article_id}:{n}",
                   title=f"{article_id.title()} story", url=f"https://news.example.com/{article_id}",
                   published="2024-01-02", source="Reuters", text=text, start=start,
                   end=start + len(text), score=0.5)


@pytest.fixture(scope="module")
def fake() -> HashEmbeddings:
    return HashEmbeddings()


@pytest.fixture
def answerer(fake: HashEmbeddings) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(fake.encode, **NO_ABSTAINING)


def test_the_fake_embeds_shared_words_close_and_other_topics_apart(fake: HashEmbeddings):
    vectors = fake.encode([BRIDGE, VOLCANO, CHESS, "the bridge", "THE BRIDGES"])
    assert vectors.shape == (5, fake.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    # The three articles share no content word (no hash collision either): orthogonal.
    assert np.allclose(vectors[:3] @ vectors[:3].T, np.eye(3), atol=1e-6)
    assert float(vectors[3] @ vectors[4]) == pytest.approx(1.0)  # case and plural folded
    # The LangChain methods give the same vectors as ``encode``.
    assert fake.embed_query(COST) == fake.encode([COST])[0].tolist()
    assert fake.embed_documents([COST, CHESS]) == fake.encode([COST, CHESS]).tolist()


def test_answer_cites_the_passage_holding_the_best_sentence():
    # Default abstention: the question repeats the sentence's key words, the fake scores it high.
    answerer = ExtractiveAnswerer(HashEmbeddings().encode)
    passages = [passage("chess", CHESS, 50), passage("volcano", VOLCANO, 0),
                passage("bridge", BRIDGE, 200)]
    answer = answerer.answer("How much will the bridge cost in euros?", passages)
    assert not answer.abstained
    assert answer.text == f"{COST} [1]"
    [c] = answer.citations
    assert (c.n, c.article_id, c.title, c.url, c.published, c.source) == (
        1, "bridge", "Bridge story", "https://news.example.com/bridge", "2024-01-02", "Reuters")
    # The citation locates the passage in the article, and the sentence within it.
    assert (c.passage, c.start, c.end) == (BRIDGE, 200, 200 + len(BRIDGE))
    assert c.sentences == ((262, 324),)
    assert BRIDGE[262 - 200:324 - 200] == COST
    assert answer.passages == tuple(passages)


def test_markers_are_numbered_in_order_of_first_use(answerer: ExtractiveAnswerer):
    chess, bridge, volcano = (passage("chess", CHESS, 50), passage("bridge", BRIDGE, 200),
                              passage("volcano", VOLCANO, 0))
    # The unused first passage gets no number: the first cited one is [1].
    answer = answerer.answer(TWO_PART, [chess, bridge, volcano])
    assert answer.text == f"{COST} [1] {ERUPTED} [2]"
    assert [(c.n, c.article_id) for c in answer.citations] == [(1, "bridge"), (2, "volcano")]
    # Ranked the other way round, the answer reads (and numbers) the volcano first.
    answer = answerer.answer(TWO_PART, [volcano, chess, bridge])
    assert answer.text == f"{ERUPTED} [1] {COST} [2]"
    assert [(c.n, c.article_id) for c in answer.citations] == [(1, "volcano"), (2, "bridge")]


def test_citations_carry_the_offsets_of_the_sentences_they_support(
        answerer: ExtractiveAnswerer):
    passages = [passage("volcano", VOLCANO, 1000), passage("bridge", BRIDGE, 200)]
    answer = answerer.answer("What will the bridge cost in euros, and which council approved it?",
                             passages)
    # Two questions in one: a list, a line for each sentence.
    assert answer.text == f"{APPROVED} [1]\n{COST} [1]"
    [c] = answer.citations
    assert c.article_id == "bridge"
    assert c.sentences == ((200, 261), (262, 324))
    assert [c.passage[s - c.start:e - c.start] for s, e in c.sentences] == [APPROVED, COST]
    answer = answerer.answer("When was Grindavik evacuated?", passages)
    assert answer.text == f"{EVACUATED} [1]"
    [c] = answer.citations
    assert c.article_id == "volcano" and c.sentences == ((1070, 1132),)
    assert VOLCANO[1070 - 1000:1132 - 1000] == EVACUATED


def test_a_sentence_two_passages_share_is_said_once(answerer: ExtractiveAnswerer):
    # The same wire story in two papers: both hold the best sentence.
    reuters = passage("bridge-reuters", BRIDGE, 200)
    afp = passage("bridge-afp", "Paris, Jan 2 (AFP). " + BRIDGE, 0)
    answer = answerer.answer("How much will the bridge cost in euros?", [reuters, afp])
    assert answer.text == f"{COST} [1]"
    assert [c.article_id for c in answer.citations] == ["bridge-reuters"]


def test_max_sentences_is_respected(fake: HashEmbeddings):
    passages = [passage("bridge", BRIDGE, 200), passage("volcano", VOLCANO, 0)]
    two = ExtractiveAnswerer(fake.encode, **NO_ABSTAINING).answer(TWO_PART, passages)
    assert two.text == f"{COST} [1] {ERUPTED} [2]"
    one = ExtractiveAnswerer(fake.encode, **NO_ABSTAINING, max_sentences=1).answer(
        TWO_PART, passages)
    # The two sentences tie on words; either alone is a right answer, never both.
    assert one.text in (f"{COST} [1]", f"{ERUPTED} [1]")
    assert len(one.citations) == 1


@pytest.mark.parametrize("question, passages", [
    ("How much will the bridge cost?", []),
    ("   ", [passage("bridge", BRIDGE, 200)]),
], ids=["no passages", "blank question"])
def test_no_passage_or_no_question_abstains(fake: HashEmbeddings, question, passages):
    # Even an answerer that would quote any sentence at all has nothing to answer here.
    quote_anything = ExtractiveAnswerer(fake.encode, min_support=0.0, **NO_ABSTAINING)
    answer = quote_anything.answer(question, passages)
    assert answer == Answer.abstaining(question, passages)
    assert answer.text == ABSTAIN_TEXT and answer.abstained and answer.citations == ()


def test_a_passage_sharing_no_word_with_the_question_abstains(fake: HashEmbeddings):
    passages = [passage("bridge", BRIDGE, 200)]
    question = "Who won the rapid chess championship?"
    answer = ExtractiveAnswerer(fake.encode).answer(question, passages)
    assert answer == Answer.abstaining(question, passages)
    assert answer.text == ABSTAIN_TEXT and answer.citations == ()


def test_stream_yields_deltas_that_join_to_the_final_answer(answerer: ExtractiveAnswerer):
    passages = [passage("chess", CHESS, 50), passage("bridge", BRIDGE, 200),
                passage("volcano", VOLCANO, 0)]
    *deltas, last = answerer.stream(TWO_PART, passages)
    assert isinstance(last, Final) and last.answer == answerer.answer(TWO_PART, passages)
    assert len(deltas) > 1 and all(isinstance(d, Delta) for d in deltas)
    assert "".join(d.text for d in deltas) == last.answer.text == f"{COST} [1] {ERUPTED} [2]"


# -- the citation verifier ------------------------------------------------------------------------

@pytest.fixture
def verifier(fake: HashEmbeddings) -> CitationVerifier:
    return CitationVerifier(fake.encode, min_similarity=0.5, min_terms=0.5)


def test_a_sentence_its_passage_supports_is_kept(verifier: CitationVerifier):
    passages = [passage("volcano", VOLCANO, 0), passage("bridge", BRIDGE, 200)]
    answer = verifier("How much will the bridge cost?", "The bridge will cost 48 million "
                      "euros [2].", passages)
    assert answer.text == "The bridge will cost 48 million euros. [1]"
    assert answer.unsupported == () and not answer.abstained
    [c] = answer.citations
    assert (c.n, c.article_id, c.sentences) == (1, "bridge", ((262, 324),))


def test_a_sentence_citing_an_unrelated_passage_is_unsupported(verifier: CitationVerifier):
    passages = [passage("volcano", VOLCANO, 0), passage("bridge", BRIDGE, 200)]
    answer = verifier("How much will the bridge cost?",
                      "The bridge will cost 48 million euros [2]. "
                      "A volcano erupted near Grindavik [2].", passages)
    assert answer.text == "The bridge will cost 48 million euros. [1]"
    assert answer.unsupported == ("A volcano erupted near Grindavik.",)
    assert [c.article_id for c in answer.citations] == ["bridge"]
    # With nothing supported left, the answer abstains and still lists what it dropped.
    alone = verifier("Where?", "A volcano erupted near Grindavik [2].", passages)
    assert alone.abstained and alone.text == ABSTAIN_TEXT and alone.citations == ()
    assert alone.unsupported == ("A volcano erupted near Grindavik.",)


def test_a_sentence_with_a_number_its_passage_never_states_is_unsupported(
        verifier: CitationVerifier, fake: HashEmbeddings):
    wrong = "The bridge will cost 90 million euros."
    # Close in meaning to the passage's sentence, but the figure is not the article's.
    assert float(fake.encode([wrong])[0] @ fake.encode([COST])[0]) > 0.5
    answer = verifier("How much will the bridge cost?", f"{wrong} [1]",
                      [passage("bridge", BRIDGE, 200)])
    assert answer.abstained and answer.unsupported == (wrong,)


def test_check_reverifies_an_extractive_answer(answerer: ExtractiveAnswerer,
                                               verifier: CitationVerifier):
    passages = [passage("chess", CHESS, 50), passage("bridge", BRIDGE, 200),
                passage("volcano", VOLCANO, 0)]
    answer = answerer.answer(TWO_PART, passages)
    checked = verifier.check(answer)
    # The extractive answer quotes its passages: everything survives, numbered the same.
    assert checked.text == answer.text == f"{COST} [1] {ERUPTED} [2]"
    assert checked.unsupported == ()
    assert [(c.n, c.article_id, c.sentences) for c in checked.citations] == [
        (1, "bridge", ((262, 324),)), (2, "volcano", ((0, 69),))]
    assert checked.passages == answer.passages
    # A sentence added to it that its citation does not back is taken out again.
    tampered = replace(answer, text=answer.text + " Zaha Hadid designed the bridge [1].")
    rechecked = verifier.check(tampered)
    assert rechecked.text == answer.text
    assert rechecked.unsupported == ("Zaha Hadid designed the bridge.",)
    # An abstaining answer is left as it is.
    abstaining = Answer.abstaining(TWO_PART, passages)
    assert verifier.check(abstaining) is abstaining


@pytest.mark.parametrize(("name", "text", "missing"), [
    ("Britain", "The Bank of England held rates.", False),
    ("Tube", "London Underground workers will strike.", False),
    ("US", "The jury in New York said the U.S. case stands.", False),
    ("US", "Tell us what happened in Paris.", True),  # "us" is no country
    ("Bank of Japan", "The Bank of England held rates.", True),
    ("New York", "A federal jury convicted him.", False),  # named by the dateline
    ("Thai", "A Bangkok court ruled on Tuesday.", False),  # a country by its capital
    ("Estonian", "TALLINN - The premier lost a vote.", False),
    ("Porto", "Lisbon voted; the Portuguese capital celebrated.", True),  # a city is itself
    ("Algeria", "Nothing about the Maghreb here.", True),
    ("Ivorian", "Ivory Coast's cocoa farmers sold less.", False),  # a people, four letters
    ("Montreux", "Earlier this month the festival opened.", True),  # not a people: "month"
    ("Torneo Clausura", "Rambla won the Torneo Intermedio.", True),  # every word counts
    # A name is mentioned as a name: "Pride" is not found by "prided" …
    ("Pride", "Hardy prided himself on work of no practical use.", True),
    # … though a name's common noun may be written in lower case.
    ("Canarian Islands", "He conquered the Canarian islands of Lanzarote.", False),
])
def test_a_name_counts_as_mentioned_under_its_usual_aliases(name, text, missing):
    p = replace(passage("a", text, 0), place="NEW YORK" if name == "New York" else None)
    assert bool(missing_names([name], [p])) is missing


def test_a_fact_from_a_story_that_does_not_name_the_question_s_place_is_a_near_miss(fake):
    """The best sentence answers "how many died in the earthquake in Chile?" from a story about
    Peru, while another passage mentions Chile: a near miss, not an answer. Asked of Peru, it
    answers."""
    answerer = ExtractiveAnswerer(fake.encode, **NO_ABSTAINING)
    passages = [
        passage("peru", "An earthquake struck southern Peru on Wednesday, killing 12 people, "
                        "authorities said.", 0),
        passage("strike", "Cabin crews in Chile began a three-day strike on Thursday.", 0, n=1),
    ]
    assert answerer.answer("How many people died in the earthquake in Chile?",
                           passages).abstained
    answer = answerer.answer("How many people died in the earthquake in Peru?", passages)
    assert not answer.abstained and "12 people" in answer.text


def test_a_question_joining_two_names_is_answered_from_each_story(answerer):
    passages = [
        passage("steel", "Rheinwerk said on Monday it would cut 900 jobs at its Duisburg plant. "
                         "The company makes steel for carmakers.", 0),
        passage("poland", "Hanseong will build a battery plant in Poland, creating 1,800 jobs. "
                          "Production in Poland is due to start in 2029.", 0),
        passage("mexico", "Nordvik will build a truck plant in Mexico, creating 3,500 jobs. "
                          "The Mexico factory will build 40,000 trucks a year.", 0),
    ]
    answer = answerer.answer("How many jobs will the plant in Poland and the one in Mexico "
                             "create?", passages)
    assert answer.form == "list"
    assert {c.article_id for c in answer.citations} == {"poland", "mexico"}
    assert "1,800" in answer.text and "3,500" in answer.text


def test_a_part_of_a_joined_question_is_answered_only_by_a_story_that_names_it(answerer):
    """The passages mention both places (a photo caption), but the fine and the verdict they
    report are elsewhere: the same kind of facts about other places, no answer. Told of the
    places asked about, it answers."""
    caption = passage("skyline", "Photo: The skylines of London and New York at dusk.", 0)

    def asked(fine: str, verdict: str):
        return answerer.answer(
            "Which company was fined in a London court and who was found guilty in New York?",
            [passage("fine", f"A court in {fine} fined the water company Acme 3 million euros "
                             "for polluting a river.", 0),
             passage("verdict", f"A jury in {verdict} found the banker Bob Smith guilty of "
                                "fraud on Friday.", 0), caption])

    assert asked("Paris", "Chicago").abstained
    answer = asked("London", "New York")
    assert not answer.abstained
    assert {c.article_id for c in answer.citations} == {"fine", "verdict"}


def test_a_joined_question_abstains_when_nothing_supports_one_of_its_parts(answerer):
    """Only a photo caption mentions the Bank of Japan: the question is half answered, which is
    no answer. With a report of its decision, both parts are."""
    england = passage("boe", "The Bank of England kept interest rates on hold at 3.75% on "
                             "Thursday.", 0)
    caption = passage("tokyo", "Photo: Tokyo, where the Bank of Japan meets.", 0)
    question = "What did the Bank of England and the Bank of Japan decide?"
    assert answerer.answer(question, [england, caption]).abstained
    japan = passage("boj", "The Bank of Japan decided to raise interest rates to 0.5% on "
                           "Friday.", 0)
    answer = answerer.answer(question, [england, caption, japan])
    assert not answer.abstained
    assert {c.article_id for c in answer.citations} == {"boe", "boj"}


def test_captions_bylines_and_question_subheadings_are_never_quoted(answerer):
    text = ("Hide Caption 3 of 12 The bridge will cost 48 million euros. "
            "What will the bridge cost? "
            "By Jane Doe and John Smith. "
            "The bridge will cost 48 million euros and should open in 2027.")
    answer = answerer.answer("What will the bridge cost?", [passage("bridge", text, 0)])
    assert not answer.abstained
    assert "Hide Caption" not in answer.text and "?" not in answer.text
    assert "Jane Doe" not in answer.text
    assert "48 million euros and should open in 2027" in answer.text


def test_a_sentence_two_copies_of_a_story_share_is_quoted_once(answerer):
    copies = [passage("bridge", BRIDGE, 0), replace(passage("bridge-copy", BRIDGE, 0),
                                                    source="AFP")]
    answer = answerer.answer("What will the bridge cost?", copies)
    assert answer.text.count(COST) == 1


def test_the_bold_span_is_the_entity_asked_for(answerer):
    answer = answerer.answer("When should the bridge open?", [passage("bridge", BRIDGE, 0)])
    assert [answer.text[a:b] for a, b in answer.answer_spans] == ["2027"]


def test_nothing_stands_out_only_in_a_crowd(fake: HashEmbeddings):
    """``flat`` (nothing retrieved stands out) is read among enough retrieved sentences: the
    best of an index's two sentences is compared with no crowd and never called flat."""
    answerer = ExtractiveAnswerer(fake.encode)
    question = "How long will the bridge construction take?"
    small = [passage("bridge", "The council approved a new bridge over the estuary. "
                               "Bridge construction starts in spring and should take three "
                               "years.", 0)]
    assert answerer.abstention_signals(question, small).flat == 0.0
    assert not answerer.answer(question, small).abstained
    crowd = " ".join(f"Bridge construction on route {n} will take a while." for n in range(14))
    many = [passage("roads", crowd, 0)]
    signals = answerer.abstention_signals(question, many)
    assert signals is not None and signals.flat > 0.0


def test_a_list_naming_things_of_the_asked_kind_abstains_by_the_looser_threshold(fake):
    """Past the list threshold, a list still answers by ``named_list_abstain_threshold`` when
    one of its best sentences names two or more things of the kind asked for."""
    grid = passage("grid", "Norway, Denmark and the Netherlands signed the North Sea grid deal "
                   "on Thursday. Germany and Belgium could join the grid project later, "
                   "officials said.", 0)
    quiet = passage("grid", "The North Sea grid deal was signed on Thursday. More members "
                    "could join the grid project later, officials said.", 0)
    strict = ExtractiveAnswerer(fake.encode, abstain_threshold=1.0, list_abstain_threshold=0.0,
                                named_list_abstain_threshold=1.0, part_abstain_threshold=1.0)
    question = "Which countries could join the North Sea grid project later?"
    answered = strict.answer(question, [grid])
    assert not answered.abstained and "Germany and Belgium" in answered.text
    assert strict.answer(question, [quiet]).abstained
    # A count or a date is no named thing: any two numbers would pass.
    assert strict.answer("How many countries signed the grid deal, and how many could join?",
                         [grid]).abstained
    never = ExtractiveAnswerer(fake.encode, abstain_threshold=1.0, list_abstain_threshold=0.0,
                               named_list_abstain_threshold=0.0, part_abstain_threshold=1.0)
    assert never.answer(question, [grid]).abstained


def test_what_a_person_said_is_their_quoted_words(fake):
    text = ("Mayor Jonas Berg of the Civic list received 9,402 votes against 9,388 for challenger "
            "Liisa Tamm of the Green alliance, according to the preliminary count. "
            "\"Every vote must count, and we want everyone to trust the result,\" Tamm told "
            "reporters on Friday.")
    quote = "Every vote must count"

    def answer(bonus: float) -> str:
        return ExtractiveAnswerer(fake.encode, **NO_ABSTAINING, max_sentences=1,
                                  speech_bonus=bonus).answer(
            "What did Liisa Tamm say?", [passage("recount", text, 0)]).text

    assert quote in answer(0.1) and quote not in answer(0.0)
