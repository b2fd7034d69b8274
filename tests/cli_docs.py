"""docs/cli.md, written from every command's ``--help`` (``python -m tests.cli_docs`` rewrites
it; tests/test_docs.py fails when it no longer matches the code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from assistant.interfaces.cli import app

CLI_MD = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
WIDTH = 100

HEADER = """# Command line

Every command of `assistant`, with its `--help` as printed (this page is generated from the code
by `python -m tests.cli_docs`; `tests/test_docs.py` checks that it still matches). Usage and
examples: [the README](../README.md#command-line); settings: [configuration](configuration.md).

A bad flag or value exits with code 2, an error of the assistant with 1, Ctrl-C with 130; with
`--json`, errors are JSON on stdout too.
"""


def commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path, the group itself first, sub-commands in the order they were added
    (typer vendors click: a group is whatever has ``commands``)."""
    yield path
    for name, command in getattr(group, "commands", {}).items():
        if not command.hidden:
            yield from commands(command, (*path, name))


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="assistant",
                                terminal_width=WIDTH)
    assert result.exit_code == 0, result.output
    return result.output.rstrip() + "\n"


def render() -> str:
    parts = [HEADER]
    for path in commands(typer.main.get_command(app)):
        title = " ".join(("assistant", *path))
        parts.append(f"\n## {title}\n\n```text\n{help_text(path)}```\n")
    return "".join(parts)


if __name__ == "__main__":
    CLI_MD.write_text(render(), encoding="utf-8")
    print(f"wrote {CLI_MD}")
