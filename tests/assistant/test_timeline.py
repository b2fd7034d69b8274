"""Story timelines: the pure grouping (no model), then through the Assistant and the CLI on the
hand-made syndicated set (tests/stories.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.interfaces import cli
from assistant.interfaces.options import retrieval_options
from assistant.results import Passage
from assistant.timeline import build_timeline, originals
from index.catalog import StoryCopy
from tests.stories import story_articles


def passage(article_id: str, score: float, *, published: str | None = "2024-03-04",
            source: str | None = "Reuters", canonical_id: str | None = None,
            agencies: tuple[str, ...] = ()) -> Passage:
    return Passage(article_id=article_id, chunk_id=f"{article_id}:0", title=f"Title {article_id}",
                   url=f"https://x.example/{article_id}", published=published, source=source,
                   text="Dockers went on strike at the port.", start=0, end=1, score=score,
                   agencies=agencies,
                   canonical_id=canonical_id)


def copies_from(copies: list[StoryCopy]):
    asked: list[set[str]] = []

    def copies_of(story_ids):
        asked.append(set(story_ids))
        return [c for c in copies if c.story_id in set(story_ids)]

    return copies_of, asked


def test_articles_grouped_kept_by_share_of_the_best_and_ordered_by_date():
    copies_of, asked = copies_from([])
    timeline = build_timeline("q", [
        passage("late", 2.0, published="2024-03-06"),
        passage("early", 1.2, published="2024-03-04"),
        passage("late", 0.4, published="2024-03-06"),  # a weaker passage of the same article
        passage("weak", 0.7, published="2024-03-01"),  # under 0.4 of the best: another story
        passage("undated", 1.5, published=None),
        passage("mid", 1.1, published="2024-03-05T18:30:00"),
    ], copies_of)
    assert [e.article_id for e in timeline.entries] == ["early", "mid", "late"]
    assert [e.article_id for e in timeline.undated] == ["undated"]
    assert timeline.entries[1].date == "2024-03-05" and timeline.entries[2].score == 2.0
    assert asked == [{"early", "mid", "late", "undated"}]


def test_syndicated_copies_are_one_story_and_one_source_with_their_outlets():
    copies_of, _ = copies_from([
        StoryCopy("wire", "wire", "Reuters", ("Reuters",)),
        StoryCopy("copy1", "wire", "Dutch Daily", ("Reuters",)),
        StoryCopy("copy2", "wire", "Maritime Wire"),
        StoryCopy("exact", "wire", "Europe Today", exact=True),
        StoryCopy("afp", "afp", "AFP", ("AFP",)),
        StoryCopy("blog", "blog", "Harbour Notes"),
    ])
    timeline = build_timeline("port strike", [
        passage("wire", 2.0, agencies=("Reuters",)),
        passage("copy1", 1.8, source="Dutch Daily", canonical_id="wire", published="2024-03-05"),
        passage("update", 1.9, published="2024-03-06", agencies=("Reuters",)),
        passage("afp", 1.5, source="AFP", published="2024-03-14", agencies=("AFP",)),
        passage("blog", 1.2, source="Harbour Notes", published=None),
    ], copies_of)
    by_id = {e.article_id: e for e in (*timeline.entries, *timeline.undated)}
    assert by_id["copy1"].story_id == by_id["wire"].story_id == "wire"
    assert by_id["wire"].outlets == ("Reuters", "Dutch Daily", "Maritime Wire", "Europe Today")
    assert by_id["copy1"].origin == by_id["update"].origin == "Reuters"
    assert by_id["update"].outlets == ("Reuters",) and by_id["update"].story_id == "update"
    assert by_id["blog"].origin == "Harbour Notes" and not by_id["blog"].agency
    assert timeline.stories == 4 and timeline.sources == ("Reuters", "AFP", "Harbour Notes")
    data = timeline.to_dict()
    assert data["entries"][0]["date"] == "2024-03-04" and data["undated"][0]["url"].endswith(
        "/blog")
    json.dumps(data)  # plain JSON, as the CLI and the API send it


def test_a_copy_stands_for_its_story_s_original():
    from types import SimpleNamespace

    from index.articles import Article

    wire = Article(title="Dockworkers strike", text="…", url="https://x.example/wire",
                   source="Reuters", published="2024-03-04", id="wire")
    entries = {"wire": SimpleNamespace(article=wire)}
    copy = passage("copy", 2.0, source="Maritime Wire", published="2024-03-05",
                   canonical_id="wire")
    gone = passage("orphan", 1.0, canonical_id="deleted")  # its original is no longer indexed
    shown = originals([copy, gone, passage("own", 1.5)], entries.get)
    assert [(p.article_id, p.title, p.published, p.source, p.score) for p in shown] == [
        ("wire", "Dockworkers strike", "2024-03-04", "Reuters", 2.0),
        ("orphan", "Title orphan", "2024-03-04", "Reuters", 1.0),
        ("own", "Title own", "2024-03-04", "Reuters", 1.5)]


def test_nothing_retrieved_is_an_empty_timeline():
    timeline = build_timeline("q", [], copies_from([])[0])
    assert timeline.entries == timeline.undated == () and timeline.stories == 0


@pytest.mark.slow
def test_timeline_of_the_syndicated_set_through_the_assistant_and_the_cli(make_assistant,
                                                                          tmp_path):
    a = make_assistant()
    assert not a.add_articles(story_articles()).failed
    timeline = a.timeline("Rotterdam port strike")
    titles = [e.title for e in timeline.entries]
    # The wire story (carried by four outlets), its update two days later, then the AFP story.
    assert titles == ["Rotterdam dockworkers strike over automation",
                      "Rotterdam dockworkers end strike after job guarantee",
                      "Antwerp port workers strike against pension reform"]
    first, update, afp = timeline.entries
    assert first.outlets == ("Reuters", "Dutch Daily", "Maritime Wire", "Europe Today")
    assert first.origin == update.origin == "Reuters" and first.story_id != update.story_id
    assert afp.origin == "AFP" and not any("Hurricane" in e.title or "Delia" in e.title
                                           for e in timeline.entries)
    # The undated explainer on the strike is listed apart.
    assert [e.source for e in timeline.undated] == ["Harbour Notes"]
    assert timeline.sources == ("Reuters", "AFP", "Harbour Notes")
    with_explainer = a.timeline("What is the latest on the Rotterdam dockworkers strike?")
    assert [e.source for e in with_explainer.undated] == ["Harbour Notes"]
    later = a.timeline("port strike", **retrieval_options(since="2024-03-10"))
    assert [e.source for e in later.entries] == ["AFP"]
    a.close()

    runner = CliRunner()
    data_dir = str(tmp_path / "data")
    result = runner.invoke(cli.app, ["--data-dir", data_dir, "timeline", "Rotterdam port strike",
                                     "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert [e["date"] for e in got["entries"]] == ["2024-03-04", "2024-03-06", "2024-03-14"]
    assert got["sources"] == ["Reuters", "AFP", "Harbour Notes"] and got["stories"] == 4
    assert [e["source"] for e in got["undated"]] == ["Harbour Notes"]
    text = runner.invoke(cli.app, ["--data-dir", data_dir, "timeline", "Rotterdam port strike",
                                   "--source", "Reuters"]).stdout.splitlines()
    assert text[0] == ("2024-03-04  Rotterdam dockworkers strike over automation — Reuters "
                       "(Reuters story, carried by 4 outlets)")
    assert text[1].strip() == "https://news.example/port-strike"
    assert text[-1] == "2 articles, 2 stories, 1 independent source: Reuters"
    bad = runner.invoke(cli.app, ["--data-dir", data_dir, "timeline", "strike", "--since",
                                  "March", "--json"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
