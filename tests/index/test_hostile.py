"""Hostile files: each is refused alone, fast, with its reason, and never stops the others.

YAML aliases ("billion laughs"), oversized or deeply nested front matter, JSON nested past any
sane depth, symbolic links out of the folder, link loops, pipes; encrypted, damaged, huge,
scanned and crafted PDF and Word files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from index import documents
from index.documents import MAX_PAGES, MAX_TEXT_CHARS
from index.docx_package import MAX_PART_BYTES as MAX_DOCX_PART_BYTES
from index.errors import BadArticle
from index.loaders import MAX_FRONT_MATTER_BYTES, load_paths, parse_bytes
from tests.conftest import ROOT
from tests.documents import (
    BRIDGE,
    docx_bomb,
    encrypted_pdf,
    image_only_pdf,
    make_docx,
    make_pdf,
    office_container,
    pdf_with_content,
    zip_of,
)

GOOD = ("# Bridge reopens\n\nThe old stone bridge over the river reopened on Monday after "
        "two years of repairs, the city council said.\n")

BILLION_LAUGHS = "---\n" + "\n".join(
    [f'a0: &a0 ["{"lol" * 3}"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
) + "\n---\nBody text of the article.\n"


def reasons(result):
    return {f.source: f.reason for f in result.failures}


def load_in_child(folder, *, memory=1 << 30):
    """load_paths(folder) in a child with ``memory`` bytes of address space: seconds, titles,
    failures."""
    code = textwrap.dedent(f"""
        import json, resource, time
        resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
        from index.loaders import load_paths
        start = time.perf_counter()
        r = load_paths([{str(folder)!r}])
        print(json.dumps({{"seconds": time.perf_counter() - start,
                          "titles": [a.title for a in r.articles],
                          "failed": {{f.source: f.reason for f in r.failures}}}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_billion_laughs_is_refused_in_bounded_time_and_memory(tmp_path):
    """In a child with 1 GB of address space: expanding the aliases would need gigabytes."""
    assert len(BILLION_LAUGHS) < 700
    (tmp_path / "laughs.md").write_text(BILLION_LAUGHS)
    (tmp_path / "good.md").write_text(GOOD)
    out = load_in_child(tmp_path)
    assert out["seconds"] < 2
    assert out["titles"] == ["Bridge reopens"]
    assert "YAML alias" in out["failed"][str(tmp_path / "laughs.md")]


def test_front_matter_size_and_depth_are_bounded(tmp_path):
    big = "---\n" + "".join(f"k{i}: value {i}\n" for i in range(8000)) + "---\nBody.\n"
    assert len(big) > MAX_FRONT_MATTER_BYTES
    (tmp_path / "big.md").write_text(big)
    (tmp_path / "deep.md").write_text("---\nx: " + "[ " * 30_000 + "\n---\nBody text.\n")
    (tmp_path / "nested.md").write_text("---\nx: " + "[ " * 40 + "]" * 40 + "\n---\nBody.\n")
    (tmp_path / "anchor.md").write_text("---\ntitle: &t Plain anchors are harmless\n---\nBody.\n")
    (tmp_path / "good.md").write_text(GOOD)
    result = load_paths([tmp_path])
    why = reasons(result)
    assert "over the 65,536-byte limit" in why[str(tmp_path / "big.md")]
    assert "front matter is nested more than 32 levels" in why[str(tmp_path / "deep.md")]
    assert "front matter is nested more than 32 levels" in why[str(tmp_path / "nested.md")]
    assert sorted(a.title for a in result.articles) == ["Bridge reopens",
                                                         "Plain anchors are harmless"]


@pytest.mark.parametrize("name,data,where", [
    ("brackets.json", "[" * 100_000, "brackets.json"),
    ("brackets.jsonl", "[" * 100_000, "brackets.jsonl:1"),
    ("meta.json", '{"text": "Body text.", "metadata": ' + '{"a": ' * 5000 + "1"
     + "}" * 5000 + "}", "meta.json"),
    ("meta-40.jsonl", json.dumps({"text": "Body.", "extra": json.loads("[" * 40 + "]" * 40)}),
     "meta-40.jsonl:1"),
])
def test_deep_json_fails_alone_with_its_reason(tmp_path, name, data, where):
    (tmp_path / name).write_text(data)
    (tmp_path / "good.md").write_text(GOOD)
    result = load_paths([tmp_path])
    assert [a.title for a in result.articles] == ["Bridge reopens"]
    assert "nested more than 32 levels" in reasons(result)[str(tmp_path / where)]
    with pytest.raises(BadArticle, match="nested more than 32 levels"):
        parse_bytes(data.encode(), name)  # an upload (API, UI) takes this path


def test_modest_nesting_is_still_an_article(tmp_path):
    record = {"text": "Body text.", "metadata": {"tags": [["a", "b"], {"c": [1, 2]}]}}
    [article] = parse_bytes(json.dumps(record).encode(), "ok.json")
    assert article.metadata["tags"] == [["a", "b"], {"c": [1, 2]}]


@pytest.fixture
def odd_folder(tmp_path):
    """news/ with a good file, a link out of it, a link loop, a self loop, a FIFO, a dangling
    link and a link to a file inside it; outside/ holds what the outward links point to."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("# Outside story\n\nA file outside the added folder, "
                                        "that must not be indexed unless asked.\n")
    (outside / "more").mkdir()
    (outside / "more" / "far.md").write_text("# Far away\n\nAnother story kept outside the "
                                             "folder being added, in a folder of its own.\n")
    news = tmp_path / "news"
    (news / "sub").mkdir(parents=True)
    (news / "good.md").write_text(GOOD)
    (news / "secret.txt").symlink_to(outside / "secret.txt")
    (news / "elsewhere").symlink_to(outside / "more")
    (news / "sub" / "loop").symlink_to(news)
    (news / "self.txt").symlink_to(news / "self.txt")
    (news / "gone.md").symlink_to(tmp_path / "missing.md")
    (news / "again.md").symlink_to(news / "good.md")
    os.mkfifo(news / "pipe.txt")
    return news


def test_links_loops_and_pipes_are_skipped_and_reported(odd_folder):
    result = load_paths([odd_folder])
    why = reasons(result)
    assert "outside" in why[str(odd_folder / "secret.txt")]
    assert "--follow-links" in why[str(odd_folder / "secret.txt")]
    assert "outside" in why[str(odd_folder / "elsewhere")]
    assert "loop" in why[str(odd_folder / "sub" / "loop")]
    assert "loop" in why[str(odd_folder / "self.txt")]
    assert "broken symbolic link" in why[str(odd_folder / "gone.md")]
    assert "not a regular file" in why[str(odd_folder / "pipe.txt")]
    assert sorted(a.title for a in result.articles) == ["Bridge reopens"] * 2  # again.md: inside


def test_follow_links_reads_outside_the_folder_but_never_loops(odd_folder):
    result = load_paths([odd_folder], follow_links=True)
    titles = sorted(a.title for a in result.articles)
    assert titles == ["Bridge reopens", "Bridge reopens", "Far away", "Outside story"]
    why = reasons(result)
    assert "loop" in why[str(odd_folder / "sub" / "loop")]
    assert str(odd_folder / "secret.txt") not in why


def test_a_named_fifo_is_refused_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    result = load_paths([tmp_path / "pipe.md"])  # would block forever if it were opened
    assert "not a regular file" in reasons(result)[str(tmp_path / "pipe.md")]


HOSTILE_DOCUMENTS = {  # name → (bytes, words of its reason)
    "locked.pdf": (lambda: encrypted_pdf("secret"), "is encrypted: remove the password first"),
    "scan.pdf": (image_only_pdf, "has no text layer (scanned?) — OCR it first"),
    "truncated.pdf": (lambda: make_pdf([BRIDGE])[:900], "is damaged or truncated"),
    "renamed.pdf": (lambda: GOOD.encode(), "is not a PDF"),
    # Four million operators in 20 KB: pypdf would parse for ten seconds before its own limit.
    "operators.pdf": (lambda: pdf_with_content(b"q Q " * 2_000_000), "too complex"),
    "pages.pdf": (lambda: pdf_with_content(b"", pages=MAX_PAGES + 1),
                  f"has {MAX_PAGES + 1:,} pages, over the {MAX_PAGES:,}-page limit"),
    "words.pdf": (lambda: pdf_with_content(b"BT /F1 9 Tf 40 700 Td (" + b"word " * 30_000
                                           + b") Tj ET", pages=MAX_TEXT_CHARS // 150_000 + 1),
                  f"more than {MAX_TEXT_CHARS:,} characters of text"),
    "bomb.docx": (lambda: docx_bomb(MAX_DOCX_PART_BYTES + (1 << 20)),
                  "unpacks word/document.xml to 34,603,008 bytes, over the 33,554,432-byte"),
    "truncated.docx": (lambda: make_docx(BRIDGE)[:5000], "is damaged or truncated"),
    "locked.docx": (lambda: office_container("EncryptedPackage"), "is encrypted"),
    "old.docx": (lambda: office_container("WordDocument"), "old Word (.doc) file"),
    "sheet.docx": (lambda: zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
                   "is damaged or not a Word document"),
}


def test_hostile_documents_fail_alone_fast_and_in_bounded_memory(tmp_path):
    """Each bad document is refused with its reason, in a child with 1 GB of address space,
    while the good PDF, the permissions-only encrypted PDF and the .docx beside them load."""
    for name, (make, _) in HOSTILE_DOCUMENTS.items():
        (tmp_path / name).write_bytes(make())
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "bridge.pdf").write_bytes(make_pdf([BRIDGE], title="Bridge vote"))
    (tmp_path / "open.pdf").write_bytes(encrypted_pdf(""))  # AES-256, empty user password
    (tmp_path / "bridge.docx").write_bytes(make_docx(BRIDGE, title="Bridge vote in Word"))
    out = load_in_child(tmp_path)
    assert sorted(out["titles"]) == ["Bridge", "Bridge reopens", "Bridge vote",
                                     "Bridge vote in Word"]
    for name, (_, reason) in HOSTILE_DOCUMENTS.items():
        assert reason in out["failed"][str(tmp_path / name)], name
    assert len(out["failed"]) == len(HOSTILE_DOCUMENTS)
    assert out["seconds"] < 20


def test_a_crafted_page_is_refused_in_seconds():
    """pypdf's own budget (2 million tokens) would spend ten seconds or more on this page."""
    started = time.perf_counter()
    with pytest.raises(BadArticle, match="too complex to read as an article"):
        parse_bytes(HOSTILE_DOCUMENTS["operators.pdf"][0](), "operators.pdf")
    assert time.perf_counter() - started < 6  # about 2 s; 12 s or more without the budget


def test_a_pdf_that_reads_too_slowly_is_stopped_at_the_deadline(monkeypatch):
    many = pdf_with_content(b"BT /F1 12 Tf 0 -14 Td (ab) Tj ET\n" * 2000, pages=200)
    monkeypatch.setattr(documents, "PDF_SECONDS", 0.5)
    with pytest.raises(BadArticle, match=r"took over 0.5 s to read \(page \d+ of 200\)"):
        parse_bytes(many, "slow.pdf")
