"""Follow-up shapes users write, read with the English pipeline: ellipsis ("Why?", "And in
Chile?"), pronouns for organisations, people and things, and questions that are no follow-up."""

from __future__ import annotations

import pytest

from assistant.answering.conversation import Turn, rewrite_followup


def exchange(question: str, answer: str) -> list[Turn]:
    return [Turn("user", question), Turn("assistant", answer)]


FED = exchange("Did the Federal Reserve cut rates?",
               "Yes. The Fed cut its benchmark rate by half a point to 4.75% [1].")
QUAKE = exchange("Was there an earthquake in Peru?",
                 "Yes. A magnitude 6.9 earthquake struck southern Peru on Wednesday [1].")
RECALL = exchange("Did Tesla recall any cars?",
                  "Yes. Tesla is recalling 1.8 million vehicles over a hood latch fault [1].")
SIEMENS = exchange("What did Siemens announce on Tuesday?",
                   "Siemens said it would cut 5,000 jobs in its factory automation unit [1].")


@pytest.mark.parametrize(("history", "question", "expected"), [
    (FED, "Why?", "Why did the Federal Reserve cut rates?"),
    (FED, "By how much?", "By how much did the Federal Reserve cut rates?"),
    (QUAKE, "When?", "When was there an earthquake in Peru?"),
    (QUAKE, "Where exactly?", "Where exactly was there an earthquake in Peru?"),
    (RECALL, "How many?", "How many cars did Tesla recall?"),
])
def test_a_bare_question_word_after_a_yes_no_question_asks_that_question(history, question,
                                                                          expected):
    assert rewrite_followup(question, history) == expected


def test_a_bare_question_word_after_a_wh_question_carries_its_topic_without_its_date():
    # "What did Siemens announce?" cannot take "Why" in its place; "on Tuesday" finds nothing.
    assert rewrite_followup("Why?", SIEMENS) == "Why (Siemens announce)?"
    assert rewrite_followup("Why not?", QUAKE) == "Why not (earthquake Peru)?"


@pytest.mark.parametrize(("history", "question", "expected"), [
    (exchange("Who is Maria Lopez?", "Maria Lopez is Spain's economy minister [1]."),
     "And her deputy?", "Who is Maria Lopez's deputy?"),
    (exchange("How many votes did Claudia Sheinbaum get?", "About 35 million [1]."),
     "What about her rival?", "How many votes did Claudia Sheinbaum's rival get?"),
    # No place to replace: the place goes at the end.
    (exchange("How many people died in the floods?", "At least 57 people died [1]."),
     "And in Chile?", "How many people died in the floods in Chile?"),
    # A name the small model gives no kind ("Tesla") is still what a new name replaces.
    (RECALL, "What about Ford?", "Did Ford recall any cars?"),
])
def test_an_elliptical_follow_up_resolves_its_own_pronouns_and_finds_its_slot(history, question,
                                                                              expected):
    assert rewrite_followup(question, history) == expected


@pytest.mark.parametrize(("history", "question", "expected"), [
    # "they" is the organisation the question named, even inside "the … case".
    (exchange("What did the court decide in the Chaiyo Telecom case?",
              "A Bangkok court ordered the operator to pay 5,000 baht to each customer [1]."),
     "Will they appeal?", "Will Chaiyo Telecom appeal?"),
    (SIEMENS, "How much will they save?", "How much will Siemens save?"),
    (SIEMENS, "What did its chief executive say?", "What did Siemens's chief executive say?"),
    # After "who", "they" are the people the answer named.
    (exchange("Who won the Nobel Prize in Physics?",
              "John Hopfield and Geoffrey Hinton won the prize for work on neural networks [1]."),
     "What did they discover?", "What did John Hopfield and Geoffrey Hinton discover?"),
])
def test_they_and_its_are_an_organisation_or_the_people_named(history, question, expected):
    assert rewrite_followup(question, history) == expected


@pytest.mark.parametrize(("history", "question", "expected"), [
    # "it" is the thing whose price was asked, not the price.
    (exchange("What is the price of the new iPhone?", "The iPhone 16 starts at $799 [1]."),
     "When does it go on sale?", "When does the new iPhone go on sale?"),
    # Nothing to point at in the question: what the answer was about, and (a guess) the
    # question's topic along.
    (exchange("What happened in Nepal?",
              "Monsoon landslides killed at least 23 people in western Nepal [1]."),
     "What caused them?", "What caused Monsoon landslides (Nepal)?"),
    # "the strike" alone could be any strike: the topic goes along.
    (exchange("Why are bus drivers in Leeds going on strike?", "Over pay [1]."),
     "Who called it?", "Who called the strike (bus drivers Leeds going)?"),
])
def test_it_is_the_thing_talked_about(history, question, expected):
    assert rewrite_followup(question, history) == expected


