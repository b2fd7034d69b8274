"""PDF and Word (.docx) articles: their text, and title, author and date from the document.

The text is laid out as the other loaders lay it out — paragraphs separated by blank lines —
because chunks and citations point into it. PDF lines are joined into paragraphs by the space
between them, words hyphenated across a line break are joined again, and a header or footer line
repeated on most pages is dropped. A Word file's paragraphs and table rows are read in order.

A document costs more to read than its size suggests, so each is bounded and refused alone with
its reason: an encrypted file (a PDF with an empty user password is read), a damaged or truncated
one, one over ``MAX_PAGES`` pages or ``MAX_TEXT_CHARS`` characters of text, a PDF that takes over
``PDF_SECONDS`` to read or whose pages would cost more work than ``index.pdf_limits`` allows
(forms drawn over and over, too many operators), a scanned PDF with no
text layer, and a .docx whose package ``index.docx_package`` refuses (a zip bomb, parts over
their limits, millions of XML elements).
pypdf and python-docx are imported only when a document is read.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from index.articles import Article, split_authors
from index.docx_package import ENCRYPTED as _ENCRYPTED
from index.docx_package import checked_package
from index.errors import BadArticle
from index.pdf_limits import OverBudget, PdfBudget, limits
from index.textfiles import MAX_TEXT_CHARS

DOCUMENT_SUFFIXES = (".pdf", ".docx")
MAX_PAGES = 2_000
PDF_SECONDS = 30.0
# pypdf's parsing budget per content stream, in tokens. Its default (2 million) lets a crafted 8 KB
# page take about 12 s (bench/documents.py); a full page of the tests' text reads within 1,000,
# and kerned text (TJ arrays) or a drawn chart costs more, hence the wide margin.
MAX_PAGE_TOKENS = 200_000

_NO_TEXT = ("has no text layer (scanned?) — OCR it first (e.g. ocrmypdf), then add the "
            "result")
# Values generators write when nobody filled the properties in: not a title, author or date.
_PLACEHOLDER_AUTHORS = {"python-docx", "author", "unknown", "microsoft office user", "user"}
_PLACEHOLDER_TITLE = re.compile(r"^(untitled|document\d*|microsoft \w+ - .*|.*\.(docx?|pdf|rtf|"
                                r"odt|txt|indd|qxd))$", re.I)
_DOCX_TEMPLATE_DATE = datetime(2013, 12, 23, 23, 15, tzinfo=UTC)  # python-docx's
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–—]?\s*\d{1,5}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,5})?$",
                          re.I)
_TERMINAL = ".!?…:;\"'”’)»"


def parse_document(raw: bytes, source: str) -> Article:
    """The article in a .pdf or .docx file's bytes; raises BadArticle with the reason."""
    if not raw.strip():
        raise BadArticle(source, "file is empty")
    if PurePath(source).suffix.lower() == ".pdf":
        return parse_pdf(raw, source=source)
    return parse_docx(raw, source=source)


# -- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    text: str
    y: float  # baseline, in page units (up is larger)
    size: float  # font size as drawn


def parse_pdf(raw: bytes, *, source: str = "<pdf>") -> Article:
    if b"%PDF-" not in raw[:1024]:
        raise BadArticle(source, "is not a PDF (no %PDF- header): is it another format with "
                         "a .pdf name?")
    import logging

    import pypdf
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    # pypdf logs every repair it makes to a damaged file; the loader reports what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with pypdf.apply_configuration(stream_parsing_work_maximum_count=MAX_PAGE_TOKENS,
                                       **limits()):
            return _read_pdf(pypdf.PdfReader(io.BytesIO(raw)), source)
    except BadArticle:
        raise
    except OverBudget as exc:
        raise BadArticle(source, exc.reason) from None
    except (FileNotDecryptedError, DependencyError) as exc:
        raise BadArticle(source, _ENCRYPTED) from exc
    except LimitReachedError as exc:
        raise BadArticle(source, f"is too complex to read as an article ({_short(exc)}); print "
                         "it to a new PDF and add that") from exc
    except Exception as exc:  # a damaged file fails anywhere in the parser, with any error
        raise BadArticle(source, f"is damaged or truncated: not a readable PDF "
                         f"({_short(exc)})") from exc


def _read_pdf(reader: Any, source: str) -> Article:
    from pypdf.errors import PyPdfError

    if reader.is_encrypted and not reader.decrypt(""):  # pypdf tried the empty password
        raise BadArticle(source, _ENCRYPTED)
    pages = len(reader.pages)
    if pages > MAX_PAGES:
        raise BadArticle(source, f"has {pages:,} pages, over the {MAX_PAGES:,}-page limit; "
                         "split it into articles")
    text, first_is_heading = _pdf_text(reader, source, pages)
    if not re.search(r"[^\W\d_]{2}", text):
        raise BadArticle(source, _NO_TEXT)
    try:
        meta = _pdf_properties(reader)
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError):
        meta = {}  # a broken information dictionary costs the title and date, not the text
    # The date printed at the top of the article is its publication date; the file's creation
    # date (when it was exported or printed to PDF) is only a fallback.
    meta["published"] = printed_date(text[:PRINTED_DATE_CHARS]) or meta.get("published")
    return _article(meta, text, source, first_is_heading=first_is_heading)


