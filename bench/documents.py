"""Reading PDF and Word articles: seconds per file, milliseconds per PDF page, and what a crafted
page costs with the loader's parsing budget and with pypdf's default. Prints one JSON object.

    nice -n 10 .venv/bin/python bench/documents.py --pages 50

The documents are made as the tests make them (fpdf2, python-docx; the test extra): ``--pages``
pages of five synthetic news paragraphs each, and the same paragraphs as one .docx.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import documents  # noqa: E402
from index.errors import BadArticle  # noqa: E402
from index.loaders import parse_bytes  # noqa: E402
from tests.corpus import article_text  # noqa: E402
from tests.documents import make_docx, make_pdf, pdf_with_content  # noqa: E402


def seconds(read: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with contextlib.suppress(BadArticle):  # the crafted page is refused: time the refusal
            read()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = [[article_text(page * 5 + n, seed=1, sentences=4) for n in range(5)]
             for page in range(args.pages)]
    pdf = make_pdf(pages, title="Benchmark")
    docx = make_docx([p for page in pages for p in page], title="Benchmark")
    [article] = parse_bytes(pdf, "bench.pdf")
    pdf_s = seconds(lambda: parse_bytes(pdf, "bench.pdf"), args.repeat)
    docx_s = seconds(lambda: parse_bytes(docx, "bench.docx"), args.repeat)
    crafted = pdf_with_content(b"q Q " * 2_000_000)
    budget_s = seconds(lambda: parse_bytes(crafted, "crafted.pdf"), 1)
    documents.MAX_PAGE_TOKENS = 2_000_000  # pypdf's default
    default_s = seconds(lambda: parse_bytes(crafted, "crafted.pdf"), 1)
    print(json.dumps({
        "pages": args.pages, "pdf_bytes": len(pdf), "text_chars": len(article.text),
        "pdf_seconds": round(pdf_s, 3), "ms_per_page": round(1000 * pdf_s / args.pages, 1),
        "docx_bytes": len(docx), "docx_seconds": round(docx_s, 3),
        "crafted_page_bytes": len(crafted), "crafted_page_seconds": round(budget_s, 2),
        "crafted_page_seconds_pypdf_default_budget": round(default_s, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