@pytest.mark.parametrize(("answer", "question", "expected"), [
    ("Farmers blocked the motorway near Lyon with tractors on Monday, police said [1].",
     "What do they want?", "What do farmers want (Europe)?"),
    ("Striking dock workers blocked the port of Antwerp for six hours, union officials told "
     "reporters [1].", "What are they asking for?",
     "What are striking dock workers asking for (Europe)?"),
    # Those acted on ("were injured") are not who "they" are: the reporting clause's subject.
    ("Two hikers were injured by a rockfall in the Dolomites on Sunday, rescue officials said "
     "[1].", "How many helicopters were they using?",
     "How many helicopters were rescue officials using (Europe)?"),
])
def test_they_is_what_was_reported_not_who_reported_it(answer, question, expected):
    """The answer's subject for "they" is the reported clause's, not the reporting clause's
    ("…, police said"), which names who told the news."""
    history = exchange("What happened in Europe?", answer)
    assert rewrite_followup(question, history) == expected


def test_that_as_a_subject_is_what_happened_not_a_name():
    fined = exchange("Why was Apple fined?",
                     "The European Commission fined Apple 1.8 billion euros [1].")
    assert rewrite_followup("Is that the largest ever?", fined) == \
        "Is that the largest ever (Apple fined)?"
    spin = exchange("What is Unilever doing with its ice cream business?",
                    "Unilever plans to spin off the unit, which includes Ben & Jerry's [1].")
    assert rewrite_followup("When will that happen?", spin) == \
        "When will that happen (Unilever ice cream business)?"


def test_the_person_the_conversation_is_about_needs_no_topic_alongside():
    history = exchange("Who won the women's title in Cincinnati?",
                       "Serbia's Mila Petrovic beat Renata Soto in the final [1].")
    assert rewrite_followup("Where will that put her in the rankings?", history) == \
        "Where will that put Mila Petrovic in the rankings?"


def test_he_reaches_back_past_an_exchange_that_named_nobody():
    history = [*exchange("Who is the new CEO of Boeing?",
                         "Boeing named Robert Ortberg as chief executive [1]."),
               *exchange("What happened at the air show?", "Airbus won orders for 300 jets [1].")]
    assert rewrite_followup("How old is he?", history) == "How old is Robert Ortberg?"


def test_the_next_one_of_a_named_event_keeps_its_whole_name():
    history = exchange("Who won the Tour de France?",
                       "Tadej Pogacar won his third title on Sunday [1].")
    assert rewrite_followup("When is the next one?", history) == \
        "When is the next Tour de France?"


@pytest.mark.parametrize("question", [
    "Who is the prime minister of Japan?",
    "What happened at the Venice Film Festival?",
    "How are Boeing shares doing?",
    "Thanks! What is the weather in Rome?",
])
def test_a_question_that_is_no_follow_up_is_left_alone(question):
    history = exchange("Who is the new CEO of Boeing?",
                       "Boeing named Robert Ortberg as chief executive [1].")
    assert rewrite_followup(question, history) is None


def test_there_is_the_new_place_the_answer_gave_not_a_name_of_the_question():
    history = exchange("Where is the new Tesla factory?",
                       "Tesla is building the plant near Monterrey, Mexico [1].")
    assert rewrite_followup("How many people will work there?", history) == \
        "How many people will work in Monterrey?"


def test_the_first_one_after_who_is_the_first_person_the_answer_named():
    history = exchange("Who scored in the Champions League final?",
                       "Vinicius Junior and Dani Carvajal scored as Real Madrid won [1].")
    assert rewrite_followup("How old is the second one?", history) == "How old is Dani Carvajal?"


def test_an_abstention_is_about_nothing():
    history = exchange("What happened in Nepal?",
                       "The indexed articles don't appear to contain an answer to this question.")
    assert rewrite_followup("What caused them?", history) == "What caused them (Nepal)?"


BOE = exchange("What did the Bank of England decide?",
               "The Bank of England kept rates on hold at 3.75% on Thursday [1].")


