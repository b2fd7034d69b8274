"""The ``assistant`` command line.

Start-up stays fast (``assistant --help`` well under a second): the settings, the Assistant and
what it wires (langchain-core, SQLAlchemy, Chroma, the model, gradio) are imported only when a
command runs. Help text is plain (no Rich markup), so ``[n]`` and ``[default: …]`` show as written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.errors import InvalidOption
from assistant.interfaces import render
from assistant.interfaces.cli_eval import eval_app
from assistant.interfaces.cli_shared import (
    ArticleOpt,
    FollowLinksOpt,
    JsonOpt,
    KOpt,
    ModeOpt,
    PrivateOpt,
    QuietOpt,
    ReferenceDateOpt,
    SinceOpt,
    SourceOpt,
    UntilOpt,
    current_settings,
    echo,
    error_object,
    open_assistant,
    print_json,
    question_argument,
    retrieval_flags,
    run,
    use_settings,
)

app = typer.Typer(
    help="Ask questions about news articles and get answers with cited passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
index_app = typer.Typer(help="Add, list, check and remove indexed articles.", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")


@app.callback()
def _main(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="ASSISTANT_DATA_DIR",
                     help="Where the index lives [default: ./data]."),
    ] = None,
) -> None:
    use_settings(**({"data_dir": data_dir} if data_dir else {}))


@index_app.command("add")
def index_add(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (.txt .md .json .jsonl "
                                                    ".html .pdf .docx), or http(s) URLs of "
                                                    "articles.")],
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    allow_private: PrivateOpt = False,
    follow_links: FollowLinksOpt = False,
) -> None:
    """Index articles from files, folders and web pages; unchanged articles are skipped."""
    from assistant.interfaces.progress import ProgressBar

    assistant = open_assistant(writes=True)
    from assistant.interfaces.options import is_url

    urls = [p for p in paths if is_url(p)]
    files = [p for p in paths if p not in urls]
    with ProgressBar("indexing", enabled=not (quiet or as_json)) as bar:
        report = assistant.add_paths(files, progress=bar, follow_links=follow_links) \
            if files else None
        if urls:
            from_web = assistant.add_urls(urls, progress=bar, allow_private=allow_private)
            report = from_web if report is None else render.merge_reports(report, from_web)
    _report(report, as_json=as_json, quiet=quiet)


def _report(report: Any, *, as_json: bool, quiet: bool) -> None:
    """Print an indexing report (add, sync, feed, rebuild); exit 1 when everything failed."""
    if as_json:
        print_json(report.to_dict())
    elif not quiet:
        echo(render.report_summary(report))
    if not as_json:
        for failure in render.report_failures(report):
            echo(f"  failed: {failure}", err=True)
    if render.nothing_indexed(report):
        raise typer.Exit(1)


@index_app.command("sync")
def index_sync(
    folder: Annotated[Path, typer.Argument(help="The folder to mirror.")],
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    follow_links: FollowLinksOpt = False,
) -> None:
    """Mirror a folder: new files added, changed files updated, deleted files removed."""
    from assistant.interfaces.progress import ProgressBar

    assistant = open_assistant(writes=True)
    with ProgressBar("syncing", enabled=not (quiet or as_json)) as bar:
        report = assistant.sync(folder, progress=bar, follow_links=follow_links)
    _report(report, as_json=as_json, quiet=quiet)


@index_app.command("feed")
def index_feed(
    url: Annotated[str, typer.Argument(help="URL of an RSS or Atom feed.")],
    watch: Annotated[float | None, typer.Option(
        "--watch", help="Poll the feed every SECONDS until stopped (Ctrl-C).")] = None,
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
    allow_private: PrivateOpt = False,
) -> None:
    """Index a feed's entries (each entry's page, else its own content); seen ones are skipped."""
    import time

    from assistant.interfaces.interrupt import prompt_interrupt
    from assistant.interfaces.progress import ProgressBar

    with prompt_interrupt():  # Ctrl-C stops it within seconds, whatever it is doing
        assistant = open_assistant(writes=True)
        while True:
            with ProgressBar("feed", enabled=not (quiet or as_json)) as bar:
                report = assistant.add_feed(url, progress=bar, allow_private=allow_private)
            try:
                _report(report, as_json=as_json, quiet=quiet)
            except typer.Exit:
                if watch is None:
                    raise
            if watch is None:
                return
            time.sleep(watch)  # a KeyboardInterrupt ends it at once


@index_app.command("list")
def index_list(as_json: JsonOpt = False) -> None:
    """The indexed articles, newest first; near-duplicates show the story they copy."""
    rows = open_assistant().list_articles()
    if as_json:
        print_json({"articles": [r.to_dict() for r in rows]})
        return
    for row in rows:
        echo(render.article_line(row))
    echo(f"{len(rows)} articles", err=True)


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="Article ids (see index list).")],
    as_json: JsonOpt = False,
) -> None:
    """Remove articles from the index (their chunks and their catalog rows)."""
    assistant = open_assistant()
    unknown = [i for i in dict.fromkeys(ids) if assistant.get_article(i) is None]
    removed = assistant.remove(ids)
    if as_json:
        print_json({"removed": removed, "requested": len(ids), "not_found": unknown})
    else:
        echo(render.removal_text(removed, len(ids), unknown))
    if removed == 0:
        raise typer.Exit(1)


@index_app.command("rebuild")
def index_rebuild(as_json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    """Re-embed every stored article with the configured model (after a model change)."""
    from assistant.interfaces.progress import ProgressBar

    assistant = open_assistant(writes=True)
    with ProgressBar("rebuilding", enabled=not (quiet or as_json)) as bar:
        report = assistant.rebuild(progress=bar)
    _report(report, as_json=as_json, quiet=quiet)


@index_app.command("check")
def index_check(
    repair: Annotated[bool, typer.Option(
        "--repair", help="Re-derive from the catalog what disagrees with it (vectors, lexical "
                         "index).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check that the catalog, the vector store and the lexical index agree; exit 1 if not."""
    report = open_assistant(writes=True).check(repair=repair)
    if as_json:
        print_json(report.to_dict())
    else:
        typer.echo(render.check_text(report))
    if not report.ok:
        raise typer.Exit(1)


