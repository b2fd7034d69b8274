"""The ``assistant`` command line.

Start-up stays fast: gradio and sentence-transformers are imported only by the commands that need
them (``serve``; and the model when something is embedded).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.errors import USER_ERRORS
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.service import Assistant

app = typer.Typer(
    help="Ask questions about news articles and get answers with cited passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Add articles to the index.", no_args_is_help=True)
app.add_typer(index_app, name="index")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object (for scripts).")]
ModeOpt = Annotated[
    str | None,
    typer.Option("--mode", help="hybrid (dense + BM25), dense or lexical [default: hybrid]."),
]
SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", help="Only articles from this source (repeatable).")
]
ArticleOpt = Annotated[
    list[str] | None, typer.Option("--article", help="Only this article id (repeatable).")
]
SinceOpt = Annotated[
    str | None, typer.Option("--since", help="Only articles published on or after YYYY-MM-DD.")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Only articles published on or before YYYY-MM-DD.")
]


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
    from assistant.service import Assistant

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
    from assistant.interfaces.progress import ProgressBar

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


def _retrieval_options(
    mode: str | None, source: list[str] | None, article: list[str] | None,
    since: str | None, until: str | None,
) -> dict[str, Any]:
    """The CLI's retrieval flags as keyword arguments of Assistant.search/ask."""
    from assistant.retrieval.filters import Filters
    from assistant.retrieval.hybrid import MODES

    if mode is not None and mode not in MODES:
        raise typer.BadParameter(f"{mode!r} is not a mode: use one of {', '.join(MODES)}.",
                                 param_hint="--mode")
    dates: dict[str, date | None] = {}
    for name, value in (("since", since), ("until", until)):
        try:
            dates[name] = date.fromisoformat(value) if value else None
        except ValueError as exc:
            raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD.",
                                     param_hint=f"--{name}") from exc
    try:
        filters = Filters(tuple(source or ()), tuple(article or ()), dates["since"],
                          dates["until"])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--since/--until") from exc
    return {"mode": mode, "filters": filters}


