"""What the CLI's command groups share: the settings of this run, output, common flags, and how
an error is shown (a line on stderr, or with ``--json`` one JSON object on stdout)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from assistant.errors import USER_ERRORS, ConfigError, InvalidOption, user_message
from assistant.interfaces.options import check_question, retrieval_options
from assistant.interfaces.render import terminal_safe
from assistant.results import MAX_K, Mode

if TYPE_CHECKING:
    from assistant.service import Assistant
    from assistant.settings import Settings

JsonOpt = Annotated[bool, typer.Option(
    "--json", help="Print one JSON object (for scripts); errors too, as {\"error\": {...}}.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
PrivateOpt = Annotated[bool, typer.Option(
    "--allow-private", help="Also fetch from loopback and private-network addresses (this "
    "machine, an intranet); by default only public addresses and ASSISTANT_FETCH_ALLOW.")]
ModeOpt = Annotated[
    Mode | None,
    typer.Option("--mode", help="hybrid (dense + BM25), dense or lexical "
                                "[default: hybrid, or ASSISTANT_RETRIEVAL_MODE]."),
]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option("--source", metavar="SOURCE", help="Only articles from this source (repeatable)."),
]
ArticleOpt = Annotated[
    list[str] | None,
    typer.Option("--article", metavar="ID", help="Only this article id (repeatable)."),
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", metavar="YYYY-MM-DD",
                             help="Only articles published on or after this date."),
]
FollowLinksOpt = Annotated[bool, typer.Option(
    "--follow-links", help="Also index what symbolic links point to outside the folder "
                           "(by default they are skipped and reported).")]
KOpt = Annotated[int | None, typer.Option(
    "-k", min=1, max=MAX_K, help="How many passages to read [default: 5, or ASSISTANT_K].")]
UntilOpt = Annotated[
    str | None, typer.Option("--until", metavar="YYYY-MM-DD",
                             help="Only articles published on or before this date."),
]
ReferenceDateOpt = Annotated[
    str | None, typer.Option("--reference-date", metavar="YYYY-MM-DD",
                             help='What "yesterday" or "last week" count from [default: today, '
                                  "or ASSISTANT_REFERENCE_DATE]."),
]
# Set to 1 to see the traceback of an unexpected error instead of its one-line summary.
DEBUG_VARIABLE = "ASSISTANT_DEBUG"


class _Run:
    overrides: dict[str, Any] = {}
    settings: Settings | None = None


def use_settings(**overrides: Any) -> None:
    """The top-level options of this run; the settings are read when a command needs them, so
    ``--help`` never loads pydantic-settings."""
    _Run.overrides, _Run.settings = overrides, None


def current_settings() -> Settings:
    if _Run.settings is None:
        from pydantic import ValidationError
        from pydantic_settings import SettingsError

        from assistant.settings import Settings

        try:
            _Run.settings = Settings(**_Run.overrides)
        except ValidationError as exc:
            raise ConfigError(_settings_problem(exc)) from exc
        except SettingsError as exc:  # a value that is not even JSON, where JSON is expected
            field = re.search(r'field "(\w+)"', str(exc))
            name = _variable(field.group(1) if field else "")
            raise ConfigError(f"Invalid setting: {name} is not valid JSON; give a JSON object, "
                              'e.g. {"Authorization": "Bearer …"}, or unset it (environment or '
                              ".env file).") from exc
    return _Run.settings


def open_assistant(*, writes: bool = False) -> Assistant:
    """The Assistant of this run. A command that only reads, on a data dir where nothing was
    ever indexed, reads an empty catalog in memory: it leaves no ``articles.db`` behind."""
    from assistant.service import Assistant
    from assistant.wiring import IN_MEMORY

    settings = current_settings()
    if not (writes or settings.catalog_url_setting
            or (settings.data_dir / "articles.db").exists()):
        settings = settings.model_copy(update={"catalog_url_setting": IN_MEMORY})
    return Assistant.from_settings(settings)


def question_argument(question: str) -> str:
    """The question of ask, retrieve or timeline; an empty or too long one is a usage error."""
    try:
        return check_question(question)
    except InvalidOption as exc:
        raise typer.BadParameter(str(exc), param_hint="QUESTION") from exc


def retrieval_flags(
    mode: Mode | None = None, source: list[str] | None = None, article: list[str] | None = None,
    since: str | None = None, until: str | None = None, reference_date: str | None = None,
) -> dict[str, Any]:
    """The retrieval flags as keyword arguments of Assistant.search/ask (a bad one is a usage
    error naming its flag)."""
    try:
        return retrieval_options(mode=mode, sources=source, article_ids=article, since=since,
                                 until=until, reference_date=reference_date)
    except InvalidOption as exc:
        flag = "/".join(f"--{name.replace('_', '-')}" for name in exc.option.split("/"))
        raise typer.BadParameter(str(exc), param_hint=flag) from exc


# Settings that may hold a password: never echoed back.
_SECRET_FIELDS = {"catalog_url", "catalog_url_setting", "chroma_headers", "api_token",
                  "ui_password", "llm_api_key"}


def _variable(field: str) -> str:
    """The environment variable of a settings field."""
    return "ASSISTANT_" + field.removesuffix("_setting").upper() if field else "a setting"


def _settings_problem(exc: Any) -> str:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        value = "" if field in _SECRET_FIELDS else f"={error.get('input')!r}"
        problems.append(f"{_variable(field)}{value}: {error['msg']}")
    return ("Invalid setting: " + "; ".join(problems) + ". Fix or unset it (environment or "
            ".env file); docs/configuration.md lists every setting.")


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text to the terminal: every line the CLI prints (but JSON) goes through here, so
    escape sequences in an article never reach the terminal."""
    typer.echo(terminal_safe(text), err=err, nl=nl)


