"""The contract-v2 acceptance corpus through the real `xuncha refresh`: the warehouse half.

Every report table of expected.json (v1 tables and the §10 tables), the
quarantine incl. the T8 rules R5–R8 decided after resubmission, the fact
counts, the W4 list, both resubmissions and the phase-2 block by B4.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations.results import write_dq_results
from orchestration.assets.publish import GateClosed, publish
from orchestration.assets.quality import dbt_test_results
from tests.conftest import ACCEPTANCE_V2, RefreshRun, add_phase2, copy_run, refresh_again
from tests.outputs import query_rows as rows
from tests.outputs import run_dbt
from tests.test_acceptance import (
    REPORT_KEYS,
    assert_published_table,
    assert_quarantine,
    assert_resubmitted,
)

T8_RULES = ("R5", "R6", "R7", "R8")
V2_TABLES = (
    "fct_common_problem",
    "fct_self_check",
    "fct_common_problem_obligation",
    "rpt_outcomes",
    "rpt_common_problems",
    "rpt_common_problem_followup",
    "rpt_recurrence",
    "rpt_recurrence_items",
    "rpt_rectification_by_unit",
)


def test_refresh_publishes(acceptance_v2_run: RefreshRun) -> None:
    assert acceptance_v2_run.returncode == 0, acceptance_v2_run.stderr[-3000:]
    assert acceptance_v2_run.published.exists()
    assert "已发布" in acceptance_v2_run.stdout


@pytest.mark.parametrize(
    ("table", "key"),
    [
        *REPORT_KEYS,
        ("rpt_outcomes", ("scope_code", "period")),
        ("rpt_common_problem_followup", ("scope_code", "period")),
        ("rpt_recurrence", ("scope_code", "period")),
        ("rpt_common_problems", ("issuer_code", "common_problem_code")),
        ("rpt_recurrence_items", ("lookback_inspection_key", "category")),
        ("rpt_rectification_by_unit", ("unit_code",)),
    ],
)
def test_report_tables(
    acceptance_v2_run: RefreshRun, expected_v2: dict, table: str, key: tuple
) -> None:
    assert_published_table(acceptance_v2_run.published, table, expected_v2[table], key)


def test_report_periods_and_scopes(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    """A row for every scope × period, zeros where there is nothing (§10)."""
    scopes = {
        r["scope_code"]
        for r in rows(acceptance_v2_run.published, "SELECT scope_code FROM rpt_rectification")
    }
    for table in ("rpt_outcomes", "rpt_common_problem_followup", "rpt_recurrence"):
        got = {
            (r["scope_code"], r["period"])
            for r in rows(acceptance_v2_run.published, f"SELECT scope_code, period FROM {table}")
        }
        assert got == {(s, p) for s in scopes for p in expected_v2["periods"]}, table


def test_v2_tables_published_with_chinese_descriptions(acceptance_v2_run: RefreshRun) -> None:
    """§9: the v2 facts and §10 tables are published, the table and every column described."""
    con = duckdb.connect(str(acceptance_v2_run.published), read_only=True)
    try:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
        columns = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns()"
        ).fetchall()
    finally:
        con.close()
    for table in V2_TABLES:
        assert table in tables, f"{table} not published"
        assert re.search(r"[\u4e00-\u9fff]", tables[table] or ""), table
    undescribed = [
        f"{t}.{c}"
        for t, c, comment in columns
        if t in V2_TABLES and not re.search(r"[\u4e00-\u9fff]", comment or "")
    ]
    assert not undescribed


def test_quarantine_counts_and_rows(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    assert_quarantine(acceptance_v2_run.published, expected_v2)


def test_t8_quarantine_messages_name_problem_and_unit(acceptance_v2_run: RefreshRun) -> None:
    """R5–R8 of a T8 row name the common problem and the unit, by code and by T0 name."""
    con = duckdb.connect(str(acceptance_v2_run.warehouse), read_only=True)
    try:
        flagged = con.execute(
            """
            SELECT q.rule, q.message, s.common_problem_code, s.unit_code, u.unit_name
            FROM int_quarantine_rows_flagged q
            JOIN stg_raw__self_checks s USING (file_path, file_sha256, sheet, row_number)
            JOIN stg_raw__units u ON u.unit_code = s.unit_code
            WHERE q.template = 'T8'
            """
        ).fetchall()
    finally:
        con.close()
    assert {rule for rule, *_ in flagged} == set(T8_RULES)
    for rule, message, problem, unit, name in flagged:
        assert problem in message and unit in message and name in message, (rule, message)


def test_rows_quarantined_after_resubmission_count_in_files(
    acceptance_v2_run: RefreshRun, expected_v2: dict
) -> None:
    """R4–R8 rows count in their file's rows_quarantined, and leave rows_loaded."""
    got = {
        r["file_path"]: r for r in rows(acceptance_v2_run.published, "SELECT * FROM ingest_files")
    }
    for f in expected_v2["files"]:
        assert got[f["path"]]["rows_quarantined"] == f["rows_quarantined"], f["path"]
    con = duckdb.connect(str(acceptance_v2_run.warehouse), read_only=True)
    try:
        raw = dict(
            con.execute(
                "SELECT file_path, rows_loaded + rows_quarantined FROM stg_raw__ingest_files"
            ).fetchall()
        )
    finally:
        con.close()
    for path, row in got.items():
        assert row["rows_loaded"] + row["rows_quarantined"] == raw[path], path


