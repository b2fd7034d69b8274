"""The onnx-int8 encoder: exported once from the bundled model, close to fp32, cached, rebuilt
when broken, recorded under its own name, and free of torch once cached."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from index import onnx_encoder
from index.embeddings import LocalEmbeddings, bundled_model_path
from index.errors import IndexingError, ModelMismatch
from index.onnx_encoder import load_onnx_encoder
from index.store import ChunkStore, persistent_client
from tests.conftest import DENEUVE_QUESTION, ROOT
from tests.index.test_encoders import DOCS, QUERIES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("encoders")


@pytest.fixture(scope="module")
def onnx_int8(cache):
    emb = LocalEmbeddings(encoder="onnx-int8", cache_dir=cache)  # exports the model (~15 s)
    emb.embed_query("warm up")
    return emb


def cached_files(cache):
    return sorted(cache.glob("*.onnx"))


def test_vectors_are_unit_length_close_to_fp32_and_rank_alike(embeddings, onnx_int8):
    ref, fast = embeddings.encode(DOCS), onnx_int8.encode(DOCS)
    assert fast.dtype == np.float32 and fast.shape == ref.shape == (len(DOCS), 384)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert np.min(np.sum(ref * fast, axis=1)) > 0.99
    assert not np.allclose(ref, fast, atol=1e-5)  # really int8, not the fp32 model again
    q_ref, q_fast = embeddings.encode(QUERIES), onnx_int8.encode(QUERIES)
    assert np.min(np.sum(q_ref * q_fast, axis=1)) > 0.99
    assert list(np.argmax(q_fast @ fast.T, axis=1)) == list(range(len(QUERIES)))
    # The two best documents per query come in the same order (below them, scores near 0
    # differ by rounding).

    def top2(q, d):
        return np.argsort(-(q @ d.T), axis=1)[:, :2]

    assert (top2(q_fast, fast) == top2(q_ref, ref)).all()


def test_batching_and_order_keep_each_text_its_vector(onnx_int8):
    """Texts are sorted by length and padded per batch: each row must still be its own text.
    Activations are quantised with one scale per batch, so batch mates move a vector a little."""
    texts = [*DOCS, "Short.", "A much longer text about the budget vote " * 40]
    one_by_one = np.stack([onnx_int8.encode([t])[0] for t in texts])
    onnx_int8.batch_size = 3
    try:
        batched = onnx_int8.encode(texts)
    finally:
        onnx_int8.batch_size = 32
    similarity = batched @ one_by_one.T
    assert np.min(np.diag(similarity)) > 0.99
    assert list(np.argmax(similarity, axis=1)) == list(range(len(texts)))
    assert onnx_int8.encode([]).shape == (0, 384)
    assert onnx_int8.embed_documents([]) == []


def test_long_texts_are_truncated_like_sentence_transformers(embeddings, onnx_int8):
    """max_seq_length (256) comes from the model folder, not tokenizer.json's own 128."""
    head = "The council approved the new bridge after a long debate. " * 22  # ~250 tokens
    long_a, long_b = head + "Cats " * 300, head + "Finance " * 300
    ref = embeddings.encode([long_a, long_b])
    fast = onnx_int8.encode([long_a, long_b])
    assert np.min(np.sum(ref * fast, axis=1)) > 0.99
    assert float(fast[0] @ fast[1]) < 0.9999  # the tokens after 128 were read


def test_the_cached_file_is_reused_without_exporting_again(onnx_int8, cache, monkeypatch):
    [built] = cached_files(cache)
    stamp = built.stat().st_mtime_ns

    def no_export(*args):
        raise AssertionError("exported again although the cached file is valid")

    monkeypatch.setattr(onnx_encoder, "_export_fuse_quantise", no_export)
    encoder = load_onnx_encoder(bundled_model_path(), model_name="all-MiniLM-L6-v2",
                                cache_dir=cache)
    assert np.allclose(encoder.encode(DOCS[:2]), onnx_int8.encode(DOCS[:2]), atol=1e-6)
    assert cached_files(cache) == [built] and built.stat().st_mtime_ns == stamp
    assert not list(cache.glob(".build-*"))  # no temporary left behind


