"""Bounds on the work a PDF's pages cost to read, whatever their size on disk.

A page's text is read by parsing its content streams, and a form XObject's stream is parsed again
each time the page draws it: a 21 KB page drawing one form (20 MB of spaces once inflated) 5,000
times would cost pypdf hours. Before a page is read, its streams are inflated once each and the
bytes its text extraction would parse are counted — a form's bytes once per draw, through forms
inside forms — and a document is refused once that passes ``MAX_CONTENT_BYTES``, forms nest
deeper than ``MAX_FORM_DEPTH`` or are drawn more than ``MAX_FORM_DRAWS`` times. While a page is
read, every operator counts against ``MAX_OPERATIONS`` and the deadline is checked at every form
drawn and every 1,000 operators, so a page cannot hold the reader past it by much: at most one
stream's parse (each stream inflates to ``MAX_STREAM_BYTES`` at most).
"""

from __future__ import annotations

import re
import time
from typing import Any

from index.errors import BadArticle

MAX_STREAM_BYTES = 32 * 1024 * 1024  # one inflated stream (pypdf's own default is 75 MB)
# Content bytes parsed for a whole document, forms counted once per draw. A text page's streams
# hold 5–50 KB; 2,000 such pages parse in about as many seconds as the deadline allows.
MAX_CONTENT_BYTES = 64 * 1024 * 1024
MAX_FORM_DEPTH = 12
MAX_FORM_DRAWS = 10_000
MAX_OPERATIONS = 5_000_000
_CHECK_EVERY = 1_000

_DELIMS = rb"\x00\t\n\x0c\r ()<>\[\]{}/%"
# "/Name Do": a form (or image) drawn. Linear: a name cannot hold "/", so each whitespace run is
# scanned from one start only.
_DRAW = re.compile(rb"/([^" + _DELIMS + rb"]*)[\x00\t\n\x0c\r ]*Do(?=[" + _DELIMS + rb"]|\Z)")
_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
_ADVICE = "print it to a new PDF and add that"


class OverBudget(BaseException):  # noqa: N818 - not an Exception, so pypdf cannot swallow it
    """Raised from inside pypdf's text extraction (which catches and logs every Exception raised
    while it reads a form) to stop reading; carries the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PdfBudget:
    """The work one document may cost: ``check_page`` before a page is read, ``visit`` (pypdf's
    ``visitor_operand_before``) for every operator while it is."""

    def __init__(self, source: str, seconds: float) -> None:
        self.source = source
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.content_bytes = 0
        self.draws = 0
        self.operations = 0
        self.where = ""
        self._costs: dict[int, int] = {}

    def refuse(self, what: str) -> BadArticle:
        return BadArticle(self.source, f"{what}{self.where}: the PDF is malformed or too "
                          f"complex; {_ADVICE}")

    def check_page(self, page: Any, number: int, pages: int) -> None:
        """Count the bytes reading this page would parse; refuse the document over a bound."""
        self.where = f" (page {number:,} of {pages:,})"
        self._check_time()
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = contents if isinstance(contents, list) else [contents]
        resources = _resources(page)
        for stream in streams:
            stream = stream.get_object() if stream is not None else None
            if stream is not None and hasattr(stream, "get_data"):
                self.content_bytes += self._cost(stream, resources, depth=0, stack=())
                self._check_bytes()

    def visit(self, operator: bytes, *_: Any) -> None:
        self.operations += 1
        if operator == b"Do" or self.operations % _CHECK_EVERY == 0:
            self._check_time()
        if self.operations > MAX_OPERATIONS:
            raise OverBudget(self._reason(f"draws more than {MAX_OPERATIONS:,} operations"))

    def _cost(self, stream: Any, resources: Any, *, depth: int, stack: tuple[int, ...]) -> int:
        """The bytes parsed to read ``stream``: its own, and each form's it draws, per draw."""
        key = id(stream)
        if key in self._costs:
            return self._costs[key]
        if depth > MAX_FORM_DEPTH:
            raise self.refuse(f"nests forms more than {MAX_FORM_DEPTH} deep")
        data = stream.get_data()
        cost = len(data)
        if b"Do" in data:
            forms = (resources or {}).get("/XObject")
            forms = forms.get_object() if forms is not None else {}
            for name, count in _draws(data).items():
                form = forms.get(name) if hasattr(forms, "get") else None
                form = form.get_object() if form is not None else None
                if form is None or form.get("/Subtype") != "/Form" or id(form) in stack:
                    continue  # an image, a missing name or a cycle: nothing parsed
                self.draws += count
                if self.draws > MAX_FORM_DRAWS:
                    raise self.refuse(f"draws forms more than {MAX_FORM_DRAWS:,} times")
                inner = self._cost(form, _resources(form) or resources, depth=depth + 1,
                                   stack=(*stack, key))
                cost += count * inner
                if self.content_bytes + cost > MAX_CONTENT_BYTES:
                    self.content_bytes += cost
                    self._check_bytes()
        self._costs[key] = cost
        return cost

    def _check_bytes(self) -> None:
        if self.content_bytes > MAX_CONTENT_BYTES:
            raise self.refuse(f"would parse over {MAX_CONTENT_BYTES:,} bytes of page content "
                              "(a drawing repeated many times)")

    def _check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverBudget(self._reason(f"took over {self.seconds:g} s to read"))

    def _reason(self, what: str) -> str:
        return f"{what}{self.where}: the PDF is malformed or too complex; {_ADVICE}"


def _resources(obj: Any) -> Any:
    resources = obj.get("/Resources")
    return resources.get_object() if resources is not None else None


def _draws(data: bytes) -> dict[str, int]:
    """How many times each named XObject is drawn in a content stream."""
    counts: dict[str, int] = {}
    for match in _DRAW.finditer(data):
        raw = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        name = "/" + raw.decode("latin-1")
        counts[name] = counts.get(name, 0) + 1
    return counts


def limits() -> dict[str, int]:
    """pypdf's configuration for reading an article: streams inflate to MAX_STREAM_BYTES."""
    return {key: MAX_STREAM_BYTES for key in (
        "zlib_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "brotli_maximum_output_length",
        "array_based_stream_maximum_output_length", "maximum_declared_stream_length")}
