"""The daily schedule passes its as-of date as run config of the `settings` resource."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.resources import XunchaSettings
from orchestration.schedules import schedules

RUN_CONFIG_AS_OF = ("resources", "settings", "config", "as_of")


def _as_of(request: dg.RunRequest) -> str:
    value = request.run_config
    for key in RUN_CONFIG_AS_OF:
        value = value[key]
    return value


def test_daily_refresh_run_carries_the_tick_day_as_as_of(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("XUNCHA_AS_OF", raising=False)
    monkeypatch.delenv("XUNCHA_TIMEZONE", raising=False)
    (daily,) = [s for s in schedules() if s.name == "daily_refresh"]
    tick = datetime(2025, 3, 15, 2, tzinfo=ZoneInfo("Asia/Shanghai"))  # 2025-03-14 18:00 UTC
    (request,) = daily.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick)
    ).run_requests
    assert _as_of(request) == "2025-03-15"


def test_run_config_reaches_the_settings_resource_of_a_real_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The config the schedule gives is what an asset's `settings.as_of_date()` reads."""
    monkeypatch.setenv("XUNCHA_AS_OF", "2020-01-01")  # the run config wins over it

    @dg.asset
    def as_of_seen(settings: XunchaSettings) -> str:
        return settings.as_of_date().isoformat()

    (daily,) = [s for s in schedules() if s.name == "daily_refresh"]
    tick = datetime(2025, 3, 15, 2, tzinfo=ZoneInfo("Asia/Shanghai"))
    (request,) = daily.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick)
    ).run_requests
    defs = dg.Definitions(
        assets=[as_of_seen],
        jobs=[dg.define_asset_job("probe")],
        resources={"settings": XunchaSettings(home="/nonexistent")},
    )
    result = defs.resolve_job_def("probe").execute_in_process(run_config=request.run_config)
    assert result.output_for_node("as_of_seen") == "2025-03-15"
