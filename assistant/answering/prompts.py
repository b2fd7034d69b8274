"""Prompt templates, loaded from files and checked for their required variables at start-up."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError

# Installed from a wheel, the prompts are package data of ``assistant`` (pyproject.toml maps the
# top-level prompts/ folder, where they are edited, to assistant/prompts); in a checkout they are
# read from that folder itself.
PACKAGED_DIR = Path(__file__).resolve().parents[1] / "prompts"
REPO_DIR = Path(__file__).resolve().parents[2] / "prompts"

REQUIRED: dict[str, frozenset[str]] = {
    "system": frozenset({"abstain_text"}),
    "answer": frozenset({"passages", "question"}),
    "answer_list": frozenset({"passages", "question"}),
    "answer_digest": frozenset({"passages", "question"}),
    "condense": frozenset({"history", "question"}),
}


@dataclass(frozen=True)
class Prompts:
    system: str
    answer: str  # a factoid question
    answer_list: str  # several facts
    answer_digest: str  # what happened (answering/forms.py)
    condense: str

    def for_form(self, form: str) -> str:
        """The answer prompt for a question form: factoid, list or digest."""
        return {"list": self.answer_list, "digest": self.answer_digest}.get(form, self.answer)


def variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_prompts(override_dir: Path | None = None) -> Prompts:
    """Each prompt from ``override_dir`` when present there, else the bundled one (installed
    with the package, or prompts/ of a checkout)."""
    loaded: dict[str, str] = {}
    for name, required in REQUIRED.items():
        path = _find(name, override_dir)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"Cannot read prompt {path} ({exc.strerror}); restore it or point "
                              "ASSISTANT_PROMPTS_DIR at a folder that has it.") from exc
        try:
            found = variables(text)
        except ValueError as exc:
            raise ConfigError(f"Prompt {path} is not a valid template ({exc}); write literal "
                              "braces as {{ and }}.") from exc
        if missing := required - found:
            raise ConfigError(f"Prompt {path} lacks the variables {sorted(missing)}; it has "
                              f"{sorted(found)} and must use {sorted(required)}.")
        if unknown := found - required:
            raise ConfigError(f"Prompt {path} uses unknown variables {sorted(unknown)}; only "
                              f"{sorted(required)} are filled in (write literal braces as "
                              "{{ and }}).")
        loaded[name] = text
    return Prompts(**loaded)


def _find(name: str, override_dir: Path | None) -> Path:
    for folder in (override_dir, PACKAGED_DIR, REPO_DIR):
        if folder is None:
            continue
        for suffix in (".txt", ".md"):
            if (candidate := Path(folder) / f"{name}{suffix}").is_file():
                return candidate
    return (PACKAGED_DIR if PACKAGED_DIR.is_dir() else REPO_DIR) / f"{name}.txt"
