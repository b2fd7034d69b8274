"""The command line's edges a new user meets in the first hour: a reference date for "last
week", an empty question, a command on a data dir never written, a piped chat."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.errors import IndexNotFound
from assistant.interfaces import cli
from assistant.results import Answer, Final

runner = CliRunner()


class Recorder:
    """An Assistant stand-in that records what a command asked of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def answer(self, question: str) -> Answer:
        return Answer(question=question, text=f"Answer to {question} [1].")

    def ask(self, question: str, **kwargs: Any) -> Answer:
        self.calls.append(("ask", question, kwargs))
        return self.answer(question)

    def stream(self, question: str, **kwargs: Any):
        self.calls.append(("stream", question, kwargs))
        yield Final(self.answer(question))


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    made = Recorder()
    monkeypatch.setattr(cli, "open_assistant", lambda **_: made)
    return made


def test_ask_and_chat_take_a_reference_date(recorder):
    result = runner.invoke(cli.app, ["ask", "What happened last week?",
                                     "--reference-date", "2018-01-16"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli.app, ["chat", "--reference-date", "2018-01-16"],
                           input="What happened yesterday?\n")
    assert result.exit_code == 0, result.output
    assert [c[2]["reference_date"] for c in recorder.calls] == [date(2018, 1, 16)] * 2


def test_a_bad_reference_date_is_a_usage_error_naming_the_flag(recorder):
    result = runner.invoke(cli.app, ["ask", "What happened?", "--reference-date", "16/01/2018"])
    assert result.exit_code == 2 and recorder.calls == []
    assert "Invalid value for --reference-date: '16/01/2018' is not a date" in result.output


@pytest.mark.parametrize("command", ["ask", "retrieve", "timeline"])
def test_an_empty_question_is_a_usage_error(recorder, command):
    result = runner.invoke(cli.app, [command, "  "])
    assert result.exit_code == 2 and recorder.calls == []
    assert "Invalid value for QUESTION: The question is empty" in result.output


def test_a_piped_chat_shows_each_question_above_its_answer(recorder):
    result = runner.invoke(cli.app, ["chat"], input="Who is Marlene Schiappa?\nAnd Deneuve?\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "> Who is Marlene Schiappa?"
    assert lines[1] == "Answer to Who is Marlene Schiappa? [1]."
    assert "> And Deneuve?" in lines


@pytest.mark.parametrize("args", [["ask", "Who is Marlene Schiappa?"], ["stats"],
                                  ["index", "list"], ["retrieve", "Schiappa"]])
def test_reading_a_data_dir_never_written_leaves_nothing_behind(tmp_path, args):
    data = tmp_path / "data"
    result = runner.invoke(cli.app, ["--data-dir", str(data), *args])
    assert not data.exists(), sorted(p.name for p in data.iterdir())
    if args[0] in ("ask", "retrieve"):
        assert isinstance(result.exception, IndexNotFound)  # "… run assistant index add"
    else:
        assert result.exit_code == 0, result.output
