"""One HTTP app: the JSON API under /api/v1, the Gradio UI at /, OpenAPI at /docs.

Secure by default: it binds 127.0.0.1; bound to any other address it refuses to start unless an
API token and UI credentials are set.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from assistant.errors import ConfigError
from index.offline import ensure_offline

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.service import Assistant
    from assistant.settings import Settings


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
) -> FastAPI:
    """The API and the UI in one app; ``max_upload_bytes`` defaults to the setting's default."""
    ensure_offline()
    import gradio as gr
    from fastapi import FastAPI

    from assistant.interfaces.api import add_api
    from assistant.interfaces.ui import build_ui
    from assistant.interfaces.ui_render import CSS, HEAD

    if max_upload_bytes is None:
        from assistant.settings import Settings

        max_upload_bytes = Settings.model_fields["max_upload_bytes"].default
    app = FastAPI(
        title="News assistant API",
        description="Answers with cited passages over your news articles.",
        version="1",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    add_api(app, assistant, token=token, max_upload_bytes=max_upload_bytes)
    return gr.mount_gradio_app(
        app, build_ui(assistant, max_upload_bytes=max_upload_bytes), path="/", auth=ui_auth,
        show_error=False, max_file_size=max_upload_bytes, css=CSS, head=HEAD,
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
                     max_upload_bytes=settings.max_upload_bytes)
    uvicorn.run(app, host=host, port=port or settings.port, log_level="info")
