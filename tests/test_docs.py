"""The documentation stays true to the code: the settings table matches ``Settings``, the README
stays short, and every relative link points to a file that exists."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import AliasChoices
from pydantic.fields import FieldInfo

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
README = ROOT / "README.md"
MAX_README_LINES = 250

PREFIX = str(Settings.model_config.get("env_prefix") or "")
# A table row of the settings table: | `ASSISTANT_NAME` | default | meaning |
ROW = re.compile(r"^\|\s*`(?P<var>[A-Z][A-Z0-9_]*)`\s*\|(?P<default>[^|]*)\|(?P<meaning>.*)\|\s*$")
# Markdown links and images: [text](target) — the target up to a space or the closing bracket.
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")


def env_names(name: str, field: FieldInfo) -> list[str]:
    """The environment variables that set a field (the prefixed alias when it has one)."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        names = [c for c in alias.choices if isinstance(c, str)]
    elif isinstance(alias, str):
        names = [alias]
    else:
        return [f"{PREFIX}{name}".upper()]
    prefixed = [n.upper() for n in names if n.upper().startswith(PREFIX.upper())]
    return prefixed or [n.upper() for n in names]


def rendered(value: Any) -> str:
    """A default as the table writes it: in backticks, or ``unset`` for None."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, date | Path):
        text = str(value)
    elif isinstance(value, dict):
        text = "{}" if not value else repr(value)
    else:
        text = str(value)
    return f"`{text}`"


def documented() -> dict[str, tuple[str, str]]:
    """Variable → (default cell, meaning cell) of every row of the settings table."""
    rows: dict[str, tuple[str, str]] = {}
    for line in CONFIGURATION.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            var = match["var"]
            assert var not in rows, f"{var} has two rows in {CONFIGURATION.name}"
            rows[var] = (match["default"].strip(), match["meaning"].strip())
    return rows


def expected() -> dict[str, str]:
    """Variable → rendered default of every settable field of Settings."""
    out: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        default = rendered(field.get_default(call_default_factory=True))
        for var in env_names(name, field):
            out[var] = default
    return out


def test_every_setting_is_documented_with_its_default() -> None:
    rows = documented()
    want = expected()
    missing = sorted(set(want) - set(rows))
    assert not missing, f"settings missing from {CONFIGURATION.name}: {missing}"
    wrong = {var: (rows[var][0], default) for var, default in want.items()
             if rows[var][0] != default}
    assert not wrong, f"documented default differs from Settings (table, code): {wrong}"
    empty = [var for var, (_, meaning) in rows.items() if not meaning]
    assert not empty, f"rows without a meaning: {empty}"


def test_no_documented_setting_is_unknown() -> None:
    unknown = sorted(set(documented()) - set(expected()))
    assert not unknown, f"{CONFIGURATION.name} names variables Settings does not read: {unknown}"


def test_the_variable_names_are_read_by_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The derived names are real: setting one such variable changes the field."""
    monkeypatch.setenv(f"{PREFIX}K", "7")
    monkeypatch.setenv(f"{PREFIX}CATALOG_URL", "sqlite:///elsewhere.db")
    settings = Settings(_env_file=None)
    assert settings.k == 7
    assert settings.catalog_url == "sqlite:///elsewhere.db"


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < MAX_README_LINES, f"README.md has {len(lines)} lines"


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_docs_exist() -> None:
    assert CONFIGURATION.is_file()
    assert len(markdown_files()) > 2


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_to_files(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    # Code blocks and inline code are not links.
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    broken = []
    for match in LINK.finditer(text):
        target = match["target"].strip("<>")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # http(s), mailto, … and anchors within the page
        path = target.split("#", 1)[0]
        if not (page.parent / path).exists():
            broken.append(target)
    assert not broken, f"{page.name} links to missing files: {broken}"


def test_the_cli_page_is_every_commands_help() -> None:
    from tests.cli_docs import CLI_MD, render

    assert CLI_MD.read_text(encoding="utf-8") == render(), (
        "docs/cli.md no longer matches the commands' --help: run python -m tests.cli_docs")


def test_the_readmes_sample_answer_cites_what_it_says(make_assistant, sample_dir) -> None:
    """The quick start's promise, checked on the samples alone as `make run` indexes them (the
    tests embed in fp32: the README names the number each encoder gives)."""
    from tests.conftest import DENEUVE_QUESTION

    promise = re.search(r'\("(?P<word>\w+)"\) and cites it: \[\d+\]\s+with the onnx-int8 '
                        r'encoder most CPUs get, \[(?P<fp32>\d+)\] with fp32',
                        README.read_text(encoding="utf-8"))
    assert promise, "README.md no longer says which [n] the sample answer cites"
    a = make_assistant()
    a.add_paths([sample_dir])
    answer = a.ask(DENEUVE_QUESTION)
    quoting = [s for s in re.split(r"(?<=\])\s+", answer.text) if promise["word"] in s]
    assert quoting and quoting[0].endswith(f"[{promise['fp32']}]"), answer.text
    cited = next(c for c in answer.citations if c.n == int(promise["fp32"]))
    assert cited.title.startswith("Deneuve and 99 French women")


def test_the_python_api_page_names_every_public_method_of_the_assistant() -> None:
    from assistant.service import Assistant

    page = (DOCS / "python-api.md").read_text(encoding="utf-8")
    public = [name for name in vars(Assistant) if not name.startswith("_")]
    missing = [name for name in public if f"`{name}" not in page]
    assert not missing, f"docs/python-api.md does not describe Assistant.{missing}"
