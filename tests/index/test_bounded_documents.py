"""Documents whose cost is not their size: each refused in seconds, in bounded memory, with its
reason — a PDF form drawn thousands of times, a page that outlasts the deadline, a .docx of
millions of empty paragraphs, zip members that lie about their size."""

from __future__ import annotations

import functools
import time

import pytest

from index import documents, pdf_limits
from index.docx_package import MAX_XML_ELEMENTS
from index.errors import BadArticle
from index.loaders import parse_bytes
from tests.documents import (
    BRIDGE,
    docx_bomb,
    docx_with_body,
    make_docx,
    make_pdf,
    pdf_drawing_form,
    under_declared,
)
from tests.index.test_hostile import GOOD, load_in_child

TEXT = b"BT /F1 12 Tf 40 700 Td (The council approved the bridge on Monday.) Tj ET"


@functools.cache
def hostile_documents():
    """name → (bytes, words of the reason): small files that cost hours or gigabytes unbounded
    (built once: the zip bomb takes a few seconds to compress)."""
    return {
        # 21 KB: a form of 20 MB of spaces drawn 5,000 times (about 3 s a draw without bounds)
        "forms.pdf": (pdf_drawing_form(b" " * (20 << 20), draws=5_000, text=TEXT),
                      "would parse over 67,108,864 bytes of page content"),
        "draws.pdf": (pdf_drawing_form(b"q Q", draws=pdf_limits.MAX_FORM_DRAWS + 1, text=TEXT),
                      f"draws forms more than {pdf_limits.MAX_FORM_DRAWS:,} times"),
        # 84 KB: 31 MiB of <w:p/> (104 s and +1.1 GB for python-docx unbounded)
        "paragraphs.docx": (docx_with_body(b"<w:p/>" * (31 * 1024 * 1024 // 6)),
                            f"holds more than {MAX_XML_ELEMENTS:,} XML elements"),
        # 1 MB: 1 GiB of spaces declared as 4,000 bytes (zipfile inflates it all at once)
        "lying.docx": (under_declared(docx_bomb(1 << 30, zip64=False), "word/document.xml",
                                      4000), "does not unpack to what its zip directory declares"),
    }


@pytest.mark.slow
def test_costly_documents_are_refused_in_seconds_and_bounded_memory(tmp_path):
    """In a child with 1 GB of address space, beside a good .md and .docx."""
    for name, (data, _) in hostile_documents().items():
        (tmp_path / name).write_bytes(data)
        assert len(data) < 1_200_000
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "good.docx").write_bytes(make_docx(BRIDGE, title="Bridge vote in Word"))
    out = load_in_child(tmp_path, memory=1 << 30)
    assert sorted(out["titles"]) == ["Bridge reopens", "Bridge vote in Word"]
    for name, (_, reason) in hostile_documents().items():
        assert reason in out["failed"][str(tmp_path / name)], name
    assert "(page 1 of 1)" in out["failed"][str(tmp_path / "forms.pdf")]
    assert out["seconds"] < 10  # about 0.6 s here; hours before


def test_a_form_drawn_a_few_times_is_read():
    form = b"BT /F1 12 Tf 40 600 Td (Signed by the mayor of Springfield.) Tj ET"
    [article] = parse_bytes(pdf_drawing_form(form, draws=2, text=TEXT), "logo.pdf")
    assert "The council approved the bridge on Monday." in article.text
    assert article.text.count("Signed by the mayor of Springfield.") == 2


def test_the_deadline_is_checked_inside_a_page(monkeypatch):
    """One page whose form of 8,000 operators is drawn 2,000 times: a minute of operators, all
    within the byte and draw bounds; refused at the deadline, on its first page."""
    monkeypatch.setattr(documents, "PDF_SECONDS", 0.5)
    raw = pdf_drawing_form(b"q Q " * 4_000, draws=2_000, text=TEXT)
    started = time.perf_counter()
    with pytest.raises(BadArticle, match=r"took over 0.5 s to read \(page 1 of 1\)"):
        parse_bytes(raw, "slow.pdf")
    assert time.perf_counter() - started < 5  # one draw past the deadline at most


def test_operations_are_bounded_per_document(monkeypatch):
    monkeypatch.setattr(pdf_limits, "MAX_OPERATIONS", 50_000)
    raw = pdf_drawing_form(b"q Q " * 10_000, draws=20, text=TEXT)
    with pytest.raises(BadArticle, match="draws more than 50,000 operations"):
        parse_bytes(raw, "busy.pdf")


def test_an_ordinary_pdf_is_far_within_the_bounds():
    budget = pdf_limits.PdfBudget("bridge.pdf", 30)
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(make_pdf([BRIDGE] * 3)))
    for n, page in enumerate(reader.pages, 1):
        budget.check_page(page, n, 3)
    assert 0 < budget.content_bytes < 20_000
