"""The ONNX Runtime encoder: the local sentence-transformers model exported to ONNX, fused and
quantised to int8 once, then run without torch.

The ONNX file is a derived artifact. It is built on first use from the local model folder (torch
export → onnxruntime's BERT fusions → dynamic int8 quantisation, ~15 s on 2 cores) and cached
under a name that carries a hash of the model's files and the versions of the tools that built it,
so a changed model or an upgraded torch/onnxruntime builds a new file instead of reusing a stale
one. It is written to a temporary file and renamed into place under a file lock: concurrent
processes build it once and never read half a file. A cached file that onnxruntime cannot load is
rebuilt.

Inference needs only onnxruntime, the ``tokenizers`` fast tokenizer and numpy (mean pooling over
the attention mask, then L2 normalisation, as the sentence-transformers model does): a process
whose file is cached never imports torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexingError
from index.offline import ensure_offline

# Part of the cache key: change it whenever the export or quantisation recipe changes.
RECIPE = "int8-attn-first4-1"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# Layers, counted from the last, whose fused attention (Q/K/V projection) is not quantised.
_FP32_ATTENTION_LAYERS = 2


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/news-assistant/encoders`` (``~/.cache/...`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "news-assistant" / "encoders"


def model_fingerprint(model_dir: Path, cache_dir: Path | None = None) -> str:
    """A hash of the files the export reads (config and weights) and of the tool versions; the
    weights' hash is remembered in ``cache_dir`` (index/weights.py)."""
    import onnxruntime

    from index.weights import file_sha256

    digest = hashlib.sha256(RECIPE.encode())
    digest.update(f"onnxruntime={onnxruntime.__version__}".encode())
    digest.update(f"torch={_version('torch')} transformers={_version('transformers')}".encode())
    weights = [model_dir / name for name in _WEIGHT_FILES if (model_dir / name).exists()]
    if not weights:
        raise IndexingError(
            f"No model weights ({' or '.join(_WEIGHT_FILES)}) in {model_dir}: the onnx-int8 "
            "encoder exports a local sentence-transformers model folder. Set "
            "ASSISTANT_ENCODER=fp32 to use this model as it is."
        )
    with (model_dir / "config.json").open("rb") as f:
        digest.update(hashlib.file_digest(f, "sha256").digest())
    digest.update(bytes.fromhex(file_sha256(weights[0], cache_dir)))
    return digest.hexdigest()[:16]


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "none"