@index_app.command("export")
def index_export(
    path: Annotated[Path, typer.Argument(help="The JSON Lines file to write (a backup).")],
) -> None:
    """Write every article with its metadata to PATH, one JSON object a line; "index add PATH"
    restores them with the same ids."""
    count = open_assistant().export(path)
    typer.echo(f"exported {count} articles to {path}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    k: KOpt = None,
    as_json: JsonOpt = False,
    mode: ModeOpt = None,
    source: SourceOpt = None,
    article: ArticleOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    reference_date: ReferenceDateOpt = None,
) -> None:
    """Answer a question with [n] citations to the indexed articles."""
    options = retrieval_flags(mode, source, article, since, until, reference_date)
    question = question_argument(question)
    _english_meanwhile()
    answer = open_assistant().ask(question, k=k, **options)
    if as_json:
        print_json(answer.to_dict())
        return
    echo(render.answer_text(answer))


@app.command()
def chat(
    k: KOpt = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="One JSON object per answer, one per line (for scripts).")] = False,
    reference_date: ReferenceDateOpt = None,
) -> None:
    """A conversation: one question per line on standard input; follow-ups ("What did she
    say?") are understood from the earlier turns. An empty line or end of input stops."""
    from assistant.interfaces.options import check_question
    from assistant.results import Final

    options = retrieval_flags(reference_date=reference_date)
    _english_meanwhile()
    assistant = open_assistant()
    history: list[dict[str, str]] = []
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line.strip():
            break
        question = line.strip()
        try:
            check_question(question)
        except InvalidOption as exc:  # this line is refused, the conversation goes on
            if as_json:
                typer.echo(json.dumps(error_object(exc), ensure_ascii=False))
            else:
                echo(f"error: {exc}", err=True)
            continue
        if not (interactive or as_json):  # piped: each answer under the question it answers
            echo(f"> {question}")
        answer = None
        for event in assistant.stream(question, k=k, history=history, **options):
            if isinstance(event, Final):
                answer = event.answer
            elif not as_json and interactive:
                echo(event.text, nl=False)
        assert answer is not None
        if as_json:
            typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            echo(render.chat_turn(answer, streamed=interactive))
        history += [{"role": "user", "content": answer.rewritten_question or question},
                    {"role": "assistant", "content": answer.text}]


def _english_meanwhile() -> None:
    """The English pipeline loads in a helper process while the index opens (one-shot commands:
    ``language_worker.py``), on the machine's other core."""
    from assistant.answering.language import read_in_helper_process

    read_in_helper_process()


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="Your question or search terms.")],
    k: KOpt = None,
    as_json: JsonOpt = False,
    mode: ModeOpt = None,
    source: SourceOpt = None,
    article: ArticleOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Show the passages that best match a question."""
    options = retrieval_flags(mode, source, article, since, until)
    question = question_argument(question)
    result = open_assistant().search(question, k=k, **options)
    if as_json:
        print_json(result.to_dict())
        return
    echo(render.retrieval_text(result))


@app.command()
def timeline(
    question: Annotated[str, typer.Argument(help="A question or topic.")],
    k: Annotated[int | None, typer.Option("-k", min=1, max=100, help="How many passages to "
                                          "read, several per article [default: 30].")] = None,
    as_json: JsonOpt = False,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Articles on a topic by date, with their story and source."""
    options = retrieval_flags(None, source, None, since, until)
    question = question_argument(question)
    result = open_assistant().timeline(question, k=k, **options)
    if as_json:
        print_json(result.to_dict())
        return
    echo(render.timeline_text(result))


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Counts of indexed articles and chunks."""
    s = open_assistant().stats()
    if as_json:
        print_json(s.to_dict())
        return
    echo(render.stats_text(s))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 7860].", min=1,
                                             max=65535)] = None,
) -> None:
    """Serve the chat UI in the browser."""
    from assistant.interfaces.server import launch

    launch(current_settings(), host=host, port=port)


def main(args: list[str] | None = None) -> None:
    run(app, sys.argv[1:] if args is None else args)


if __name__ == "__main__":
    main()
