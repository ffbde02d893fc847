"""The project's table and view materialisations (dbt_project/macros/materializations/)
rebuild over whatever a previous build left: real dbt runs, no mocks.

A refresh builds a fresh or last refresh's warehouse (tests/test_operator.py checks its
relations and comments). Here a copy of the acceptance warehouse is given what the built-in
materialisations of older versions could leave behind — the `__dbt_tmp` and `__dbt_backup`
relations of a build that died half way (a stale `fct_…__dbt_tmp` would be published) — and
models whose relation has the other kind (a model moved between view and table), and two
models of each kind are built again: each must come out as its kind, documented, with no
leftover beside it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from tests.conftest import RefreshRun
from tests.outputs import run_dbt
from tests.test_operator import assert_models_documented

REBUILT = ["dim_region", "fct_summary", "stg_raw__units", "int_inspections_enriched"]


def test_rebuild_replaces_leftovers_and_relations_of_the_other_kind(
    acceptance_run: RefreshRun, expected: dict, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(acceptance_run.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        for name in REBUILT:
            con.execute(f"CREATE TABLE {name}__dbt_tmp AS SELECT 1 AS stale")
            con.execute(f"CREATE VIEW {name}__dbt_backup AS SELECT 2 AS stale")
        # a table model found as a view, a view model found as a table (no comments)
        con.execute("DROP TABLE dim_region")
        con.execute("CREATE VIEW dim_region AS SELECT 1 AS stale")
        con.execute("DROP VIEW stg_raw__units")
        con.execute("CREATE TABLE stg_raw__units AS SELECT 1 AS stale")
    finally:
        con.close()
    target = tmp_path / "target"
    proc = run_dbt(["run", "--select", *REBUILT], warehouse, expected["as_of"], target)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert_models_documented(warehouse, manifest)
    assert _rows(warehouse) == _rows(acceptance_run.warehouse)


def _rows(db: Path) -> dict[str, list[tuple]]:
    """The rebuilt models' rows, sorted (views are read in their own file: they name it)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {n: con.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall() for n in REBUILT}
    finally:
        con.close()
