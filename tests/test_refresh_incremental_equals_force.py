"""Issue 13 item 3: a refresh after one changed file equals a rebuild from scratch.

One home refreshes incrementally (the parse cache, the stage cache and the work
warehouse of the previous refresh reused: only the changed file is read again);
a second home, with the same previous publication, drops its caches and work
warehouse and refreshes with `--force`. Every published table must be equal, row
by row (tests/published_diff.py; the wall-clock columns of `publication` and
`dq_results` left out; `ingest_files.status`, 'unchanged' for a file not read again,
compared for the files that were). The v1 acceptance inbox keeps it cheap.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from home import Home
from tests.builders import correct_one_cell
from tests.conftest import RefreshRun, copy_run, xuncha
from tests.outputs import connect, export_table
from tests.published_diff import published_tables


def _change_one_cell(inbox: Path) -> Path:
    """Correct one text cell of a mid-sized workbook, as a resubmission would."""
    files = sorted(inbox.rglob("*.xlsx"), key=lambda p: (p.stat().st_size, str(p)))
    path = files[len(files) // 2]
    assert correct_one_cell(path, min_length=8), f"no text cell to change in {path}"
    return path


def _ingest_files_without_status(home: Path) -> str:
    con = connect(home / "published.duckdb")
    try:
        return export_table(con, "ingest_files", {"status"})
    finally:
        con.close()


def _statuses(home: Path) -> dict[str, str]:
    con = connect(home / "published.duckdb")
    try:
        return dict(con.execute("SELECT file_path, status FROM ingest_files").fetchall())
    finally:
        con.close()


def _files_read(stdout: str) -> int:
    found = re.search(r"本次新读取 (\d+) 个", stdout)
    assert found, stdout
    return int(found.group(1))


def test_incremental_refresh_equals_forced_rebuild(
    acceptance_run: RefreshRun, expected: dict, tmp_path: Path
) -> None:
    assert acceptance_run.returncode == 0, acceptance_run.stderr[-3000:]
    incremental = copy_run(acceptance_run, tmp_path / "a")
    scratch = Home(tmp_path / "b" / "home")
    shutil.copytree(acceptance_run.home, scratch.root, symlinks=True)
    for path in (scratch.root / "cache", scratch.root / "dbt"):
        shutil.rmtree(path)
    for path in (scratch.warehouse, scratch.restricted):
        path.unlink()
    _change_one_cell(incremental.inbox)
    as_of = ("--as-of", expected["as_of"])

    first = xuncha(
        "refresh", "--inbox", str(incremental.inbox), "--home", str(incremental.home), *as_of
    )
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert _files_read(first.stdout) == 1  # the changed file only
    second = xuncha(
        "refresh", "--force", "--inbox", str(incremental.inbox), "--home", str(scratch.root), *as_of
    )
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert _files_read(second.stdout) > 1  # every file read again

    a = published_tables(incremental.home)
    b = published_tables(scratch.root)
    # ingest_files.status says 'unchanged' for a file this refresh did not read again,
    # where the rebuild gives its status (loaded, rejected, superseded): compared apart
    a["ingest_files"], b["ingest_files"] = (
        _ingest_files_without_status(incremental.home),
        _ingest_files_without_status(scratch.root),
    )
    statuses_a = _statuses(incremental.home)
    statuses_b = _statuses(scratch.root)
    assert "unchanged" in statuses_a.values()
    assert {f: s for f, s in statuses_a.items() if s != "unchanged"} == {
        f: statuses_b[f] for f, s in statuses_a.items() if s != "unchanged"
    }
    assert sorted(a) == sorted(b)
    differing = [t for t in a if a[t] != b[t]]
    assert not differing, differing
