"""No dbt run_results.json: the gate records a blocking dbt_build failure and publishing stops."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.assets.publish import GateClosed, blocking_failures, publish
from orchestration.assets.quality import DBT_BUILD_CHECK, run_quality_gate
from orchestration.resources import XunchaSettings
from tests.conftest import RefreshRun


def test_missing_run_results_blocks_publishing(
    acceptance_run: RefreshRun, expected: dict, tmp_path: Path
) -> None:
    assert acceptance_run.returncode == 0, acceptance_run.stderr[-3000:]
    home = tmp_path / "home"
    home.mkdir()
    for name in ("warehouse.duckdb", "published.duckdb", "dbt_manifest.json"):
        shutil.copyfile(acceptance_run.home / name, home / name)
    assert not (home / "dbt_run_results.json").exists()
    settings = XunchaSettings(
        home=str(home), inbox=str(acceptance_run.inbox), as_of=expected["as_of"]
    )
    checks = run_quality_gate(settings)
    build = [c for c in checks if c.check == DBT_BUILD_CHECK]
    assert len(build) == 1 and build[0].blocking_failure, build
    assert "run_results.json" in build[0].examples
    failed = blocking_failures(home / "warehouse.duckdb")
    assert [(rule, check) for rule, check, _n, _e in failed] == [(build[0].rule, DBT_BUILD_CHECK)]
    before = (home / "published.duckdb").read_bytes()
    with pytest.raises(GateClosed):
        publish(home / "warehouse.duckdb", home / "published.duckdb", settings.as_of_date())
    assert (home / "published.duckdb").read_bytes() == before
