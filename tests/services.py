"""Real servers for the scaling-out tests: a `chroma run` server and a throwaway PostgreSQL.

Both are started in temporary folders on free ports of 127.0.0.1 and stopped at the end of the
session. PostgreSQL needs Debian's postgresql (``make postgres`` installs it when run as root);
without it the tests that need it are skipped, saying so.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def interruptible() -> None:
    """``preexec_fn`` for a child a test will send Ctrl-C (SIGINT): the child starts with SIGINT
    at its default even when the test run inherited it ignored (a background job of a
    non-interactive shell does), so Python in the child turns it into KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Unavailable(RuntimeError):
    """A service cannot run on this machine; the message says why and what to do."""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, int]]:
    """``chroma run`` persisting under ``path``; yields (host, port) once it answers."""
    chroma = shutil.which("chroma", path=str(BIN)) or shutil.which("chroma")
    if chroma is None:
        raise Unavailable("the chroma CLI (shipped by the chromadb package) is not installed")
    port = _free_port()
    log = (path.parent / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        preexec_fn=interruptible,
    )
    try:
        _wait(lambda: httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
              .status_code == 200, proc, "chroma run")
        yield "127.0.0.1", port
    finally:
        # Ctrl-C is what `chroma run` expects; it ignores SIGTERM for a while.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise Unavailable("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin — "
                          "install Debian's postgresql ('make postgres' does it as root)")
    return Path(found[-1]).parent


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (trust auth, 127.0.0.1 only); yields its SQLAlchemy URL."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise Unavailable("psycopg is not installed (pip install -e '.[postgres]')") from exc
    bin_dir = _postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="pg-test-"))
    # initdb refuses to run as root: run the cluster as Debian's postgres user then.
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise Unavailable("running as root without runuser to start PostgreSQL as postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise Unavailable(f"{Path(args[0]).name} failed: {done.stderr.strip()[-500:]}")

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "--no-sync", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60",
        "-o", f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def create_postgres_database(url: str, name: str) -> str:
    """A fresh database on the server of ``url``; returns its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def create_chroma_database(host: str, port: int, name: str) -> str:
    """A fresh database on the Chroma server (one per test keeps collections apart)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    admin = chromadb.AdminClient(ChromaSettings(
        chroma_api_impl="chromadb.api.fastapi.FastAPI", chroma_server_host=host,
        chroma_server_http_port=port, anonymized_telemetry=False))
    admin.create_database(name)
    return name


def fresh_store(chroma: tuple[str, int], postgres_url: str | None) -> dict[str, object]:
    """Settings for a fresh store on these servers: its own Chroma database (so tests do not see
    each other's collections) and, when PostgreSQL runs, its own catalog database."""
    host, port = chroma
    name = f"t_{uuid.uuid4().hex[:12]}"
    settings: dict[str, object] = {"chroma_host": host, "chroma_port": port,
                                   "chroma_database": create_chroma_database(host, port, name)}
    if postgres_url is not None:
        settings["catalog_url"] = create_postgres_database(postgres_url, name)
    return settings


def _wait(ready, proc: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Unavailable(f"{what} exited with code {proc.returncode}")
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise Unavailable(f"{what} did not answer within {timeout:.0f} s")
