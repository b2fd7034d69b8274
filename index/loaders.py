"""The file loaders: files, folders and uploaded bytes turned into articles.

Supported inputs: ``.txt`` / ``.md`` (optional YAML front matter), ``.html`` / ``.htm`` (main text
and metadata through trafilatura), ``.json`` (one object or a list), ``.jsonl`` (one object per
line) and ``.pdf`` / ``.docx`` (``index.documents``). Text bytes are decoded from UTF-8, a
UTF-16/32 byte-order mark or a detected charset. Loading a folder never stops at a bad file: each
failure is reported with its reason. Hostile input is refused per file: YAML aliases and front
matter over ``MAX_FRONT_MATTER_BYTES``, JSON or YAML nested deeper than ``MAX_NESTING`` levels,
and the documents ``index.documents`` refuses.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.articles import Article, Failure, normalise_date, split_authors
from index.documents import DOCUMENT_SUFFIXES, parse_document
from index.errors import BadArticle
from index.folders import scan_folder
from index.textfiles import check_text, decode_bytes

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl",
                      *DOCUMENT_SUFFIXES)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_NESTING = 32  # levels of lists/objects in a record or front matter; news metadata needs ~3

# Fields a JSON article may carry, with the aliases seen in common news dumps.
_JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "article_id"),
    "title": ("title", "headline"),
    "text": ("text", "content", "body", "article"),
    "url": ("url", "link"),
    "source": ("source", "publisher", "site"),
    "published": ("published", "date", "published_at", "publication_date"),
    "authors": ("authors", "author", "byline"),
}


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def load_paths(
    paths: Iterable[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES,
    follow_links: bool = False,
) -> LoadResult:
    """Load every supported file under ``paths`` (files and folders, recursively).

    A file named explicitly with an unsupported suffix is a failure; inside folders such files
    (images, sidecars, hidden files) are skipped silently. Links out of a folder (unless
    ``follow_links``), link loops, pipes, devices and unreadable folders are reported as failures
    (see ``index.folders``).
    """
    result = LoadResult()
    for path in _iter_files(paths, result, follow_links):
        try:
            result.articles.extend(load_file(path, max_bytes=max_bytes))
        except BadArticle as exc:
            result.failures.append(Failure(exc.source, exc.reason))
    return result


def _iter_files(
    paths: Iterable[str | Path], result: LoadResult, follow_links: bool
) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            scan = scan_folder(path, suffixes=SUPPORTED_SUFFIXES, follow_links=follow_links)
            result.failures.extend(scan.skipped)
            yield from map(Path, scan.files)
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                yield path
            else:
                result.failures.append(Failure(
                    str(path),
                    f"unsupported file type {path.suffix or '(none)'!r}; "
                    f"use one of {', '.join(SUPPORTED_SUFFIXES)}",
                ))
        elif path.exists():
            result.failures.append(Failure(str(path), "is a pipe, socket or device, not a "
                                                      "regular file"))
        else:
            result.failures.append(Failure(str(path), "no such file or folder"))


def load_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """Parse one file into its articles. Raises BadArticle naming the file and what to fix."""
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # opening a pipe would block: never open one
            raise BadArticle(str(path), "is a pipe, socket or device, not a regular file")
        size = st.st_size
        if size > max_bytes:
            raise BadArticle(str(path), f"file is {size:,} bytes, over the {max_bytes:,}-byte "
                             "limit (raise ASSISTANT_MAX_FILE_BYTES to index it)")
        raw = _read_regular(path)
    except OSError as exc:
        raise BadArticle(str(path), f"cannot read file ({exc.strerror or exc})") from exc
    return parse_bytes(raw, str(path))


def parse_files(files: Iterable[tuple[str, bytes]], *, max_bytes: int) -> LoadResult:
    """Articles from uploaded files given as (file name, content); each bad one becomes a
    failure with its reason while the others load."""
    result = LoadResult()
    for name, data in files:
        try:
            if len(data) > max_bytes:
                raise BadArticle(name, f"over the {max_bytes:,}-byte upload limit")
            result.articles.extend(parse_bytes(data, name))
        except BadArticle as exc:
            result.failures.append(Failure(exc.source, exc.reason))
    return result


def _read_regular(path: Path) -> bytes:
    """The file's bytes; refuses (without blocking) what became a pipe or device since stat."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadArticle(str(path), "is a pipe, socket or device, not a regular file")
        return f.read()


def parse_bytes(raw: bytes, name: str) -> list[Article]:
    """Articles from a file's bytes; ``name`` gives the format (by suffix) and names errors."""
    try:
        return _parse_bytes(raw, name)
    except RecursionError as exc:  # the bounds below should come first; this is the backstop
        raise BadArticle(name, _TOO_DEEP) from exc


_TOO_DEEP = (f"nested more than {MAX_NESTING} levels deep (lists or objects inside each "
             "other); flatten the data")


