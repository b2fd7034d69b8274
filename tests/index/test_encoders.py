"""Encoders: auto picks by CPU features, int8 keeps the ranking, and vectors never mix."""

from __future__ import annotations

import numpy as np
import pytest

from index.embeddings import (
    LocalEmbeddings,
    choose_encoder,
    cpu_flags,
    resolve_encoder,
    variant_name,
)
from index.errors import IndexingError, ModelMismatch
from index.store import ChunkStore, persistent_client

DOCS = [
    "The central bank raised interest rates by half a point to fight inflation.",
    "The striker scored twice as the home team won the cup final.",
    "Heavy rain flooded the valley and hundreds of residents were evacuated.",
    "The new phone has a larger battery and a faster chip than last year's model.",
    "Parliament passed the budget after a long night of debate.",
]
QUERIES = ["Why did borrowing costs go up?", "Who won the football match?",
           "Which villages were under water?", "What is new in the smartphone?",
           "Did lawmakers approve the spending plan?"]


@pytest.fixture(scope="module")
def int8():
    emb = LocalEmbeddings(encoder="int8")
    emb.embed_query("warm up")
    return emb


def test_auto_picks_onnx_int8_only_where_the_cpu_has_vnni():
    assert choose_encoder({"avx2", "avx512f", "avx512_vnni", "avx512_bf16"}) == "onnx-int8"
    assert choose_encoder({"avx2", "avx_vnni"}) == "onnx-int8"
    assert choose_encoder({"avx2", "avx512f", "avx512_bf16"}) == "fp32"  # bf16 is 1.7x: too slow
    assert choose_encoder({"avx2", "fma"}) == "fp32"
    assert choose_encoder(set()) == "fp32"
    assert resolve_encoder("auto") == choose_encoder(cpu_flags())
    assert resolve_encoder("BF16") == "bf16"
    assert resolve_encoder("ONNX-INT8") == "onnx-int8"


def test_an_unknown_encoder_is_refused_with_the_choices():
    with pytest.raises(IndexingError,
                       match=r"'fp16'.*auto, fp32, bf16, int8, onnx-int8.*ASSISTANT_ENCODER"):
        LocalEmbeddings(encoder="fp16")


def test_the_recorded_name_carries_the_encoder_except_fp32():
    assert variant_name("all-MiniLM-L6-v2", "fp32") == "all-MiniLM-L6-v2"
    assert LocalEmbeddings(encoder="int8").name == "all-MiniLM-L6-v2+int8"
    assert LocalEmbeddings(encoder="bf16").name == "all-MiniLM-L6-v2+bf16"
    assert LocalEmbeddings(encoder="int8").dimension == 384  # from the config, no model load


def test_int8_vectors_are_unit_length_close_to_fp32_and_rank_alike(embeddings, int8):
    ref, fast = embeddings.encode(DOCS), int8.encode(DOCS)
    assert fast.dtype == np.float32 and fast.shape == ref.shape
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
    assert np.min(np.sum(ref * fast, axis=1)) > 0.97
    assert not np.allclose(ref, fast, atol=1e-6)  # really a different encoder
    q_ref, q_fast = embeddings.encode(QUERIES), int8.encode(QUERIES)
    assert list(np.argmax(q_fast @ fast.T, axis=1)) == list(np.argmax(q_ref @ ref.T, axis=1))
    assert list(np.argmax(q_fast @ fast.T, axis=1)) == list(range(len(QUERIES)))


def test_bf16_ranks_like_fp32(embeddings):
    bf16 = LocalEmbeddings(encoder="bf16")
    ref, fast = embeddings.encode(DOCS), bf16.encode(DOCS)
    assert fast.dtype == np.float32
    assert np.min(np.sum(ref * fast, axis=1)) > 0.98
    q = bf16.encode(QUERIES)
    assert list(np.argmax(q @ fast.T, axis=1)) == list(range(len(QUERIES)))


def test_switching_encoder_asks_for_a_rebuild(tmp_path, embeddings, int8):
    client = persistent_client(tmp_path / "chroma")
    ChunkStore(client, model_name=embeddings.name, dimension=embeddings.dimension)
    with pytest.raises(ModelMismatch, match=r"\+int8.*assistant index rebuild"):
        ChunkStore(client, model_name=int8.name, dimension=int8.dimension)


def test_settings_choose_the_encoder(tmp_path, monkeypatch):
    from assistant import Assistant, Settings

    monkeypatch.setenv("ASSISTANT_ENCODER", "int8")
    a = Assistant.from_settings(Settings(data_dir=tmp_path / "d"))
    try:
        assert a.embeddings.encoder == "int8"
        assert a.stats().embedding_model == "all-MiniLM-L6-v2+int8"
    finally:
        a.close()
