"""The inbox sensor: a refresh starts when the inbox has settled on new content.

Each tick scans the inbox (`ingest.inbox.scan_inbox`, which hashes every file)
and compares it with the previous tick, kept in the cursor:

* a file that is new, or whose size or modification time changed since the
  previous tick, may still be being copied: the sensor waits for the next tick;
* once every file is as it was on the previous tick, the inbox is identified by
  the sorted set of content hashes; if that set differs from the one of the
  last run requested, one refresh is requested with `run_key` derived from it,
  so the same inbox never triggers twice (renaming or touching a file does not
  change the hashes, removing a file does).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from ingest.inbox import InboxFile, scan_inbox
from orchestration.resources import XunchaSettings
from orchestration.schedule_config import configured_inbox, schedule_config
from orchestration.schedules import WRITER_TAG, refresh_job


@dataclass
class InboxCursor:
    """What the previous tick saw: path → [size, mtime], and the key of the last run requested."""

    files: dict[str, list] = field(default_factory=dict)
    requested: str | None = None

    @classmethod
    def parse(cls, raw: str | None) -> InboxCursor:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
            return cls(files=dict(data.get("files") or {}), requested=data.get("requested"))
        except (ValueError, AttributeError):
            return cls()

    def dump(self) -> str:
        return json.dumps({"files": self.files, "requested": self.requested}, ensure_ascii=False)


def snapshot(files: list[InboxFile]) -> dict[str, list]:
    return {f.rel_path: [f.size, f.mtime.isoformat()] for f in files}


def inbox_key(files: list[InboxFile]) -> str:
    """Identity of the inbox content: sha256 over the sorted set of file hashes."""
    hashes = sorted({f.sha256 for f in files})
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def evaluate_inbox(
    inbox: Path, cursor: InboxCursor
) -> tuple[dg.RunRequest | dg.SkipReason, InboxCursor]:
    """One tick: the decision and the cursor to store (pure apart from reading the inbox)."""
    if not inbox.is_dir():
        return (
            dg.SkipReason(
                f"收件箱不存在：{inbox}。请设置环境变量 XUNCHA_INBOX，"
                "或用 xuncha ui --inbox 目录 启动界面"
            ),
            InboxCursor(requested=cursor.requested),
        )
    files = scan_inbox(inbox)
    now = snapshot(files)
    nxt = InboxCursor(files=now, requested=cursor.requested)
    if not files:
        return dg.SkipReason(f"收件箱为空：{inbox}"), nxt
    unsettled = sorted(path for path, seen in now.items() if cursor.files.get(path) != seen)
    if unsettled:
        more = f" 等 {len(unsettled)} 个" if len(unsettled) > 1 else ""
        return (
            dg.SkipReason(f"文件新到或仍在写入（{unsettled[0]}{more}），下一轮检查时再刷新"),
            nxt,
        )
    key = inbox_key(files)
    if key == cursor.requested:
        return dg.SkipReason("收件箱内容自上次触发刷新以来没有变化"), nxt
    nxt.requested = key
    request = dg.RunRequest(
        run_key=f"inbox-{key[:32]}",
        tags={
            **WRITER_TAG,
            "xuncha/trigger": "inbox_sensor",
            "xuncha/inbox_files": str(len(files)),
            "xuncha/inbox_key": key[:32],
        },
    )
    return request, nxt


def _build_inbox_sensor() -> dg.SensorDefinition:
    config = schedule_config()
    inbox = configured_inbox()

    @dg.sensor(
        name="inbox_sensor",
        job=refresh_job,
        minimum_interval_seconds=config.inbox_sensor_seconds,
        default_status=(
            dg.DefaultSensorStatus.RUNNING
            if config.automation_running
            else dg.DefaultSensorStatus.STOPPED
        ),
        description=(
            "收件箱有新文件或文件内容变化、且文件已复制完成时，触发一次完整刷新。"
            f"监视的收件箱：{inbox.path}（{inbox.source}）。"
        ),
        metadata={"收件箱": str(inbox.path), "收件箱来源": inbox.source},
    )
    def inbox_sensor(context: dg.SensorEvaluationContext, settings: XunchaSettings):
        inbox = settings.inbox_path()
        decision, cursor = evaluate_inbox(inbox, InboxCursor.parse(context.cursor))
        context.update_cursor(cursor.dump())
        if isinstance(decision, dg.RunRequest):
            context.log.info("收件箱 %s 有新内容：请求刷新 %s", inbox, decision.run_key)
        return decision

    return inbox_sensor


def sensors() -> list[dg.SensorDefinition]:
    return [_build_inbox_sensor()]
