"""Publication history and rollback (orchestration/publications.py), on real refreshes.

The acceptance inbox without one county's 2024 problem ledger (390122) is published,
then with it (more problems); `xuncha publications` lists both with as-of date,
refresh id, input fingerprint and row counts; `xuncha rollback` puts the first one
back — the published file is then the first publication's, table by table — and
says which row counts changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import publications
from tests import hostile, outputs

SUPPLEMENT = Path("390122") / "2024年发现问题及整改台账.xlsx"  # 73 problems


def _xuncha(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [outputs.xuncha_exe(), *args],
        capture_output=True,
        text=True,
        env=os.environ | outputs.ENV | (env or {}),
        timeout=600,
    )


def _publication_row(path: Path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM publication")
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))
    finally:
        con.close()


@pytest.fixture(scope="module")
def two_publications(tmp_path_factory):
    root = tmp_path_factory.mktemp("publications")
    inbox = hostile.copy_acceptance_inbox(root / "inbox")
    held_back = root / "held_back.xlsx"
    (inbox / SUPPLEMENT).rename(held_back)
    home = root / "home"
    first = outputs.run_refresh(inbox, home)
    assert first.returncode == 0, first.stderr[-3000:]
    first_state = json.loads((home / "last_refresh.json").read_text(encoding="utf-8"))
    first_export = outputs.export_all(home / "published.duckdb")
    held_back.rename(inbox / SUPPLEMENT)
    second = outputs.run_refresh(inbox, home)
    assert second.returncode == 0, second.stderr[-3000:]
    second_state = json.loads((home / "last_refresh.json").read_text(encoding="utf-8"))
    return home, (first_state, first_export), second_state


def test_publications_lists_both_with_their_provenance(two_publications) -> None:
    home, (first_state, _), second_state = two_publications
    kept = publications.history(home)
    assert len(kept) == 2
    newest, oldest = kept
    assert newest.refresh_id == second_state["run_id"]
    assert oldest.refresh_id == first_state["run_id"]
    assert {p.as_of for p in kept} == {outputs.AS_OF}
    record = json.loads((home / "last_published_fingerprint.json").read_text(encoding="utf-8"))
    assert newest.input_fingerprint == record["fingerprint"]
    assert oldest.input_fingerprint and oldest.input_fingerprint != newest.input_fingerprint
    assert publications.current_id(home) == newest.publication_id
    # the row counts recorded are the file's, and the supplement added problems
    assert newest.row_counts == publications.row_counts(newest.file)
    assert oldest.row_counts == publications.row_counts(oldest.file)
    assert newest.row_counts["fct_problem"] > oldest.row_counts["fct_problem"]
    # the published file names itself
    row = _publication_row(home / "published.duckdb")
    assert row["publication_id"] == newest.publication_id
    assert row["refresh_id"] == second_state["run_id"]
    assert row["input_fingerprint"] == newest.input_fingerprint

    proc = _xuncha("publications", "--home", str(home))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    (current,) = [line for line in lines if line.startswith("* 2")]
    assert newest.publication_id in current and outputs.AS_OF in current
    assert any(oldest.publication_id in line and not line.startswith("*") for line in lines)


def test_rollback_puts_the_first_publication_back_and_says_what_changed(two_publications):
    home, (_, first_export), _ = two_publications
    newest, oldest = publications.history(home)
    published = home / "published.duckdb"
    reader = duckdb.connect(str(published), read_only=True)  # an analyst, mid-query
    try:
        problems_before = reader.execute("SELECT count(*) FROM fct_problem").fetchone()[0]
        proc = _xuncha("rollback", oldest.publication_id, "--home", str(home))
        assert proc.returncode == 0, proc.stderr
        # the open reader keeps seeing the version it opened
        assert reader.execute("SELECT count(*) FROM fct_problem").fetchone()[0] == problems_before
    finally:
        reader.close()
    assert oldest.publication_id in proc.stdout
    (line,) = [x for x in proc.stdout.splitlines() if x.strip().startswith("fct_problem ")]
    assert line.split()[1:] == [
        str(newest.row_counts["fct_problem"]),
        str(oldest.row_counts["fct_problem"]),
    ]
    assert outputs.export_all(published) == first_export
    assert _publication_row(published)["publication_id"] == oldest.publication_id
    assert publications.current_id(home) == oldest.publication_id
    # the last refresh no longer vouches for what is published: the next one recomputes
    assert not (home / "last_published_fingerprint.json").exists()
    assert not list(home.glob(".published.duckdb.*"))
    # both are still kept: going forward again is a rollback too
    assert len(publications.history(home)) == 2

    # a leader report names the publication it came from
    started = time.time_ns() - 2_000_000_000
    report = _xuncha("report", "--home", str(home))
    assert report.returncode == 0, report.stderr[-2000:]
    books = [b for b in (home / "reports").rglob("*.xlsx") if b.stat().st_mtime_ns >= started]
    assert books
    text = "".join(chunk for book in books for _, chunk in outputs.file_texts(book))
    assert f"发布编号 {oldest.publication_id}" in text
    assert newest.publication_id not in text

    unknown = _xuncha("rollback", "20000101-000000-nothing", "--home", str(home))
    assert unknown.returncode == 1
    assert "没有编号为 20000101-000000-nothing 的发布版本" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_only_the_newest_are_kept_and_never_the_current_one(tmp_path: Path, monkeypatch) -> None:
    """Pruning, on real files: the history keeps XUNCHA_KEEP_PUBLICATIONS entries."""
    home = tmp_path
    folder = publications.history_dir(home)
    ids = [f"2026010{i}-120000-run{i}" for i in range(1, 7)]
    for pid in ids:
        db = tmp_path / f"{pid}.duckdb"
        duckdb.connect(str(db)).execute("CREATE TABLE t AS SELECT 1 AS x").close()
        publications.record(home, db, {"publication_id": pid, "as_of": "2025-03-15"})
    os.link(folder / f"{ids[0]}.duckdb", home / "published.duckdb")  # the oldest is current
    monkeypatch.setenv(publications.KEEP_ENV, "3")
    dropped = publications.prune(home)
    assert dropped == [ids[2], ids[1]]
    assert [p.publication_id for p in publications.history(home)] == [*ids[:2:-1], ids[0]]
