"""Follow-up questions: the deterministic rewriter, and multi-turn conversations end to end."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from assistant import Delta, Final
from assistant.answering.conversation import (
    Turn,
    last_cited,
    normalise_history,
    rewrite_followup,
)
from tests.conftest import TEST_DATA


def user(text: str) -> Turn:
    return Turn("user", text)


@pytest.mark.parametrize(("history", "question", "expected"), [
    (["Who is Marlene Schiappa?"], "What did she kick off?",
     "What did Marlene Schiappa kick off?"),
    (["What did Catherine Deneuve say about the #MeToo campaign?"], "What did she call it?",
     "What did Catherine Deneuve call the #MeToo campaign?"),
    (["What did Catherine Deneuve say about the #MeToo campaign?"], "And the minister?",
     "What did the minister say about the #MeToo campaign?"),
    (["What did Catherine Deneuve say about the #MeToo campaign?"], "What about Marlene Schiappa?",
     "What did Marlene Schiappa say about the #MeToo campaign?"),
    (["How much will the new pedestrian bridge cost?"], "When will it open?",
     "When will the new pedestrian bridge open?"),
    (["Who won the rapid chess championship?", "Who is Nodirbek Abdusattorov?"],
     "Who did he beat?", "Who did Nodirbek Abdusattorov beat?"),
])
def test_follow_ups_are_rewritten_into_standalone_questions(history, question, expected):
    assert rewrite_followup(question, [user(h) for h in history]) == expected


def test_standalone_questions_are_left_alone():
    history = [user("Who is Marlene Schiappa?")]
    assert rewrite_followup("How much will the pedestrian bridge cost?", history) is None
    assert rewrite_followup("And who won the chess championship?", history) is None
    assert rewrite_followup("What did she kick off?", []) is None
    assert rewrite_followup(" ? ", history) is None


def test_what_about_it_is_a_pronoun_to_resolve_not_a_new_subject():
    history = [user("How much will the new pedestrian bridge cost?")]
    assert rewrite_followup("What about it?", history) == "What about the new pedestrian bridge?"


def test_history_accepts_dicts_pairs_and_langchain_messages():
    rendered = "Schiappa is the minister [1].\n\n**Sources**\n\n**[1] Some title**"
    turns = normalise_history([
        {"role": "user", "content": "Who is Marlene Schiappa?"},
        {"role": "assistant", "content": rendered},
        ("user", "And Deneuve?"),
        HumanMessage("What did she sign?"),
        AIMessage("A letter."),
        {"role": "user", "content": "  "},
    ])
    assert [t.role for t in turns] == ["user", "assistant", "user", "user", "assistant"]
    assert turns[1].content == "Schiappa is the minister [1]."  # the UI's sources are not speech
    with pytest.raises(ValueError, match="role 'user' or 'assistant'"):
        normalise_history([{"role": "narrator", "content": "x"}])


def test_multi_turn_conversation_in_extractive_mode(news):
    first = news.ask("Who is Marlene Schiappa?")
    assert "minister" in first.text and first.rewritten_question is None
    history = [{"role": "user", "content": "Who is Marlene Schiappa?"},
               {"role": "assistant", "content": first.text}]
    follow = news.ask("What did she kick off?", history=history)
    assert follow.rewritten_question == "What did Marlene Schiappa kick off?"
    assert follow.question == "What did she kick off?"
    assert not follow.abstained and "nationwide consultations" in follow.text
    assert follow.to_dict()["rewritten_question"] == "What did Marlene Schiappa kick off?"


def test_follow_up_switches_subject_across_articles(news):
    history = [{"role": "user", "content": "How much will the new pedestrian bridge cost?"},
               {"role": "assistant", "content": news.ask(
                   "How much will the new pedestrian bridge cost?").text}]
    answer = news.ask("When will it open?", history=history)
    assert answer.rewritten_question == "When will the new pedestrian bridge open?"
    assert "2027" in answer.text and answer.citations[0].article_id == "bridge"


def test_who_else_finds_the_other_signatory_the_cited_article_names(news):
    asked = "What did Catherine Deneuve and the other signatories call the #MeToo campaign?"
    history = [{"role": "user", "content": asked},
               {"role": "assistant", "content": news.ask(asked).text}]
    answer = news.ask("Who else signed it?", history=history)
    # What "it" is depends on the first answer (the letter, when it names the letter).
    assert "besides Catherine Deneuve" in answer.rewritten_question
    assert "signatories" not in answer.rewritten_question.split("(")[0]
    assert "Catherine Millet" in answer.text


def test_stream_with_history_ends_with_the_rewritten_answer(news):
    history = [HumanMessage("Who is Marlene Schiappa?")]
    *deltas, last = list(news.stream("What did she kick off?", history=history))
    assert isinstance(last, Final) and all(isinstance(d, Delta) for d in deltas)
    final = last.answer
    assert "".join(d.text for d in deltas) == final.text
    assert final.rewritten_question == "What did Marlene Schiappa kick off?"


def offtopic_questions() -> list[str]:
    lines = (TEST_DATA / "offtopic_questions.txt").read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def test_off_topic_questions_abstain(news):
    questions = offtopic_questions()
    assert len(questions) >= 50
    answered = [q for q in questions if not news.ask(q).abstained]
    # The target is >= 90 %; on these short news items every one abstains today.
    assert len(answered) <= len(questions) // 10, answered


FACTORIES = [Turn("user", "Which companies announced new factories?"),
             Turn("assistant", "Hanseong Energy will build a plant near Wroclaw in Poland [1], "
                               "and Nordvik Motors a plant in Nuevo Leon, Mexico [2].")]


@pytest.mark.parametrize(("question", "expected"), [
    ("How many jobs will the second one bring?",
     "How many jobs will Nordvik Motors Nuevo Leon bring?"),
    ("When does the first one open?", "When does Hanseong Energy Wroclaw open?"),
    ("When does production start at the Polish one?",
     "When does production start at Hanseong Energy Wroclaw?"),
    ("How big is the Mexican plant?", "How big is Nordvik Motors Nuevo Leon?"),
    # No item names Italy: the question keeps its words and carries the topic along.
    ("How big is the Italian one?", "How big is the Italian one (companies announced new "
                                    "factories)?"),
])
def test_a_follow_up_can_point_at_an_item_of_the_previous_answer(question, expected):
    assert rewrite_followup(question, FACTORIES) == expected


def test_he_and_she_are_the_person_the_answer_named_not_a_place():
    history = [Turn("user", "Who won the Lisbon mayoral election?"),
               Turn("assistant", "Socialist candidate Helena Vaz won Lisbon's mayoral election "
                                 "on Sunday [1].")]
    assert rewrite_followup("How many votes did she get?", history) == \
        "How many votes did Helena Vaz get?"
    history = [Turn("user", "Who won the Paris Masters?"),
               Turn("assistant", "Luca Brenner beat Tomas Varga in the final [1].")]
    assert rewrite_followup("How old is he?", history) == "How old is Luca Brenner?"
    # The small model calls the parliament a person too: a full name wins over one word.
    history = [Turn("user", "Did the Estonian government survive the vote in parliament?"),
               Turn("assistant", "Yes. Only 41 members of the 101-seat Riigikogu voted to remove "
                                 "Prime Minister Kadri Lepik [1].")]
    assert rewrite_followup("Why did the opposition try to oust her?", history) == \
        "Why did the opposition try to oust Kadri Lepik?"


def test_an_answer_turn_keeps_the_articles_it_cited():
    turns = normalise_history([
        {"role": "user", "content": "Why did the EU fine Parlo?"},
        {"role": "assistant", "content": "For combining data [1].",
         "citations": [{"article_id": "eu-parlo-fine", "title": "EU fines Parlo"}, "other"]},
        {"role": "user", "content": "Will they appeal?"},
    ])
    assert turns[1].cited == ("eu-parlo-fine", "other")
    assert last_cited(turns) == ("eu-parlo-fine", "other")
    assert last_cited(normalise_history([{"role": "assistant", "content": "x"}])) == ()


def test_there_is_the_place_the_answer_named_but_is_there_is_not():
    history = [Turn("user", "Which city was hit hardest by the dengue outbreak?"),
               Turn("assistant", "Dhaka, where hospitals are overflowing [1].")]
    assert rewrite_followup("How many people live there?", history) == \
        "How many people live in Dhaka?"
    assert "Dhaka" not in (rewrite_followup("Is there a vaccine?", history) or "")


def test_the_first_one_points_into_the_last_answer_that_listed_several():
    history = [*FACTORIES, Turn("user", "How many jobs will the Mexican plant bring?"),
               Turn("assistant", "About 3,500 jobs [2].")]
    assert rewrite_followup("When does the first one open?", history) == \
        "When does Hanseong Energy Wroclaw open?"


def test_the_chat_s_rendered_sources_say_which_articles_an_answer_cited():
    from assistant.interfaces.ui_render import render_answer
    from assistant.results import Answer, Citation

    cited = Citation(n=1, article_id='a"1', title="T", url=None, published=None, source=None,
                     passage="P.", start=0, end=2, score=0.9)
    content = render_answer(Answer(question="q", text="P. [1]", citations=(cited,)))
    turns = normalise_history([{"role": "user", "content": "q"},
                               {"role": "assistant", "content": content}])
    assert turns[1].cited == ('a"1',) and "Sources" not in turns[1].content


# -- follow-ups read with the English pipeline ------------------------------------------------

DENEUVE = [Turn("user", "What did Catherine Deneuve and the other signatories call the #MeToo "
                        "campaign?"),
           Turn("assistant", "But for Deneuve and the other signatories of the letter, including "
                             "writers and journalists, this had gone too far. [1] Actress "
                             "Catherine Deneuve and 99 other French women denounced a backlash "
                             "against men following the Harvey Weinstein scandal. [2]")]


def test_who_else_excludes_the_people_already_given_and_it_is_what_they_signed():
    # "it" is what the signatories signed, and the answerer skips names the question holds; a
    # name that only qualifies a noun ("the Harvey Weinstein scandal") signed nothing.
    assert rewrite_followup("Who else signed it?", DENEUVE) == \
        "Who else signed the letter besides Catherine Deneuve?"
    history = [Turn("user", "Who signed the letter?"),
               Turn("assistant", "Catherine Deneuve and Catherine Millet signed it [1].")]
    assert rewrite_followup("Who else signed it?", history) == \
        "Who else signed the letter besides Catherine Deneuve and Catherine Millet?"
    # Signatories of something unnamed: "it" is not the campaign; the topic goes along.
    unnamed = [DENEUVE[0], Turn("assistant", "Catherine Deneuve and 99 other French women "
                                             "denounced a backlash against men. [1]")]
    assert rewrite_followup("Who else signed it?", unnamed) == \
        "Who else signed it besides Catherine Deneuve (signatories MeToo campaign)?"


@pytest.mark.parametrize("dateline", ["BRISBANE, Australia (AP) — ", "BRISBANE, Australia — ",
                                      "BRISBANE (Reuters) - ", ""])
def test_he_is_the_person_of_a_dateline_led_answer_not_its_place(dateline):
    history = [Turn("user", "Who won the Brisbane International?"),
               Turn("assistant", f"{dateline}Novak Djokovic beat Reilly Opelka in the final on "
                                 "Sunday. [1]")]
    assert rewrite_followup("Who did he defeat?", history) == "Who did Novak Djokovic defeat?"
    assert rewrite_followup("How old is he?", history) == "How old is Novak Djokovic?"


def test_a_dateline_inside_an_answer_is_no_one_either():
    history = [Turn("user", "Who was arrested?"),
               Turn("assistant", "The police said so. [1] LAHAINA, Hawaii — Officers arrested "
                                 "Kalani Mahoe on Friday. [2]")]
    assert rewrite_followup("What is he accused of?", history) == \
        "What is Kalani Mahoe accused of?"


def test_the_question_s_person_comes_before_the_answer_s():
    history = [Turn("user", "Who did Marlene Schiappa meet?"),
               Turn("assistant", "She met Emmanuel Macron on Monday [1].")]
    assert rewrite_followup("What did she say?", history) == "What did Marlene Schiappa say?"


def test_a_person_the_question_only_mentions_comes_after_the_answer_s():
    history = [Turn("user", "Who was arrested after Shinzo Abe was shot?"),
               Turn("assistant", "NARA, Japan (AP) — Police arrested Tetsuya Yamagami, 41, at "
                                 "the scene [1].")]
    assert rewrite_followup("What weapon did he use?", history) == \
        "What weapon did Tetsuya Yamagami use?"
    history = [Turn("user", "Who is the new CEO of Twitter?"),
               Turn("assistant", "Linda Yaccarino, a former NBCUniversal executive, was named "
                                 "chief executive [1].")]
    assert rewrite_followup("When does she start?", history) == "When does Linda Yaccarino start?"


def test_they_after_a_question_for_several_things_are_the_things_the_answer_named():
    history = [Turn("user", "Which countries want to join NATO?"),
               Turn("assistant", "Finland and Sweden applied to join the alliance [1].")]
    assert rewrite_followup("When did they apply?", history) == \
        "When did Finland and Sweden apply?"
    assert rewrite_followup("What did Turkey say about it?", history) == \
        "What did Turkey say about NATO?"


def test_a_possessive_in_the_thing_asked_about_is_its_owner():
    history = [Turn("user", "Is AT&T shutting down its 3G network?"),
               Turn("assistant", "Yes. AT&T is taking the step on February 22 [1].")]
    assert rewrite_followup("Will it affect older phones?", history) == \
        "Will AT&T's 3G network affect older phones?"


def test_she_is_never_a_place_or_an_organisation():
    # Nobody named: "she" stays, and the topic goes along instead of a place.
    history = [Turn("user", "What happened in Lisbon?"),
               Turn("assistant", "The European Commission opened an office in Lisbon [1].")]
    assert rewrite_followup("What did she say?", history) == "What did she say (Lisbon)?"


@pytest.mark.parametrize(("previous", "question", "expected"), [
    ("Where is the cholera outbreak in Kenya?", "What caused it?",
     "What caused the cholera outbreak in Kenya?"),
    ("Why is the Musee d'Orsay closing?", "When does it shut?",
     "When does the Musee d'Orsay shut?"),
    # The subject is a city: "it" is the thing asked about, the object.
    ("Did Reykjavik approve the light rail line?", "How many people voted for it?",
     "How many people voted for the light rail line?"),
    # "that" as a subject is what happened (the win), not the title: the topic goes along.
    ("Who won the women's title in Cincinnati?", "Where will that put her in the rankings?",
     "Where will that put her in the rankings (won women title Cincinnati)?"),
    # "they": an organisation, or a plural thing; "it" is not the same thing as "they".
    ("What did the unions say?", "Are they going to strike?", "Are the unions going to strike?"),
    ("What did Apple announce?", "When will they ship it?",
     "When will Apple ship it (announce)?"),
    # Staff are not an "it": the strike they go on is; "the strike" alone says too little to
    # find the story, so the topic goes along.
    ("Why are London Underground staff going on strike?", "How long will it last?",
     "How long will the strike last (London Underground staff going)?"),
])
def test_it_and_they_are_what_the_previous_question_asked_about(previous, question, expected):
    assert rewrite_followup(question, [Turn("user", previous)]) == expected


@pytest.mark.parametrize(("previous", "expected"), [
    ("Who won the World Cup in Qatar?", "When is the next World Cup?"),
    ("Who won the 2022 World Cup?", "When is the next World Cup?"),
    ("How long is the Tube strike?", "When is the next Tube strike?"),
])
def test_the_next_one_is_the_same_kind_of_event(previous, expected):
    history = [Turn("user", previous), Turn("assistant", "Argentina beat France [1].")]
    assert rewrite_followup("When is the next one?", history) == expected


@pytest.mark.parametrize(("previous", "question", "expected"), [
    ("What did the Bank of England decide?", "And the ECB?", "What did the ECB decide?"),
    ("What did the Reserve Bank of New Zealand do with rates?", "And the Bank of Thailand?",
     "What did the Bank of Thailand do with rates?"),
    ("How many flights is the Kystfly Air strike expected to cancel?",
     "What about the strike in Chile?",
     "How many flights is the strike in Chile expected to cancel?"),
    ("How long is the Tube strike?", "What about the Paris one?", "How long is the Paris strike?"),
    # A name replaces one of its kind: a place a place, a date a date (or goes at the end).
    ("How many people died in the floods in Pakistan?", "What about India?",
     "How many people died in the floods in India?"),
    ("How many people died of covid in Italy?", "And in France?",
     "How many people died of covid in France?"),
    ("How much did Apple earn this quarter?", "What about last year?",
     "How much did Apple earn last year?"),
    ("How much did Apple earn?", "What about last year?", "How much did Apple earn last year?"),
])
def test_an_elliptical_follow_up_takes_the_previous_frame(previous, question, expected):
    assert rewrite_followup(question, [Turn("user", previous)]) == expected


def test_its_and_their_after_a_thing_of_the_same_question_are_that_thing():
    history = [Turn("user", "Why did the EU fine Parlo?")]
    assert rewrite_followup("What did the unions say about their pay?", history) == \
        "What did the unions say about their pay (EU fine Parlo)?"
    # An object pronoun is never its own clause's subject: "it" is not the company.
    assert rewrite_followup("Is the company going to fight it?", history) == \
        "Is the company going to fight the EU?"


def test_a_long_chain_of_follow_ups_keeps_its_subject():
    history = [Turn("user", "Why are London Underground staff going on strike?"),
               Turn("assistant", "Over pay [1].")]
    for n in range(6):
        history += [Turn("user", "How long will it last?"), Turn("assistant", f"{n} days [1].")]
    assert "London Underground" in rewrite_followup("Who called it?", history)


def test_follow_ups_read_the_same_with_or_without_citations():
    said = [{"role": "user", "content": "Who won the Lisbon mayoral election?"},
            {"role": "assistant", "content": "Socialist candidate Helena Vaz won Lisbon's mayoral "
                                             "election on Sunday [1]."}]
    cited = [said[0], {**said[1], "citations": [{"article_id": "lisbon-vote"}]}]
    for history in (said, cited):
        turns = normalise_history(history)
        assert rewrite_followup("How many votes did she get?", turns) == \
            "How many votes did Helena Vaz get?"
        assert rewrite_followup("Who did she beat there?", turns) == \
            "Who did Helena Vaz beat in Lisbon?"


def test_the_follow_up_words_are_checked_when_loaded(tmp_path, monkeypatch):
    from assistant.answering import lexicon, referents

    assert referents.words()["person"][:2] == ("he", "she")
    (tmp_path / "followup.txt").write_text("# no lists\nperson\the, she\n", encoding="utf-8")
    monkeypatch.setattr(lexicon, "FOLDER", tmp_path)
    lexicon.lines.cache_clear()
    referents.words.cache_clear()
    try:
        with pytest.raises(ValueError, match="no list for thing, group"):
            referents.words()
    finally:
        lexicon.lines.cache_clear()
        referents.words.cache_clear()
