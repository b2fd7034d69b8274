"""The retrieval flags of ``ask`` and ``retrieve``: mode, source, article, date range."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.interfaces import cli
from tests.conftest import TEST_DATA

runner = CliRunner()


@pytest.fixture
def run(tmp_path, embeddings, sample_dir):
    def invoke(*args: str):
        return runner.invoke(cli.app, ["--data-dir", str(tmp_path / "data"), *args])

    assert invoke("index", "add", str(sample_dir), str(TEST_DATA / "articles.jsonl"),
                  "-q").exit_code == 0
    return invoke


def passages(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["passages"]


def test_filters_and_modes_from_the_command_line(run):
    question = "news about the city"
    got = passages(run("retrieve", question, "--source", "AP", "--source", "AFP", "--json"))
    assert got and {p["source"] for p in got} <= {"AP", "AFP"}
    got = passages(run("retrieve", question, "--since", "2023-01-01", "--until", "2023-12-31",
                       "--json"))
    assert got and {p["published"][:4] for p in got} == {"2023"}
    got = passages(run("retrieve", question, "--article", "chess", "--mode", "dense", "--json"))
    assert {p["article_id"] for p in got} == {"chess"}
    assert passages(run("retrieve", "Reykjanes", "--mode", "lexical", "--json"))[0][
        "article_id"] == "volcano"
    answer = json.loads(run("ask", "What did the council approve?", "--source",
                            "Local Courier", "--json").stdout)
    assert {c["article_id"] for c in answer["citations"]} <= {"bridge"}


def test_date_in_question_is_shown(run):
    result = run("retrieve", "What happened in December 2023?", "--json")
    got = json.loads(result.stdout)
    assert got["date_range"] == {"start": "2023-12-01", "end": "2023-12-31",
                                 "expression": "in December 2023"}
    assert got["date_filter_applied"] and {p["article_id"] for p in got["passages"]} == \
        {"volcano"}
    note = 'dates: "in December 2023" → 2023-12-01 to 2023-12-31 (applied)'
    human = run("retrieve", "What happened in December 2023?").stdout.splitlines()
    assert human[0].startswith("1. [") and "Volcano erupts" in human[0]
    assert human[-2:] == ["", note]  # a line of its own, after the passages
    answer = run("ask", "What happened in December 2023?").stdout.splitlines()
    assert answer[-2:] == ["", note]
    sourced = answer.index("1 source: AP · as of 2023-12-18")
    assert answer[sourced - 2].startswith("[1] Volcano erupts")
    nothing = run("retrieve", "What happened in March 1999?").stdout.splitlines()
    assert nothing[0] == "No passage matches." and nothing[-1].startswith('dates: "in March 1999"')


def test_bad_flags_say_what_to_do(run):
    def error(*args):
        result = run("retrieve", "x", *args)
        assert result.exit_code == 2
        return " ".join(result.output.replace("│", " ").split())  # unwrap typer's error box

    assert "'fuzzy' is not one of 'hybrid', 'dense', 'lexical'" in error("--mode", "fuzzy")
    assert "use YYYY-MM-DD" in error("--since", "last tuesday")
    assert "Swap the two dates" in error("--since", "2024-02-01", "--until", "2024-01-01")
