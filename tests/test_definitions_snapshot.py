"""The Dagster definitions against a committed snapshot, as dagster-open-platform does.

A module that stops importing, an asset dropped from `all_assets`, a renamed check, job,
schedule, sensor or resource all change what `build_definitions()` returns; this test
then fails with the difference instead of the UI silently showing less. When the change
is intended, rewrite the snapshot and commit it with the change:

    XUNCHA_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_definitions_snapshot.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"
UPDATE_ENV = "XUNCHA_UPDATE_SNAPSHOT"
# the settings of orchestration/schedule_config.py: the snapshot shows their defaults
CONFIG_ENV = ("XUNCHA_REFRESH_CRON", "XUNCHA_REPORT_CRON", "XUNCHA_TIMEZONE", "XUNCHA_AUTOMATION")


def describe(defs: dg.Definitions) -> dict:
    """What the UI and the daemon see: every asset with its group, every asset check,
    job, schedule, sensor and resource (descriptions left out: they name paths)."""
    graph = defs.resolve_asset_graph()
    repo = defs.get_repository_def()
    assets = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    checks = sorted(
        f"{check.asset_key.to_user_string()}:{check.name}" for check in graph.asset_check_keys
    )
    jobs = {
        job.name: sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys)
        for job in defs.resolve_all_job_defs()
        if not job.name.startswith("__")
    }
    schedules = {
        s.name: {
            "job": s.job_name,
            "cron": s.cron_schedule,
            "timezone": s.execution_timezone,
            "default_status": s.default_status.value,
        }
        for s in repo.schedule_defs
    }
    sensors = {
        s.name: {"job": s.job_name, "default_status": s.default_status.value}
        for s in repo.sensor_defs
    }
    resources = {name: type(r).__name__ for name, r in (defs.resources or {}).items()}
    return {
        "assets": dict(sorted(assets.items())),
        "asset_checks": checks,
        "jobs": dict(sorted(jobs.items())),
        "schedules": dict(sorted(schedules.items())),
        "sensors": dict(sorted(sensors.items())),
        "resources": dict(sorted(resources.items())),
    }


def render(snapshot: dict) -> str:
    return json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n"


def test_definitions_match_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CONFIG_ENV:
        monkeypatch.delenv(name, raising=False)
    from orchestration.definitions import build_definitions

    current = render(describe(build_definitions()))
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(current, encoding="utf-8")
        return
    expected = SNAPSHOT.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            current.splitlines(keepends=True),
            str(SNAPSHOT.relative_to(Path(__file__).parent.parent)),
            "build_definitions()",
        )
    )
    assert not diff, (
        f"The Dagster definitions differ from the snapshot; if intended, run with "
        f"{UPDATE_ENV}=1 and commit the snapshot.\n{diff}"
    )


def test_every_group_of_the_refresh_has_assets() -> None:
    """No group may be empty: the refresh job selects them by name (schedules.py)."""
    from orchestration.schedules import REFRESH_GROUPS

    groups = set(json.loads(SNAPSHOT.read_text(encoding="utf-8"))["assets"].values())
    assert set(REFRESH_GROUPS) <= groups
