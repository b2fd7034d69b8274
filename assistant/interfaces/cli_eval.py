"""``assistant eval``: measure retrieval and answers on your own data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.interfaces.cli_shared import JsonOpt, current_settings, print_json

if TYPE_CHECKING:
    from assistant.service import Assistant

eval_app = typer.Typer(help="Measure retrieval and answers on your own data.",
                       no_args_is_help=True, rich_markup_mode=None)
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
        settings = current_settings().model_copy(update={"data_dir": data_dir or Path(tmp)})
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
        print_json(result)
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
        print_json(result)
        return
    curve = result.pop("curve", [])
    kinds = result.pop("by_kind", {})
    for name, value in result.items():
        typer.echo(f"{name:<24} {value}")
    if len(kinds) > 1 or "all" not in kinds:
        typer.echo(f"{'kind':<12} {'questions':>9} {'correct':>8} {'abstained':>9} "
                   f"{'cites_all':>9} {'holds_gold':>10}")
        for kind, m in kinds.items():
            typer.echo(f"{kind:<12} {m['questions']:>9} {m['correct']:>8.3f} "
                       f"{m['abstained']:>9.3f} {_share(m['cites_all']):>9} "
                       f"{_share(m['holds_gold']):>10}")
    if curve:
        names = [n for n in curve[0] if n != "threshold"]
        typer.echo("threshold " + " ".join(f"{n:>13.13}" for n in names))
        for row in curve:
            typer.echo(f"{row['threshold']:<9} " + " ".join(f"{row[n]:>13.4f}" for n in names))


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