class OnnxEncoder:
    """Unit-length sentence vectors from an ONNX transformer, with the model's own tokenizer and
    mean pooling. Texts are sorted by length before batching so batches carry little padding."""

    def __init__(self, onnx_file: Path, model_dir: Path, *, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_length = _max_seq_length(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json carries its own padding (fixed 128) and truncation: use the model's.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_length)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or _cores()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initialisers are noise here
        self.session = ort.InferenceSession(str(onnx_file), options,
                                            providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self.session.get_inputs()]
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        """A float32 array of unit-length vectors, one row per text, in the order given."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]), reverse=True)
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            width = len(ids[rows[0]])
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                input_ids[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            feed = {"input_ids": input_ids, "attention_mask": mask,
                    "token_type_ids": np.zeros_like(input_ids)}
            hidden = self.session.run(None, {name: feed[name] for name in self._inputs})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[rows] = pooled / norms
        return out


def load_onnx_encoder(model_dir: Path, *, model_name: str, cache_dir: Path | None = None
                      ) -> OnnxEncoder:
    """The cached int8 encoder for a local model folder, built first if needed."""
    ensure_offline()
    _check_supported(model_dir)
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    target = cache_dir / f"{model_name}-{RECIPE}-{model_fingerprint(model_dir, cache_dir)}.onnx"
    if target.exists():
        try:
            return OnnxEncoder(target, model_dir)
        except Exception:  # onnxruntime raises its own untyped errors
            pass  # unreadable (truncated, overwritten by hand...): build it again below
    build_onnx(model_dir, target, replace=True)
    return OnnxEncoder(target, model_dir)


def build_onnx(model_dir: Path, target: Path, *, replace: bool = False) -> None:
    """Export, fuse and quantise ``model_dir`` into ``target``, atomically and once across
    processes: whoever holds the lock builds; the others find the file when they get it."""
    from filelock import FileLock

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(target) + ".lock"):
            if target.exists() and not replace:
                return
            if target.exists() and _loads(target, model_dir):
                return  # another process rebuilt it while we waited for the lock
            # The first use of onnx-int8 on a machine waits for this: say why.
            sys.stderr.write(f"Building the fast encoder (about 20 s, once) in {target.parent}…\n")
            sys.stderr.flush()
            with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
                built = _export_fuse_quantise(model_dir, Path(tmp))
                os.replace(built, target)
    except IndexingError:
        raise
    except Exception as exc:  # torch, onnx and onnxruntime raise many unrelated types
        raise IndexingError(
            f"Cannot build the onnx-int8 encoder from {model_dir} into {target.parent} "
            f"({type(exc).__name__}: {exc}). Check that this folder is writable (or set "
            "ASSISTANT_ENCODER_CACHE_DIR), or set ASSISTANT_ENCODER=fp32 to run the model in "
            "torch instead."
        ) from exc


def _loads(path: Path, model_dir: Path) -> bool:
    try:
        OnnxEncoder(path, model_dir, threads=1)
    except Exception:  # onnxruntime raises its own untyped errors
        return False
    return True


def _export_fuse_quantise(model_dir: Path, tmp: Path) -> Path:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from transformers import AutoConfig, AutoModel

    class LastHiddenState(torch.nn.Module):
        """Three named inputs, one output: what the export traces."""

        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    # Eager attention exports as plain MatMul/Softmax, which the BERT fusions turn into one
    # Attention node; the SDPA path does not fuse.
    model = AutoModel.from_pretrained(model_dir, local_files_only=True,
                                      attn_implementation="eager").eval()
    exported, fused, quantised = tmp / "fp32.onnx", tmp / "fused.onnx", tmp / "int8.onnx"
    sample = torch.ones(2, 8, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        _expected_export_warnings(torch)
        torch.onnx.export(
            LastHiddenState(model), (sample, sample, torch.zeros_like(sample)), str(exported),
            input_names=names, output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
            opset_version=17, dynamo=False,
        )
    optimizer.optimize_model(
        str(exported), model_type="bert", num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
    ).save_model_to_file(str(fused))
    # The fused attention (Q/K/V projection) of the last two layers stays fp32: quantising it in
    # every layer is ~20 % faster than in none but cost 0.004-0.005 SciFact nDCG@10; in the first
    # four layers only, it keeps nearly all of the speed (1.9-2.1x fp32 torch instead of
    # 1.7-1.9x) at -0.0005 nDCG@10 (-0.0013 with queries one at a time) (README, Speed).
    attention = [n.name for n in onnx.load(str(fused), load_external_data=False).graph.node
                 if n.op_type == "Attention"]
    with _quiet_root_logger():
        quantize_dynamic(
            str(fused), str(quantised), weight_type=QuantType.QInt8, per_channel=True,
            # The MatMuls (attention output projection, both feed-forward layers) of every layer
            # and the fused Attention of all but the last two (graph order is layer order).
            op_types_to_quantize=["MatMul", "Attention"],
            nodes_to_exclude=attention[-_FP32_ATTENTION_LAYERS:],
            # The fused Attention/SkipLayerNorm ops are outside the default domain, where shape
            # inference cannot type their outputs; they are all float.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    return quantised


def _expected_export_warnings(torch: Any) -> None:
    """Silence (inside a ``catch_warnings`` block) what the TorchScript export says about this
    model, and nothing else: the exporter itself is deprecated in favour of dynamo, which needs
    onnxscript and does not produce graphs the BERT fusions recognise, while this one traces the
    model correctly (tests/index/test_onnx_encoder.py compares its vectors with torch's)."""
    for message in ("You are using the legacy TorchScript-based ONNX export",
                    "The feature will be removed"):
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=message)
    # Tracing notes each shape-dependent branch of transformers' masking code; the dynamic axes
    # and the tests cover other batch and sequence sizes.
    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning,
                            message="Converting a tensor to a Python boolean")
    # The token ids never index with negative values.
    warnings.filterwarnings("ignore", category=UserWarning,
                            message="Exporting aten::index operator of advanced indexing")


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """The quantiser advises pre-processing through ``logging.warning``, which would also
    install a handler on the root logger of the host application; neither is wanted."""
    root = logging.getLogger()
    handler, drop = logging.NullHandler(), logging.Filter("no record passes this")
    root.addHandler(handler)
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)
        root.removeHandler(handler)


def _check_supported(model_dir: Path) -> None:
    """The ONNX path pools by mean like the bundled model; anything else would give other
    vectors than the same model in torch."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((model_dir / pooling / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise IndexingError(
            f"{model_dir} is not a sentence-transformers model folder with a Pooling module "
            f"({exc}); the onnx-int8 encoder needs one. Set ASSISTANT_ENCODER=fp32 instead."
        ) from exc
    modes = {k for k, v in config.items() if k.startswith("pooling_mode_") and v is True}
    if modes != {"pooling_mode_mean_tokens"}:
        raise IndexingError(
            f"The onnx-int8 encoder supports mean pooling only; {model_dir} pools otherwise. "
            "Set ASSISTANT_ENCODER=fp32 for this model."
        )


def _max_seq_length(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())
                   ["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 512


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