@index_app.command("sync")
def index_sync(
    folder: Annotated[Path, typer.Argument(help="The folder to mirror.")],
    as_json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Mirror a folder: new files added, changed files updated, deleted files removed."""
    from assistant.interfaces.progress import ProgressBar

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

    from assistant.interfaces.progress import ProgressBar

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
    from assistant.interfaces.progress import ProgressBar

    assistant = _assistant()
    with ProgressBar("rebuilding", enabled=not (quiet or as_json)) as bar:
        report = assistant.rebuild(progress=bar)
    _report(report, as_json=as_json, quiet=quiet)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    k: Annotated[int | None, typer.Option("-k", help="Passages to read.")] = None,
    as_json: JsonOpt = False,
    mode: ModeOpt = None,
    source: SourceOpt = None,
    article: ArticleOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Answer a question with [n] citations to the indexed articles."""
    options = _retrieval_options(mode, source, article, since, until)
    answer = _assistant().ask(question, k=k, **options)
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
    from assistant.answering.extractive import Answer

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
    mode: ModeOpt = None,
    source: SourceOpt = None,
    article: ArticleOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Show the passages that best match a question."""
    options = _retrieval_options(mode, source, article, since, until)
    result = _assistant().search(question, k=k, **options)
    passages = result.passages
    if as_json:
        _print_json(result.to_dict())
        return
    if result.date_range is not None:
        r = result.date_range
        state = "applied" if result.date_filter_applied else "no match, not applied"
        typer.echo(f'dates: "{r.expression}" → {r.start or "…"} to {r.end or "…"} ({state})',
                   err=True)
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
    from assistant.interfaces.ui import launch

    settings = _settings()
    from assistant.interfaces.server import check_bind

    check_bind(host or settings.host, token=settings.token, ui_auth=settings.ui_auth)
    launch(_assistant(), settings, host=host, port=port)


# -- assistant eval -------------------------------------------------------------------------

eval_app = typer.Typer(help="Measure retrieval and answers on your own data.",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")
EvalDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Index here (and reuse it next time) instead of a "
                                    "temporary folder."),
]


def _input_file(flag: str, what: str) -> Any:
    return typer.Option(flag, exists=True, dir_okay=False, help=what)


def _run_eval(
    data_dir: Path | None, articles: list[Any], what: str,
    evaluate: Callable[[Assistant, Callable[[str], None]], dict[str, Any]],
) -> dict[str, Any]:
    """Index ``articles`` (into a temporary folder unless ``data_dir``), then evaluate."""
    import tempfile

    from assistant.service import Assistant

    def say(message: str) -> None:
        typer.echo(message, err=True)

    def progress(done: int, chunks: int) -> None:
        say(f"  … indexed {done}/{len(articles)} articles, {chunks} chunks embedded")

    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as tmp:
        settings = _settings().model_copy(update={"data_dir": data_dir or Path(tmp)})
        assistant = Assistant.from_settings(settings)
        try:
            say(f"Indexing {len(articles)} articles into {assistant.data_dir}")
            report = assistant.add_articles(articles, progress=progress)
            say(f"  added {len(report.added)}, updated {len(report.updated)}, unchanged "
                f"{len(report.unchanged)}, failed {len(report.failed)}")
            say(what)
            return evaluate(assistant, say)
        finally:
            assistant.close()


@eval_app.command("retrieval")
def eval_retrieval(
    corpus: Annotated[Path, _input_file("--corpus", "BEIR corpus.jsonl")],
    queries: Annotated[Path, _input_file("--queries", "BEIR queries.jsonl")],
    qrels: Annotated[Path, _input_file("--qrels", "BEIR qrels TSV")],
    data_dir: EvalDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """nDCG@10, Recall@10/100 and MRR@10 of lexical, dense and hybrid retrieval (BEIR format)."""
    from assistant.evaluation import (
        evaluate_retrieval,
        load_beir_corpus,
        load_beir_queries,
        load_qrels,
    )

    try:
        articles, qs, judged = load_beir_corpus(corpus), load_beir_queries(queries), \
            load_qrels(qrels)
    except (ValueError, KeyError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    result = _run_eval(
        data_dir, articles, f"Evaluating {sum(q in judged for q in qs)} queries",
        lambda a, say: evaluate_retrieval(a, qs, judged, progress=say),
    )
    result["articles"] = len(articles)
    if as_json:
        _print_json(result)
        return
    typer.echo(f"{'mode':<8} {'nDCG@10':>8} {'R@10':>7} {'R@100':>7} {'MRR@10':>7} {'ms/q':>7}")
    for mode, m in result["modes"].items():
        typer.echo(f"{mode:<8} {m['ndcg@10']:>8.4f} {m['recall@10']:>7.4f} "
                   f"{m['recall@100']:>7.4f} {m['mrr@10']:>7.4f} {m['ms_per_query']:>7.1f}")


@eval_app.command("qa")
def eval_qa(
    articles: Annotated[Path, _input_file("--articles", "articles JSONL")],
    questions: Annotated[Path, _input_file("--questions", "questions JSONL")],
    k: Annotated[int, typer.Option("-k", help="Passages retrieved per question.")] = 10,
    data_dir: EvalDirOpt = None,
    thresholds: Annotated[str, typer.Option(
        "--thresholds", help="Also answer at these abstention thresholds (comma-separated, "
        "e.g. 0.54,0.58,0.62) and report the trade-off curve.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Retrieval hits, answer and citation containment, abstention and latency."""
    from assistant.evaluation import evaluate_qa, load_qa_articles, load_qa_questions

    try:
        loaded, qs = load_qa_articles(articles), load_qa_questions(questions)
        curve_at = [float(t) for t in thresholds.split(",") if t.strip()]
    except (ValueError, KeyError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    result = _run_eval(data_dir, loaded, f"Asking {len(qs)} questions",
                       lambda a, say: evaluate_qa(a, qs, k=k, thresholds=curve_at, progress=say))
    if as_json:
        _print_json(result)
        return
    curve = result.pop("curve", [])
    for name, value in result.items():
        typer.echo(f"{name:<24} {value}")
    if curve:
        names = [n for n in curve[0] if n != "threshold"]
        typer.echo("threshold " + " ".join(f"{n:>13.13}" for n in names))
        for row in curve:
            typer.echo(f"{row['threshold']:<9} " + " ".join(f"{row[n]:>13.4f}" for n in names))


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
