"""The refresh's dbt resource opens no dbt adapter in the refresh's own process.

dagster-dbt would load dbt's profile and project and register a DuckDB adapter before
every `dbt build` (~1.35 CPU-s, ~70 MB), only for metadata xuncha never fetches;
`XunchaDbtCliResource` declines it. These tests run a real invocation (the launcher's
`--version`, which starts no dbt) in a fresh interpreter, so nothing another test
imported counts.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.assets.warehouse import XunchaDbtCliResource

PROBE = """
import json, sys
from dagster_dbt import DbtCliResource
from home import Home
from orchestration.assets.warehouse import dbt_resource
ours = dbt_resource(Home.from_env(sys.argv[1]))
resource = ours if sys.argv[3] == "ours" else DbtCliResource(**ours.model_dump())
run_vars = json.dumps({"as_of": "2025-01-15", "warehouse": sys.argv[2]})
invocation = resource.cli(["--version", "--vars", run_vars], raise_on_error=False)
invocation.wait()
print(json.dumps({
    "adapter": repr(invocation.adapter),
    "duckdb_adapter_imported": "dbt.adapters.duckdb.impl" in sys.modules,
}))
"""


def test_the_method_it_overrides_is_still_dagster_dbts(tmp_path: Path) -> None:
    """An upgrade that renames or re-signs the hook would silently bring the adapter back."""
    parent = inspect.signature(DbtCliResource._initialize_dbt_core_adapter)
    ours = inspect.signature(XunchaDbtCliResource._initialize_dbt_core_adapter)
    assert list(parent.parameters) == ["self", "args"]
    assert list(ours.parameters) == list(parent.parameters)
    assert "_initialize_dbt_core_adapter" in inspect.getsource(DbtCliResource.cli)


def _probe(tmp_path: Path, which: str) -> dict:
    home = tmp_path / which
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(home), str(home / "warehouse.duckdb"), which],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_dbt_invocation_registers_no_adapter_in_the_refresh_process(tmp_path: Path) -> None:
    seen = _probe(tmp_path, "ours")
    assert seen == {"adapter": "None", "duckdb_adapter_imported": False}


def test_without_the_override_dagster_dbt_would_open_one(tmp_path: Path) -> None:
    """The same probe with dagster-dbt's own resource: what the first test guards against."""
    seen = _probe(tmp_path, "plain")
    assert seen["adapter"].startswith("<dbt.adapters.duckdb"), seen
    assert seen["duckdb_adapter_imported"]
