"""Plain-text articles held to the same limits as documents, checked in linear time; Windows-1252
files read as such; only http(s) article URLs, whatever the door."""

from __future__ import annotations

import json
import time

import pytest

from index.articles import Article
from index.errors import BadArticle
from index.indexer import MAX_CHUNKS
from index.loaders import load_paths, parse_bytes
from index.textfiles import MAX_TEXT_CHARS, check_prose, decode_bytes
from tests.index.test_hostile import GOOD, load_in_child

PROSE = ("The council met on Monday to discuss the bridge, and the mayor said that work would "
         "start in the spring if the budget allowed it. ")


def test_runs_just_under_the_limit_are_checked_in_linear_time(tmp_path):
    """2 MB of 9,990-character runs: the old regex took half a minute holding the GIL."""
    text = "# Runs\n\n" + ("x" * 9_990 + " ") * 200
    started = time.perf_counter()
    assert check_prose(text, "runs.md") is text
    assert time.perf_counter() - started < 0.5  # 0.02 s here; 31.6 s with \S{10000,}
    with pytest.raises(BadArticle, match="a run of 10,500 characters without a space"):
        check_prose(text + "y" * 10_500 + " end", "long.md")


@pytest.mark.parametrize("name,data", [
    ("big.txt", PROSE * (MAX_TEXT_CHARS // len(PROSE) + 10)),
    ("big.md", "# Long\n\n" + PROSE * (MAX_TEXT_CHARS // len(PROSE) + 10)),
    ("big.json", json.dumps({"title": "Long", "text": PROSE * (MAX_TEXT_CHARS // len(PROSE)
                                                               + 10)})),
    ("run.json", json.dumps({"title": "Data", "text": "A" * 20_000})),
    ("run.html", "<html><body><article><p>" + "word " * 10 + "B" * 20_000
     + "</p></article></body></html>"),
])
def test_every_format_has_the_documents_text_limits(tmp_path, name, data):
    (tmp_path / name).write_text(data)
    (tmp_path / "good.md").write_text(GOOD)
    started = time.perf_counter()
    result = load_paths([tmp_path])
    assert time.perf_counter() - started < 10
    [failure] = result.failures
    assert failure.source == str(tmp_path / name)
    assert ("over the 2,000,000-character limit" in failure.reason
            or "characters without a space" in failure.reason)
    assert [a.title for a in result.articles] == ["Bridge reopens"]


def test_an_article_over_the_passage_limit_is_reported_not_embedded(make_assistant, tmp_path):
    """Under the text limit, over the passage limit: refused before any embedding, whatever
    door it came through (here a JSON body, as the API sends it)."""
    a = make_assistant()
    long = Article(title="Long report", text=PROSE * (MAX_CHUNKS * 7))
    started = time.perf_counter()
    report = a.add_articles([long, Article(title="Bridge", text=PROSE)])
    assert time.perf_counter() - started < 30  # minutes of embedding otherwise
    [failure] = report.failed
    assert f"over the {MAX_CHUNKS:,}-passage limit per article" in failure.reason
    assert len(report.added) == 1 and report.chunks_embedded < 5


CP1252_TEXT = ("# Café reopens\n\nThe café on the Quai d’Orsay reopened on Monday – “at last”, "
               "said its owner, José Müller… Prices: 2 € a cup; «naïve» décor, Straße.\n")


@pytest.mark.parametrize("name", ["cafe.md", "cafe.txt", "cafe.html"])
def test_undeclared_windows_1252_reads_as_windows_1252(tmp_path, name):
    data = CP1252_TEXT
    if name.endswith(".html"):
        data = ("<html><head><title>Café reopens</title></head><body><article><p>"
                + CP1252_TEXT.split("\n\n", 1)[1] + "</p></article></body></html>")
    raw = data.encode("cp1252")
    assert b"\x96" in raw and b"\x93" in raw and b"\xe9" in raw  # real cp1252 bytes
    [article] = parse_bytes(raw, name)
    assert "The café on the Quai d’Orsay reopened on Monday – “at last”" in article.text
    assert "José Müller…" in article.text and "2 € a cup" in article.text
    assert decode_bytes("Café".encode("cp1252"), "short.txt") == "Café"


@pytest.mark.parametrize("codec,text", [
    ("cp1251", "Мост через реку открыли в понедельник, сообщил мэр города."),
    ("iso-8859-7", "Η γέφυρα άνοιξε τη Δευτέρα, είπε ο δήμαρχος της πόλης."),
])
def test_other_code_pages_are_still_detected(codec, text):
    assert decode_bytes(text.encode(codec), "other.txt") == text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>x</script>",
                                 "file:///etc/passwd", "https://x.test/\"onmouseover=alert(1)"])
def test_only_http_article_urls_at_every_door(tmp_path, url):
    with pytest.raises(ValueError, match="must be an http:// or https:// address"):
        Article(title="T", text="Body text.", url=url)
    record = json.dumps({"title": "T", "text": "Body text of the story.", "url": url})
    (tmp_path / "a.json").write_text(record)
    (tmp_path / "b.md").write_text(f"---\nurl: '{url}'\n---\nBody text of the story.\n")
    result = load_paths([tmp_path])
    assert not result.articles
    assert all("http:// or https://" in f.reason for f in result.failures)
    assert Article(title="T", text="Body.", url="https://example.com/a?b=1#c").url


def test_a_2_mib_text_file_is_refused_in_bounded_time_and_memory(tmp_path):
    (tmp_path / "big.txt").write_text(PROSE * (2 * 1024 * 1024 // len(PROSE)))
    (tmp_path / "good.md").write_text(GOOD)
    out = load_in_child(tmp_path, memory=1 << 30)
    assert "over the 2,000,000-character limit" in out["failed"][str(tmp_path / "big.txt")]
    assert out["seconds"] < 10


def test_a_json_body_is_held_to_the_same_text_checks(make_assistant):
    """As the API's JSON body arrives: an Article, straight to add_articles."""
    a = make_assistant()
    report = a.add_articles([Article(title="Data", text="Intro. " + "Q" * 12_000),
                             Article(title="Bridge", text=PROSE)])
    [failure] = report.failed
    assert "a run of 12,000 characters without a space" in failure.reason
    assert len(report.added) == 1