def test_a_corrupt_cached_file_is_rebuilt(onnx_int8, cache, tmp_path, monkeypatch, capsys):
    [good] = cached_files(cache)
    broken = tmp_path / good.name
    broken.write_bytes(good.read_bytes()[:1000])  # a truncated file, as after a full disk
    builds = []

    def export_once_more(model_dir, tmp):
        builds.append(model_dir)  # a real export is what the module fixture already checks
        return shutil.copy(good, tmp / "int8.onnx")

    monkeypatch.setattr(onnx_encoder, "_export_fuse_quantise", export_once_more)
    encoder = load_onnx_encoder(bundled_model_path(), model_name="all-MiniLM-L6-v2",
                                cache_dir=tmp_path)
    assert len(builds) == 1
    # A build takes about 20 s: one line on stderr says so.
    assert capsys.readouterr().err == (f"Building the fast encoder (about 20 s, once) in "
                                       f"{tmp_path}…\n")
    assert broken.read_bytes() == good.read_bytes()
    assert np.allclose(encoder.encode(DOCS[:2]), onnx_int8.encode(DOCS[:2]), atol=1e-6)


def test_the_cache_key_follows_the_model_files(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(bundled_model_path(), model)
    before = onnx_encoder.model_fingerprint(model)
    assert onnx_encoder.model_fingerprint(bundled_model_path()) == before
    config = json.loads((model / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "layer_norm_eps": 1e-6}))
    assert onnx_encoder.model_fingerprint(model) != before


def test_a_failed_build_says_what_to_do(tmp_path):
    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("a file where the cache folder should be")
    with pytest.raises(IndexingError, match=r"Cannot build the onnx-int8 encoder.*"
                       r"ASSISTANT_ENCODER_CACHE_DIR.*ASSISTANT_ENCODER=fp32"):
        LocalEmbeddings(encoder="onnx-int8", cache_dir=not_a_dir).encode(["x"])
    model = tmp_path / "no-weights"
    shutil.copytree(bundled_model_path(), model, ignore=shutil.ignore_patterns("*.safetensors"))
    with pytest.raises(IndexingError, match=r"No model weights.*ASSISTANT_ENCODER=fp32"):
        LocalEmbeddings(model, encoder="onnx-int8", cache_dir=tmp_path / "c").encode(["x"])


def test_its_vectors_never_mix_with_fp32_ones(tmp_path, embeddings, onnx_int8):
    assert onnx_int8.name == "all-MiniLM-L6-v2+onnx-int8"
    assert onnx_int8.dimension == 384
    client = persistent_client(tmp_path / "chroma")
    ChunkStore(client, model_name=onnx_int8.name, dimension=onnx_int8.dimension)
    with pytest.raises(ModelMismatch, match=r"\+onnx-int8.*assistant index rebuild"):
        ChunkStore(client, model_name=embeddings.name, dimension=embeddings.dimension)


def test_a_cached_encoder_loads_without_torch(onnx_int8, cache):
    """What makes a cold `assistant ask` fast: torch and sentence-transformers stay unloaded."""
    code = (
        "import sys; from index.embeddings import LocalEmbeddings; "
        f"e = LocalEmbeddings(encoder='onnx-int8', cache_dir={str(cache)!r}); "
        "v = e.embed_query('Who won the cup final?'); "
        "print(len(v), 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["384", "False", "False"]


def test_the_assistant_answers_with_it(tmp_path, sample_dir, cache, onnx_int8, monkeypatch):
    from assistant import Assistant, Settings

    monkeypatch.setenv("ASSISTANT_ENCODER", "onnx-int8")
    monkeypatch.setenv("ASSISTANT_ENCODER_CACHE_DIR", str(cache))
    a = Assistant.from_settings(Settings(data_dir=tmp_path / "d"))
    try:
        assert a.embeddings.encoder == "onnx-int8"
        assert a.add_paths([sample_dir]).added
        answer = a.ask(DENEUVE_QUESTION)
        assert not answer.abstained and "puritanism" in answer.text.lower()
        assert a.stats().embedding_model == "all-MiniLM-L6-v2+onnx-int8"
    finally:
        a.close()
