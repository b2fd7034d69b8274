"""Gradio entry point: ``python app.py`` serves the chat on http://127.0.0.1:7860.

No logic of its own: settings come from the environment (ASSISTANT_*), the UI from assistant.ui.
"""

from __future__ import annotations

from assistant import Assistant, Settings
from assistant.interfaces.ui import launch


def main() -> None:
    settings = Settings()
    launch(Assistant.from_settings(settings), settings)


if __name__ == "__main__":
    main()