def test_fact_counts(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    for table, count in expected_v2["fact_counts"].items():
        n = rows(acceptance_v2_run.published, f"SELECT count(*) AS n FROM {table}")[0]["n"]
        assert n == count, table


def test_self_checks_answer_obligations(acceptance_v2_run: RefreshRun) -> None:
    """Every published self-check answers exactly one obligation of a published common problem."""
    (unmatched,) = rows(
        acceptance_v2_run.published,
        """
        SELECT count(*) AS n FROM fct_self_check s
        LEFT JOIN fct_common_problem_obligation o USING (issuer_code, common_problem_code, unit_code)
        WHERE o.obligation_key IS NULL OR NOT o.is_answered
        """,
    )
    assert unmatched["n"] == 0


def test_w4_lists_unanswered_units(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    published = acceptance_v2_run.published
    got = rows(
        published,
        "SELECT issuer_code, common_problem_code, unit_code, unit_name, reporting_office_code, "
        "reporting_office_name FROM fct_common_problem_obligation WHERE is_overdue_unanswered",
    )
    want = expected_v2["warnings"]["W4"]
    assert sorted((r["issuer_code"], r["common_problem_code"], r["unit_code"]) for r in got) == (
        sorted((w["issuer_code"], w["common_problem_code"], w["unit_code"]) for w in want)
    )
    assert all(r["unit_name"] and r["reporting_office_name"] for r in got)
    (gate,) = rows(published, "SELECT status, failing_count FROM dq_results WHERE rule = 'W4'")
    assert (gate["status"], gate["failing_count"]) == ("warn", len(want))
    assert "W4" in acceptance_v2_run.stdout


def test_warnings_w1_w3(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    published = acceptance_v2_run.published
    w = expected_v2["warnings"]
    assert rows(published, "SELECT count(*) AS n FROM rpt_reconciliation")[0]["n"] == w["W1"]
    got = rows(
        published,
        "SELECT submitter_code, link_code FROM fct_linkage "
        "WHERE NOT source_problem_exists OR target_problem_exists = false",
    )
    assert sorted((r["submitter_code"], r["link_code"]) for r in got) == sorted(
        (x["submitter_code"], x["link_code"]) for x in w["W3"]
    )


def test_resubmission(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    assert_resubmitted(acceptance_v2_run.published, expected_v2["resubmission"])


def test_resubmission_t8(acceptance_v2_run: RefreshRun, expected_v2: dict) -> None:
    """A resubmitted T8 scope (submitter, issuer, 共性问题编号) replaces the earlier one whole."""
    r = expected_v2["resubmission_t8"]
    units = {
        row["unit_code"]
        for row in rows(
            acceptance_v2_run.published,
            f"""
            SELECT unit_code FROM fct_self_check
            WHERE submitter_code = '{r["submitter_code"]}' AND issuer_code = '{r["issuer_code"]}'
              AND common_problem_code = '{r["common_problem_code"]}'
            """,
        )
    }
    assert r["corrected"] in units and r["added"] in units
    assert r["deleted"] not in units
    (deleted,) = rows(
        acceptance_v2_run.published,
        f"""
        SELECT is_answered FROM fct_common_problem_obligation
        WHERE issuer_code = '{r["issuer_code"]}'
          AND common_problem_code = '{r["common_problem_code"]}' AND unit_code = '{r["deleted"]}'
        """,
    )
    assert deleted["is_answered"] is False


def test_wrong_figure_in_a_v2_report_blocks_publishing(
    acceptance_v2_run: RefreshRun, expected_v2: dict, tmp_path: Path
) -> None:
    """A province figure off by one (B3) and completed > found (B2) in the §10 tables fail the
    real dbt tests of those models, and the gate then refuses to publish."""
    work = tmp_path / "warehouse.duckdb"
    shutil.copyfile(acceptance_v2_run.warehouse, work)
    published = tmp_path / "published.duckdb"
    shutil.copyfile(acceptance_v2_run.published, published)
    before = published.read_bytes()
    province = expected_v2["province_code"]
    con = duckdb.connect(str(work))
    try:
        con.execute(
            "UPDATE rpt_outcomes SET immediate_completed = immediate_completed + 1 "
            f"WHERE scope_code = '{province}' AND period = '全部'"
        )
        con.execute(
            "UPDATE rpt_common_problems SET completed = problems_found + 1 "
            "WHERE common_problem_code = (SELECT min(common_problem_code) FROM rpt_common_problems)"
        )
    finally:
        con.close()
    target = tmp_path / "target"
    proc = run_dbt(
        ["test", "--select", "rpt_outcomes", "rpt_common_problems"],
        work,
        expected_v2["as_of"],
        target,
    )
    assert proc.returncode != 0, proc.stdout[-2000:]
    checks = dbt_test_results(target / "run_results.json", target / "manifest.json")
    failed = {(c.rule, c.check) for c in checks if c.blocking_failure}
    assert ("B3", "dbt:b3_error_rpt_outcomes") in failed, failed
    assert ("B2", "dbt:b2_error_rpt_common_problems") in failed, failed
    write_dq_results(work, checks)
    with pytest.raises(GateClosed, match="B2|B3"):
        publish(work, published, date.fromisoformat(expected_v2["as_of"]))
    assert published.read_bytes() == before


def test_phase2_blocks_publishing(
    acceptance_v2_run: RefreshRun, tmp_path: Path, expected_v2: dict
) -> None:
    acceptance_v2_run = copy_run(
        acceptance_v2_run, tmp_path
    )  # refreshes again: not the shared home
    published_before = acceptance_v2_run.published.read_bytes()
    assert add_phase2(acceptance_v2_run, ACCEPTANCE_V2)
    proc = refresh_again(acceptance_v2_run, expected_v2["as_of"])
    assert proc.returncode != 0
    p2 = expected_v2["phase2"]
    assert p2["rule"] in proc.stderr and p2["submitter_code"] in proc.stderr
    assert acceptance_v2_run.published.read_bytes() == published_before
