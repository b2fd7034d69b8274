"""Shared fixtures: isolated env and data dirs, the bundled model loaded once per session."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from index.offline import ensure_offline
from tests.webserver import SECRET, serve

ensure_offline()

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TEST_DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
DENEUVE_QUESTION = "What did Catherine Deneuve and the other signatories call the #MeToo campaign?"


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ASSISTANT_* variable or .env file from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    # The session model runs in fp32; CLI and server subprocesses a test starts must embed the
    # same way, or the store's model check (rightly) refuses the index they share.
    monkeypatch.setenv("ASSISTANT_ENCODER", "fp32")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture(scope="session")
def embeddings():
    from index.embeddings import LocalEmbeddings

    emb = LocalEmbeddings()
    emb.embed_query("warm up")  # load once for the whole session
    return emb


def hashed(item: pytest.Item) -> bool:
    """Marked ``hash_embeddings``: its assistants embed with the deterministic fake."""
    return item.get_closest_marker("hash_embeddings") is not None


def uses_the_model(item: pytest.Item) -> bool:
    """The test loads the bundled model (directly, or through an assistant that embeds)."""
    names = set(getattr(item, "fixturenames", ()))
    return "embeddings" in names or ("make_assistant" in names and not hashed(item))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The fast tier (make test-fast: not slow, not browser) runs without the model: a test that
    # loads it, or that starts the Chroma and PostgreSQL servers, is slow by definition.
    for item in items:
        params = getattr(item, "callspec", None)
        server = params is not None and params.params.get("store_backend") == "server"
        if uses_the_model(item) or server:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def make_assistant(tmp_path: Path, store_backend, request
                   ) -> Iterator[Callable[..., object]]:
    """Assistants in ``tmp_path``: on the bundled model, or on ``HashEmbeddings`` for a test
    marked ``hash_embeddings`` (bookkeeping that no ranking depends on)."""
    from assistant import Assistant, Settings

    if hashed(request.node):
        from tests.fakes import HashEmbeddings

        embeddings = HashEmbeddings()
    else:
        embeddings = request.getfixturevalue("embeddings")
    made = []
    shared: dict[str, dict[str, object]] = {}  # one server-side store per data dir name

    def make(name: str = "data", **settings):
        if store_backend == "server":
            if name not in shared:
                shared[name] = server_settings(request)
            settings = {**shared[name], **settings}
        a = Assistant.from_settings(Settings(data_dir=tmp_path / name, **settings),
                                    embeddings=embeddings)
        made.append(a)
        return a

    yield make
    for a in made:
        a.close()


# -- server mode: these suites run twice, embedded and against a `chroma run` server --------------
# (with the catalog on a PostgreSQL server too, when one can be started here).
SERVER_SUITES = {"test_indexer.py", "test_lexical.py", "test_hybrid.py", "test_sync.py",
                 "test_duplicates.py", "test_answering.py"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if ("make_assistant" in metafunc.fixturenames
            and metafunc.definition.path.name in SERVER_SUITES):
        metafunc.parametrize("store_backend", ["embedded", "server"], indirect=True)


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    """ "embedded" (Chroma in the data dir, SQLite catalog) or "server"."""
    return getattr(request, "param", "embedded")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real `chroma run --path TMP --host 127.0.0.1 --port N` for the whole session."""
    from tests.services import Unavailable
    from tests.services import chroma_server as start

    with ExitStack() as stack:
        try:
            address = stack.enter_context(start(tmp_path_factory.mktemp("chroma-server") / "db"))
        except Unavailable as exc:
            pytest.skip(f"Chroma server tests skipped: {exc}")
        yield address


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str | None]:
    """A throwaway PostgreSQL server's URL, or None when none can be started here."""
    from tests.services import Unavailable, postgres_server

    with ExitStack() as stack:
        try:
            url: str | None = stack.enter_context(postgres_server())
        except Unavailable as exc:
            POSTGRES_UNAVAILABLE.append(str(exc))
            url = None
        yield url


POSTGRES_UNAVAILABLE: list[str] = []


@pytest.fixture
def postgres_url(postgres_server_url: str | None) -> str:
    """A fresh PostgreSQL database for one test; skips, saying why, without a server."""
    if postgres_server_url is None:
        pytest.skip(f"PostgreSQL tests skipped: {POSTGRES_UNAVAILABLE[0]}")
    from tests.services import create_postgres_database

    return create_postgres_database(postgres_server_url, f"t_{uuid.uuid4().hex[:12]}")


def server_settings(request: pytest.FixtureRequest) -> dict[str, object]:
    """Settings for a fresh store on the session's servers (see tests.services.fresh_store)."""
    from tests.services import fresh_store

    return fresh_store(request.getfixturevalue("chroma_server"),
                       request.getfixturevalue("postgres_server_url"))


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    target = tmp_path / "samples"
    shutil.copytree(SAMPLES, target)
    return target


@pytest.fixture
def news(make_assistant, sample_dir):
    """An assistant over the sample article and four short unrelated news items."""
    a = make_assistant()
    report = a.add_paths([sample_dir, TEST_DATA / "articles.jsonl"])
    assert not report.failed
    return a


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def serving(app, host: str = "127.0.0.1", **options) -> Iterator[str]:
    """Run an ASGI app under a real uvicorn server in a thread (``options`` for its config);
    yield its base URL."""
    import uvicorn

    port = free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sse_events(response) -> Iterator[tuple[str | None, dict]]:
    """The (event, data) pairs of a server-sent events response, as they arrive."""
    import json

    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            yield event, json.loads(line[6:])


@contextmanager
def served_assistant(root: Path, embeddings, *paths: Path, **app_options) -> Iterator[str]:
    """An assistant over a copy of the samples (and ``paths``) behind a real server; its URL."""
    from assistant import Assistant, Settings
    from assistant.interfaces.server import create_app

    shutil.copytree(SAMPLES, root / "samples")
    a = Assistant.from_settings(Settings(data_dir=root / "data"), embeddings=embeddings)
    a.add_paths([root / "samples", *paths])
    try:
        with serving(create_app(a, **app_options)) as url:
            yield url
    finally:
        a.close()


@pytest.fixture
def public():
    """A web site on 127.0.0.1, the tests' stand-in for the public web."""
    with serve() as site:
        yield site


@pytest.fixture
def internal():
    """A site on 127.0.0.3, an internal address, holding a secret admin page."""
    with serve("127.0.0.3") as site:
        site.pages["/admin.html"] = ("text/html", SECRET)
        yield site
