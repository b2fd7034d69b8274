"""The wheel carries what the package needs at run time: the prompt templates above all."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

PROMPTS = {"system.txt", "answer.txt", "condense.txt"}


@pytest.mark.slow
def test_wheel_ships_the_prompts_and_loads_them_without_the_checkout(tmp_path):
    src = tmp_path / "src"  # built from a copy: no build/ left in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("assistant", "index", "prompts"):
        shutil.copytree(ROOT / folder, src / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("news_assistant-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        assert {f"assistant/prompts/{p}" for p in PROMPTS} <= names
        packaged = zf.read("assistant/prompts/answer.txt")
        assert packaged == (ROOT / "prompts" / "answer.txt").read_bytes()
        zf.extractall(tmp_path / "site")

    code = (
        "import assistant, pathlib\n"
        "from assistant.answering import prompts\n"
        "assert pathlib.Path(assistant.__file__).is_relative_to(pathlib.Path(r'%s')), "
        "assistant.__file__\n"
        "assert not prompts.REPO_DIR.exists(), prompts.REPO_DIR\n"
        "p = prompts.load_prompts()\n"
        "assert '{question}' in p.answer and '{history}' in p.condense\n"
        "print('loaded from', prompts.PACKAGED_DIR)\n" % (tmp_path / "site"))
    env = {"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert str(tmp_path / "site" / "assistant" / "prompts") in run.stdout