def check_nesting(value: Any, source: str, *, what: str = "") -> None:
    """Refuse data nested deeper than MAX_NESTING; iterative, so any depth is safe to measure."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > MAX_NESTING:
            raise BadArticle(source, what + _TOO_DEEP)
        stack.extend((child, depth + 1) for child in children)


def _parse_bytes(raw: bytes, name: str) -> list[Article]:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadArticle(name, f"unsupported file type {suffix or '(none)'!r}; use one of "
                         f"{', '.join(SUPPORTED_SUFFIXES)}")
    if suffix in DOCUMENT_SUFFIXES:
        articles = [parse_document(raw, name)]
    elif suffix in (".html", ".htm"):
        articles = [parse_html(decode_bytes(raw, name), source=name)]
    elif suffix == ".json":
        articles = parse_json(decode_bytes(raw, name), source=name)
    elif suffix == ".jsonl":
        articles = parse_jsonl(decode_bytes(raw, name), source=name)
    else:  # checked before the front matter and the title are looked for
        articles = [parse_text(check_text(decode_bytes(raw, name), name), source=name)]
    for article in articles:  # every format is held to the same limits
        check_text(article.text, name)
    return articles


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def parse_text(text: str, *, source: str = "<text>") -> Article:
    """A .txt/.md article: YAML front matter when present; title from it or the first heading."""
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        loaded = _front_matter(match.group(1), source)
        if not isinstance(loaded, dict):
            raise BadArticle(source, "front matter must be a YAML mapping (key: value lines)")
        check_nesting(loaded, source, what="front matter is ")
        meta = loaded
        text = text[match.end():]
    body = text.strip()
    if not body:
        raise BadArticle(source, "article has no text after its front matter")
    fields = _pick_fields(meta)
    title = fields.pop("title", None)
    if not title:
        heading = re.match(r"\A#{1,6}[ \t]+(.+?)[ \t#]*(?:\r?\n|\Z)", body)
        if heading:
            title = heading.group(1).strip()
            body = body[heading.end():].strip() or body
    return _build(fields, title=title, text=body, source=source)


def _front_matter(block: str, source: str) -> Any:
    """The YAML front matter, refusing what could cost far more than its size: aliases (a few
    hundred bytes of nested aliases expand to gigabytes), deep nesting, an oversized block."""
    import yaml

    size = len(block.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise BadArticle(source, f"front matter is {size:,} bytes, over the "
                         f"{MAX_FRONT_MATTER_BYTES:,}-byte limit; keep only the article's fields "
                         "(title, date, author, url, source) there")

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise BadArticle(source, "front matter uses a YAML alias (*name), which is not "
                                 "allowed; write the value out in full")
            return super().compose_node(parent, index)

    try:
        return yaml.load(block, Loader=NoAliasLoader) or {}  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise BadArticle(source, f"front matter is not valid YAML ({exc})") from exc
    except RecursionError as exc:
        raise BadArticle(source, f"front matter is {_TOO_DEEP}") from exc


def parse_html(html: str, *, source: str = "<html>", url: str | None = None) -> Article:
    """Main text and metadata (title, date, author, site) of an HTML page, via trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    # A page cut off in its <head> comes back as a stray "<" or half a heading: not an article.
    words = re.findall(r"[^\W\d_]{2,}", getattr(doc, "text", None) or "") if doc else []
    if len(words) < 3:
        raise BadArticle(source, "no article text found in the HTML (is it a full page?)")
    title = (doc.title or "").strip()
    body = doc.text.strip()
    if title and body.startswith(title):  # trafilatura repeats the <h1> as the first line
        body = body[len(title):].strip() or body
    fields: dict[str, Any] = {
        "url": url or doc.url,
        "source": doc.sitename or doc.hostname,
        "published": doc.date,
        "authors": doc.author,
    }
    return _build(fields, title=title, text=body, source=source)


def parse_json(text: str, *, source: str = "<json>") -> list[Article]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadArticle(source, f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                         f"{exc.msg}") from exc
    except RecursionError as exc:
        raise BadArticle(source, _TOO_DEEP) from exc
    check_nesting(data, source)
    records = data if isinstance(data, list) else [data]
    return [_from_record(r, f"{source}[{i}]" if isinstance(data, list) else source)
            for i, r in enumerate(records)]


def parse_jsonl(text: str, *, source: str = "<jsonl>") -> list[Article]:
    """One article per line. A bad line fails the file, naming the line, so the user can fix it."""
    articles = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadArticle(where, f"invalid JSON line ({exc.msg})") from exc
        except RecursionError as exc:
            raise BadArticle(where, _TOO_DEEP) from exc
        check_nesting(record, where)
        articles.append(_from_record(record, where))
    if not articles:
        raise BadArticle(source, "no JSON lines found")
    return articles


def _from_record(record: Any, source: str) -> Article:
    if not isinstance(record, Mapping):
        raise BadArticle(source, f"expected a JSON object, got {type(record).__name__}")
    fields = _pick_fields(record)
    text = fields.pop("text", None)
    if not isinstance(text, str) or not text.strip():
        raise BadArticle(source, 'missing field "text" (the article body); '
                         f"fields present: {', '.join(sorted(map(str, record))) or 'none'}")
    return _build(fields, title=fields.pop("title", None), text=text.strip(), source=source)


def _pick_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """Known fields under their canonical names; everything else goes under ``metadata``."""
    fields: dict[str, Any] = {}
    used: set[str] = set()
    for name, aliases in _JSON_FIELDS.items():
        for alias in aliases:
            if alias in record and record[alias] not in (None, ""):
                fields[name] = record[alias]
                used.add(alias)
                break
    extra = {str(k): v for k, v in record.items() if k not in used}
    nested = extra.pop("metadata", None)
    if isinstance(nested, Mapping):
        extra = {**nested, **extra}
    fields["metadata"] = _jsonable(extra)
    return fields


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _build(fields: dict[str, Any], *, title: Any, text: str, source: str) -> Article:
    try:
        return Article(
            id=str(fields.get("id") or ""),
            title=str(title or ""),
            text=text,
            url=str(fields["url"]) if fields.get("url") else None,
            source=str(fields["source"]) if fields.get("source") else None,
            published=normalise_date(fields.get("published")),
            authors=split_authors(fields.get("authors")),
            metadata=fields.get("metadata") or {},
        )
    except (TypeError, ValueError) as exc:
        raise BadArticle(source, str(exc)) from exc
