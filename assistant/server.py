"""One HTTP app: the Gradio UI at ``/`` and a small JSON API under ``/api/v1``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from index.offline import ensure_offline

if TYPE_CHECKING:
    from fastapi import FastAPI

    from assistant.core import Assistant


def create_app(assistant: Assistant) -> FastAPI:
    ensure_offline()
    import gradio as gr
    from fastapi import FastAPI

    from assistant.ui import build_ui

    app = FastAPI(title="News assistant", docs_url="/docs", openapi_url="/openapi.json")

    @app.get("/api/v1/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", **assistant.stats().to_dict()}

    return gr.mount_gradio_app(app, build_ui(assistant), path="/")
