"""The HTTP API under /api/v1: typed requests and responses, JSON errors, optional Bearer token.

Every endpoint calls the same Assistant methods as the CLI and the UI. The server never reads a
path sent by a client: articles arrive as JSON, as an uploaded file's bytes, or as a URL.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import (
    USER_ERRORS,
    BadArticle,
    http_status,
    is_user_error,
    user_message,
)
from assistant.interfaces.api_models import (
    AnswerOut,
    ArticleIn,
    ArticlePage,
    AskIn,
    DeletedOut,
    ErrorOut,
    HealthOut,
    ReportOut,
    RetrieveIn,
    RetrieveOut,
    TimelineOut,
    UrlIn,
)
from assistant.interfaces.options import MAX_QUESTION_CHARS, MAX_SEARCH_CHARS, retrieval_options
from assistant.interfaces.render import nothing_indexed
from assistant.results import Final, Stats
from assistant.timeline import TIMELINE_K
from index.articles import Article
from index.loaders import SUPPORTED_SUFFIXES, check_nesting

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


# -- app -------------------------------------------------------------------------------------


def add_api(
    app: FastAPI,
    assistant: Assistant,
    *,
    token: str | None = None,
    max_upload_bytes: int,
) -> None:
    """Mount the API routes and JSON error handlers on ``app``."""
    bearer = HTTPBearer(auto_error=False)

    # A default rather than Annotated: with postponed annotations FastAPI cannot see locals.
    def check_token(
        creds: HTTPAuthorizationCredentials | None = Depends(bearer),  # noqa: B008
    ) -> None:
        if token is None:
            return
        if creds is None or not secrets.compare_digest(creds.credentials.encode(),
                                                       token.encode()):
            raise HTTPException(401, "Missing or wrong API token: send "
                                     "'Authorization: Bearer <ASSISTANT_API_TOKEN>'.",
                                headers={"WWW-Authenticate": "Bearer"})

    errors = {c: {"model": ErrorOut} for c in (400, 401, 404, 409, 413, 415, 422, 503)}
    router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(check_token)],
                       responses=errors)

    @router.get("/health", response_model=HealthOut, tags=["service"])
    def health() -> HealthOut:
        return HealthOut(status="ok", articles=assistant.stats().articles)

    @router.get("/stats", response_model=Stats, tags=["service"])
    def stats() -> Stats:
        return assistant.stats()

    @router.post("/ask", response_model=AnswerOut, tags=["answers"])
    def ask(body: AskIn) -> AnswerOut:
        return AnswerOut.from_answer(assistant.ask(body.question, k=body.k,
                                                   history=body.turns(), **body.options()))

    @router.post("/ask/stream", tags=["answers"],
                 response_class=StreamingResponse,
                 responses={200: {"content": {"text/event-stream": {}},
                                  "description": "Server-sent events: `delta` events with "
                                                 "{text}, then one `answer` event (AnswerOut) "
                                                 "or one `error` event (ErrorOut)."}})
    def ask_stream(body: AskIn) -> StreamingResponse:
        options = body.options()  # invalid filters fail here, as a 422, before streaming

        def events() -> Iterator[str]:
            try:
                for event in assistant.stream(body.question, k=body.k, history=body.turns(),
                                              **options):
                    if isinstance(event, Final):
                        yield _sse("answer", AnswerOut.from_answer(event.answer).model_dump())
                    else:
                        yield _sse("delta", {"text": event.text})
            except Exception as exc:
                if not is_user_error(exc):
                    log.error("streaming an answer failed", exc_info=exc)
                yield _sse("error", {"error": user_message(exc)})

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @router.post("/retrieve", response_model=RetrieveOut, tags=["answers"])
    def retrieve(body: RetrieveIn) -> RetrieveOut:
        found = assistant.search(body.question, k=body.k, **body.options())
        return RetrieveOut.model_validate({**found.to_dict(), "passages": found.passages})

    @router.get("/timeline", response_model=TimelineOut, tags=["answers"])
    def timeline(
        q: Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS,
                                description="A question or topic.")],
        k: Annotated[int, Query(ge=1, le=100, description="Passages to read.")] = TIMELINE_K,
        source: Annotated[list[str] | None, Query(max_length=20, description="Only these "
                                                  "sources (repeatable).")] = None,
        since: Annotated[date | None, Query(description="Published on or after.")] = None,
        until: Annotated[date | None, Query(description="Published on or before.")] = None,
    ) -> TimelineOut:
        """The articles about a question or topic by date, with their story (near-duplicate
        cluster) and independent source."""
        options = retrieval_options(sources=source, since=since, until=until)
        return TimelineOut.model_validate(assistant.timeline(q, k=k, **options).to_dict())

    @router.get("/articles", response_model=ArticlePage, tags=["articles"])
    def list_articles(
        q: Annotated[str | None, Query(max_length=MAX_SEARCH_CHARS, description="Search "
                                       "titles, sources "
                                                                    "and URLs.")] = None,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> ArticlePage:
        total, entries = assistant.find_articles(q, offset=offset, limit=limit)
        return ArticlePage(items=entries, total=total, offset=offset, limit=limit)

    @router.post(
        "/articles", response_model=ReportOut, tags=["articles"],
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": {"oneOf": [
                {"$ref": "#/components/schemas/ArticleIn"},
                {"$ref": "#/components/schemas/UrlIn"}]}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}},
        }}},
    )
    async def add_article(request: Request) -> ReportOut:
        """Add one article as JSON, a page by its URL (`{"url": …}`), or upload a file
        (.txt .md .html .json .jsonl .pdf .docx)."""
        from starlette.concurrency import run_in_threadpool

        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            body = await _json_body(request, max_upload_bytes)
            if isinstance(body, UrlIn):
                report = await run_in_threadpool(assistant.add_urls, [body.url])
            else:
                report = await run_in_threadpool(assistant.add_articles,
                                                 [_article_from_json(body)])
        elif kind == "multipart/form-data":
            # The UI's upload path, so a bad file is refused with the same reason in both; in a
            # thread (a PDF can take seconds to read) so other requests keep being served.
            upload = await _upload(request, max_upload_bytes)
            report = await run_in_threadpool(assistant.add_files, [upload],
                                             max_bytes=max_upload_bytes)
        else:
            raise HTTPException(415, "Send the article as application/json or upload a file "
                                     "as multipart/form-data (field 'file').")
        if nothing_indexed(report):  # the one page or file could not be fetched or read
            raise BadArticle(report.failed[0].source, report.failed[0].reason)
        return ReportOut(**report.to_dict())

    @router.delete("/articles/{article_id}", response_model=DeletedOut, tags=["articles"])
    def delete_article(article_id: str) -> DeletedOut:
        if assistant.get_article(article_id) is None:
            raise HTTPException(404, f"No article with id {article_id!r}; list them with "
                                     f"GET {API_PREFIX}/articles.")
        assistant.remove([article_id])
        return DeletedOut(deleted=[article_id])

    rebuilding = threading.Lock()

    @router.post("/reindex", response_model=ReportOut, tags=["articles"])
    def reindex() -> ReportOut:
        """Rebuild the vector and lexical indexes from the stored articles (e.g. after a model
        change). Questions keep being answered from the old index meanwhile. A 409 while
        another reindex runs."""
        if not rebuilding.acquire(blocking=False):
            raise HTTPException(409, "A reindex is already running; wait for it to finish (its "
                                     "report answers the request that started it).")
        try:
            return ReportOut(**assistant.rebuild().to_dict())
        finally:
            rebuilding.release()

    app.include_router(router)

    # Last under the prefix: a path or method no route takes gets a JSON 404 or 405 here rather
    # than falling through to the UI mounted at /.
    @app.api_route(API_PREFIX + "/{path:path}", include_in_schema=False,
                   methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    def unknown(request: Request) -> None:
        allowed = sorted({m for r in router.routes if isinstance(r, APIRoute)
                          and r.path_regex.match(request.url.path) for m in r.methods})
        if allowed:
            raise HTTPException(405, f"{request.method} is not allowed on {request.url.path}; "
                                     f"use {', '.join(allowed)}.",
                                headers={"Allow": ", ".join(allowed)})
        raise HTTPException(404, f"No endpoint {request.url.path}; the endpoints are listed at "
                                 "/docs.")

    # Starlette's own errors (e.g. a malformed multipart body) come as its HTTPException.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        undecodable = [e for e in exc.errors() if e.get("type") == "json_invalid"]
        if undecodable:  # FastAPI's loc is (body, character offset)
            loc = undecodable[0].get("loc", ())
            reason = (undecodable[0].get("ctx") or {}).get("error") or "not JSON"
            return JSONResponse({"error": _not_json(reason, loc[-1] if loc else None)},
                                status_code=400)
        problems = "; ".join(f"{_where(e.get('loc', ()))}: {e.get('msg')}"
                             for e in exc.errors())
        return JSONResponse({"error": f"Invalid request — {problems}"}, status_code=422)

    # Starlette sends Exception to its server-error middleware (which re-raises after
    # answering): errors raised on purpose get their own handler.
    for exc_type in (*USER_ERRORS, Exception):
        app.add_exception_handler(exc_type, _error)


async def _error(request: Request, exc: Exception) -> JSONResponse:
    if not is_user_error(exc):
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": user_message(exc)}, status_code=http_status(exc))


def _where(loc: Any) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _not_json(reason: str, offset: Any) -> str:
    """A malformed body (a 400): what the parser said and where (a character offset)."""
    where = f" at character {offset} (counting from 0)" if isinstance(offset, int) else ""
    return (f"The request body is not valid JSON: {reason}{where}. Send a JSON object with "
            "content-type application/json, e.g. {\"question\": \"…\"}.")


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _json_body(request: Request, limit: int) -> ArticleIn | UrlIn:
    raw = await _read_limited(request, limit)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, _not_json(exc.msg, exc.pos)) from exc
    except ValueError as exc:  # not UTF-8
        raise HTTPException(400, _not_json(str(exc), None)) from exc
    except RecursionError as exc:
        raise BadArticle("request body", "JSON nested too deeply; flatten the data") from exc
    check_nesting(data, "request body")
    model = UrlIn if isinstance(data, dict) and "url" in data and "text" not in data \
        else ArticleIn
    try:
        return model.model_validate(data)
    except ValueError as exc:
        raise RequestValidationError(getattr(exc, "errors", lambda: [])()) from exc


def _article_from_json(body: ArticleIn) -> Article:
    try:
        return Article(**body.model_dump())
    except (TypeError, ValueError) as exc:
        raise BadArticle("request body", str(exc)) from exc


async def _upload(request: Request, limit: int) -> tuple[str, bytes]:
    """The uploaded file's base name (never a client path) and bytes, within the limit."""
    length = int(request.headers.get("content-length") or 0)
    if length > limit + 64 * 1024:
        raise HTTPException(413, f"Upload is {length:,} bytes; the limit is {limit:,} "
                                 "(ASSISTANT_MAX_UPLOAD_BYTES).")
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(422, "Upload the article in a form field named 'file'.")
    name = PurePath(upload.filename or "upload.txt").name  # never a client path
    if PurePath(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise HTTPException(415, f"Unsupported file type {PurePath(name).suffix or '(none)'!r}; "
                                 f"upload one of {', '.join(SUPPORTED_SUFFIXES)}.")
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"{name} is over the {limit:,}-byte upload limit "
                                 "(ASSISTANT_MAX_UPLOAD_BYTES).")
    return name, data


async def _read_limited(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"Request body is over the {limit:,}-byte limit "
                                     "(ASSISTANT_MAX_UPLOAD_BYTES).")
        chunks.append(chunk)
    return b"".join(chunks)
