"""The contract-v2 acceptance corpus through the real `xuncha refresh`: the intake half.

Every file's status, rule and submitter, the byte-identical copies (of a loaded and of a
rejected file) and every R1–R3 quarantine row equal `expected.json`. R4–R8 and the file's
`rows_quarantined` are decided after resubmission by dbt (the warehouse half); they are
asserted here only for files whose expected quarantine rows are all R1–R3.

The published tables (`ingest_files`, `quarantine`) are read when the refresh published;
while the quality gate does not pass yet, the raw layer the same refresh wrote
(`raw_ingest_files`, current rows of `raw_quarantine`) holds the same ingest decisions.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import RefreshRun
from tests.outputs import query_rows

INGEST_RULES = ("R1", "R2", "R3")


def _query(run: RefreshRun, published_sql: str, raw_sql: str) -> list[dict]:
    """Rows of the published table when the refresh published, else of the raw layer."""
    db, sql = (run.published, published_sql) if run.published.exists() else (run.warehouse, raw_sql)
    return query_rows(db, sql)


@pytest.fixture(scope="module")
def ingest_files(acceptance_v2_run: RefreshRun) -> dict[str, dict]:
    assert acceptance_v2_run.warehouse.exists(), acceptance_v2_run.stderr[-3000:]
    sql = "SELECT file_path, status, rule, submitter_code, rows_quarantined, message FROM {}"
    got = _query(acceptance_v2_run, sql.format("ingest_files"), sql.format("raw_ingest_files"))
    return {r["file_path"]: r for r in got}


@pytest.fixture(scope="module")
def quarantine(acceptance_v2_run: RefreshRun) -> list[dict]:
    cols = "file_path, sheet, row_number, rule, column_name, value, message"
    return _query(
        acceptance_v2_run,
        f"SELECT {cols} FROM quarantine",
        f"SELECT {cols} FROM raw_quarantine WHERE is_current",
    )


def test_refresh_ran_ingest(acceptance_v2_run: RefreshRun) -> None:
    """The refresh got past ingest (publishing is the warehouse half's gate)."""
    assert "Traceback" not in acceptance_v2_run.stdout, acceptance_v2_run.stdout[-3000:]
    assert acceptance_v2_run.warehouse.exists(), acceptance_v2_run.stderr[-3000:]


def test_every_file_status_rule_and_submitter(ingest_files: dict, expected_v2: dict) -> None:
    assert set(ingest_files) == {f["path"] for f in expected_v2["files"]}
    wrong = {
        f["path"]: (row["status"], row["rule"], row["submitter_code"])
        for f in expected_v2["files"]
        if (
            (row := ingest_files[f["path"]])["status"],
            row["rule"],
            row["submitter_code"],
        )
        != (f["status"], f["rule"], f["submitter_code"])
    }
    assert wrong == {}
    for f in expected_v2["files"]:
        if f["rule"]:
            assert ingest_files[f["path"]]["message"], f"{f['path']} rejected without a message"


def test_rows_quarantined_of_files_with_only_ingest_rules(
    ingest_files: dict, expected_v2: dict
) -> None:
    """rows_quarantined, for the files whose expected quarantine is all R1–R3 (or empty):
    R4–R8 also count there and are the warehouse's to decide."""
    later = {q["file"] for q in expected_v2["quarantine_rows"] if q["rule"] not in INGEST_RULES}
    checked = {
        f["path"]: (ingest_files[f["path"]]["rows_quarantined"], f["rows_quarantined"])
        for f in expected_v2["files"]
        if f["path"] not in later and f["status"] != "superseded"
    }
    assert len(checked) > 40
    assert {p: v for p, v in checked.items() if v[0] != v[1]} == {}


def test_identical_files(ingest_files: dict, expected_v2: dict) -> None:
    """A byte-identical copy of a loaded file: one `loaded`, the other `unchanged`, no rule."""
    for group in expected_v2["identical_files"]:
        rows = [ingest_files[p] for p in group]
        assert sorted(r["status"] for r in rows) == ["loaded"] + ["unchanged"] * (len(group) - 1)
        assert {r["rule"] for r in rows} == {None}


def test_identical_rejected_files_carry_the_rule(ingest_files: dict, expected_v2: dict) -> None:
    """§7 (v2): one copy `rejected`, the others `unchanged`, all with the rule and its reason."""
    for group in expected_v2["identical_rejected_files"]:
        rows = [ingest_files[p] for p in group]
        assert sorted(r["status"] for r in rows) == ["rejected"] + ["unchanged"] * (len(group) - 1)
        rejected = next(r for r in rows if r["status"] == "rejected")
        assert rejected["rule"] and {r["rule"] for r in rows} == {rejected["rule"]}
        for r in rows:
            assert rejected["message"] in r["message"], r["file_path"]


def test_ingest_quarantine_rows(quarantine: list[dict], expected_v2: dict) -> None:
    """Every R1–R3 quarantine row (file, sheet, Excel row, rule) and nothing else."""
    got = sorted(
        (r["file_path"], r["sheet"], r["row_number"], r["rule"])
        for r in quarantine
        if r["rule"] in INGEST_RULES
    )
    want = sorted(
        (q["file"], q["sheet"], q["row_number"], q["rule"])
        for q in expected_v2["quarantine_rows"]
        if q["rule"] in INGEST_RULES
    )
    assert got == want
    counts = Counter(r[3] for r in got)
    assert counts == {
        k: v for k, v in expected_v2["quarantine_counts"].items() if k in INGEST_RULES
    }


def test_ingest_quarantine_messages_name_the_column(quarantine: list[dict]) -> None:
    for r in quarantine:
        if r["rule"] in INGEST_RULES:
            assert r["message"] and r["column_name"], r
