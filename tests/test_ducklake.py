"""The DuckLake publish path (docs/scaling.md §5.2) with a local DuckDB-file catalog.

The published warehouse of the session's real acceptance refresh is published into a
lake through `xuncha lake`; a second publish of a changed copy makes a second snapshot.
The extension is loaded from the `duckdb-extension-ducklake` package (no download).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.lake import attach_lake
from tests.conftest import RefreshRun, xuncha


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, int]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [database]
        ).fetchall()
    ]
    return {
        t: con.execute(f'SELECT count(*) FROM {database}."{t}"').fetchall()[0][0] for t in names
    }


@pytest.fixture(scope="module")
def lake(acceptance_run: RefreshRun, tmp_path_factory: pytest.TempPathFactory) -> dict:
    assert acceptance_run.returncode == 0, acceptance_run.stderr[-3000:]
    root = tmp_path_factory.mktemp("lake")
    home = root / "home"
    home.mkdir()
    shutil.copy2(acceptance_run.published, home / "published.duckdb")
    catalog, data = f"ducklake:{root / 'meta' / 'catalog.ducklake'}", str(root / "data") + "/"
    args = ("lake", "--home", str(home), "--catalog", catalog, "--data-path", data)
    first = xuncha(*args)
    assert first.returncode == 0, first.stderr[-3000:]
    con = duckdb.connect(str(home / "published.duckdb"))
    con.execute("DELETE FROM fct_problem WHERE submitter_code = '390121'")
    con.close()
    second = xuncha(*args)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"home": home, "catalog": catalog, "data": data, "first": first}


def test_every_published_table_is_in_the_lake_with_its_rows(lake, acceptance_run) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{acceptance_run.published}' AS pub (READ_ONLY)")
        attach_lake(con, lake["catalog"], lake["data"], read_only=True)
        published, in_lake = _tables(con, "pub"), _tables(con, "lake")
        snapshots = con.execute("SELECT snapshot_id FROM lake.snapshots() ORDER BY 1").fetchall()
        old = snapshots[-2][0]  # the first publish
        old_problems = con.execute(
            f"SELECT count(*) FROM lake.fct_problem AT (VERSION => {old})"
        ).fetchall()[0][0]
        differs = con.execute(
            "SELECT count(*) FROM (SELECT * FROM pub.rpt_clue_yield EXCEPT ALL "
            "SELECT * FROM lake.rpt_clue_yield)"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert len(published) >= 15
    assert set(in_lake) == set(published)
    # the latest snapshot holds the changed copy; the earlier one is still readable
    assert in_lake["fct_problem"] < published["fct_problem"]
    assert old_problems == published["fct_problem"]
    assert {t: n for t, n in in_lake.items() if t != "fct_problem"} == {
        t: n for t, n in published.items() if t != "fct_problem"
    }
    assert differs == 0
    assert "fct_problem" in lake["first"].stdout


def test_no_sensitive_column_reaches_the_lake(lake) -> None:
    con = duckdb.connect()
    try:
        attach_lake(con, lake["catalog"], lake["data"], read_only=True)
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = 'lake'"
            ).fetchall()
        }
    finally:
        con.close()
    assert columns, "the lake has no columns at all"
    assert not {c for c in columns if "subject" in c or "反映对象" in c}


def test_lake_data_is_parquet(lake) -> None:
    files = list(Path(lake["data"]).rglob("*.parquet"))
    assert files, "DuckLake wrote no Parquet files"
