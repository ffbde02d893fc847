"""The acceptance corpus through the real `xuncha refresh`: every §9 table equals expected.json."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ACCEPTANCE, RefreshRun, add_phase2, copy_run, refresh_again
from tests.outputs import query_rows as rows

REL = 1e-6


def close(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(b, float) or isinstance(a, float):
        return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=1e-12)
    return str(a) == str(b)


def assert_table_matches(got: list[dict], want: list[dict], key: tuple[str, ...]) -> None:
    by_key = {tuple(str(r[k]) for k in key): r for r in got}
    for exp in want:
        k = tuple(str(exp[c]) for c in key)
        assert k in by_key, f"missing row {k}"
        row = by_key[k]
        for col, value in exp.items():
            assert close(row[col], value), f"{k} {col}: got {row[col]!r}, expected {value!r}"
    assert len(got) == len(want), f"{len(got)} rows published, {len(want)} expected"


def test_refresh_publishes(acceptance_run: RefreshRun) -> None:
    assert acceptance_run.returncode == 0, acceptance_run.stderr[-3000:]
    assert acceptance_run.published.exists()
    assert "已发布" in acceptance_run.stdout


def test_ingest_files_match(acceptance_run: RefreshRun, expected: dict) -> None:
    got = {r["file_path"]: r for r in rows(acceptance_run.published, "SELECT * FROM ingest_files")}
    assert set(got) == {f["path"] for f in expected["files"]}
    for f in expected["files"]:
        row = got[f["path"]]
        assert (row["status"], row["rule"], row["submitter_code"], row["rows_quarantined"]) == (
            f["status"],
            f["rule"],
            f["submitter_code"],
            f["rows_quarantined"],
        ), f["path"]
        if f["rule"]:
            assert row["message"], f"{f['path']} rejected without a message"


def test_identical_files(acceptance_run: RefreshRun, expected: dict) -> None:
    got = {
        r["file_path"]: r["status"]
        for r in rows(acceptance_run.published, "SELECT * FROM ingest_files")
    }
    for pair in expected["identical_files"]:
        assert sorted(got[p] for p in pair) == ["loaded", "unchanged"]


def assert_quarantine(published: Path, expected: dict) -> None:
    """The published quarantine has expected.json's count per rule and its rows (file, sheet,
    Excel row, rule), each with a message."""
    got = rows(published, "SELECT * FROM quarantine")
    counts: dict[str, int] = {}
    for r in got:
        counts[r["rule"]] = counts.get(r["rule"], 0) + 1
    assert counts == expected["quarantine_counts"]
    assert sorted((r["file_path"], r["sheet"], r["row_number"], r["rule"]) for r in got) == sorted(
        (q["file"], q["sheet"], q["row_number"], q["rule"]) for q in expected["quarantine_rows"]
    )
    assert all(r["message"] for r in got)


def test_quarantine_counts_and_rows(acceptance_run: RefreshRun, expected: dict) -> None:
    assert_quarantine(acceptance_run.published, expected)


def test_fact_counts(acceptance_run: RefreshRun, expected: dict) -> None:
    for table, count in expected["fact_counts"].items():
        assert (
            rows(acceptance_run.published, f"SELECT count(*) AS n FROM {table}")[0]["n"] == count
        ), table


# the §9 report tables expected.json lists, with the columns a row is matched by
REPORT_KEYS = [
    ("rpt_clue_yield", ("scope_code", "period", "inspection_group")),
    ("rpt_clue_yield_ratio", ("scope_code", "period")),
    ("rpt_rectification", ("scope_code", "period")),
    ("rpt_reconciliation", ("submitter_code", "region_code", "year", "metric")),
]


@pytest.mark.parametrize(("table", "key"), REPORT_KEYS)
def test_report_tables(acceptance_run: RefreshRun, expected: dict, table: str, key: tuple) -> None:
    assert_published_table(acceptance_run.published, table, expected[table], key)


def assert_published_table(
    published: Path, table: str, want: list[dict], key: tuple[str, ...]
) -> None:
    assert_table_matches(rows(published, f"SELECT * FROM {table}"), want, key)


def assert_resubmitted(published: Path, r: dict) -> None:
    """expected.json's `resubmission`: the resubmitted T2 scope holds the corrected and the
    added problem and none of the deleted ones (§7)."""
    codes = {
        row["problem_code"]
        for row in rows(
            published,
            f"SELECT problem_code FROM fct_problem WHERE submitter_code = '{r['submitter_code']}'",
        )
    }
    assert r["corrected"] in codes and r["added"] in codes
    assert not codes & set(r["deleted"])


def test_resubmission(acceptance_run: RefreshRun, expected: dict) -> None:
    assert_resubmitted(acceptance_run.published, expected["resubmission"])


def test_sensitive_names_absent(acceptance_run: RefreshRun, expected: dict) -> None:
    con = duckdb.connect(str(acceptance_run.published), read_only=True)
    try:
        columns = con.execute(
            "SELECT c.table_name, c.column_name FROM duckdb_columns() c "
            "JOIN duckdb_tables() t USING (database_name, schema_name, table_name) "
            "WHERE c.data_type = 'VARCHAR'"
        ).fetchall()
        names = set(expected["sensitive_names"])
        for table, column in columns:
            values = {
                v for (v,) in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
            }
            assert not values & names, f"{table}.{column} leaks 反映对象"
    finally:
        con.close()


def test_rerun_changes_nothing(acceptance_run: RefreshRun, expected: dict, tmp_path: Path) -> None:
    acceptance_run = copy_run(acceptance_run, tmp_path)  # refreshes again: not the shared home
    before = rows(acceptance_run.published, "SELECT * FROM rpt_rectification ORDER BY ALL")
    # Recompute: without --force an unchanged inbox keeps the published file as it
    # is (tests/test_refresh_unchanged.py); the re-run's file statuses are checked here.
    proc = refresh_again(acceptance_run, expected["as_of"], "--force")
    assert proc.returncode == 0, proc.stderr[-3000:]
    statuses = {
        r["status"] for r in rows(acceptance_run.published, "SELECT status FROM ingest_files")
    }
    assert statuses == {"unchanged"}
    assert rows(acceptance_run.published, "SELECT * FROM rpt_rectification ORDER BY ALL") == before


def test_phase2_blocks_publishing(
    acceptance_run: RefreshRun, tmp_path: Path, expected: dict
) -> None:
    acceptance_run = copy_run(acceptance_run, tmp_path)  # refreshes again: not the shared home
    published_before = acceptance_run.published.read_bytes()
    add_phase2(acceptance_run, ACCEPTANCE)
    proc = refresh_again(acceptance_run, expected["as_of"])
    assert proc.returncode != 0
    assert "B4" in proc.stderr and expected["phase2"]["submitter_code"] in proc.stderr
    assert acceptance_run.published.read_bytes() == published_before
