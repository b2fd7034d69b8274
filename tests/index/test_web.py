from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from assistant.interfaces import cli
from tests.services import interruptible
from tests.syndicated import OTHER_PORT_STRIKE, OTHER_STORM, PORT_STRIKE, STORM
from tests.webserver import serve


@pytest.fixture
def site():
    with serve() as s:
        yield s


def test_add_url_extracts_the_article_and_its_metadata(make_assistant, site):
    url = site.html("/world/port-strike.html", title="Dockworkers shut Rotterdam port",
                    text=PORT_STRIKE, published="2024-06-03", author="Bart Meijer")
    missing = site.url("/world/gone.html")
    a = make_assistant(fetch_allow="127.0.0.1")
    report = a.add_urls([url, missing])
    assert len(report.added) == 1
    assert [(f.source, f.reason) for f in report.failed] == [(missing, "server answered HTTP 404")]
    [row] = a.list_articles()
    assert (row.title, row.url, row.published, row.source) == (
        "Dockworkers shut Rotterdam port", url, "2024-06-03", "Harbour Times")
    assert row.origin == url
    entry = a.catalog.entry(row.id)
    assert entry.article.authors == ("Bart Meijer",)
    assert "Subscribe" not in entry.article.text and "Maasvlakte" in entry.article.text
    [passage] = a.retrieve("Why did dockworkers strike in Rotterdam?", k=1)
    assert passage.url == url and passage.place == "ROTTERDAM" and passage.agencies == ("Reuters",)
    again = a.add_urls([url])
    assert again.unchanged == (row.id,) and again.chunks_embedded == 0


def feed_entries(site):
    return [
        {"title": "Rotterdam strike", "link": site.html(
            "/a/strike.html", title="Rotterdam strike", text=PORT_STRIKE,
            published="2024-06-03", author="Bart Meijer"), "date": "Mon, 03 Jun 2024 09:00:00 GMT"},
        {"title": "Hurricane Delia", "link": site.html(
            "/a/storm.html", title="Hurricane Delia", text=STORM, published="2024-08-21",
            author="Ana Lopez"), "date": "Wed, 21 Aug 2024 10:00:00 GMT"},
        # Behind a paywall: the page cannot be fetched, the entry's own text is used.
        {"title": "Antwerp port strike", "link": site.url("/paywall/antwerp.html"),
         "date": "Thu, 13 Jun 2024 07:30:00 GMT", "content": OTHER_PORT_STRIKE,
         "author": "desk@example.com (Lea Martin)"},
    ]


def test_feed_entries_are_fetched_with_fallback_and_seen_ones_skipped(make_assistant, site):
    feed = site.rss("/feed.xml", feed_entries(site))
    a = make_assistant(fetch_allow="127.0.0.1")
    report = a.add_feed(feed)
    assert len(report.added) == 3 and not report.failed
    rows = {r.title: r for r in a.list_articles()}
    assert rows["Antwerp port strike"].published == "2024-06-13"
    assert rows["Antwerp port strike"].source == "World news"  # the feed's title
    assert rows["Hurricane Delia"].source == "Harbour Times"  # the page's site name
    paywalled = a.catalog.entry(rows["Antwerp port strike"].id).article
    assert paywalled.text.startswith("ANTWERP (AFP)") and paywalled.authors == ("Lea Martin",)

    hits = len(site.hits)
    second = a.add_feed(feed)
    assert not second.added and len(second.unchanged) == 3
    assert site.hits[hits:] == ["/feed.xml"]  # seen entries: no page fetched again


def test_a_broken_feed_is_reported(make_assistant, site):
    site.pages["/bad.xml"] = ("text/html", b"<html><body>not a feed</body></html>")
    report = make_assistant(fetch_allow="127.0.0.1").add_feed(site.url("/bad.xml"))
    assert not report.added
    [failure] = report.failed
    assert failure.source == site.url("/bad.xml")
    assert failure.reason == "cannot parse the feed (no RSS or Atom found at this address)"


def test_cli_adds_urls_and_feeds(tmp_path, site, embeddings):
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    url = site.html("/x/storm.html", title="Delia", text=STORM, published="2024-08-21",
                    author="Ana Lopez")
    out = runner.invoke(cli.app, [*base, "index", "add", url, "--json", "--allow-private"])
    assert out.exit_code == 0, out.output
    assert len(json.loads(out.stdout)["added"]) == 1
    feed = site.rss("/f.xml", [{"title": "Ernesto", "link": site.html(
        "/x/ernesto.html", title="Ernesto floods Gulf Coast", text=OTHER_STORM,
        published="2024-08-24", author="Tom Hals"), "date": "Sat, 24 Aug 2024 12:00:00 GMT"}])
    out = runner.invoke(cli.app, [*base, "index", "feed", feed, "--allow-private"])
    assert "added 1" in out.stdout, out.output


