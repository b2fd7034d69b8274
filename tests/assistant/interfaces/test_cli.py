from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from assistant.interfaces import cli
from tests.conftest import DENEUVE_QUESTION

runner = CliRunner()


@pytest.fixture
def run(tmp_path, embeddings):
    """Invoke the CLI against a temp data dir (the session's model is already loaded)."""

    def invoke(*args: str):
        result = runner.invoke(cli.app, ["--data-dir", str(tmp_path / "data"), *args])
        return result

    return invoke


def test_add_twice_embeds_nothing_the_second_time(run, sample_dir):
    first = run("index", "add", str(sample_dir), "--json")
    assert first.exit_code == 0, first.output
    assert len(json.loads(first.stdout)["added"]) == 1
    stats1 = json.loads(run("stats", "--json").stdout)
    second = json.loads(run("index", "add", str(sample_dir), "--json").stdout)
    assert second["chunks_embedded"] == 0 and second["added"] == []
    assert len(second["unchanged"]) == 1
    stats2 = json.loads(run("stats", "--json").stdout)
    assert stats1 == stats2 and stats2["articles"] == 1 and stats2["chunks"] >= 2


def test_ask_and_retrieve_print_json(run, sample_dir):
    run("index", "add", str(sample_dir), "-q")
    answer = json.loads(run("ask", DENEUVE_QUESTION, "--json").stdout)
    assert set(answer) >= {"text", "citations", "abstained"}
    assert "puritanism" in answer["text"] and not answer["abstained"]
    assert set(answer["citations"][0]) >= {"n", "article_id", "title", "url", "published",
                                           "passage", "start", "end", "score"}
    # Every citation is numbered in order and its [n] appears in the answer.
    assert [c["n"] for c in answer["citations"]] == list(range(1, len(answer["citations"]) + 1))
    assert all(f"[{c['n']}]" in answer["text"] for c in answer["citations"])
    assert all(c["start"] < c["end"] and c["passage"].strip() for c in answer["citations"])
    got = json.loads(run("retrieve", "Marlene Schiappa", "-k", "2", "--json").stdout)
    assert len(got["passages"]) == 2
    assert set(got["passages"][0]) >= {"article_id", "title", "url", "published", "text",
                                       "start", "end", "score"}
    assert "Schiappa" in got["passages"][0]["text"]
    assert got["passages"][0]["score"] >= got["passages"][1]["score"]


def test_a_cold_ask_reads_english_in_a_helper_process_and_answers_the_same(run, sample_dir,
                                                                           tmp_path):
    """A one-shot ``assistant ask`` leaves spaCy to its helper process (loaded meanwhile on the
    other core) and answers exactly as the pipeline loaded in the same process does."""
    run("index", "add", str(sample_dir), "-q")
    here = json.loads(run("ask", "What did she kick off?", "--json").stdout)
    code = ("import sys\n"
            "from assistant.answering import language_worker\n"
            "language_worker.spare_core = lambda: True  # however busy the machine is\n"
            "from assistant.interfaces.cli import main\n"
            "try:\n"
            f"    main(['--data-dir', {str(tmp_path / 'data')!r}, 'ask',"
            " 'What did she kick off?', '--json'])\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "print('spacy' in sys.modules, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.split()[-1:] == ["False"]
    cold = json.loads(proc.stdout)
    assert cold["text"] == here["text"] and cold["citations"] == here["citations"]


def test_human_output_lists_numbered_sources(run, sample_dir):
    run("index", "add", str(sample_dir), "-q")
    out = run("ask", DENEUVE_QUESTION).stdout
    assert "puritanism" in out and "[1] Deneuve" in out and "2018-01-09" in out


def test_bad_file_is_reported_and_others_indexed(run, sample_dir, tmp_path):
    (sample_dir / "broken.json").write_text("{nope")
    result = run("index", "add", str(sample_dir))
    assert result.exit_code == 0
    assert "added 1" in result.stdout and "broken.json" in result.stderr


def test_ask_with_empty_index_says_what_to_do(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "--data-dir", str(tmp_path / "d"), "ask", "hi"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert 'run "assistant index add PATH"' in proc.stderr and "Traceback" not in proc.stderr


def test_stats_does_not_load_the_model(tmp_path):
    code = ("import sys; from assistant.interfaces.cli import app; "
            f"app(['--data-dir', {str(tmp_path / 'd')!r}, 'stats', '--json'], "
            "standalone_mode=False); "
            "print('loaded' if {'sentence_transformers', 'datasketch'} & set(sys.modules) "
            "else 'lazy', file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.stderr.strip().endswith("lazy")
    assert json.loads(proc.stdout)["articles"] == 0


def test_chat_understands_follow_ups(run, sample_dir):
    run("index", "add", str(sample_dir), "-q")
    result = runner.invoke(cli.app, ["--data-dir", str(sample_dir.parent / "data"), "chat",
                                     "--json"],
                           input="Who is Marlene Schiappa?\nWhat did she kick off?\n\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["rewritten_question"] is None and "minister" in first["text"]
    assert second["rewritten_question"] == "What did Marlene Schiappa kick off?"
    assert "nationwide consultations" in second["text"] and second["citations"]