def _pdf_text(reader: Any, source: str, pages: int) -> tuple[str, bool]:
    """The text as paragraphs, and whether its first paragraph is set larger than the body."""
    budget = PdfBudget(source, PDF_SECONDS)
    per_page: list[list[_Line]] = []
    chars = 0
    for number, page in enumerate(reader.pages, start=1):
        budget.check_page(page, number, pages)
        lines = _page_lines(page, budget.visit)
        per_page.append(lines)
        chars += sum(len(line.text) + 1 for line in lines)
        if chars > MAX_TEXT_CHARS:
            raise BadArticle(source, f"holds more than {MAX_TEXT_CHARS:,} characters of text "
                             f"(by page {number:,} of {pages:,}); split it into articles")
    per_page = _drop_running_lines(per_page)
    paragraphs: list[list[_Line]] = []
    for lines in per_page:
        page_paras = _paragraphs(lines)
        if page_paras and paragraphs and _continues(paragraphs[-1], page_paras[0]):
            paragraphs[-1] = paragraphs[-1] + page_paras.pop(0)
        paragraphs.extend(page_paras)
    texts = [_join_lines(p) for p in paragraphs]
    sizes = [line.size for p in paragraphs[1:] for line in p]
    body = sorted(sizes)[len(sizes) // 2] if sizes else 0.0  # the body text's usual size
    heading = bool(paragraphs) and len(paragraphs[0]) <= 3 and body > 0 \
        and min(line.size for line in paragraphs[0]) > body * 1.15
    return "\n\n".join(t for t in texts if t), heading


def _page_lines(page: Any, on_operator: Any) -> list[_Line]:
    """The page's text lines with their positions, from pypdf's text extraction;
    ``on_operator`` sees every operator first (the budget)."""
    lines: list[_Line] = []
    parts: list[str] = []
    where: list[tuple[float, float]] = []

    def close() -> None:
        text = re.sub(r"[ \t\u00a0\u2000-\u200b]+", " ", "".join(parts)).strip()
        text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
        if text:
            lines.append(_Line(text, *where[0]))
        parts.clear()
        where.clear()

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float) -> None:
        m = _multiply(tm, cm)
        for i, piece in enumerate(text.split("\n")):
            if i:
                close()
            if piece.strip():
                parts.append(piece)
                where.append((m[5], abs(size * (m[3] or m[0] or 1.0))))

    page.extract_text(visitor_text=visit, visitor_operand_before=on_operator)
    close()
    return lines


def _multiply(a: list[float], b: list[float]) -> tuple[float, ...]:
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Without page numbers, and the header and footer lines repeated on most pages, at the
    top or bottom of a page."""
    def key(line: _Line) -> str:  # page numbers aside; long lines are text, not a running head
        return re.sub(r"\d+", "#", line.text.lower()) if len(line.text) <= 100 else ""

    def edge(lines: list[_Line]) -> set[int]:
        return set(range(min(2, len(lines)))) | set(range(max(0, len(lines) - 2), len(lines)))

    seen = Counter(k for lines in pages for k in {key(lines[i]) for i in edge(lines)})
    running = {k for k, n in seen.items() if k and n >= max(3, 0.6 * len(pages))}
    return [[x for i, x in enumerate(lines)
             if i not in edge(lines) or not (key(x) in running or _PAGE_NUMBER.match(x.text))]
            for lines in pages]


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped into paragraphs: a new one where the gap to the line above is wider than
    the page's usual line spacing, the type size changes, or the text jumps up (a column)."""
    gaps = sorted(a.y - b.y for a, b in zip(lines, lines[1:], strict=False) if a.y - b.y > 0.5)
    usual = gaps[len(gaps) // 4] if gaps else 0.0
    paragraphs: list[list[_Line]] = []
    for i, line in enumerate(lines):
        if i == 0:
            paragraphs.append([line])
            continue
        prev = lines[i - 1]
        gap = prev.y - line.y
        new = (gap > usual * 1.3 + 0.5 or gap < -0.5
               or abs(line.size - prev.size) > 0.15 * max(line.size, prev.size))
        if new:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def _continues(before: list[_Line], after: list[_Line]) -> bool:
    """A paragraph cut by a page break: no closing punctuation, then a lower-case start."""
    end, start = before[-1].text, after[0].text
    return not end.endswith(tuple(_TERMINAL)) and start[:1].islower()


def _join_lines(lines: list[_Line]) -> str:
    text = ""
    for line in lines:
        part = line.text
        if not text:
            text = part
        elif text.endswith("\u00ad") or (re.search(r"[^\W\d_]-$", text) and part[:1].islower()):
            text = text[:-1] + part  # "commut-" + "ing": one word hyphenated at the line end
        else:
            text += " " + part
    return text.replace("\u00ad", "")


_MONTH = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
          r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_PRINTED_DATES = (
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>(?:19|20)\d\d)\b",
               re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b",
               re.I),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
)
PRINTED_DATE_CHARS = 600  # the top of the first page: heading, byline, dateline


