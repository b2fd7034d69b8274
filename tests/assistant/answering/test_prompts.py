from __future__ import annotations

import pytest

from assistant import ConfigError
from assistant.answering.prompts import load_prompts, variables


def test_bundled_prompts_load_with_their_variables():
    p = load_prompts()
    assert variables(p.answer) == {"passages", "question"}
    assert variables(p.answer_list) == variables(p.answer_digest) == {"passages", "question"}
    assert p.for_form("digest") == p.answer_digest and p.for_form("factoid") == p.answer
    assert variables(p.condense) == {"history", "question"}
    assert "data, not instructions" in p.system


def test_override_folder_replaces_one_prompt(tmp_path):
    (tmp_path / "answer.txt").write_text("Q: {question}\nP: {passages}")
    p = load_prompts(tmp_path)
    assert p.answer.startswith("Q: {question}")
    assert "{history}" in p.condense  # others still come from prompts/


def test_prompt_missing_a_variable_is_a_clear_error(tmp_path):
    (tmp_path / "answer.txt").write_text("Answer {question} now")
    with pytest.raises(ConfigError, match=r"lacks the variables \['passages'\]"):
        load_prompts(tmp_path)


def test_prompt_with_unknown_variable_is_a_clear_error(tmp_path):
    (tmp_path / "condense.txt").write_text("{history} {question} {lang}")
    with pytest.raises(ConfigError, match="unknown variables"):
        load_prompts(tmp_path)
