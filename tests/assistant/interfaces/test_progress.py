"""The indexing progress bar: the total and an ETA once the number of articles is known, and a
clock that keeps running while one batch takes long."""

from __future__ import annotations

import time

from assistant.interfaces.progress import REDRAW_SECONDS, ProgressBar
from index.indexer import _announce


def test_the_bar_shows_the_total_and_an_eta(capsys):
    with ProgressBar("indexing") as bar:
        _announce(bar, 10)  # what the indexer does before its first batch
        bar(4, 40)
        shown = capsys.readouterr().err
    assert bar.total == 10
    assert "indexing" in shown and "4/10" in shown and "40 chunks" in shown
    assert "<" in shown  # tqdm's "[elapsed<remaining" once a total is known


def test_the_bar_is_redrawn_while_nothing_moves(capsys):
    assert REDRAW_SECONDS <= 2
    with ProgressBar("indexing", redraw=0.1) as bar:
        bar.total = 10
        bar(4, 40)
        capsys.readouterr()
        time.sleep(0.6)
        later = capsys.readouterr().err
    assert later.count("4/10") >= 3


def test_a_disabled_bar_draws_nothing(capsys):
    with ProgressBar("indexing", enabled=False) as bar:
        bar.total = 3
        bar(1, 2)
    assert capsys.readouterr().err == "" and bar.total is None
