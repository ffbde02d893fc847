"""Jobs and schedules: the daily refresh and the monthly report run.

Cron strings and the time zone come from `orchestration.schedule_config`
(environment overrides there). The refresh job carries the tag
`xuncha/writer: "1"`, which dagster.yaml limits to one run at a time:
DuckDB allows one writing process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import dagster as dg

from orchestration.schedule_config import schedule_config

REFRESH_GROUPS = ("ingest", "warehouse", "quality", "publish", "reports")
WRITER_TAG = {"xuncha/writer": "1"}

refresh_job = dg.define_asset_job(
    name="refresh_job",
    selection=dg.AssetSelection.groups(*REFRESH_GROUPS),
    description="完整刷新：收件箱 → 原始层 → dbt 仓库 → 质量闸门 → 发布（及领导报表）。",
    tags=WRITER_TAG,
)

report_job = dg.define_asset_job(
    name="report_job",
    selection=dg.AssetSelection.groups("reports"),
    description="月度报表：用已发布仓库重新生成领导报表，不改动仓库。",
    tags={"xuncha/kind": "report"},
)


def jobs() -> list[dg.UnresolvedAssetJobDefinition]:
    return [refresh_job, report_job]


def _status(running: bool) -> dg.DefaultScheduleStatus:
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


def as_of_run_config(context: dg.ScheduleEvaluationContext) -> dict:
    """The scheduled run's as-of date, passed as the run's config of the `settings`
    resource (issue 14 item 5: run values travel with the run, not in os.environ): the
    day of the tick in the schedule's time zone, the day the refresh is for."""
    tick = context.scheduled_execution_time
    day = tick.date() if tick is not None else date.today()
    return {"resources": {"settings": {"config": {"as_of": day.isoformat()}}}}


def _schedule(
    name: str,
    job: dg.UnresolvedAssetJobDefinition,
    cron: str,
    tags: dict,
    what: str,
    run_config_fn: Callable[[dg.ScheduleEvaluationContext], dict] | None = None,
) -> dg.ScheduleDefinition:
    config = schedule_config()
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        run_config_fn=run_config_fn,
        execution_timezone=config.timezone,
        default_status=_status(config.automation_running),
        tags={**tags, "xuncha/trigger": "schedule"},
        description=f"{what}（{cron}，{config.timezone}）",
    )


def schedules() -> list[dg.ScheduleDefinition]:
    config = schedule_config()
    return [
        _schedule(
            "daily_refresh",
            refresh_job,
            config.refresh_cron,
            WRITER_TAG,
            "每日刷新",
            run_config_fn=as_of_run_config,
        ),
        _schedule("monthly_reports", report_job, config.report_cron, {}, "每月报表"),
    ]
