"""The file loaders: formats, metadata, bad files reported with their reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import BadArticle, load_file, load_paths


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_txt_front_matter_sets_metadata(tmp_path):
    [a] = load_file(write(tmp_path / "a.txt", "---\ntitle: Hello world\nsource: AP\n"
                          "published: 2020-05-01\nauthor: Jo Bloggs\ntopic: science\n---\n"
                          "First sentence here. Second one.\n"))
    assert (a.title, a.source, a.published, a.authors) == ("Hello world", "AP", "2020-05-01",
                                                           ("Jo Bloggs",))
    assert a.text == "First sentence here. Second one."
    assert a.metadata == {"topic": "science"}


def test_md_title_is_first_heading(tmp_path):
    [a] = load_file(write(tmp_path / "b.md", "# Storm hits coast\n\nWinds of 150 km/h were "
                          "recorded on Sunday.\n"))
    assert a.title == "Storm hits coast"
    assert a.text == "Winds of 150 km/h were recorded on Sunday."


def test_txt_title_falls_back_to_first_line(tmp_path):
    [a] = load_file(write(tmp_path / "c.txt", "Markets rally\n\nStocks rose sharply on Friday."))
    assert a.title == "Markets rally"


def test_sample_article_metadata():
    [a] = load_file(Path(__file__).parents[2] / "samples" / "deneuve-letter-reuters-afp.txt")
    assert a.source == "Reuters/AFP" and a.published == "2018-01-09"
    assert "puritanism" in a.title.lower()
    assert a.text.startswith("PARIS (Reuters, AFP)")


def test_html_extracts_main_text_and_metadata(tmp_path):
    page = """<html><head><title>Bridge | Daily Planet</title>
    <meta name="author" content="Jane Roe">
    <meta property="article:published_time" content="2024-03-05T10:00:00Z">
    <meta property="og:site_name" content="Daily Planet"></head>
    <body><nav>Home · World · Sport</nav><article><h1>Mayor unveils bridge</h1>
    <p>The mayor of Springfield announced a new bridge on Tuesday. It will cost five million
    dollars and open in 2026, officials said in a statement to reporters.</p>
    <p>Residents welcomed the plan, which had been debated for a decade in council meetings.</p>
    </article><footer>Copyright Daily Planet</footer></body></html>"""
    [a] = load_file(write(tmp_path / "p.html", page))
    assert a.title == "Mayor unveils bridge"
    assert a.published == "2024-03-05"
    assert a.authors == ("Jane Roe",)
    assert a.source == "Daily Planet"
    assert "new bridge on Tuesday" in a.text
    assert "Home · World" not in a.text and "Copyright" not in a.text


def test_json_and_jsonl_keep_unknown_fields_as_metadata(tmp_path):
    record = {"title": "T", "text": "Body text of the article.", "url": "https://x.test/a",
              "published": "2022-01-02T08:00:00Z", "source": "X", "author": "A; B",
              "section": "world"}
    [a] = load_file(write(tmp_path / "one.json", json.dumps(record)))
    assert a.metadata == {"section": "world"} and a.authors == ("A", "B")
    assert a.published == "2022-01-02" and a.url == "https://x.test/a"
    many = load_file(write(tmp_path / "many.jsonl",
                           "\n".join(json.dumps({**record, "url": f"https://x.test/{i}"})
                                     for i in range(3))))
    assert len(many) == 3 and len({m.id for m in many}) == 3


def test_bad_json_line_names_file_and_line(tmp_path):
    path = write(tmp_path / "bad.jsonl", '{"title": "ok", "text": "fine"}\n{oops\n')
    with pytest.raises(BadArticle) as err:
        load_file(path)
    assert err.value.source == f"{path}:2"
    assert "invalid JSON" in str(err.value)


def test_missing_text_field_says_what_is_expected(tmp_path):
    with pytest.raises(BadArticle, match='missing field "text".*fields present: title'):
        load_file(write(tmp_path / "x.json", '{"title": "no body"}'))


def test_folder_with_bad_files_still_loads_the_good_ones(tmp_path):
    folder = tmp_path / "in"
    write(folder / "good.txt", "Good article\n\nIt has a body.")
    write(folder / "nested" / "good.md", "# Also good\n\nAnother body.")
    write(folder / "empty.txt", "   \n")
    write(folder / "broken.json", "{not json")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    write(folder / "image.png", "not an article")  # unsupported type inside a folder: skipped
    result = load_paths([folder])
    assert sorted(a.title for a in result.articles) == ["Also good", "Good article"]
    reasons = {Path(f.source).name: f.reason for f in result.failures}
    assert set(reasons) == {"empty.txt", "broken.json", "binary.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]


def test_missing_and_unsupported_paths_are_reported(tmp_path):
    other = write(tmp_path / "sheet.xlsx", "PK")
    result = load_paths([tmp_path / "nope", other])
    assert [f.reason.split(" ")[0] for f in result.failures] == ["no", "unsupported"]


def test_non_utf8_text_is_decoded(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Élections à Besançon\n\nLe député a été réélu dimanche avec une large "
                     "majorité, selon les résultats officiels publiés à Besançon.".encode("cp1252"))
    [a] = load_file(path)
    assert a.title == "Élections à Besançon"
