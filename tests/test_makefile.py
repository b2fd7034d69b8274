"""`make`'s set-up steps, run with a stand-in virtualenv (scripts that record their arguments):
the samples are indexed only into a new data dir, and pip's output is shown without the one
warning that asks nothing of anyone."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
echo "Collecting torch"
echo "WARNING: lxml 6.2.1 does not provide the extra 'html_clean'" >&2
echo "WARNING: something else" >&2
exit ${{FAKE_EXIT:-0}}
"""


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for name in ("python", "assistant"):
        script = venv / "bin" / name
        script.write_text(RECORDER.format(log=tmp_path / "calls.log"))
        script.chmod(0o755)
    return venv


def make(*args: str, venv: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), f"VENV={venv}",
                           *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def calls(venv: Path) -> list[str]:
    log = venv.parent / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_samples_are_indexed_into_a_new_data_dir_only(venv, tmp_path):
    (venv / ".installed").touch()
    data = tmp_path / "data"
    first = make("index", f"DATA={data}", venv=venv)
    assert first.returncode == 0, first.stderr
    assert calls(venv) == [f"assistant --data-dir {data} index add samples/"]
    data.mkdir()
    (data / "articles.db").touch()  # indexed before: a deleted sample must stay deleted
    again = make("index", f"DATA={data}", venv=venv)
    assert again.returncode == 0, again.stderr
    assert calls(venv) == [f"assistant --data-dir {data} index add samples/"]
    assert "samples/ not added again" in again.stdout


def test_setup_shows_pips_output_without_the_html_clean_warning(venv):
    done = make("setup", venv=venv)
    assert done.returncode == 0, done.stderr
    [pip] = calls(venv)
    assert pip.startswith("python -m pip install") and "--quiet" not in pip
    assert "Collecting torch" in done.stdout
    assert "html_clean" not in done.stderr and "WARNING: something else" in done.stderr
    assert (venv / ".installed").exists()


def test_a_failed_install_still_fails_make(venv):
    failed = make("setup", venv=venv, FAKE_EXIT="1")
    assert failed.returncode != 0 and not (venv / ".installed").exists()
