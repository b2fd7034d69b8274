"""Gradio entry point: ``python app.py`` serves the chat on http://127.0.0.1:7860.

No logic of its own: settings come from the environment (ASSISTANT_*), the app from
assistant.interfaces.server.
"""

from __future__ import annotations

from assistant import Settings
from assistant.interfaces.server import launch


def main() -> None:
    launch(Settings())


if __name__ == "__main__":
    main()
