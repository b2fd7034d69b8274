"""The rough edges of every door: bad settings and flags say what is wrong, a second reindex is
refused while one runs, a timeline of a query that matches nothing is empty, Gradio's files stay
private, and the Gradio API's inputs are validated as the HTTP API's are."""

from __future__ import annotations

import os
import stat
import threading

import httpx
import pytest
from typer.testing import CliRunner

from assistant.errors import InvalidOption
from assistant.interfaces import cli
from assistant.interfaces.options import MAX_SEARCH_CHARS, check_search, whole_number
from assistant.interfaces.server import private_temp_dir
from assistant.timeline import build_timeline
from tests.assistant.test_timeline import copies_from, passage
from tests.conftest import serving

runner = CliRunner()


def test_serve_on_an_impossible_port_is_a_usage_error():
    result = runner.invoke(cli.app, ["serve", "--port", "99999"])
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.output and "65535" in result.output


@pytest.mark.parametrize("variable,value,says", [
    ("ASSISTANT_CHROMA_HEADERS", "{bad", "ASSISTANT_CHROMA_HEADERS is not valid JSON"),
    ("ASSISTANT_CATALOG_URL", "postgresql+psycopg//u:secret@db/news",
     "ASSISTANT_CATALOG_URL: Value error, not a database URL"),
    ("ASSISTANT_CATALOG_URL", "nosuchdb://u:secret@db/news", "not a database URL"),
])
def test_malformed_settings_say_what_is_wrong(monkeypatch, capsys, variable, value, says):
    monkeypatch.setenv(variable, value)
    code, output = failed_run(capsys, "stats")
    assert code == 1
    assert says in output and "bug" not in output
    assert "secret" not in output  # a password in the URL is not echoed


def test_an_unusable_data_dir_says_so(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    for where in (tmp_path / "file", tmp_path / "file" / "sub"):
        code, output = failed_run(capsys, "--data-dir", str(where), "stats")
        assert code == 1
        assert f"Cannot use {where} as the data dir" in output and "bug" not in output


def failed_run(capsys, *args: str) -> tuple[int, str]:
    """The exit code and output of the CLI as the ``assistant`` command runs it."""
    with pytest.raises(SystemExit) as stopped:
        cli.main(list(args))
    out = capsys.readouterr()
    return stopped.value.code, out.out + out.err


class SlowRebuild:
    """The part of an Assistant ``POST /reindex`` uses, with a rebuild that waits."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def rebuild(self):
        from index.indexer import ReindexReport

        self.started.set()
        self.release.wait(30)
        return ReindexReport(updated=("a",))


def test_a_second_reindex_while_one_runs_is_a_409():
    from fastapi import FastAPI

    from assistant.interfaces.api import add_api

    app, slow = FastAPI(), SlowRebuild()
    add_api(app, slow, max_upload_bytes=1000)
    with serving(app) as url:
        first: list[httpx.Response] = []
        thread = threading.Thread(target=lambda: first.append(
            httpx.post(url + "/api/v1/reindex", timeout=60)))
        thread.start()
        assert slow.started.wait(30)
        second = httpx.post(url + "/api/v1/reindex", timeout=10)
        assert second.status_code == 409 and "already running" in second.json()["error"]
        slow.release.set()
        thread.join(30)
        assert first[0].status_code == 200 and first[0].json()["updated"] == ["a"]


def test_a_timeline_of_a_query_that_matches_nothing_lists_nothing():
    found = [passage("bridge", 2.0), passage("port", 1.5)]  # the nearest, however far
    found = [p.__class__(**{**p.__dict__, "text": "The council approved the bridge."})
             for p in found]
    copies_of, _ = copies_from([])
    assert build_timeline("xyzzy plugh frobnicate", found, copies_of).entries == ()
    assert [e.article_id for e in build_timeline("bridge council", found, copies_of).entries
            ] == ["bridge", "port"]


def test_gradio_files_go_to_a_private_folder(monkeypatch):
    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    folder = private_temp_dir()
    assert os.environ["GRADIO_TEMP_DIR"] == str(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert private_temp_dir() == folder  # one per process


def test_gradio_inputs_are_validated_like_the_http_apis():
    with pytest.raises(InvalidOption, match="k is 'abc'; give a whole number between 1 and 50"):
        whole_number("abc", "k", 1, 50)
    assert whole_number(5.0, "k", 1, 50) == 5 and whole_number("7", "k", 1, 50) == 7
    with pytest.raises(InvalidOption, match="The search is 1,000,000 characters long"):
        check_search("x" * 1_000_000)
    assert check_search("x" * MAX_SEARCH_CHARS)