def printed_date(text: str) -> str | None:
    """The first date written out in ``text`` ("14 November 2026", "Nov. 14, 2026",
    "2026-11-14") as YYYY-MM-DD; None when there is none."""
    found = []
    for pattern in _PRINTED_DATES:
        for match in pattern.finditer(text):
            month = match.group("month")
            number = int(month) if month.isdigit() else \
                ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                 "dec"].index(month[:3].lower()) + 1
            try:
                day = datetime(int(match.group("year")), number, int(match.group("day")))
            except ValueError:
                continue
            found.append((match.start(), day.date().isoformat()))
            break
    return min(found)[1] if found else None


def _pdf_properties(reader: Any) -> dict[str, Any]:
    """Title, author and date from the document information dictionary, else its XMP."""
    found: dict[str, Any] = {}
    info = reader.metadata
    if info is not None:
        found["title"], found["authors"] = info.title, info.author
        try:
            found["published"] = info.creation_date or info.modification_date
        except ValueError:  # a date string pypdf cannot parse: the date is only metadata
            found["published"] = None
    if not all(found.get(k) for k in ("title", "authors", "published")):
        xmp = reader.xmp_metadata
        if xmp is not None:
            titles = xmp.dc_title or {}
            found["title"] = found.get("title") or titles.get("x-default") or next(
                iter(titles.values()), None)
            found["authors"] = found.get("authors") or xmp.dc_creator
            found["published"] = found.get("published") or xmp.xmp_create_date
    return found


# -- Word ----------------------------------------------------------------------------------


def parse_docx(raw: bytes, *, source: str = "<docx>") -> Article:
    package = checked_package(raw, source)
    import docx

    try:
        document = docx.Document(package)
        paragraphs, first_is_heading = _docx_text(document, source)
        meta = _docx_properties(document)
    except BadArticle:
        raise
    except Exception as exc:  # a damaged package fails anywhere in the parser, with any error
        raise BadArticle(source, f"is damaged or not a Word document ({_short(exc)}); open "
                         "and save it again in Word or LibreOffice") from exc
    text = "\n\n".join(paragraphs)
    if not text.strip():
        raise BadArticle(source, "has no text")
    return _article(meta, text, source, first_is_heading=first_is_heading)


def _docx_text(document: Any, source: str) -> tuple[list[str], bool]:
    """Body paragraphs and table rows in order, and whether the first is a title or heading."""
    from docx.table import Table

    out: list[str] = []
    first_is_heading = False
    chars = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            texts = [_cells(row) for row in block.rows]
        else:
            texts = [block.text]
            if not out:
                style = (block.style.name if block.style is not None else "") or ""
                first_is_heading = style == "Title" or style.startswith("Heading")
        for text in texts:
            text = re.sub(r"[ \t\u00a0]*\n[ \t\u00a0]*", " ", text).strip()
            if text:
                out.append(text)
                chars += len(text) + 2
        if chars > MAX_TEXT_CHARS:
            raise BadArticle(source, f"holds more than {MAX_TEXT_CHARS:,} characters of text; "
                             "split it into articles")
    return out, first_is_heading


def _cells(row: Any) -> str:
    texts: list[str] = []
    for cell in row.cells:  # a merged cell appears once per grid column it spans
        if not texts or cell.text != texts[-1]:
            texts.append(cell.text)
    return " | ".join(t.strip() for t in texts if t.strip())


def _docx_properties(document: Any) -> dict[str, Any]:
    try:
        props = document.core_properties
        published = props.created or props.modified
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}  # broken core properties cost the title and date, not the text
    if published == _DOCX_TEMPLATE_DATE:  # python-docx's template, not the document's date
        published = None
    return {"title": props.title, "authors": props.author, "published": published}


# -- both ----------------------------------------------------------------------------------


def _article(meta: dict[str, Any], text: str, source: str, *, first_is_heading: bool) -> Article:
    """The article, its title from the properties, else the first paragraph when it is set as
    a heading (then taken out of the text, as a Markdown heading is), else the first line."""
    title = re.sub(r"\s+", " ", str(meta.get("title") or "")).strip()
    title = "" if _PLACEHOLDER_TITLE.match(title) else title
    first, _, rest = text.partition("\n\n")
    same = title and re.sub(r"\W+", " ", first).strip().lower() == \
        re.sub(r"\W+", " ", title).strip().lower()
    if rest.strip() and (same or (not title and first_is_heading and len(first) <= 200)):
        title, text = title or first, rest
    authors = tuple(a for a in split_authors(meta.get("authors"))
                    if a.lower() not in _PLACEHOLDER_AUTHORS)
    try:
        return Article(title=title, text=text, published=meta.get("published"),
                       authors=authors)
    except (TypeError, ValueError) as exc:
        raise BadArticle(source, str(exc)) from exc


def _short(exc: BaseException) -> str:
    text = re.sub(r"\s+", " ", str(exc)).strip()
    text = text[:150] + "…" if len(text) > 150 else text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
