"""The ``assistant`` command line.

Start-up stays fast: gradio and sentence-transformers are imported only by the commands that need
them (``serve``; and the model when something is embedded).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.errors import USER_ERRORS
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.core import Assistant

app = typer.Typer(
    help="Ask questions about news articles and get answers with cited passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Add articles to the index.", no_args_is_help=True)
app.add_typer(index_app, name="index")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object (for scripts).")]


class _State:
    settings: Settings | None = None


@app.callback()
def _main(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="ASSISTANT_DATA_DIR",
                     help="Where the index lives [default: ./data]."),
    ] = None,
) -> None:
    overrides: dict[str, Any] = {"data_dir": data_dir} if data_dir else {}
    _State.settings = Settings(**overrides)


def _settings() -> Settings:
    return _State.settings or Settings()


def _assistant() -> Assistant:
    from assistant.core import Assistant

    return Assistant.from_settings(_settings())


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@index_app.command("add")
def index_add(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .json .jsonl "
                                                     ".html).")],
    as_json: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Index articles from files and folders; unchanged articles are skipped."""
    assistant = _assistant()
    show = not (quiet or as_json)

    def progress(articles: int, chunks: int) -> None:
        if show:
            typer.echo(f"  … {articles} articles, {chunks} chunks embedded", err=True)

    report = assistant.add_paths(paths, progress=progress)
    if as_json:
        _print_json(report.to_dict())
    elif not quiet:
        typer.echo(f"added {len(report.added)}, updated {len(report.updated)}, unchanged "
                   f"{len(report.unchanged)}, failed {len(report.failed)} "
                   f"({report.chunks_embedded} chunks embedded)")
    for failure in report.failed:
        if not as_json:
            typer.echo(f"  failed: {failure.source}: {failure.reason}", err=True)
    if report.failed and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    k: Annotated[int | None, typer.Option("-k", help="Passages to read.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question with [n] citations to the indexed articles."""
    answer = _assistant().ask(question, k=k)
    if as_json:
        _print_json(answer.to_dict())
        return
    typer.echo(answer.text)
    if answer.citations:
        typer.echo("")
    for c in answer.citations:
        meta = " · ".join(x for x in (c.source, c.published, c.url) if x)
        typer.echo(f"[{c.n}] {c.title}" + (f" ({meta})" if meta else ""))


@app.command()
def chat(
    k: Annotated[int | None, typer.Option("-k", help="Passages to read.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="One JSON object per answer, one per line (for scripts).")] = False,
) -> None:
    """A conversation: one question per line on standard input; follow-ups ("What did she
    say?") are understood from the earlier turns. An empty line or end of input stops."""
    from assistant.answer import Answer

    a = _assistant()
    history: list[dict[str, str]] = []
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            typer.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line.strip():
            break
        question = line.strip()
        answer = None
        for item in a.stream(question, k=k, history=history):
            if isinstance(item, Answer):
                answer = item
            elif not as_json and interactive:
                typer.echo(item, nl=False)
        assert answer is not None
        if as_json:
            typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            _echo_turn(answer, streamed=interactive)
        history += [{"role": "user", "content": answer.rewritten_question or question},
                    {"role": "assistant", "content": answer.text}]


def _echo_turn(answer: Any, *, streamed: bool) -> None:
    if streamed:
        typer.echo("")
    if answer.rewritten_question:
        typer.echo(f"(understood as: {answer.rewritten_question})")
    if not streamed:
        typer.echo(answer.text)
    for c in answer.citations:
        typer.echo(f"  [{c.n}] {c.title}" + (f" ({c.published})" if c.published else ""))
    typer.echo("")


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="Your question or search terms.")],
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Show the passages that best match a question."""
    passages = _assistant().retrieve(question, k=k)
    if as_json:
        _print_json({"question": question, "passages": [p.to_dict() for p in passages]})
        return
    for i, p in enumerate(passages, start=1):
        typer.echo(f"{i}. [{p.score:.3f}] {p.title} ({p.published or 'no date'})")
        typer.echo("   " + p.text[:300].replace("\n", " ") + ("…" if len(p.text) > 300 else ""))


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Counts of indexed articles and chunks."""
    s = _assistant().stats()
    if as_json:
        _print_json(s.to_dict())
        return
    typer.echo(f"{s.articles} articles, {s.chunks} chunks in {s.data_dir} "
               f"(model {s.embedding_model}, {s.embedding_dimension} dimensions)")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 7860].")] = None,
) -> None:
    """Serve the chat UI in the browser."""
    from assistant.ui import launch

    settings = _settings()
    from assistant.server import check_bind

    check_bind(host or settings.host, token=settings.token, ui_auth=settings.ui_auth)
    launch(_assistant(), settings, host=host, port=port)


def main() -> None:
    try:
        app()
    except USER_ERRORS as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
