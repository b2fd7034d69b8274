"""One Settings object: environment variables with the ASSISTANT_ prefix, or a .env file.

Built once at an edge (CLI, app.py, HTTP app); the library below takes plain arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("data"), description="Where the index and article store live.")
    embedding_model: str | None = Field(
        None, description="Local model folder or name; unset = the bundled all-MiniLM-L6-v2."
    )
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    k: int = Field(5, ge=1, le=100, description="Passages retrieved per question.")
    chunk_tokens: int = Field(170, ge=50, le=400, description="Target tokens per chunk.")
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Larger files are refused.")
    llm: Literal["extractive"] = Field(
        "extractive", description="Answer backend; extractive needs no LLM."
    )
    min_support: float = Field(
        0.35, ge=0.0, le=1.0, description="Below this support the assistant abstains."
    )
    max_answer_sentences: int = Field(3, ge=1, le=10)
    prompts_dir: Path | None = Field(None, description="Folder overriding prompts/*.txt.")
    index_batch_chunks: int = Field(
        256, ge=1, le=10000, description="Chunks embedded and written per batch while indexing."
    )
    near_duplicate_threshold: float = Field(
        0.4, gt=0.0, le=1.0,
        description="Estimated Jaccard similarity (MinHash) from which two articles are one story.",
    )
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds to wait for a web page or feed.")
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'articles.db').resolve()}"