def print_json(data: Any) -> None:
    # json.dumps escapes every C0 control (ESC included), so JSON output needs no cleaning.
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def wants_json(args: Sequence[str]) -> bool:
    """``--json`` among the options (before a ``--`` that ends them)."""
    options = args[:args.index("--")] if "--" in args else args
    return "--json" in options


def run(command: Callable[..., Any], args: Sequence[str]) -> NoReturn:
    """Run the typer app on ``args`` and exit; every error becomes a message (no traceback):
    usage errors exit 2, errors of the assistant 1, Ctrl-C 130."""
    as_json = wants_json(args)
    try:
        code = command(list(args), prog_name="assistant", standalone_mode=False)
    except typer.TyperException as exc:  # a bad flag or value, a missing argument
        _fail(error_object(exc, kind="UsageError", message=exc.format_message()),
              exc.exit_code, as_json=as_json, usage=exc if hasattr(exc, "show") else None)
    except USER_ERRORS as exc:
        _fail(error_object(exc), 1, as_json=as_json)
    except KeyboardInterrupt:
        sys.exit(130)
    except typer.Abort as exc:  # end of input where a command expected some
        _fail(error_object(exc, kind="Aborted", message="Aborted."), 1, as_json=as_json)
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        message = (f"Unexpected {type(exc).__name__}: {exc}. This is a bug; "
                   f"{DEBUG_VARIABLE}=1 shows where it happened.")
        _fail(error_object(exc, kind="InternalError", message=message), 1, as_json=as_json)
    sys.exit(code or 0)


def error_object(exc: BaseException, *, kind: str | None = None, message: str | None = None
                 ) -> dict[str, Any]:
    """``{"error": {"type", "message"[, "option"]}}``: what ``--json`` prints for an error."""
    extra = {"option": exc.option} if isinstance(exc, InvalidOption) else {}
    return {"error": {"type": kind or type(exc).__name__,
                      "message": message or user_message(exc), **extra}}


def _fail(error: dict[str, Any], code: int, *, as_json: bool, usage: Any = None) -> NoReturn:
    if as_json:
        print_json(error)
    elif usage is not None:
        usage.show()  # the command's usage line and the message (or a group's help)
    else:
        echo(f"error: {error['error']['message']}", err=True)
    sys.exit(code)
