"""Schedules and the inbox sensor, evaluated with Dagster's own test contexts on real files."""

import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from orchestration.resources import XunchaSettings
from orchestration.schedule_config import schedule_config
from orchestration.schedules import jobs, refresh_job, schedules
from orchestration.sensors import InboxCursor, sensors

ACCEPTANCE_INBOX = Path("/work/shared/acceptance/inbox")
SAMPLE = ACCEPTANCE_INBOX / "雁湖市委巡察办" / "2023年巡察安排表.xlsx"


def _sample_bytes() -> bytes:
    if SAMPLE.exists():
        return SAMPLE.read_bytes()
    return b"PK\x03\x04" + os.urandom(4096)  # content only matters for its hash


def _schedule(name: str) -> dg.ScheduleDefinition:
    return next(s for s in schedules() if s.name == name)


def _inbox_sensor() -> dg.SensorDefinition:
    (sensor,) = [s for s in sensors() if s.name == "inbox_sensor"]
    return sensor


def _tick(inbox: Path, cursor: str | None):
    """One sensor evaluation; returns (run requests, skip message, new cursor)."""
    context = dg.build_sensor_context(
        cursor=cursor, resources={"settings": XunchaSettings(inbox=str(inbox))}
    )
    data = _inbox_sensor().evaluate_tick(context)
    return data.run_requests or [], data.skip_message, data.cursor


def _settle(inbox: Path, cursor: str | None = None):
    """Tick until the sensor sees the same inbox twice (at most three ticks)."""
    for _ in range(3):
        requests, skip, cursor = _tick(inbox, cursor)
        if requests or (skip and "没有变化" in skip):
            return requests, cursor
    raise AssertionError(f"inbox never settled: {skip}")


# --- schedules -------------------------------------------------------------------


def test_daily_refresh_defaults_to_two_oclock_shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("XUNCHA_REFRESH_CRON", "XUNCHA_TIMEZONE", "XUNCHA_AUTOMATION"):
        monkeypatch.delenv(name, raising=False)
    daily = _schedule("daily_refresh")
    assert daily.cron_schedule == "0 2 * * *"
    assert daily.execution_timezone == "Asia/Shanghai"
    assert daily.job_name == "refresh_job"
    assert daily.default_status == dg.DefaultScheduleStatus.RUNNING

    tz = ZoneInfo("Asia/Shanghai")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 3, 15, 2, tzinfo=tz)
    )
    data = daily.evaluate_tick(context)
    (request,) = data.run_requests
    assert request.tags["xuncha/writer"] == "1"
    assert request.tags["xuncha/trigger"] == "schedule"

    ticks = cron_string_iterator(
        datetime(2025, 3, 15, 3, tzinfo=tz).timestamp(),
        daily.cron_schedule,
        daily.execution_timezone,
    )
    first, second = next(ticks), next(ticks)
    assert (first.day, first.hour, first.minute) == (16, 2, 0)
    assert (second.day, second.hour) == (17, 2)
    assert str(first.tzinfo) == "Asia/Shanghai"


def test_refresh_job_covers_every_group_and_is_tagged_as_writer() -> None:
    assert refresh_job in jobs()
    assert refresh_job.tags["xuncha/writer"] == "1"
    groups = set(refresh_job.selection.selected_groups)  # type: ignore[attr-defined]
    assert {"ingest", "warehouse", "quality", "publish", "reports"} <= groups


