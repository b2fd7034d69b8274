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


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]


@index_app.command("add")
def index_add(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (.txt .md .json .jsonl "
                                                    ".html), or http(s) URLs of articles.")],
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Index articles from files, folders and web pages; unchanged articles are skipped."""
    from assistant.progress import ProgressBar

    assistant = _assistant()
    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    files = [p for p in paths if p not in urls]
    with ProgressBar("indexing", enabled=not (quiet or as_json)) as bar:
        report = assistant.add_paths(files, progress=bar) if files else None
        if urls:
            from_web = assistant.add_urls(urls, progress=bar)
            report = from_web if report is None else _merge(report, from_web)
    _report(report, as_json=as_json, quiet=quiet)


def _merge(a: Any, b: Any) -> Any:
    """One report for a run that read both files and web pages."""
    from dataclasses import fields

    return type(a)(*(getattr(a, f.name) + getattr(b, f.name) for f in fields(a)))


def _report(report: Any, *, as_json: bool, quiet: bool) -> None:
    """Print an indexing report (add, sync, feed, rebuild); exit 1 when everything failed."""
    if as_json:
        _print_json(report.to_dict())
    elif not quiet:
        removed = getattr(report, "removed", None)
        parts = [f"added {len(report.added)}", f"updated {len(report.updated)}"]
        if removed is not None:
            parts.append(f"removed {len(removed)}")
        parts += [f"unchanged {len(report.unchanged)}", f"failed {len(report.failed)}"]
        if report.duplicates:
            parts.append(f"duplicates skipped {len(report.duplicates)}")
        if report.near_duplicates:
            parts.append(f"near-duplicates linked {len(report.near_duplicates)}")
        typer.echo(", ".join(parts) + f" ({report.chunks_embedded} chunks embedded)")
    if not as_json:
        for failure in report.failed:
            typer.echo(f"  failed: {failure.source}: {failure.reason}", err=True)
    if report.failed and not (report.added or report.updated or report.unchanged
                              or report.duplicates):
        raise typer.Exit(1)


@index_app.command("sync")
def index_sync(
    folder: Annotated[Path, typer.Argument(help="The folder to mirror.")],
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Mirror a folder: new files added, changed files updated, deleted files removed."""
    from assistant.progress import ProgressBar

    assistant = _assistant()
    with ProgressBar("syncing", enabled=not (quiet or as_json)) as bar:
        report = assistant.sync(folder, progress=bar)
    _report(report, as_json=as_json, quiet=quiet)


@index_app.command("feed")
def index_feed(
    url: Annotated[str, typer.Argument(help="URL of an RSS or Atom feed.")],
    watch: Annotated[float | None, typer.Option(
        "--watch", help="Poll the feed every SECONDS until stopped (Ctrl-C).")] = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Index a feed's entries (each entry's page, else its own content); seen ones are skipped."""
    import time

    from assistant.progress import ProgressBar

    assistant = _assistant()
    while True:
        with ProgressBar("feed", enabled=not (quiet or as_json)) as bar:
            report = assistant.add_feed(url, progress=bar)
        try:
            _report(report, as_json=as_json, quiet=quiet)
        except typer.Exit:
            if watch is None:
                raise
        if watch is None:
            return
        time.sleep(watch)


@index_app.command("list")
def index_list(as_json: JsonOpt = False) -> None:
    """The indexed articles, newest first; near-duplicates show the story they copy."""
    rows = _assistant().list_articles()
    if as_json:
        _print_json({"articles": [r.to_dict() for r in rows]})
        return
    for r in rows:
        link = f"  (duplicate of {r.canonical_id})" if r.canonical_id else ""
        meta = " · ".join(x for x in (r.source, r.published) if x)
        typer.echo(f"{r.id}  {r.title}" + (f" ({meta})" if meta else "") + link)
    typer.echo(f"{len(rows)} articles", err=True)


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="Article ids (see index list).")],
    as_json: JsonOpt = False,
) -> None:
    """Remove articles from the index (their chunks and their catalog rows)."""
    removed = _assistant().remove(ids)
    if as_json:
        _print_json({"removed": removed, "requested": len(ids)})
    else:
        typer.echo(f"removed {removed} of {len(ids)}")
    if removed == 0:
        raise typer.Exit(1)


@index_app.command("rebuild")
def index_rebuild(as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """Re-embed every stored article with the configured model (after a model change)."""
    from assistant.progress import ProgressBar

    assistant = _assistant()
    with ProgressBar("rebuilding", enabled=not (quiet or as_json)) as bar:
        report = assistant.rebuild(progress=bar)
    _report(report, as_json=as_json, quiet=quiet)


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
    launch(_assistant(), host=host or settings.host, port=port or settings.port)


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
