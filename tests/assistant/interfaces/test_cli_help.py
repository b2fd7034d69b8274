"""The command line's help, start-up and errors: plain help text that keeps its literal ``[n]`` and
``[default: …]``, a start-up that imports none of the heavy parts, errors as JSON with --json, and
why a removal removed nothing. None of these load the model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from assistant.interfaces import cli
from assistant.interfaces.cli_shared import DEBUG_VARIABLE, run

runner = CliRunner()
# What `assistant --help` used to import (2 s): the facade's stack, the settings, the model.
HEAVY = ("langchain_core", "langsmith", "sqlalchemy", "pydantic_settings", "chromadb", "numpy",
         "torch", "sentence_transformers", "gradio", "spacy", "thinc")


def help_text(*args: str) -> str:
    result = runner.invoke(cli.app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # unwrap the lines


def test_help_shows_literal_brackets_and_defaults():
    top = help_text()
    assert "Answer a question with [n] citations to the indexed articles." in top
    assert "Where the index lives [default: ./data]." in top
    assert "[env var: ASSISTANT_DATA_DIR]" in top
    ask = help_text("ask")
    assert "Answer a question with [n] citations" in ask
    assert "--mode <hybrid|dense|lexical>" in ask
    assert "[default: hybrid, or ASSISTANT_RETRIEVAL_MODE]" in ask
    assert "[default: 5, or ASSISTANT_K]" in ask
    assert "--since YYYY-MM-DD" in ask
    assert "[default: " in help_text("eval", "qa")  # -k 10, shown by typer itself


@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"], ["index", "add", "--help"]])
def test_help_imports_none_of_the_heavy_parts(args):
    code = ("import sys, time\n"
            "from assistant.interfaces.cli import main\n"
            "try:\n"
            f"    main({args!r})\n"
            "except SystemExit as exc:\n"
            "    assert exc.code == 0, exc.code\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "[]"
    assert "Usage: assistant" in proc.stdout


def error_of(capsys, *args: str) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return exited.value.code, json.loads(out.out)["error"]


def test_with_json_a_usage_error_is_a_json_object(capsys):
    code, error = error_of(capsys, "retrieve", "x", "--mode", "fuzzy", "--json")
    assert code == 2 and error["type"] == "UsageError"
    assert "'--mode'" in error["message"] and "'hybrid', 'dense', 'lexical'" in error["message"]
    code, error = error_of(capsys, "ask", "x", "--since", "last tuesday", "--json")
    assert code == 2 and "use YYYY-MM-DD" in error["message"]


def test_with_json_errors_of_the_assistant_are_json_objects(capsys, tmp_path, monkeypatch):
    code, error = error_of(capsys, "--data-dir", str(tmp_path / "empty"), "ask", "hi", "--json")
    assert code == 1 and error["type"] == "IndexNotFound"
    assert 'run "assistant index add PATH"' in error["message"]
    monkeypatch.setenv("ASSISTANT_K", "many")
    code, error = error_of(capsys, "stats", "--json")
    assert code == 1 and error["type"] == "ConfigError"
    assert "ASSISTANT_K='many'" in error["message"] and "Fix or unset it" in error["message"]


def test_without_json_an_error_is_one_line_on_stderr(capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_K", "many")
    with pytest.raises(SystemExit) as exited:
        cli.main(["stats"])
    out = capsys.readouterr()
    assert exited.value.code == 1 and out.out == ""
    assert out.err.startswith("error: Invalid setting: ASSISTANT_K='many'")


def test_an_unexpected_error_is_summarised_unless_debugging(capsys, monkeypatch):
    broken = typer.Typer()

    @broken.command()
    def divide(as_json: bool = typer.Option(False, "--json")) -> None:
        print(1 / 0)

    with pytest.raises(SystemExit) as exited:
        run(broken, ["--json"])
    error = json.loads(capsys.readouterr().out)["error"]
    assert exited.value.code == 1 and error["type"] == "InternalError"
    assert error["message"].startswith("Unexpected ZeroDivisionError: division by zero.")
    monkeypatch.setenv(DEBUG_VARIABLE, "1")
    with pytest.raises(ZeroDivisionError):
        run(broken, [])


def test_chat_with_json_refuses_a_line_as_a_json_line_and_goes_on(tmp_path):
    result = runner.invoke(cli.app, ["--data-dir", str(tmp_path / "d"), "chat", "--json"],
                           input="x" * 2001 + "\n\n")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert json.loads(line) == {"error": {
        "type": "InvalidOption", "option": "question",
        "message": "The question is 2,001 characters long; ask in at most 2,000."}}


def test_removing_an_unknown_id_says_why_nothing_was_removed(tmp_path):
    base = ["--data-dir", str(tmp_path / "d"), "index", "remove", "nope"]
    human = runner.invoke(cli.app, base)
    assert human.exit_code == 1
    assert human.stdout == ('removed 0 of 1; not in the index: nope ("assistant index list" '
                            'shows the ids)\n')
    as_json = runner.invoke(cli.app, [*base, "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == {"removed": 0, "requested": 1, "not_found": ["nope"]}
