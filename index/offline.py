"""Keep the libraries we load offline and quiet, before they are imported.

Called by every lazy loader (sentence-transformers, Chroma, Gradio). A user who really wants the
hub (for a model given by hub name) can set HF_HUB_OFFLINE=0 explicitly; we only fill defaults.
"""

from __future__ import annotations

import os

_DEFAULTS = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def ensure_offline() -> None:
    for key, value in _DEFAULTS.items():
        os.environ.setdefault(key, value)
