from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.interfaces import cli
from assistant.results import Passage
from assistant.retrieval.diversity import collapse_duplicates
from index import Article
from tests.syndicated import DIFFERENT, ORIGINALS, PORT_STRIKE, VARIANTS

# Bookkeeping, not ranking: the deterministic fake embeds (tests/fakes.py).
pytestmark = pytest.mark.hash_embeddings


def wire(text: str, n: str, title: str = "Rotterdam dockworkers strike") -> Article:
    return Article(title=title, text=text, url=f"https://site-{n}.test/story")


def test_exact_duplicate_is_never_indexed_twice_whatever_its_url_or_file(make_assistant,
                                                                          tmp_path):
    a = make_assistant()
    first = a.add_articles([wire(PORT_STRIKE, "a")])
    # Same text, new URL and headline, different whitespace and case.
    copy = wire("  " + PORT_STRIKE.upper().replace("\n\n", "\n \n") + " ", "b", "Port strike")
    second = a.add_articles([copy])
    assert second.duplicates == ((copy.id, first.added[0]),)
    assert not second.added and second.chunks_embedded == 0
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "other-name.txt").write_text("# Copy\n\n" + PORT_STRIKE)
    third = a.add_paths([tmp_path / "files"])
    assert len(third.duplicates) == 1 and not third.added
    assert a.stats().articles == 1


@pytest.mark.parametrize("topic", sorted(ORIGINALS))
def test_syndicated_variants_are_linked_and_different_stories_are_not(make_assistant, topic):
    a = make_assistant()
    original = wire(ORIGINALS[topic], "orig")
    a.add_articles([original])
    variants = [wire(text, name, title=f"Headline {name}")
                for name, text in VARIANTS[topic].items()]
    report = a.add_articles([*variants, wire(DIFFERENT[topic], "other")])
    assert sorted(report.near_duplicates) == sorted((v.id, original.id) for v in variants)
    rows = {r.id: r for r in a.list_articles()}
    assert rows[wire(DIFFERENT[topic], "other").id].canonical_id is None
    assert all(rows[v.id].canonical_id == original.id for v in variants)


def test_a_syndicated_story_is_never_returned_twice(make_assistant):
    a = make_assistant()
    original = wire(PORT_STRIKE, "orig")
    variants = [wire(t, n, f"Headline {n}") for n, t in VARIANTS["port"].items()]
    a.add_articles([original, *variants, wire(DIFFERENT["port"], "other")])
    passages = a.retrieve("Why did Rotterdam dockworkers go on strike?", k=5)
    groups = {}
    for p in passages:
        groups.setdefault(p.canonical_id or p.article_id, set()).add(p.article_id)
    assert all(len(ids) == 1 for ids in groups.values()), groups
    assert any("Rotterdam" in p.text or "FNV" in p.text for p in passages)
    # All the copies are in the vector store: the retriever filters them, it does not lose them.
    assert all(a.store.ids(v.id) for v in variants)


def test_collapse_keeps_the_best_ranked_copy_and_all_its_passages():
    def p(article, chunk, canonical=None):
        return Passage(article, f"{article}:{chunk}", "t", None, None, None, "x", 0, 1, 0.5,
                       canonical_id=canonical)

    ranked = [p("copy", 0, "orig"), p("orig", 0), p("copy", 1, "orig"), p("other", 0)]
    assert [x.chunk_id for x in collapse_duplicates(ranked)] == ["copy:0", "copy:1", "other:0"]


def test_index_list_shows_the_link(tmp_path, embeddings):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("# Dockworkers strike\n\n" + PORT_STRIKE)
    (src / "b.txt").write_text("# Port shut by strike\n\n" + VARIANTS["port"]["trimmed"])
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    out = runner.invoke(cli.app, [*base, "index", "add", str(src / "a.txt"), "-q"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(cli.app, [*base, "index", "add", str(src / "b.txt")])
    assert "near-duplicates linked 1" in out.stdout
    listed = runner.invoke(cli.app, [*base, "index", "list"]).stdout
    [line] = [ln for ln in listed.splitlines() if "Port shut by strike" in ln]
    rows = json.loads(runner.invoke(cli.app, [*base, "index", "list", "--json"]).stdout)
    original = next(r for r in rows["articles"] if r["title"] == "Dockworkers strike")
    assert f"duplicate of {original['id']}" in line


def test_removing_the_original_promotes_its_oldest_copy(make_assistant):
    a = make_assistant()
    original = wire(PORT_STRIKE, "orig")
    a.add_articles([original])
    first, second = (wire(VARIANTS["port"][n], n, f"Headline {n}") for n in ("trimmed", "edited"))
    a.add_articles([first])
    a.add_articles([second])
    a.remove([original.id])
    rows = {r.id: r.canonical_id for r in a.list_articles()}
    assert rows == {first.id: None, second.id: first.id}
    passages = a.retrieve("Why did Rotterdam dockworkers go on strike?", k=5)
    assert len({p.article_id for p in passages} & {first.id, second.id}) == 1
    assert {p.canonical_id for p in passages if p.article_id in (first.id, second.id)} <= {
        None, first.id}


def test_the_kept_finder_reads_only_new_signatures_and_follows_other_writers(make_assistant):
    a = make_assistant()
    original = wire(PORT_STRIKE, "orig")
    a.add_articles([original])
    read: list[list[str]] = []
    signatures = a.catalog.signatures
    a.catalog.signatures = lambda ids=None: read.append(sorted(ids or [])) or signatures(ids)
    trimmed = wire(VARIANTS["port"]["trimmed"], "trimmed", "Headline trimmed")
    assert a.add_articles([trimmed]).near_duplicates == ((trimmed.id, original.id),)
    assert read == []  # this process wrote the original: nothing to read back
    # Another writer (process or replica) removes the original and adds an edited copy.
    other = make_assistant()
    other.remove([original.id])
    edited = wire(VARIANTS["port"]["edited"], "edited", "Headline edited")
    a.add_articles([edited])
    # ``a`` re-read only the promoted copy's signature (its canonical changed), and linked the
    # new copy to it, not to the removed original.
    assert read == [[trimmed.id]]
    assert {r.id: r.canonical_id for r in a.list_articles()} == {
        trimmed.id: None, edited.id: trimmed.id}


def test_lsh_bands_are_those_datasketch_chooses_through_its_public_api():
    from index.duplicates import NUM_PERM, THRESHOLD, NearDuplicateFinder, lsh_params

    assert lsh_params(THRESHOLD, NUM_PERM) == (32, 4)  # 128 hash values: 32 bands of 4 rows
    finder = NearDuplicateFinder()
    assert (finder.bands, finder.rows) == (32, 4) and finder.bands * finder.rows <= NUM_PERM
