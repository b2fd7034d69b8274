"""Plain-text rendering shared by the CLI, the UI and the API: exact strings, no model."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from assistant.errors import INTERNAL_ERROR, ConfigError, http_status, user_message
from assistant.interfaces.render import (
    answer_text,
    chat_turn,
    date_note,
    merge_reports,
    nothing_indexed,
    report_failures,
    report_summary,
    terminal_safe,
)
from assistant.results import Answer, Citation, Source
from assistant.retrieval.dates import DateRange
from index.errors import BadArticle, IndexNotFound
from index.indexer import ReindexReport
from index.sync import SyncReport

CITATION = Citation(n=1, article_id="a", title="Storm hits the coast", url="https://x.org/a",
                    published="2018-01-09", source="Coast Herald", passage="…", start=0,
                    end=1, score=0.9)


def test_report_summary_and_failures():
    report = ReindexReport(added=("a", "b"), unchanged=("c",), chunks_embedded=7,
                           failed=(BadArticle("bad.json", "invalid JSON"),))
    assert report_summary(report) == "added 2, updated 0, unchanged 1, failed 1 " \
                                     "(7 chunks embedded)"
    assert report_failures(report) == ["bad.json: invalid JSON"]
    assert not nothing_indexed(report)
    assert nothing_indexed(ReindexReport(failed=(BadArticle("x.txt", "empty"),)))
    assert not nothing_indexed(ReindexReport())


def test_a_sync_report_counts_removals():
    assert report_summary(SyncReport(removed=("old",))).startswith(
        "added 0, updated 0, removed 1, unchanged 0, failed 0")


def test_reports_of_files_and_pages_merge():
    merged = merge_reports(ReindexReport(added=("a",), chunks_embedded=2),
                           ReindexReport(added=("b",), unchanged=("c",), chunks_embedded=3))
    assert merged == ReindexReport(added=("a", "b"), unchanged=("c",), chunks_embedded=5)


def test_date_note():
    r = DateRange(date(2023, 12, 1), date(2023, 12, 31), "in December 2023")
    assert date_note(r, True) == 'dates: "in December 2023" → 2023-12-01 to 2023-12-31 ' \
                                 "(applied)"
    assert date_note(r, False).endswith("(no match, not applied)")
    assert date_note(r, False, True).endswith("(ranked first)")
    assert date_note(None, True) is None


def test_answers_with_their_sources():
    answer = Answer(question="q", text="Roads closed. [1]", citations=(CITATION,))
    assert answer_text(answer) == ("Roads closed. [1]\n\n[1] Storm hits the coast "
                                   "(Coast Herald · 2018-01-09 · https://x.org/a)")
    follow = Answer(question="q", text="Roads closed. [1]", citations=(CITATION,),
                    rewritten_question="What did the storm close?")
    assert chat_turn(follow, streamed=False) == (
        "(understood as: What did the storm close?)\nRoads closed. [1]\n"
        "  [1] Storm hits the coast (2018-01-09)\n")


def test_an_article_cited_twice_is_listed_once():
    second = replace(CITATION, n=2, passage="Schools reopened.")
    other = replace(CITATION, n=3, article_id="b", title="Ferries resume", url=None)
    answer = Answer(question="q", text="Roads closed. [1] Schools opened. [2] Ferries. [3]",
                    citations=(CITATION, second, other))
    assert answer_text(answer).splitlines()[2:] == [
        "[1] [2] Storm hits the coast (Coast Herald · 2018-01-09 · https://x.org/a)",
        "[3] Ferries resume (Coast Herald · 2018-01-09)"]
    assert chat_turn(answer, streamed=True).splitlines()[1:3] == [
        "  [1] [2] Storm hits the coast (2018-01-09)", "  [3] Ferries resume (2018-01-09)"]


def test_answers_say_their_sources_date_and_notes():
    answer = Answer(question="q", text="Roads closed. [1]", citations=(CITATION,),
                    sources=(Source("Coast Herald", (1,), ("Coast Herald", "Daily")),),
                    as_of="2018-01-09", notes=("The newest article is old.",))
    assert answer_text(answer) == (
        "Roads closed. [1]\n\n[1] Storm hits the coast (Coast Herald · 2018-01-09 · "
        "https://x.org/a)\n\n1 source (Coast Herald), carried by 2 outlets · as of 2018-01-09"
        "\nNote: The newest article is old.")
    assert chat_turn(answer, streamed=True).endswith(
        "(2018-01-09)\n\n1 source (Coast Herald), carried by 2 outlets · as of 2018-01-09\n"
        "Note: The newest article is old.\n")


def test_errors_have_one_message_and_status_everywhere():
    assert user_message(ConfigError("Set X.")) == "Set X." and http_status(ConfigError("")) == 400
    assert http_status(BadArticle("f", "r")) == 422 and http_status(IndexNotFound("")) == 409
    assert user_message(KeyError("secret path")) == INTERNAL_ERROR
    assert http_status(KeyError("x")) == 500


def test_terminal_safe_strips_controls_and_escape_sequences():
    assert terminal_safe("a\x1b]0;new title\x07b") == "ab"  # OSC ended by BEL
    assert terminal_safe("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\c") == "alinkc"  # ended by ST
    assert terminal_safe("\x1b[2J\x1b[1;31mred\x1b[0m \x9b31mx") == "red x"  # CSI, 8-bit CSI
    assert terminal_safe("a\x1bcb\x1b") == "ab"  # two-byte ESC, lone ESC
    assert terminal_safe("one\r\x08\x00\x7f\x85 two\n\tthree") == "one two\n\tthree"
    assert terminal_safe("a\x1b]0;never ended\nnext") == "a\nnext"  # stops at the line's end
    assert terminal_safe("Zürich · 東京 — «ok»\u00a0") == "Zürich · 東京 — «ok»\u00a0"
