"""The dbt unit tests (SQL logic on fixed rows) run here, since a refresh skips them.

A production refresh builds with `--exclude-resource-type unit_test`
(orchestration/assets/warehouse.py): unit tests check the models' SQL, not the
office's data, so they belong to the test suite. The data tests still run in every
refresh and the gate blocks on them (tests/test_gate.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from orchestration.dbt_manifest import prepare_manifest
from tests.conftest import RefreshRun
from tests.outputs import run_dbt


def _unit_tests_declared() -> set[str]:
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    return set(manifest.get("unit_tests", {}))


def test_every_dbt_unit_test_passes(
    acceptance_run: RefreshRun, expected: dict, tmp_path: Path
) -> None:
    """`dbt test --select test_type:unit` on a copy of a refreshed warehouse (unit tests
    read their inputs' column types from the built relations)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(acceptance_run.warehouse, warehouse)
    target = tmp_path / "target"
    proc = run_dbt(["test", "--select", "test_type:unit"], warehouse, expected["as_of"], target)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {r["unique_id"]: r["status"] for r in results}
    declared = _unit_tests_declared()
    assert declared, "the dbt project declares no unit tests"
    assert set(ran) == declared
    assert set(ran.values()) == {"pass"}


def test_a_refresh_runs_the_data_tests_but_not_the_unit_tests(acceptance_run: RefreshRun) -> None:
    """The refresh's dbt build ran data tests (the gate reads them) and no unit test."""
    results = json.loads(
        (acceptance_run.home / "dbt_run_results.json").read_text(encoding="utf-8")
    )["results"]
    kinds = {r["unique_id"].split(".", 1)[0] for r in results}
    assert "test" in kinds and "model" in kinds
    assert "unit_test" not in kinds
