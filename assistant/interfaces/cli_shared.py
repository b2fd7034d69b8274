"""What the CLI's command groups share: the settings of this run, output, common flags."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from assistant.interfaces.render import terminal_safe
from assistant.settings import Settings

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object (for scripts).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
PrivateOpt = Annotated[bool, typer.Option(
    "--allow-private", help="Also fetch from loopback and private-network addresses (this "
    "machine, an intranet); by default only public addresses and ASSISTANT_FETCH_ALLOW.")]


class _Run:
    settings: Settings | None = None


def use_settings(settings: Settings) -> None:
    """The settings of this run (the top-level options applied to the environment's)."""
    _Run.settings = settings


def current_settings() -> Settings:
    return _Run.settings or Settings()


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text to the terminal: every line the CLI prints (but JSON) goes through here, so
    escape sequences in an article never reach the terminal."""
    typer.echo(terminal_safe(text), err=err, nl=nl)


def print_json(data: Any) -> None:
    # json.dumps escapes every C0 control (ESC included), so JSON output needs no cleaning.
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
