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
| inbox the sensor watches | the inbox of the last refresh, else `HOME/inbox` | `XUNCHA_INBOX` (`xuncha ui --inbox`) |

Once an operator switches a schedule or the sensor on or off in the UI, Dagster
keeps that choice in its storage; `XUNCHA_AUTOMATION` only sets the initial state.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from home import Home

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


@dataclass(frozen=True, slots=True)
class InboxSetting:
    path: Path
    source: str  # where the path came from, in Chinese, for the UI and the sensor's messages


def configured_inbox(home: Home | None = None) -> InboxSetting:
    """The inbox an unattended refresh reads: XUNCHA_INBOX, else the last refresh's, else HOME/inbox.

    An operator who refreshed `--inbox D:/报送` and then opens the UI expects the sensor
    to watch that folder, not an empty HOME/inbox nobody configured.
    """
    home = home or Home.from_env()
    env = (os.environ.get("XUNCHA_INBOX") or "").strip()
    if env:
        return InboxSetting(Path(env).resolve(), "环境变量 XUNCHA_INBOX")
    last = _last_refresh_inbox(home)
    if last is not None:
        return InboxSetting(last, f"上次刷新所用的收件箱（{home.state_file.name}）")
    return InboxSetting(home.default_inbox, "默认位置（数据目录下的 inbox）")


def _last_refresh_inbox(home: Home) -> Path | None:
    """The inbox recorded by the last refresh of this home, when it was recorded as absolute."""
    try:
        state = json.loads(home.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    inbox = state.get("inbox") if isinstance(state, dict) else None
    if not inbox or not Path(inbox).is_absolute():
        return None
    return Path(inbox)