@pytest.mark.slow
def test_feed_watch_picks_up_new_entries(tmp_path, site):
    entries = feed_entries(site)[:1]
    feed = site.rss("/live.xml", entries)
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "index", "feed", feed, "--watch", "0.5",
         "--quiet", "--allow-private"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=interruptible)
    try:
        deadline = time.time() + 120
        while "/a/strike.html" not in site.hits and time.time() < deadline:
            time.sleep(0.2)
        site.rss("/live.xml", feed_entries(site)[:2])  # a new story is published
        while site.hits.count("/a/storm.html") < 1 and time.time() < deadline:
            time.sleep(0.2)
        # A few more polls (however slow a loaded machine makes them): the seen stories must
        # not be fetched again.
        polls = site.hits.count("/live.xml")
        while site.hits.count("/live.xml") < polls + 2 and time.time() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert site.hits.count("/a/strike.html") == 1 and site.hits.count("/a/storm.html") == 1
    assert site.hits.count("/live.xml") >= 3
    listed = subprocess.run([sys.executable, "-m", "assistant", "index", "list", "--json"],
                            env=env, capture_output=True, text=True, timeout=120)
    titles = {r["title"] for r in json.loads(listed.stdout)["articles"]}
    assert titles == {"Rotterdam strike", "Hurricane Delia"}


def test_a_feed_entry_copying_a_stored_story_is_not_fetched_again(make_assistant, site,
                                                                   tmp_path):
    a = make_assistant(fetch_allow="127.0.0.1")
    (tmp_path / "strike.txt").write_text("# Dockworkers strike\n\n" + PORT_STRIKE)
    a.add_paths([tmp_path / "strike.txt"])
    entries = feed_entries(site)[:1]  # the same wire story, on the web
    feed = site.rss("/dup.xml", entries)
    first = a.add_feed(feed)
    assert not first.added and len(first.duplicates) == 1
    hits = len(site.hits)
    second = a.add_feed(feed)
    assert site.hits[hits:] == ["/dup.xml"] and len(second.unchanged) == 1
    assert a.stats().articles == 1


@pytest.fixture
def internal():
    """An "internal" server on a second loopback address, which no fetch may read."""
    with serve("127.0.0.3") as s:
        s.html("/admin.html", title="Admin console", text=STORM, published="2024-08-21",
               author="Ops")
        yield s


def test_an_internal_url_is_one_refused_failure_among_the_others(make_assistant, site,
                                                                 internal):
    good = site.html("/world/port-strike.html", title="Dockworkers shut Rotterdam port",
                     text=PORT_STRIKE, published="2024-06-03", author="Bart Meijer")
    hop = site.redirect("/go", internal.url("/admin.html"))
    a = make_assistant(fetch_allow="127.0.0.1")
    report = a.add_urls([internal.url("/admin.html"), hop, good])
    assert len(report.added) == 1
    reasons = {f.source: f.reason for f in report.failed}
    assert reasons[internal.url("/admin.html")].startswith(
        "refused: 127.0.0.3 is a loopback address; only public addresses are fetched")
    assert reasons[hop].startswith(f"refused: redirected to {internal.url('/admin.html')}")
    assert internal.hits == []


def test_a_feed_entry_linking_inside_falls_back_to_its_own_text(make_assistant, site, internal):
    feed = site.rss("/inside.xml", [
        {"title": "Antwerp port strike", "link": internal.url("/admin.html"),
         "date": "Thu, 13 Jun 2024 07:30:00 GMT", "content": OTHER_PORT_STRIKE}])
    a = make_assistant(fetch_allow="127.0.0.1")
    report = a.add_feed(feed)
    assert len(report.added) == 1 and internal.hits == []
    [row] = a.list_articles()
    assert a.catalog.entry(row.id).article.text.startswith("ANTWERP (AFP)")


@pytest.mark.slow
def test_the_cli_fetches_private_addresses_only_when_told(tmp_path, internal):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    url = internal.url("/admin.html")
    command = [sys.executable, "-m", "assistant", "index", "add", url, "--json"]
    refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1, refused.stderr
    [failure] = json.loads(refused.stdout)["failed"]
    assert failure["reason"].startswith("refused: 127.0.0.3 is a loopback address")
    assert "Traceback" not in refused.stderr and internal.hits == []
    allowed = subprocess.run([*command, "--allow-private"], env=env, capture_output=True,
                             text=True, timeout=300)
    assert allowed.returncode == 0, allowed.stderr
    assert len(json.loads(allowed.stdout)["added"]) == 1 and internal.hits == ["/admin.html"]
