"""The quality gate: GX suites and dbt tests catch bad marts, and publishing refuses a closed gate."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from expectations.results import CheckResult, write_dq_results
from expectations.suites import validate_marts
from home import Home
from orchestration.assets.publish import GateClosed, publish
from orchestration.assets.quality import run_quality_gate
from orchestration.dbt_manifest import DBT_PROJECT_DIR
from orchestration.resources import XunchaSettings
from tests.conftest import RefreshRun
from tests.outputs import run_dbt


def test_gx_suite_flags_missing_fact_values() -> None:
    """GX keeps the fact columns no dbt test checks: an empty 移交日期 or 干部层级 blocks (B1)."""
    frame = pd.DataFrame(
        {
            "submitter_code": ["390100", "390100"],
            "clue_code": ["XS1", "XS2"],
            "cadre_level": ["县管", None],
            "transfer_date": [date(2024, 3, 1), None],
        }
    )
    results = validate_marts(Path("unused"), ["fct_clue"], loader=lambda _t: frame)
    failed = {r.check.split(":", 2)[2] for r in results if r.status == "fail"}
    assert failed == {
        "expect_column_values_to_not_be_null:cadre_level",
        "expect_column_values_to_not_be_null:transfer_date",
    }
    assert all(r.rule == "B1" and r.blocking_failure for r in results if r.status == "fail")


def test_b2_is_checked_by_dbt_alone() -> None:
    """Negative counts and rates above 1 are dbt's B2 tests (see the B2 corruption below);
    GX no longer repeats them, so a bad report frame gives GX nothing but the S1 check."""
    frame = pd.DataFrame(
        {
            "scope_code": ["990000"],
            "found": [10],
            "completed": [12],
            "overdue": [-1],
            "completion_rate": [1.2],
        }
    )
    results = validate_marts(Path("unused"), ["rpt_rectification"], loader=lambda _t: frame)
    assert [(r.check, r.rule, r.status) for r in results] == [
        ("sensitive:rpt_rectification", "S1", "pass")
    ]


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


def _dbt_build(project: Path, warehouse: Path, target: Path, select: str) -> None:
    """`dbt build` of the report model and its tests, as the refresh runs it."""
    run_dbt(["build", "--select", select, "--quiet"], warehouse, "2025-03-15", target, project)


CORRUPTIONS = {
    # One city's figure is off by one: the province no longer equals Σ cities + 省本级.
    "B3": (
        "cast(coalesce(p.found, 0) as bigint) as found,",
        "cast(coalesce(p.found, 0) + (sp.scope_kind = '市')::int as bigint) as found,",
    ),
    # Completed problems counted twice: completed > found somewhere, a rate above 1.
    "B2": (
        "cast(coalesce(p.completed, 0) as bigint) as completed,",
        "cast(coalesce(p.completed, 0) * 3 as bigint) as completed,",
    ),
}


@pytest.mark.parametrize("rule", sorted(CORRUPTIONS))
def test_a_wrong_figure_in_a_report_model_blocks_publishing(
    acceptance_run: RefreshRun, tmp_path: Path, rule: str
) -> None:
    """A report model that prints a wrong figure (in a temporary copy of the dbt project,
    the repository is not touched) fails its B2/B3 test, the real quality gate reads that
    from dbt's results, and publishing refuses and keeps the published file; the same
    steps with the model as it is publish."""
    assert acceptance_run.returncode == 0, acceptance_run.stderr
    old, new = CORRUPTIONS[rule]
    published_before = acceptance_run.published.read_bytes()
    outcomes: dict[str, list[str]] = {}
    for variant in ("as is", "corrupted"):
        home = Home(tmp_path / variant.replace(" ", "_"))
        home.root.mkdir()
        shutil.copyfile(acceptance_run.warehouse, home.warehouse)
        shutil.copyfile(acceptance_run.published, home.published)
        project = tmp_path / f"dbt_{variant.replace(' ', '_')}"
        shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
        model = project / "models" / "marts" / "reports" / "rpt_overview.sql"
        if variant == "corrupted":
            text = model.read_text(encoding="utf-8")
            assert old in text
            model.write_text(text.replace(old, new), encoding="utf-8")
        target = tmp_path / f"target_{variant.replace(' ', '_')}"
        _dbt_build(project, home.warehouse, target, "rpt_overview")
        shutil.copyfile(target / "run_results.json", home.root / "dbt_run_results.json")
        shutil.copyfile(target / "manifest.json", home.root / "dbt_manifest.json")
        checks = run_quality_gate(XunchaSettings(home=str(home.root), as_of="2025-03-15"))
        outcomes[variant] = sorted(
            {c.check for c in checks if c.blocking_failure and "rpt_overview" in c.check}
        )
        if variant == "as is":
            assert outcomes[variant] == []
            publish(home.warehouse, home.published, date(2025, 3, 15))
            continue
        assert outcomes[variant], "the wrong figure was not caught"
        before = home.published.read_bytes()
        with pytest.raises(GateClosed, match=rule):
            publish(home.warehouse, home.published, date(2025, 3, 15))
        assert home.published.read_bytes() == before
        failed = {c.rule for c in checks if c.blocking_failure and "rpt_overview" in c.check}
        assert rule in failed
    assert acceptance_run.published.read_bytes() == published_before
