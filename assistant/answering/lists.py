"""List answers: several facts, often from several stories.

- A question joining names ("What did the ECB and the Bank of England decide?") is asked of each
  name alone, and each part answered by a story that mentions that name;
- a question asking for things of a kind ("Which countries want to join NATO?") is answered by
  the sentences that between them name every distinct entity of that kind, or list such names
  coordinated (``candidates.py``);
- two questions in one ("How much does petrol cost now, and what was the price before?") also
  by each clause's best sentence of the chosen stories;
- otherwise, the best sentence of each story supporting the question nearly as well as the best
  one, and every report of a chosen story's thread (a question about a change needs both).

A mixin of ``ExtractiveAnswerer``: it scores with the answerer's own scoring and priors.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from assistant.answering.candidates import (
    UNQUOTABLE,
    Candidates,
    by_entity,
    completed,
    enumerates,
    quotable_mask,
    typed,
)
from assistant.answering.compose import one_per_article
from assistant.answering.evidence import missing_names, story_of, update, with_lead
from assistant.answering.forms import parts, two_questions
from assistant.answering.question import VALUES, Question

if TYPE_CHECKING:
    from assistant.results import Answer


class ListAnswers:
    def _list(self, q: Question, c: Candidates) -> Answer:
        """One sentence per part of the question: for a question joining names, the best
        sentence for each name asked alone, from a story that mentions it; for one asking for
        things of a kind ("which countries"), the sentences naming every distinct one;
        otherwise the best sentence of each story that supports the question nearly as well as
        the best one."""
        joined = parts(q.text, q.names)
        # A question joining names is checked part by part (its best sentence answers one).
        if not self._supported(q, c, model=not joined):
            return self._abstain(q.text, c)
        chosen, unanswered = self._joined(q, joined, c) if joined else ([], False)
        if unanswered:  # a part no sentence supports, or every part found unanswered
            return self._abstain(q.text, c)
        if not chosen:
            chosen = self._stories(q, c)
            if q.expected and q.expected[0] not in VALUES:
                chosen = self._naming(q, c, chosen)
            if (two := two_questions(q.text)) is not None:
                chosen += [i for i in self._each(two, c, chosen) if i not in chosen]
        return self._compose(q, c, chosen, separator="\n")

    def _each(self, questions: tuple[str, ...], c: Candidates, told: list[int]) -> list[int]:
        """For two questions in one, the best sentence of the stories ``told`` for each asked
        alone (with what it lacks of what it asks for): one story may answer both ("How much
        does petrol cost now, and what was the price before?"), where the best sentence of a
        story answers one. The second, often elliptical, is about the stories already chosen."""
        cfg = self.config
        texts = [s.text for s in c.sentences]
        story = [story_of(c.passages[s.passage]) for s in c.sentences]
        mine = np.array([st in {story[i] for i in told} for st in story])
        quotable = quotable_mask(c.sentences)
        chosen: list[int] = []
        for text in questions:
            asked = self.parse(text)
            part = self._scores(text, texts, c.context)[0]
            part += self._priors(asked, c.sentences, c.passages, part)
            part[~(quotable & mine)] = UNQUOTABLE
            best = int(np.argmax(part))
            if float(part[best]) >= self.min_support * cfg.list_support:
                chosen += completed(asked, [best], c.sentences, part, story, self.language(),
                                    floor=cfg.list_share * float(part[best]),
                                    top=cfg.typed_candidates)
        return chosen

    def _naming(self, q: Question, c: Candidates, chosen: list[int]) -> list[int]:
        """``chosen`` (a sentence per story), and the sentences of the chosen stories that
        name things of the asked kind none of them names yet ("Which countries …": each
        country once); another story's passing mention is no answer."""
        cfg = self.config
        english = self.language()
        named = {e.text.lower().removeprefix("the ")
                 for ents in english.entities([c.sentences[i].text for i in chosen])
                 for e in typed(q, ents)}
        told = {story_of(c.passages[c.sentences[i].passage]) for i in chosen}
        mine = np.array([story_of(c.passages[s.passage]) in told for s in c.sentences])
        # A sentence of a chosen story listing things of the kind ("headed by Brunnhof Bau,
        # Kallisto Erga and Tullamore Structures") answers whole, however few of the question's
        # words it repeats: only the list's own support is asked of it.
        for i in np.argsort(-np.where(mine, c.scores, UNQUOTABLE), kind="stable")[
                :cfg.typed_candidates]:
            i = int(i)
            if float(c.scores[i]) < self.min_support * cfg.list_support:
                break
            listed = enumerates(q, c.sentences[i].text, english) if i not in chosen else []
            if new := {name.lower().removeprefix("the ") for name in listed} - named:
                chosen, named = [*chosen, i], named | new
        more = by_entity(q, c.sentences, np.where(mine, c.scores, UNQUOTABLE), english,
                         named=named,
                         floor=max(self.min_support * cfg.list_support,
                                   cfg.list_share * float(c.scores.max())),
                         limit=cfg.max_stories, top=cfg.typed_candidates * 2)
        return [*chosen, *(i for i in more if i not in chosen)][:max(cfg.max_stories,
                                                                    len(chosen))]

    def _joined(self, q: Question, joined: list[tuple[str, str]],
                cands: Candidates) -> tuple[list[int], bool]:
        """The best sentences for each name the question joins, asked alone; and whether the
        question is unanswered: every part is (its best sentence's story does not name it, or
        the abstention model finds it unanswered), or no sentence supports one of them (half an
        answer: "How does inflation in Britain compare with the euro zone?" over articles that
        never touch the euro zone)."""
        c = self.config
        passages, sentences, context = cands.passages, cands.sentences, cands.context
        chosen: list[int] = []
        texts = [s.text for s in sentences]
        stories: set[str] = set()
        same_thread = self._threads(passages)
        story = [story_of(passages[s.passage]) for s in sentences]
        quotable = quotable_mask(sentences)
        mentions = {}  # per sentence, whether its passage mentions the name
        named = {}  # per sentence, whether its story does (in any of its passages)
        for name, _ in joined:
            told = [not missing_names([name], [p]) for p in passages]
            mentions[name] = np.array([told[s.passage] for s in sentences], dtype=np.float32)
            telling = {story_of(p) for p, t in zip(passages, told, strict=True) if t}
            named[name] = [st in telling for st in story]
        unanswered = 0
        for name, alone in joined:
            # What the question asks for is read from it whole: the part with the other names
            # taken out parses worse ("Where do rates in Poland and stand …").
            asked = replace(self.parse(alone), expected=q.expected, cue=q.cue, counted=q.counted)
            part = self._scores(alone, texts, context)[0]
            priors = self._priors(asked, sentences, passages, part)
            part += priors
            part[~quotable] = UNQUOTABLE
            # What the question joins, the answer tells apart: a story that mentions the name
            # asked about, not one that only mentions another joined name, nor one that already
            # answers another part.
            others = np.max([np.zeros(len(sentences), dtype=np.float32),
                             *(m for n, m in mentions.items() if n != name)], axis=0)
            part += c.name_bonus * (mentions[name] - others * (1 - mentions[name]))
            part -= c.name_bonus * np.array([st in stories for st in story], dtype=np.float32)
            order = [int(i) for i in np.argsort(-part, kind="stable")]
            best = order[0]
            if float(part[best]) < self.min_support * c.list_support:
                return [], True
            # A part is answered by a story that names what it asks about (the same kind of
            # fact about something else is a near miss), which the model finds answered.
            if not named[name][best] or self._signals(
                    asked, sentences[best], cands).unanswerable() > c.part_abstain_threshold:
                unanswered += 1
                continue
            # The best sentence, and the next of its story when nearly as good (its lead
            # first: it says who and what).
            picked = [best, *[i for i in order[1:c.part_sentences * 4] if story[i] == story[best]
                              and float(part[i]) >= c.part_share * float(part[best])]]
            picked = with_lead(picked, sentences, passages, part,
                               c.lead_share)[:c.part_sentences]
            picked = completed(asked, picked, sentences, part, story, self.language(),
                               floor=c.list_share * float(part[best]), top=c.typed_candidates)
            # A later report restates the fact in its own words ("the toll rose to 31"):
            # weighed by words and meaning, not by the first report's lead and unit priors.
            if (later := update(best, sentences, passages, part - priors,
                                same_thread)) is not None:
                picked = [*picked[:c.part_sentences - 1], later]
                stories.add(story[later])
            chosen += [i for i in picked if i not in chosen]
            stories.add(story[best])
        return chosen, unanswered == len(joined)

    def _stories(self, q: Question, cands: Candidates) -> list[int]:
        """The best sentence of each story supporting the question nearly as well as the best,
        and every report of a chosen story's thread (a question about a change needs both);
        each story's, with the sentence holding what the question asks for when it lacks it."""
        c = self.config
        passages, sentences, scores = cands.passages, cands.sentences, cands.scores
        chosen: list[int] = []
        top = float(scores.max())
        same_thread = self._threads(passages)
        story = [story_of(passages[s.passage]) for s in sentences]

        def told(i: int) -> list[int]:  # the story's lead and best, and what it lacks
            return completed(q, with_lead([i], sentences, passages, scores, c.lead_share),
                             sentences, scores, story, self.language(),
                             floor=c.list_share * float(scores[i]), top=c.typed_candidates)
        # Retrieval tells the stories about the question from the rest by a wide margin.
        ranked = max(p.score for p in passages)
        for i in one_per_article(sentences, scores, passages, limit=c.max_stories,
                                 floor=max(self.min_support * c.list_support,
                                           c.list_share * top)):
            if i == int(np.argmax(scores)) or ranked <= 0 or (
                    passages[sentences[i].passage].score >= c.list_rank_share * ranked):
                chosen += told(i)
        for i in one_per_article(sentences, scores, passages, limit=c.max_stories,
                                 floor=self.min_support * c.list_support):
            if i not in chosen and any(same_thread(passages[sentences[i].passage],
                                                   passages[sentences[j].passage])
                                       for j in chosen):
                chosen += [j for j in told(i) if j not in chosen]
        return chosen
