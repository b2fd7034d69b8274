"""PDF and Word articles: text laid out in paragraphs, metadata from the document properties,
and passages whose offsets point into that text. The files are made here (fpdf2, python-docx)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from index.loaders import load_paths, parse_bytes
from tests.documents import BRIDGE, make_docx, make_pdf, xmp_only_pdf

TITLE = "Council approves river bridge"
MARCH_5 = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
SECOND_PAGE = ("The tunnel under the old harbour will stay open during the works, and buses will "
               "run every ten minutes between the two banks.")
HEAD = "Springfield Gazette - Press release"


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def test_pdf_properties_paragraphs_and_running_heads():
    raw = make_pdf([BRIDGE, [SECOND_PAGE], BRIDGE[2:]], title=TITLE, author="Jane Roe; John Smith",
                   created=MARCH_5, heading=TITLE, running_head=HEAD, hyphenate="commuting")
    [a] = parse_bytes(raw, "bridge.pdf")
    assert (a.title, a.authors, a.published) == (TITLE, ("Jane Roe", "John Smith"), "2024-03-05")
    # The heading repeating the title, the running head and the page numbers are gone; each
    # paragraph is one line of text, the hyphenated "commut-/ing" one word again.
    assert paragraphs(a.text) == [*BRIDGE, SECOND_PAGE, BRIDGE[2]]
    assert HEAD not in a.text and "Page" not in a.text


def test_pdf_without_properties_takes_its_heading_as_title():
    [a] = parse_bytes(make_pdf([BRIDGE], heading="Bridge vote: council says yes"), "b.pdf")
    assert a.title == "Bridge vote: council says yes"
    assert paragraphs(a.text) == BRIDGE and a.authors == ()


def test_pdf_properties_from_xmp_alone():
    [a] = parse_bytes(xmp_only_pdf("Harbour plan", "Ana Ruiz", MARCH_5), "xmp.pdf")
    assert (a.title, a.authors, a.published) == ("Harbour plan", ("Ana Ruiz",), "2024-03-05")
    assert paragraphs(a.text) == BRIDGE


def test_pdf_paragraph_cut_by_a_page_break_is_joined():
    raw = make_pdf([["Turnout was high in every district, officials said, and the count went on"],
                    ["through the night until the result was announced at dawn."]])
    [a] = parse_bytes(raw, "c.pdf")
    assert a.text == ("Turnout was high in every district, officials said, and the count went on "
                      "through the night until the result was announced at dawn.")


def test_docx_core_properties_paragraphs_and_tables():
    raw = make_docx(BRIDGE, title=TITLE, author="Jane Roe", created=MARCH_5, heading=TITLE,
                    table=[["Cost", "5 million dollars"], ["Opens", "2026"]])
    [a] = parse_bytes(raw, "bridge.docx")
    assert (a.title, a.authors, a.published) == (TITLE, ("Jane Roe",), "2024-03-05")
    assert paragraphs(a.text) == [*BRIDGE, "Cost | 5 million dollars", "Opens | 2026"]


def test_docx_left_at_its_template_defaults():
    """python-docx's template says author "python-docx", created 2013: not this article's."""
    [a] = parse_bytes(make_docx(BRIDGE, heading="Bridge approved"), "plain.docx")
    assert (a.title, a.authors, a.published) == ("Bridge approved", (), None)
    [b] = parse_bytes(make_docx(BRIDGE), "untitled.docx")
    assert b.title == BRIDGE[0][:147].rsplit(" ", 1)[0] + "…"  # the first line, as for .txt
    assert paragraphs(b.text) == BRIDGE


def test_placeholder_pdf_title_is_not_used():
    [a] = parse_bytes(make_pdf([BRIDGE], title="Microsoft Word - bridge_final_v3.docx"), "x.pdf")
    assert a.title != "Microsoft Word - bridge_final_v3.docx"
    assert a.title.startswith("The city council of Springfield")


@pytest.mark.slow
def test_folder_of_documents_is_indexed_with_exact_passage_offsets(make_assistant, tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "bridge.pdf").write_bytes(make_pdf([BRIDGE, [SECOND_PAGE]], title=TITLE,
                                                 created=MARCH_5, running_head=HEAD))
    (folder / "orchard.docx").write_bytes(make_docx(
        ["Apple growers in Kent picked a record crop of 12,000 tonnes this autumn, helped by a "
         "warm and wet summer."], title="Orchard harvest", author="Sam Lee"))
    (folder / "notes.md").write_text("# Ferry timetable\n\nThe winter ferry timetable starts on "
                                     "Monday with two crossings a day.\n")
    assert {a.title for a in load_paths([folder]).articles} == {TITLE, "Orchard harvest",
                                                                "Ferry timetable"}
    assistant = make_assistant()
    report = assistant.add_paths([folder])
    assert len(report.added) == 3 and not report.failed
    for question, title in (("How often will buses run between the banks?", TITLE),
                            ("How many tonnes of apples were picked in Kent?", "Orchard harvest")):
        [best, *_] = assistant.retrieve(question, k=3)
        assert best.title == title
        article = assistant.get_article(best.article_id).article
        assert article.text[best.start:best.end] == best.text
    answer = assistant.ask("How often will buses run between the banks?")
    cited = answer.citations[0]
    assert cited.title == TITLE and cited.published == "2024-03-05"
    assert "every ten minutes" in cited.passage
    text = assistant.get_article(cited.article_id).article.text
    assert text[cited.start:cited.end] == cited.passage
