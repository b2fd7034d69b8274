"""Hostile files through the real command (subprocesses): each bad file fails alone with its
reason and no traceback, links and pipes are reported, escape sequences never reach the terminal,
and a folder that cannot be read during a sync keeps its articles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.index.test_hostile import BILLION_LAUGHS, GOOD

pytestmark = pytest.mark.slow

ESC_TITLE = "\x1b]0;pwned\x07Harbour \x1b[31mstrike\x1b[0m ends\x9b2J"


def cli(data: Path, *args: str, user: list[str] | None = None, env: dict | None = None):
    return subprocess.run([*(user or []), sys.executable, "-m", "assistant", "--data-dir",
                           str(data), *args], capture_output=True, text=True, timeout=600,
                          env=env)


def test_add_refuses_each_hostile_file_alone(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("# Outside story\n\nA lighthouse keeper retired after forty years on "
                       "the rock, the harbour board said.\n")
    news = tmp_path / "news"
    news.mkdir()
    (news / "laughs.md").write_text(BILLION_LAUGHS)
    (news / "brackets.json").write_text("[" * 100_000)
    (news / "meta.jsonl").write_text('{"text": "Body.", "metadata": ' + '{"a": ' * 5000 + "1"
                                     + "}" * 5000 + "}\n")
    (news / "good.md").write_text(GOOD)
    (news / "strike.json").write_text(json.dumps({
        "title": ESC_TITLE, "text": "Dock workers in the harbour ended their strike on Friday "
                                    "after the port authority agreed to a new pay deal."}))
    (news / "link.txt").symlink_to(outside)
    (news / "loop").symlink_to(news)
    os.mkfifo(news / "pipe.txt")
    data = tmp_path / "data"

    start = time.monotonic()
    run = cli(data, "index", "add", str(news))
    assert time.monotonic() - start < 300  # nothing hangs on the pipe or the loop
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout.startswith("added 2,")
    failed = {line.split(": ", 2)[1]: line for line in run.stderr.splitlines()
              if line.startswith("  failed: ")}
    assert "YAML alias" in failed[str(news / "laughs.md")]
    assert "nested more than 32 levels" in failed[str(news / "brackets.json")]
    assert "nested more than 32 levels" in failed[str(news / "meta.jsonl:1")]
    assert "--follow-links" in failed[str(news / "link.txt")]
    assert "loop" in failed[str(news / "loop")]
    assert "not a regular file" in failed[str(news / "pipe.txt")]

    alone = cli(data, "index", "add", str(news / "brackets.json"))
    assert alone.returncode == 1 and "Traceback" not in alone.stderr
    assert "brackets.json: nested more than 32 levels" in alone.stderr

    listed = cli(data, "index", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Harbour strike ends" in listed.stdout
    assert not any(c in listed.stdout for c in "\x1b\x07\x9b")
    as_json = json.loads(cli(data, "index", "list", "--json").stdout)
    assert ESC_TITLE in [a["title"] for a in as_json["articles"]]  # JSON keeps the data

    answer = cli(data, "ask", "When did the dock workers in the harbour end their strike?")
    assert answer.returncode == 0, answer.stderr
    assert "Harbour strike ends" in answer.stdout
    assert not any(c in answer.stdout for c in "\x1b\x07\x9b")

    followed = cli(data, "index", "add", "--follow-links", "--json", str(news))
    report = json.loads(followed.stdout)
    assert len(report["added"]) == 1
    assert str(news / "link.txt") not in {f["source"] for f in report["failed"]}
    assert "loop" in {f["source"]: f["reason"] for f in report["failed"]}[str(news / "loop")]


@pytest.fixture
def unprivileged() -> Iterator[list[str]]:
    """A command prefix that runs as a user chmod 000 applies to; skips when there is none.

    That user must reach the checkout and its venv: a clone in a private folder (``mktemp -d``
    is 0700) gets search permission for others on the folders above it, for the test only."""
    if os.geteuid() != 0:
        yield []
        return
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod 000 cannot hide a folder from root")
    closed = [d for d in (ROOT, *ROOT.parents) if not d.stat().st_mode & 0o001]
    for d in closed:
        d.chmod(d.stat().st_mode | 0o001)
    try:
        yield ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    finally:
        for d in closed:
            d.chmod(d.stat().st_mode & ~0o001)


def test_sync_keeps_the_articles_of_a_folder_it_cannot_read(unprivileged):
    user = unprivileged
    # Not under pytest's tmp_path: that is private to root, and the CLI runs as nobody here.
    top = Path(tempfile.mkdtemp(prefix="assistant-unreadable-"))
    try:
        top.chmod(0o755)
        news = top / "news"
        (news / "sub").mkdir(parents=True)
        (news / "top.md").write_text(GOOD)
        for i in range(3):
            (news / "sub" / f"s{i}.md").write_text(
                f"# Sub story {i}\n\nStory {i}: the ferry company number {i} added a late "
                f"sailing on route {i * 7} from the harbour this summer.\n")
        if user:
            shutil.chown(top, "nobody")
            for path in top.rglob("*"):
                shutil.chown(path, "nobody")
        env = {**os.environ, "HOME": str(top)}
        data = top / "data"
        first = cli(data, "index", "sync", str(news), "--json", user=user, env=env)
        assert first.returncode == 0, first.stderr
        assert len(json.loads(first.stdout)["added"]) == 4

        (news / "sub").chmod(0)
        second = cli(data, "index", "sync", str(news), "--json", user=user, env=env)
        (news / "sub").chmod(0o755)
        assert second.returncode == 0, second.stderr
        report = json.loads(second.stdout)
        assert report["removed"] == []
        [failure] = report["failed"]
        assert failure["source"] == str(news / "sub")
        assert "cannot read folder" in failure["reason"] and "3 articles" in failure["reason"]
        stats = json.loads(cli(data, "stats", "--json", user=user, env=env).stdout)
        assert stats["articles"] == 4

        third = cli(data, "index", "sync", str(news), "-q", user=user, env=env)  # readable again
        assert third.returncode == 0 and third.stderr == ""
    finally:
        (top / "news" / "sub").chmod(0o755) if (top / "news" / "sub").exists() else None
        shutil.rmtree(top, ignore_errors=True)
