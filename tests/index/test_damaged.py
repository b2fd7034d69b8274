"""Damaged data directories: every command names the damaged file and the command that fixes it
(never a traceback); ``index check`` finds disagreements between the catalog, the vectors and
the lexical index and ``--repair`` re-derives them from the catalog; ``index export`` writes a
backup that ``index add`` restores with the same ids; a rebuild leaves no dead vector folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

from tests.conftest import DENEUVE_QUESTION, TEST_DATA, free_port

pytestmark = pytest.mark.slow


def cli(data, *args, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def indexed(make_assistant, sample_dir, name: str):
    """A data dir holding the sample and four news items; the assistant that built it."""
    a = make_assistant(name)
    assert not a.add_paths([sample_dir, TEST_DATA / "articles.jsonl"]).failed
    return a, a.data_dir


def expected_chunk_ids(a) -> set[str]:
    return {f"{e.article.id}:{n}" for e in a.catalog.all_entries() for n in range(e.chunks)}


def vector_folders(data) -> set[str]:
    return {p.name for p in (data / "chroma").iterdir() if p.is_dir() and _is_uuid(p.name)}


def _is_uuid(name: str) -> bool:
    try:
        return str(uuid.UUID(name)) == name
    except ValueError:
        return False


def test_truncated_catalog_is_named_with_the_way_out_by_every_command(make_assistant, sample_dir):
    a, data = indexed(make_assistant, sample_dir, "catalog")
    a.close()
    db = data / "articles.db"
    with db.open("r+b") as f:
        f.truncate(db.stat().st_size // 2)
    for args in (["ask", DENEUVE_QUESTION], ["index", "check"],
                 ["serve", "--port", str(free_port())]):
        run = cli(data, *args)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr
        assert f"error: {db}: the article catalog is damaged" in run.stderr
        assert "assistant index export" in run.stderr and "index add" in run.stderr


def test_truncated_vector_store_is_named_and_rebuilt_from_the_catalog(make_assistant,
                                                                      sample_dir):
    a, data = indexed(make_assistant, sample_dir, "vectors")
    articles = a.stats().articles
    a.close()
    with (data / "chroma" / "chroma.sqlite3").open("r+b") as f:
        f.truncate(5000)
    asked = cli(data, "retrieve", DENEUVE_QUESTION)
    assert asked.returncode == 1 and "Traceback" not in asked.stderr, asked.stderr
    assert f"error: {data / 'chroma'}: the vector store cannot be opened" in asked.stderr
    assert '"assistant index rebuild"' in asked.stderr

    rebuilt = cli(data, "index", "rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "moved it to" in rebuilt.stderr and "chroma.damaged-" in rebuilt.stderr
    assert len(json.loads(rebuilt.stdout)["updated"]) == articles
    assert len(list(data.glob("chroma.damaged-*"))) == 1  # set aside, not deleted
    # (Checked by another process: this one still holds the damaged file open.)
    checked = cli(data, "index", "check", "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["stored_chunks"] == report["chunks"] > 0


def test_truncated_lexical_postings_are_rebuilt_with_a_warning(make_assistant, sample_dir):
    a, data = indexed(make_assistant, sample_dir, "lexical")
    a.close()
    [postings] = (data / "lexical").glob("*.idx")
    with postings.open("r+b") as f:
        f.truncate(100)
    run = cli(data, "retrieve", "Deneuve puritanism", "--mode", "lexical", "-k", "1")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert f"The lexical index at {data / 'lexical'} is damaged" in run.stderr
    assert "rebuilding it from the catalog" in run.stderr
    assert "Deneuve" in run.stdout


def test_deleted_vector_store_is_refused_then_repaired_by_check(make_assistant, sample_dir):
    a, data = indexed(make_assistant, sample_dir, "deleted")
    a.close()
    shutil.rmtree(data / "chroma")
    asked = cli(data, "retrieve", DENEUVE_QUESTION)  # no silent empty answer
    assert asked.returncode == 1 and "Traceback" not in asked.stderr, asked.stderr
    assert "the vector store holds no chunks but the catalog has 5 articles" in asked.stderr
    assert "assistant index check --repair" in asked.stderr

    repaired = cli(data, "index", "check", "--repair", "--json")
    assert repaired.returncode == 0, repaired.stderr
    report = json.loads(repaired.stdout)
    assert report["ok"] and report["problems"] == []
    assert report["repaired"] == ["rebuilt the vector store and the lexical index from the "
                                  "catalog"]
    assert report["stored_chunks"] == report["chunks"] == report["lexical_chunks"] > 0


def test_check_after_a_crash_that_left_orphan_chunks(make_assistant, sample_dir, tmp_path):
    a, data = indexed(make_assistant, sample_dir, "crash")
    assert a.check().ok
    # A crash between the chunks and the catalog row: an article's chunks without its row.
    (tmp_path / "late.txt").write_text("# Late story\n\nThe harbour ferry sank off Malta on "
                                       "Friday; all 40 passengers were rescued by fishermen.")
    real_upsert = a.catalog.upsert

    def crash(*_args, **_kwargs):
        raise SystemExit("killed")

    a.catalog.upsert = crash
    with pytest.raises(SystemExit):
        a.add_paths([tmp_path / "late.txt"])
    a.catalog.upsert = real_upsert
    # ... and a catalog article that lost one of its chunks.
    rates = sorted(c for c in a.store.ids() if c.startswith("rates:"))[-1]
    a.store.delete_ids([rates])
    expected = expected_chunk_ids(a)
    orphans = set(a.store.ids()) - expected
    assert orphans and len({c.rsplit(":", 1)[0] for c in orphans}) == 1  # the late story's
    a.close()

    found = cli(data, "index", "check", "--json")
    assert found.returncode == 1, found.stderr
    report = json.loads(found.stdout)
    kinds = {p["kind"]: p for p in report["problems"]}
    assert set(kinds) == {"orphan_chunks", "missing_chunks"}
    assert set(kinds["orphan_chunks"]["ids"]) == orphans
    assert kinds["missing_chunks"]["ids"] == ["rates"]
    assert "index check --repair" in kinds["orphan_chunks"]["fix"]

    fixed = cli(data, "index", "check", "--repair")
    assert fixed.returncode == 0, fixed.stderr
    assert "repaired: deleted" in fixed.stdout
    assert "repaired: re-embedded 1 articles" in fixed.stdout
    assert "ok: the stores agree" in fixed.stdout
    b = make_assistant("crash")
    assert set(b.store.ids()) == expected_chunk_ids(b)
    assert b.check().ok and len(b.lexical.current()) == len(expected)


def test_check_reports_another_embedding_model_and_repair_re_embeds(make_assistant, sample_dir):
    from index.store import ChunkStore, persistent_client

    a = make_assistant("model")
    # A collection built by another model (as if ASSISTANT_EMBEDDING_MODEL had changed since).
    ChunkStore(persistent_client(a.data_dir / "chroma"), model_name="other-model", dimension=8)
    report = a.check()
    assert report.kinds() == {"model"} and not report.ok
    assert "'other-model'" in report.problems[0].message
    assert "index check --repair" in report.problems[0].fix
    fixed = a.check(repair=True)
    assert fixed.ok and fixed.repaired
    assert a.store.model_name == a.embeddings.name


def test_export_round_trips_through_index_add(make_assistant, sample_dir, tmp_path):
    a = make_assistant("export")
    rich = tmp_path / "rich.jsonl"
    rich.write_text(json.dumps({
        "id": "ferry-2024", "title": "Ferry sinks off Malta", "text": "VALLETTA (AP) - A "
        "ferry sank off Malta on Friday. All 40 passengers were rescued.",
        "url": "https://news.example.com/ferry", "source": "AP", "published": "2024-05-03",
        "authors": ["Ana Lopez", "Tom Hals"], "section": "World", "tags": ["sea", "rescue"],
        "metadata": {"desk": "Europe"}}) + "\n")
    assert not a.add_paths([sample_dir, TEST_DATA / "articles.jsonl", rich]).failed
    before = {e.article.id: (e.content_hash, e.article) for e in a.catalog.all_entries()}
    a.close()

    backup = tmp_path / "backup.jsonl"
    run = cli(a.data_dir, "index", "export", str(backup))
    assert run.returncode == 0, run.stderr
    assert f"exported {len(before)} articles to {backup}" in run.stdout
    lines = [json.loads(line) for line in backup.read_text().splitlines()]
    assert {r["id"] for r in lines} == set(before)

    b = make_assistant("restored")
    report = b.add_paths([backup])
    assert not report.failed and set(report.added) == set(before)
    after = {e.article.id: (e.content_hash, e.article) for e in b.catalog.all_entries()}
    assert after == before  # same ids, same content hashes, same fields
    assert after["ferry-2024"][1].metadata == {"desk": "Europe", "section": "World",
                                               "tags": ["sea", "rescue"]}


def test_export_to_an_unwritable_place_says_so(make_assistant, tmp_path):
    from index.errors import IndexingError

    a = make_assistant()
    with pytest.raises(IndexingError, match="Cannot write .*missing.*choose a writable path"):
        a.export(tmp_path / "missing" / "backup.jsonl")


def test_rebuild_removes_the_vector_folders_of_dropped_collections(make_assistant, sample_dir):
    a, data = indexed(make_assistant, sample_dir, "gc")
    for _ in range(3):
        a.rebuild()
    import sqlite3

    with sqlite3.connect(data / "chroma" / "chroma.sqlite3") as conn:
        referenced = {r[0] for r in conn.execute("SELECT id FROM segments WHERE scope='VECTOR'")}
    assert vector_folders(data) == referenced and len(referenced) == 1
    assert "Deneuve" in a.retrieve(DENEUVE_QUESTION, k=1)[0].title
