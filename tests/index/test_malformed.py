"""A folder of malformed files (generated here) is synced: each bad file is reported with its
reason, every good file is indexed, nothing crashes and nothing indexed before is lost.

Unreadable permissions: tests run as root in CI, and root reads a chmod-000 file anyway, so under
root that case is simulated with a FIFO and a folder named like articles (both reported as "not
a regular file"); as another user, chmod-000 files are added too.
"""

from __future__ import annotations

import json
import os
import random
import re

import pytest

from tests.corpus import article_text, write_corpus

# Bookkeeping, not ranking: the deterministic fake embeds (tests/fakes.py).
pytestmark = pytest.mark.hash_embeddings

ENCODED = {  # non-UTF-8 text that must be detected and indexed
    "cp1252": "Le président a déclaré mercredi que la réforme des retraites serait adoptée "
              "« coûte que coûte », malgré les grèves qui paralysent les transports à Paris.",
    "koi8-r": "Президент России заявил в среду, что переговоры о зерновой сделке продолжатся "
              "на следующей неделе в Стамбуле, сообщили в Кремле.",
    "cp1251": "Українська делегація прибула до Женеви в понеділок для переговорів щодо обміну "
              "полоненими, повідомило міністерство закордонних справ.",
    "shift_jis": "東京証券取引所の日経平均株価は水曜日、半導体関連株の上昇を受けて三日続伸し、"
                 "終値は前日比で大きく上昇しました。",
    "utf-16": "Der Bundestag hat am Donnerstag das neue Heizungsgesetz beschlossen. Die "
              "Opposition kündigte an, vor das Bundesverfassungsgericht zu ziehen.",
}
LIMIT = 40_000


def html_page(i: int) -> str:
    body = "".join(f"<p>{s}.</p>" for s in article_text(i, seed=7, sentences=8).split(". "))
    return (f"<html><head><title>Page {i}</title></head><body><article><h1>Page {i}</h1>"
            f"{body}</article></body></html>")


def make_corpus(folder):
    """(bad file → expected words in its reason, good file → a phrase of its text)."""
    rng = random.Random(3)
    folder.mkdir()
    bad: dict[str, str] = {}
    good: dict[str, str] = {}

    def put(name, data, expect=None, phrase=None):
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        if expect is not None:
            bad[str(path)] = expect
        else:
            good[str(path)] = phrase
        return path

    for i in range(25):
        put(f"empty-{i}.{['txt', 'md', 'json', 'html', 'jsonl'][i % 5]}",
            b"" if i % 2 else b"  \n\t\n", "empty")
        put(f"binary-{i}.txt", bytes(rng.randrange(256) for _ in range(2000)) + b"\x00",
            "binary")
        put(f"invalid-{i}.jsonl", "\n".join([
            json.dumps({"title": f"ok {i}", "text": article_text(i, seed=5)}),
            '{"title": "cut off", "text": "the line ends',
        ]), "invalid JSON line")
        put(f"invalid-{i}.json", '{"title": "x", "text": ' if i % 2 else "[1, 2, 3]",
            "JSON" if i % 2 else "expected a JSON object")
        put(f"no-text-{i}.json", json.dumps({"title": "only a title", "summary": "none"}),
            'missing field "text"')
        put(f"too-big-{i}.txt", article_text(i, seed=9, sentences=400), "over the")
        put(f"bad-yaml-{i}.md", "---\ntitle: [unclosed\n---\nSome body text here.\n",
            "front matter")
        put(f"truncated-{i}.html", html_page(i)[: 40 + i], "no article text")
    for i in range(5):  # cut off in the middle of the article: what arrived is indexed
        page = html_page(200 + i)
        put(f"cut-mid-article-{i}.html", page[: len(page) // 2], phrase=f"Page {200 + i}")
    # A single huge line: unbroken data is refused, a long line of prose is an article.
    put("one-huge-line.txt", "QUJD" * 9000, "without a space")
    put("long-prose-line.txt", article_text(0, seed=11, sentences=60).replace("\n", " "),
        phrase=article_text(0, seed=11, sentences=60)[:40])
    for enc, text in ENCODED.items():
        for i in range(4):
            body = f"{text} ({i})\n\n{text}\n\n{article_text(i, seed=13)}"
            put(f"encoded-{enc}-{i}.txt", body.encode(enc), phrase=text[:30])
    for i in range(20):
        text = article_text(i, seed=17)
        put(f"good-{i}.txt", f"# Good {i}\n\n{text}\n", phrase=text[:40])
        put(f"good-page-{i}.html", html_page(100 + i), phrase=f"Page {100 + i}")
    # Not readable as a file: a FIFO (opening it would block), a folder named like an article.
    os.mkfifo(folder / "pipe.txt")
    bad[str(folder / "pipe.txt")] = "not a regular file"
    (folder / "folder.md").mkdir()
    bad[str(folder / "folder.md")] = "not a regular file"
    if os.geteuid() != 0:
        for i in range(3):
            locked = put(f"locked-{i}.txt", "Cannot be read by this user.", "cannot read")
            locked.chmod(0)
    return bad, good


@pytest.mark.slow
def test_malformed_folder_is_synced_without_losing_anything(make_assistant, tmp_path):
    a = make_assistant(max_file_bytes=LIMIT)
    write_corpus(tmp_path / "before", 15, seed=21)
    before = a.add_paths([tmp_path / "before"])
    assert len(before.added) == 15
    bad, good = make_corpus(tmp_path / "mess")
    assert len(bad) >= 200

    report = a.sync(tmp_path / "mess")

    # A JSON failure names the record too: "file.jsonl:2", "file.json[0]".
    reasons = {re.sub(r"(\[\d+\]|:\d+)$", "", f.source): f.reason for f in report.failed}
    missing = {p for p in bad if p not in reasons}
    assert not missing, f"bad files not reported: {sorted(missing)[:5]}"
    for path, expect in bad.items():
        assert expect.lower() in reasons[path].lower(), (path, reasons[path])
    assert not set(good) & set(reasons), [reasons[p] for p in set(good) & set(reasons)]
    texts = {e.origin: e.article.text for e in
             (a.catalog.entry(r.id) for r in a.list_articles()) if e.origin}
    for path, phrase in good.items():
        assert path in texts, f"good file not indexed: {path}"
        assert phrase in texts[path] or phrase in a.catalog.entry(
            next(r.id for r in a.list_articles() if r.origin == path)).article.title
    assert a.stats().articles == 15 + len(good)  # nothing indexed before is lost
    assert a.store.count() == a.stats().chunks
    again = a.sync(tmp_path / "mess")  # still stable on a second pass
    assert not (again.added or again.updated or again.removed) and again.failed
