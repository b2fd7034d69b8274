"""PDF and Word files made by the tests: with fpdf2 and python-docx as a publisher would, and
hostile ones built by hand (pypdf objects, raw zip entries)."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Sequence
from datetime import datetime

BRIDGE = [
    "The city council of Springfield voted on Tuesday to approve a new bridge over the river, "
    "ending a decade of debate about the crossing and its cost to taxpayers.",
    "Construction is expected to begin next spring and to take about two years. The mayor said "
    "the bridge would cut commuting times by a quarter for residents of the east bank.",
    "Opponents argued that the money should have gone to schools, and said they would ask for "
    "a referendum on the project before the end of the year.",
]


def make_pdf(
    pages: Sequence[Sequence[str]], *, title: str | None = None, author: str | None = None,
    created: datetime | None = None, heading: str | None = None,
    running_head: str | None = None, hyphenate: str | None = None,
) -> bytes:
    """A text PDF: ``pages`` of paragraphs, an optional larger heading on the first page, a
    running head and a "Page n" footer on every page; ``hyphenate`` names a word split at a
    line end ("commut-" / "ing")."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)

    def write(text: str, height: float = 6) -> None:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if created:
        pdf.set_creation_date(created)
    for number, paragraphs in enumerate(pages, start=1):
        pdf.add_page()
        if running_head:
            pdf.set_font("Helvetica", size=9)
            pdf.cell(0, 6, running_head, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        if heading and number == 1:
            pdf.set_font("Helvetica", "B", 18)
            write(heading, 9)
            pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        for text in paragraphs:
            if hyphenate and hyphenate in text:
                cut = len(hyphenate) // 2
                before, after = text.split(hyphenate, 1)
                write(before + hyphenate[:cut] + "-")
                write(hyphenate[cut:] + after)
            else:
                write(text)
            pdf.ln(5)
        pdf.set_y(-20)
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 6, f"Page {number}", align="C")
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A scan: one page holding a picture of text, and no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(picture).text((20, 80), "Council approves river bridge", fill=0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=190)
    return bytes(pdf.output())


def encrypted_pdf(user_password: str, *, algorithm: str = "AES-256") -> bytes:
    """The bridge story, encrypted; an empty user password only restricts permissions."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf([BRIDGE], title="Bridge")))
    writer.encrypt(user_password=user_password, owner_password="owner-secret",
                   algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xmp_only_pdf(title: str, creator: str, created: datetime) -> bytes:
    """The bridge story with its properties in XMP only (no information dictionary)."""
    import pypdf
    from pypdf.xmp import XmpInformation

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf([BRIDGE])))
    writer.metadata = None
    xmp = XmpInformation.create()
    xmp.dc_title = {"x-default": title}
    xmp.dc_creator = [creator]
    xmp.xmp_create_date = created
    writer.xmp_metadata = xmp
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_content(content: bytes, *, pages: int = 1) -> bytes:
    """``pages`` pages sharing one compressed content stream written by hand (Helvetica as
    /F1): a tiny file whose text or operators can be as large as wanted."""
    import pypdf
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = pypdf.PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    stream = StreamObject()
    stream.set_data(zlib.compress(content, 9))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    shared = writer._add_object(stream)
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        page[NameObject("/Contents")] = shared
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(
    paragraphs: Sequence[str], *, title: str | None = None, author: str | None = None,
    created: datetime | None = None, heading: str | None = None,
    table: Sequence[Sequence[str]] = (),
) -> bytes:
    """A Word document: an optional Title-styled heading, the paragraphs, then a table."""
    import docx

    document = docx.Document()
    if heading:
        document.add_heading(heading, level=0)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    props = document.core_properties
    if title is not None:
        props.title = title
    if author is not None:
        props.author = author
    if created is not None:
        props.created = created
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bomb(unpacked: int, *, zip64: bool = True) -> bytes:
    """A .docx whose word/document.xml unpacks to ``unpacked`` bytes (of spaces) from a few
    kilobytes, beside the parts of a real document."""
    real = zipfile.ZipFile(io.BytesIO(make_docx(["Short."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in real.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, real.read(info))
        with bomb.open("word/document.xml", "w", force_zip64=zip64) as member:
            block = b" " * (1 << 20)
            for _ in range(unpacked // len(block)):
                member.write(block)
    return out.getvalue()


def office_container(stream: str) -> bytes:
    """The start of an OLE compound file naming ``stream``: Office keeps an encrypted .docx as
    one (stream "EncryptedPackage"), and an old .doc is one (stream "WordDocument")."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + stream.encode("utf-16-le").ljust(64, b"\0") + bytes(1024)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def pdf_drawing_form(form: bytes, *, draws: int, text: bytes = b"") -> bytes:
    """One page that draws a form XObject (content ``form``, compressed) ``draws`` times, after
    ``text`` of its own: a few kilobytes that pypdf would read ``draws`` times over."""
    import pypdf
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    writer = pypdf.PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    fonts = DictionaryObject({NameObject("/F1"): font})
    xobject = StreamObject()
    xobject.set_data(zlib.compress(form, 9))
    xobject.update({NameObject("/Filter"): NameObject("/FlateDecode"),
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): pypdf.generic.ArrayObject(
                        [pypdf.generic.NumberObject(n) for n in (0, 0, 612, 792)]),
                    NameObject("/Resources"): DictionaryObject({NameObject("/Font"): fonts})})
    form_ref = writer._add_object(xobject)
    content = StreamObject()
    content.set_data(zlib.compress(text + b"\n" + b"/X1 Do\n" * draws, 9))
    content[NameObject("/Filter")] = NameObject("/FlateDecode")
    page = writer.add_blank_page(612, 792)
    page[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): fonts,
        NameObject("/XObject"): DictionaryObject({NameObject("/X1"): form_ref})})
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_body(body: bytes) -> bytes:
    """A real .docx whose word/document.xml body is ``body`` (raw WordprocessingML)."""
    real = zipfile.ZipFile(io.BytesIO(make_docx(["Short."])))
    xml = real.read("word/document.xml")
    start = xml.index(b"<w:body>") + len(b"<w:body>")
    members = {i.filename: real.read(i) for i in real.infolist()}
    members["word/document.xml"] = xml[:start] + body + xml[xml.index(b"<w:sectPr"):]
    return zip_of(members)


def under_declared(zipped: bytes, member: str, declared: int) -> bytes:
    """``zipped`` with ``member``'s uncompressed size written as ``declared`` in its local
    header and the central directory: a zip bomb that lies about its size."""
    import struct

    data = bytearray(zipped)
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, declared)
            at += 4
    return bytes(data)
