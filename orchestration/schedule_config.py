"""When xuncha runs by itself: the one place for cron strings, time zone and sensor interval.

Defaults are the office's working rhythm; each can be overridden by an
environment variable of the Dagster process (`xuncha ui`, the daemon):

| setting | default | environment variable |
|---|---|---|
| time zone of the cron strings | `Asia/Shanghai` | `XUNCHA_TIMEZONE` |
| daily refresh | `0 2 * * *` (02:00) | `XUNCHA_REFRESH_CRON` |
| monthly report run | `0 8 1 * *` (1st, 08:00) | `XUNCHA_REPORT_CRON` |
| inbox sensor interval (seconds) | `60` | `XUNCHA_INBOX_SENSOR_SECONDS` |
| schedules and sensor on when first loaded | `running` | `XUNCHA_AUTOMATION` (or `stopped`) |

Once an operator switches a schedule or the sensor on or off in the UI, Dagster
keeps that choice in its storage; `XUNCHA_AUTOMATION` only sets the initial state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULTS = {
    "XUNCHA_TIMEZONE": "Asia/Shanghai",
    "XUNCHA_REFRESH_CRON": "0 2 * * *",
    "XUNCHA_REPORT_CRON": "0 8 1 * *",
    "XUNCHA_INBOX_SENSOR_SECONDS": "60",
    "XUNCHA_AUTOMATION": "running",
}


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    timezone: str
    refresh_cron: str
    report_cron: str
    inbox_sensor_seconds: int
    automation_running: bool


def _setting(name: str) -> str:
    return (os.environ.get(name) or "").strip() or DEFAULTS[name]


def schedule_config() -> ScheduleConfig:
    """The effective settings; an invalid override fails loudly when the definitions load."""
    from dagster._utils.schedules import is_valid_cron_string

    config = ScheduleConfig(
        timezone=_setting("XUNCHA_TIMEZONE"),
        refresh_cron=_setting("XUNCHA_REFRESH_CRON"),
        report_cron=_setting("XUNCHA_REPORT_CRON"),
        inbox_sensor_seconds=int(_setting("XUNCHA_INBOX_SENSOR_SECONDS")),
        automation_running=_setting("XUNCHA_AUTOMATION").lower() not in {"stopped", "off", "0"},
    )
    ZoneInfo(config.timezone)  # raises for an unknown zone
    for name, cron in (
        ("XUNCHA_REFRESH_CRON", config.refresh_cron),
        ("XUNCHA_REPORT_CRON", config.report_cron),
    ):
        if not is_valid_cron_string(cron):
            raise ValueError(f"{name}={cron!r} 不是有效的 cron 表达式")
    if config.inbox_sensor_seconds < 5:
        raise ValueError("XUNCHA_INBOX_SENSOR_SECONDS 不能小于 5 秒")
    return config
