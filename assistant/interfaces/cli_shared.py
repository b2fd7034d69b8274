"""What the CLI's command groups share: the settings of this run, JSON output, common flags."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

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


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