def test_monthly_report_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XUNCHA_REPORT_CRON", raising=False)
    assert "report_job" in {job.name for job in jobs()}
    (schedule,) = [s for s in schedules() if s.name == "monthly_reports"]
    assert schedule.cron_schedule == "0 8 1 * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == "report_job"
    tick = datetime(2025, 4, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    data = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    assert len(data.run_requests) == 1

    from orchestration.definitions import build_definitions

    job = build_definitions().resolve_job_def("report_job")
    assert job.asset_layer.executable_asset_keys, "report_job selects the reports group"


def test_cron_and_time_zone_come_from_one_place_with_env_overrides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XUNCHA_REFRESH_CRON", "30 23 * * 1-5")
    monkeypatch.setenv("XUNCHA_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("XUNCHA_AUTOMATION", "stopped")
    daily = _schedule("daily_refresh")
    assert daily.cron_schedule == "30 23 * * 1-5"
    assert daily.execution_timezone == "Asia/Urumqi"
    assert daily.default_status == dg.DefaultScheduleStatus.STOPPED
    assert _inbox_sensor().default_status == dg.DefaultSensorStatus.STOPPED

    monkeypatch.setenv("XUNCHA_REFRESH_CRON", "not a cron")
    with pytest.raises(ValueError, match="cron"):
        schedule_config()


def test_definitions_load_with_jobs_schedules_and_sensor() -> None:
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    assert defs.resolve_job_def("refresh_job") is not None
    assert defs.resolve_schedule_def("daily_refresh").job_name == "refresh_job"
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "refresh_job"


# --- inbox sensor ----------------------------------------------------------------


def test_new_file_gives_one_run_request_and_same_files_none(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "雁湖市委巡察办").mkdir(parents=True)
    requests, skip, cursor = _tick(inbox, None)
    assert not requests and "收件箱为空" in skip

    (inbox / "雁湖市委巡察办" / "安排表.xlsx").write_bytes(_sample_bytes())
    requests, skip, cursor = _tick(inbox, cursor)
    assert not requests, "a file first seen this tick may still be being copied"
    assert "下一轮" in skip

    requests, skip, cursor = _tick(inbox, cursor)
    assert len(requests) == 1
    (request,) = requests
    assert request.run_key.startswith("inbox-")
    assert request.tags["xuncha/writer"] == "1"
    assert request.tags["xuncha/trigger"] == "inbox_sensor"
    assert InboxCursor.parse(cursor).requested

    for _ in range(2):  # same files: nothing, tick after tick
        requests, skip, cursor = _tick(inbox, cursor)
        assert not requests
        assert "没有变化" in skip

    # touching a file (same content) settles again but is the same inbox: no run
    path = inbox / "雁湖市委巡察办" / "安排表.xlsx"
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    requests, _skip, cursor = _tick(inbox, cursor)
    assert not requests
    requests, skip, cursor = _tick(inbox, cursor)
    assert not requests and "没有变化" in skip


def test_growing_file_waits_for_the_next_tick(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(_sample_bytes())
    first, cursor = _settle(inbox)
    assert len(first) == 1

    # a second file arrives and is still growing between ticks
    big = inbox / "石渡县委巡察办" / "台账.xlsx"
    big.parent.mkdir()
    content = _sample_bytes() * 3
    big.write_bytes(content[:1000])
    requests, skip, cursor = _tick(inbox, cursor)
    assert not requests
    with big.open("ab") as fh:
        fh.write(content[1000:5000])
    requests, skip, cursor = _tick(inbox, cursor)
    assert not requests, "size changed since the previous tick: still being copied"
    assert "台账.xlsx" in skip
    with big.open("ab") as fh:
        fh.write(content[5000:])
    requests, skip, cursor = _tick(inbox, cursor)
    assert not requests

    # copy finished: unchanged since the previous tick → exactly one run, then none
    requests, skip, cursor = _tick(inbox, cursor)
    assert len(requests) == 1
    assert requests[0].run_key != first[0].run_key
    requests, skip, cursor = _tick(inbox, cursor)
    assert not requests


def test_run_key_is_the_set_of_hashes(tmp_path: Path) -> None:
    """Same content under other names → same run_key; a removed file → a new one."""
    one, two = tmp_path / "one", tmp_path / "two"
    for inbox in (one, two):
        inbox.mkdir()
    (one / "x.xlsx").write_bytes(b"alpha")
    (one / "y.xlsx").write_bytes(b"beta")
    (two / "renamed-b.xlsx").write_bytes(b"beta")
    (two / "sub").mkdir()
    (two / "sub" / "renamed-a.xlsx").write_bytes(b"alpha")
    shutil.copyfile(two / "renamed-b.xlsx", two / "copy-of-b.xlsx")  # duplicate content
    (r1,), _ = _settle(one)
    (r2,), _ = _settle(two)
    assert r1.run_key == r2.run_key

    (one / "y.xlsx").unlink()
    (r3,), _ = _settle(one, None)
    assert r3.run_key != r1.run_key


def test_missing_inbox_is_skipped(tmp_path: Path) -> None:
    requests, skip, _cursor = _tick(tmp_path / "nowhere", None)
    assert not requests
    assert "不存在" in skip


def test_sensor_reads_the_inbox_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "env_inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"alpha")
    monkeypatch.setenv("XUNCHA_INBOX", str(inbox))
    assert XunchaSettings().inbox_path() == inbox
    monkeypatch.delenv("XUNCHA_INBOX")
    monkeypatch.setenv("XUNCHA_HOME", str(tmp_path))
    (tmp_path / "inbox").mkdir()
    assert XunchaSettings().inbox_path() == tmp_path / "inbox"
