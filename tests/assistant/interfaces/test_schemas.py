"""One schema per result: every door serialises a result's ``to_dict()`` or a model with exactly
its keys, so a field added to a result reaches the HTTP API, the CLI's ``--json`` and gradio's
``/ask`` alike. And one limit on how many passages a question reads, at every door."""

from __future__ import annotations

import json

import pytest

from assistant.interfaces import api_models
from assistant.interfaces.ui_chat import reply
from assistant.results import (
    MAX_K,
    Answer,
    Citation,
    Conflict,
    Passage,
    RetrievalResult,
    StatedFigure,
)
from assistant.retrieval.filters import Filters
from assistant.timeline import Timeline, TimelineEntry
from index.indexer import ReindexReport

PASSAGE = Passage(article_id="a1", chunk_id="a1:0", title="Port strike", url=None,
                  published="2026-11-14", source="Reuters", text="Dockers walked out.",
                  start=0, end=19, score=0.9)
CONFLICT = Conflict("updated", (StatedFigure("3,000 dockers", 2, "AFP", "2026-11-15"),
                                StatedFigure("2,000 dockers", 1, "Reuters", "2026-11-14")))
ANSWER = Answer(question="How many walked out?", text="3,000 dockers walked out [1].",
                citations=(Citation.of(PASSAGE, n=1, score=0.8, sentences=[(0, 19)]),),
                conflicts=(CONFLICT,), related=(PASSAGE,))


def fields(model: type) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize(("model", "result"), [
    (api_models.AnswerOut, ANSWER),
    (api_models.RetrieveOut, RetrievalResult("q", [PASSAGE], "hybrid", Filters())),
    (api_models.TimelineOut, Timeline("q", ())),
    (api_models.ReportOut, ReindexReport()),
])
def test_each_response_model_has_its_results_fields(model, result):
    assert fields(model) == set(result.to_dict())


def test_timeline_entries_have_the_same_fields_in_the_api():
    entry = TimelineEntry(article_id="a1", title="Port strike", published="2026-11-14",
                          source="BBC", url=None, story_id="a1", origin="Reuters", agency=True,
                          outlets=("BBC",), score=0.9)
    assert fields(api_models.TimelineEntryOut) == set(entry.to_dict())


def test_the_http_answer_carries_every_field_of_the_answer_conflicts_included():
    out = api_models.AnswerOut.from_answer(ANSWER).model_dump(mode="json")
    assert out == json.loads(json.dumps(ANSWER.to_dict()))  # as --json prints it
    assert out["conflicts"][0]["figures"][0]["text"] == "3,000 dockers"


def test_gradios_ask_returns_the_answers_schema_with_its_rendering():
    data = reply(ANSWER, html="<p>…</p>", error=None)
    assert data == {**ANSWER.to_dict(), "answer": ANSWER.text, "html": "<p>…</p>",
                    "error": None}
    # An error has the same keys, empty.
    assert set(reply(Answer(question="q", text=""), html="", error="no")) == set(data)


def test_one_limit_on_k_at_every_door():
    from assistant.interfaces.cli_shared import KOpt
    from assistant.settings import Settings

    def le(model_field) -> int:
        return next(m.le for m in model_field.metadata if hasattr(m, "le"))

    assert le(Settings.model_fields["k"]) == MAX_K
    assert le(api_models.AskIn.model_fields["k"]) == MAX_K
    assert le(api_models.RetrieveIn.model_fields["k"]) == MAX_K
    assert KOpt.__metadata__[0].max == MAX_K
    with pytest.raises(ValueError, match="less than or equal to 50"):
        Settings(k=MAX_K + 1)
