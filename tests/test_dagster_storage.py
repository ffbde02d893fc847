"""The refresh's audit trail through orchestration/dagster_storage.py (dagster.yaml).

A real refresh of the acceptance inbox writes its run and events with
`XunchaSqliteStorage`; a fresh process then reads them back through a new
`DagsterInstance`, as the webserver and the daemon do — with this storage and
with Dagster's plain `sqlite` storage (the same files: dropping the class loses
nothing) — and `xuncha status` names the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RefreshRun, xuncha

REPO = Path(__file__).resolve().parents[1]
STAGES = {
    "raw_layer",
    "warehouse_models",
    "quality_gate",
    "submitter_feedback",
    "published_warehouse",
    "leader_reports",
}
PLAIN_SQLITE_YAML = """\
storage:
  sqlite:
    base_dir:
      env: DAGSTER_HOME
telemetry:
  enabled: false
"""

# Run in a fresh interpreter: what a new webserver or daemon process sees of the history.
READ_BACK = """
import collections, json, sys
import dagster as dg

instance = dg.DagsterInstance.get()
run_id = sys.argv[1]
record = instance.get_run_record_by_id(run_id)
events = instance.all_logs(run_id)
kinds = collections.Counter(e.dagster_event_type.value for e in events if e.dagster_event_type)
latest = instance.get_latest_materialization_event(dg.AssetKey("published_warehouse"))
print(json.dumps({
    "event_log_class": type(instance.event_log_storage).__name__,
    "status": record.dagster_run.status.value,
    "job": record.dagster_run.job_name,
    "trigger": record.dagster_run.tags.get("xuncha/trigger"),
    "kinds": kinds,
    "succeeded_steps": sorted(e.step_key for e in events if e.dagster_event_type
                              and e.dagster_event_type.value == "STEP_SUCCESS"),
    "published_by": latest.run_id if latest else None,
    "asset_keys": len(instance.all_asset_keys()),
    "runs": [r.run_id for r in instance.get_runs()],
}))
"""


def _read_back(dagster_home: Path, run_id: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", READ_BACK, run_id],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=REPO,
        env=os.environ | {"DAGSTER_HOME": str(dagster_home), "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def refreshed(acceptance_run: RefreshRun) -> tuple[RefreshRun, str]:
    assert acceptance_run.returncode == 0, acceptance_run.stderr
    state = json.loads((acceptance_run.home / "last_refresh.json").read_text(encoding="utf-8"))
    return acceptance_run, state["run_id"]


def test_refresh_home_uses_the_kept_connection_storage(refreshed: tuple[RefreshRun, str]) -> None:
    run, _ = refreshed
    config = (run.home / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
    assert "class: XunchaSqliteStorage" in config
    # closed at exit: each shard's write-ahead log was checkpointed into its .db file
    assert not list((run.home / "dagster").rglob("*.db-wal"))


@pytest.mark.parametrize("storage", ["xuncha", "plain_sqlite"])
def test_run_and_events_read_back_by_a_fresh_instance(
    refreshed: tuple[RefreshRun, str], tmp_path: Path, storage: str
) -> None:
    run, run_id = refreshed
    dagster_home = tmp_path / "dagster"
    shutil.copytree(run.home / "dagster", dagster_home)  # the shared home stays untouched
    if storage == "plain_sqlite":
        (dagster_home / "dagster.yaml").write_text(PLAIN_SQLITE_YAML, encoding="utf-8")
    seen = _read_back(dagster_home, run_id)
    expected_class = (
        "KeptConnectionEventLogStorage" if storage == "xuncha" else "SqliteEventLogStorage"
    )
    assert seen["event_log_class"] == expected_class
    assert seen["runs"] == [run_id]
    assert (seen["status"], seen["job"], seen["trigger"]) == ("SUCCESS", "refresh_job", "cli")
    assert set(seen["succeeded_steps"]) == STAGES
    assert seen["published_by"] == run_id
    kinds = seen["kinds"]
    assert kinds["ASSET_MATERIALIZATION"] == kinds["ASSET_MATERIALIZATION_PLANNED"]
    assert kinds["ASSET_MATERIALIZATION"] == seen["asset_keys"]
    assert kinds["PIPELINE_SUCCESS"] == 1


def test_status_names_the_run(refreshed: tuple[RefreshRun, str]) -> None:
    run, run_id = refreshed
    proc = xuncha("status", "--home", str(run.home))
    assert proc.returncode == 0, proc.stderr
    assert run_id in proc.stdout
