"""The quality gate: GX suites catch bad marts, and publishing refuses a closed gate."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.results import CheckResult, write_dq_results
from expectations.suites import validate_marts
from orchestration.assets.publish import GateClosed, publish
from tests.conftest import RefreshRun


def test_gx_suite_flags_rates_outside_unit_interval_and_completed_over_found() -> None:
    frame = pd.DataFrame(
        {
            "scope_code": ["990000", "990100"],
            "found": [10, 5],
            "completed": [12, 5],
            "in_progress": [0, 0],
            "not_started": [0, 0],
            "long_term": [0, 0],
            "overdue": [-1, 0],
            "completion_rate": [1.2, 1.0],
        }
    )
    results = validate_marts(Path("unused"), ["rpt_rectification"], loader=lambda _t: frame)
    failed = {(r.check.split(":")[2], r.check.split(":")[3]) for r in results if r.status == "fail"}
    assert ("expect_column_values_to_be_between", "completion_rate") in failed
    assert ("expect_column_values_to_be_between", "overdue") in failed
    assert ("expect_column_pair_values_a_to_be_greater_than_b", "found") in failed
    assert all(r.rule == "B2" for r in results if r.status == "fail")


def test_gx_suite_flags_sensitive_column() -> None:
    frame = pd.DataFrame({"submitter_code": ["1"], "clue_code": ["X"], "subject_name": ["某某"]})
    results = validate_marts(Path("unused"), ["fct_clue"], loader=lambda _t: frame)
    leak = [r for r in results if r.rule == "S1"]
    assert leak and leak[0].status == "fail" and leak[0].blocking_failure


def test_publish_refuses_when_a_blocking_check_failed(
    acceptance_run: RefreshRun, tmp_path: Path
) -> None:
    """Even if Dagster ran the publish step, a failed blocking check keeps the old file."""
    assert acceptance_run.returncode == 0
    work = tmp_path / "warehouse.duckdb"
    shutil.copyfile(acceptance_run.warehouse, work)
    published = tmp_path / "published.duckdb"
    shutil.copyfile(acceptance_run.published, published)
    before = published.read_bytes()
    write_dq_results(work, [CheckResult("dbt:unique_fct_problem_key", "B1", "fail", 2, "WT1, WT1")])
    with pytest.raises(GateClosed, match="B1"):
        publish(work, published, date(2025, 3, 15))
    assert published.read_bytes() == before

    write_dq_results(work, [CheckResult("w1", "W1", "warn", 2, "")])
    tables = publish(work, published, date(2025, 3, 15))
    assert "rpt_clue_yield" in tables
    con = duckdb.connect(str(published), read_only=True)
    try:
        comment = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = 'rpt_clue_yield'"
        ).fetchall()[0][0]
        assert comment, "Chinese table description lost in publishing"
        raw = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'raw_%'")
        assert raw.fetchall()[0][0] == 0
    finally:
        con.close()
