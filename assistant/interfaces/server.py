"""One HTTP app: the JSON API under /api/v1, the Gradio UI at /, OpenAPI at /docs.

Secure by default: it binds 127.0.0.1; bound to an address outside loopback (127.0.0.0/8, ::1)
it refuses to start unless an API token and UI credentials are set. With either of them set,
every door asks for it: the API the Bearer token, the UI (page, Gradio API, uploads) its login or
the token. Every request passes ``guard.RequestGuard`` (host, origin, body size, login throttle,
security headers); no cross-origin reads are allowed (CORS).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ConfigError
from assistant.interfaces.guard import HostPolicy, RequestGuard, is_loopback
from index.offline import ensure_offline

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.service import Assistant
    from assistant.settings import Settings

__all__ = ["check_bind", "create_app", "is_loopback", "launch", "private_temp_dir"]
DOCS_ASSETS = "/docs/assets"


def check_bind(host: str, *, token: str | None, ui_auth: tuple[str, str] | None) -> None:
    """Refuse a non-loopback address without an API token and UI credentials."""
    if is_loopback(host):
        return
    missing = []
    if not token:
        missing.append("ASSISTANT_API_TOKEN")
    if not ui_auth:
        missing.append("ASSISTANT_UI_USERNAME and ASSISTANT_UI_PASSWORD")
    if missing:
        raise ConfigError(
            f"Refusing to serve on {host}: anyone who can reach it could read and change the "
            f"index. Set {' and '.join(missing)}, or bind 127.0.0.1 (the default)."
        )


def create_app(
    assistant: Assistant,
    *,
    token: str | None = None,
    ui_auth: tuple[str, str] | None = None,
    max_upload_bytes: int | None = None,
    host: str = "127.0.0.1",
    allowed_hosts: Iterable[str] = (),
) -> FastAPI:
    """The API and the UI in one app; ``max_upload_bytes`` defaults to the setting's default.
    ``host`` is the address it will be served on; requests must name it (or ``localhost`` on
    loopback, or one of ``allowed_hosts``)."""
    ensure_offline()
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from assistant.interfaces.api import add_api
    from assistant.interfaces.ui import build_ui
    from assistant.interfaces.ui_render import CSS, HEAD

    private_temp_dir()
    if max_upload_bytes is None:
        from assistant.settings import Settings

        max_upload_bytes = Settings.model_fields["max_upload_bytes"].default
    app = FastAPI(
        title="News assistant API",
        description="Answers with cited passages over your news articles.",
        version="1",
        docs_url=None,
        openapi_url="/openapi.json",
    )
    add_api(app, assistant, token=token, max_upload_bytes=max_upload_bytes)
    _add_docs(app)
    app = gr.mount_gradio_app(
        app, build_ui(assistant, max_upload_bytes=max_upload_bytes), path="/",
        auth=_ui_login(ui_auth, token), show_error=False, max_file_size=max_upload_bytes,
        css=CSS, head=HEAD,
    )
    if token:
        _accept_bearer(app, token)
    # An (empty) CORS policy of the app's own: Gradio's, which lets any localhost origin read
    # with credentials, steps aside when the parent app has one.
    app.add_middleware(CORSMiddleware, allow_origins=[])
    app.add_middleware(RequestGuard, policy=HostPolicy(host, allowed_hosts),
                       max_body=max_upload_bytes)
    return app


def private_temp_dir() -> Path:
    """Gradio's folder for uploads and downloads (exports): a new one only this user can read,
    removed when the process ends, unless GRADIO_TEMP_DIR names one (then created private if
    missing). Gradio's own default, ``/tmp/gradio``, is readable by every user and kept for
    ever; the UI also drops its files after an hour (``ui.CACHE_SECONDS``)."""
    chosen = os.environ.get("GRADIO_TEMP_DIR")
    if chosen:
        Path(chosen).mkdir(mode=0o700, parents=True, exist_ok=True)
        return Path(chosen)
    folder = Path(tempfile.mkdtemp(prefix="assistant-gradio-"))  # mode 0700
    os.environ["GRADIO_TEMP_DIR"] = str(folder)  # read by Gradio as each component is made
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _ui_login(ui_auth: tuple[str, str] | None,
              token: str | None) -> Callable[[str, str], bool] | None:
    """The UI's login check: its username and password, or any name with the API token as the
    password. None (no login) when neither is configured."""
    if not ui_auth and not token:
        return None

    def check(username: str, password: str) -> bool:
        if token and secrets.compare_digest(password.encode(), token.encode()):
            return True
        return bool(ui_auth) and secrets.compare_digest(username.encode(), ui_auth[0].encode()) \
            and secrets.compare_digest(password.encode(), ui_auth[1].encode())

    return check


def _accept_bearer(app: FastAPI, token: str) -> None:
    """Let Gradio's routes accept ``Authorization: Bearer <token>`` besides its login cookie, so
    ``gradio_client.Client(url, headers={"Authorization": "Bearer …"})`` works."""
    from fastapi import Request
    from starlette.routing import Mount

    ui = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == "")
    # Gradio's routes (its page, /config, the Gradio API) find the user with one dependency.
    calls = [d.call for r in ui.routes for d in getattr(getattr(r, "dependant", None),
                                                        "dependencies", ())]
    current_user = next((c for c in calls if getattr(c, "__name__", "") == "get_current_user"),
                        None)
    if current_user is None:
        raise RuntimeError("Gradio's get_current_user dependency is gone: the Bearer token "
                           "cannot be checked on the UI's routes with this Gradio version.")

    def user(request: Any) -> str | None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(value.strip().encode(),
                                                                 token.encode()):
            return "api-token"
        cookies = request.cookies
        session = cookies.get(f"access-token-{ui.cookie_id}") \
            or cookies.get(f"access-token-unsecure-{ui.cookie_id}")
        return ui.tokens.get(session)

    # FastAPI reads the parameter's annotation object; postponed, it would be a bare string.
    user.__annotations__["request"] = Request
    ui.dependency_overrides[current_user] = user


def _add_docs(app: FastAPI) -> None:
    """/docs: Swagger UI from the swagger-ui-py package's files, not a CDN (works offline)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("The swagger-ui-py package is missing: reinstall the assistant "
                          "(pip install -e .) to serve /docs.")
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=static), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} — docs",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


def launch(settings: Settings, *, assistant: Assistant | None = None, host: str | None = None,
           port: int | None = None) -> None:
    """Serve the UI and the HTTP API until interrupted. An unsafe bind is refused before
    anything is loaded; the Assistant is built from ``settings`` unless given."""
    import uvicorn

    host = host or settings.host
    check_bind(host, token=settings.token, ui_auth=settings.ui_auth)
    if assistant is None:
        from assistant.service import Assistant

        assistant = Assistant.from_settings(settings)
    app = create_app(assistant, token=settings.token, ui_auth=settings.ui_auth,
                     max_upload_bytes=settings.max_upload_bytes, host=host,
                     allowed_hosts=settings.allowed_host_names)
    uvicorn.run(app, host=host, port=port or settings.port, log_level="info",
                **proxy_options(settings.trusted_proxies))


def proxy_options(trusted: str | None) -> dict[str, Any]:
    """uvicorn's handling of X-Forwarded-For: believed only from the configured proxies. (Its
    default believes any loopback peer, so a local client could name itself anew on every
    request and never be throttled.)"""
    proxies = [p.strip() for p in (trusted or "").split(",") if p.strip()]
    return {"proxy_headers": True, "forwarded_allow_ips": proxies} if proxies \
        else {"proxy_headers": False}