@pytest.mark.parametrize(("question", "expected"), [
    # A common noun with no article replaces no name: the topic goes along instead.
    ("What about inflation?", "What about inflation (Bank England decide)?"),
    # A bank is no event: "the next one" leans on the conversation.
    ("When is the next one?", "When is the next one (Bank England decide)?"),
    # Typed in lower case, without a question mark.
    ("why", "Why (Bank England decide)?"),
    ("and the ecb", "What did the ecb decide?"),
])
def test_what_a_follow_up_after_a_named_subject_replaces(question, expected):
    assert rewrite_followup(question, BOE) == expected


STRIKES = exchange("Which airlines are on strike?",
                   "Pilots at Kystfly Air will strike from Wednesday [1], and cabin crew at "
                   "Andes Air walked out on Monday [2].")


def test_what_about_an_item_of_a_listed_answer_names_it():
    assert rewrite_followup("What about the second one?", STRIKES) == "What about Andes Air?"


@pytest.mark.parametrize("question", [
    "Is it going to rain in London tomorrow?",  # the weather's "it" stands for nothing
    "It's snowing in Paris: are flights cancelled?",
    "Is it true that the ECB cut rates?",  # nor does an "it" a clause comes after
    "What is it like to live in Tokyo?",
    "What happened this week?",  # a digest of a period or a named topic asks anew
    "What's the latest news on Ukraine?",
])
def test_an_it_that_stands_for_nothing_and_a_new_digest_are_left_alone(question):
    assert rewrite_followup(question, BOE) is None


def test_what_happened_next_still_leans_on_the_conversation():
    assert rewrite_followup("What happened next?", BOE) == \
        "What happened next (Bank England decide)?"


VW = [*exchange("Why is Volkswagen closing plants?",
                "Volkswagen said weak demand forced it to consider closing three plants [1]."),
      *exchange("How many jobs are at risk?", "Up to 15,000 jobs could go [1].")]


def test_a_place_added_to_a_rewritten_follow_up_goes_before_its_topic():
    assert rewrite_followup("And in Belgium?", VW) == \
        "How many jobs are at risk in Belgium (Volkswagen closing plants)?"


def test_it_after_what_party_is_the_organisation_the_answer_gave():
    history = [*exchange("Who is the new president of Sri Lanka?",
                         "Anura Kumara Dissanayake was sworn in as president on Monday [1]."),
               *exchange("What party does he lead?",
                         "He leads the National People's Power coalition [1].")]
    assert rewrite_followup("When was it founded?", history) == \
        "When was National People's Power founded?"


def test_his_after_he_stays_his_once_the_person_is_named():
    history = exchange("Who won the mayoral runoff in Cordoba?",
                       "Lucia Ferreyra, a former city councillor, won Sunday's runoff with 51.2 "
                       "percent of the vote, the electoral board said [1].")
    assert rewrite_followup("What did she promise to do in her first month?", history) == \
        "What did Lucia Ferreyra promise to do in her first month?"
    assert rewrite_followup("Where is her office?", history) == \
        "Where is Lucia Ferreyra's office?"


@pytest.mark.parametrize(("question", "answer", "follow_up", "expected"), [
    # "it" after "What did X approve?" is what the answer says was approved.
    ("What did Brazil's regulator approve on Monday?", "Brazil's health regulator approved a "
     "dengue vaccine developed by the Butantan Institute [1].", "When will it be available?",
     "When will a dengue vaccine be available?"),
    # "she" after "Who is the challenger?" is the person named in that role, not the first one.
    ("Who is the challenger?", "Mayor Jonas Berg received 9,402 votes against 9,388 for "
     "challenger Liisa Tamm of the Green alliance [1].", "What did she say?",
     "What did Liisa Tamm say?"),
    ("Who is the mayor?", "Mayor Jonas Berg received 9,402 votes against 9,388 for challenger "
     "Liisa Tamm [1].", "What did he say?", "What did Jonas Berg say?"),
    # Another role of the same owner keeps the owner.
    ("Who is the okapi calf's mother?", "Kiyana, who arrived from a zoo in Antwerp in 2023 [1].",
     "And the father?", "Who is the okapi calf's father?"),
    ("Who is the head of the central bank?", "Kiyana, who arrived from a zoo in Antwerp in 2023 "
     "[1].", "And the deputy?", "Who is the deputy of the central bank?"),
])
def test_what_a_follow_up_points_at_in_the_exchange_before_it(question, answer, follow_up,
                                                               expected):
    assert rewrite_followup(follow_up, exchange(question, answer)) == expected


def test_it_is_never_the_person_a_who_question_asked_about():
    history = exchange("Who is Peru's energy minister?",
                       "Energy Minister Rosa Quispe said the auction would open in March [1].")
    assert "energy minister" not in rewrite_followup("When did she announce it?", history)
