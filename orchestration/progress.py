"""A refresh the operator can watch: one line per stage, the details in a log file.

The refresh runs the named `refresh_job` in-process with one Dagster logger,
`progress`, which receives every log record and every Dagster event of the run.
Each record goes to the home's log file (`HOME/logs/refresh-….log`, with
dbt's own output, which `orchestration.refresh` redirects there); each finished
step becomes one Chinese line on the terminal with its counts and elapsed time.
On a terminal a running stage shows "进行中…" and parsing a progress bar, both
drawn with a carriage return only; elsewhere (a pipe, a file, cron) only the
finished lines are written, never an escape code.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

import dagster as dg

from orchestration.refresh import without_class_name
from reports.sheet import display_width  # columns a terminal gives text (CJK: two)

STAGES = {
    "raw_layer": "解析入库",
    "warehouse_models": "构建仓库（dbt）",
    "quality_gate": "质量检查",
    "submitter_feedback": "退回修改清单",
    "published_warehouse": "发布",
    "leader_reports": "领导报表",
}
BAR_WIDTH = 24


@dataclass
class StageReporter:
    """Prints the stage lines of one refresh and writes every record to its log file."""

    out: TextIO
    log: TextIO
    terminal: bool
    level: str = "INFO"  # records below it are not written to the log file
    started: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    lines: list[str] = field(default_factory=list)
    _transient: int = 0  # display width of the unfinished line on the terminal

    # -- terminal -------------------------------------------------------------
    def _draw(self, text: str) -> None:
        """An unfinished line (terminal only): overwritten by the next draw or line."""
        if not self.terminal:
            return
        pad = max(0, self._transient - display_width(text))
        self.out.write("\r" + text + " " * pad)
        self.out.flush()
        self._transient = display_width(text)

    def line(self, text: str) -> None:
        """A finished line, kept (the tests and the summary read them)."""
        if self.terminal and self._transient:
            self.out.write("\r" + " " * self._transient + "\r")
            self._transient = 0
        self.out.write(text + "\n")
        self.out.flush()
        self.lines.append(text)

    def parse_progress(self, done: int, total: int) -> None:
        """Parsing's progress bar (ingest.pipeline.parse_all calls it per file read)."""
        if not self.terminal or total <= 0:
            return
        filled = round(BAR_WIDTH * done / total)
        self._draw(f"解析入库：[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} 个文件")

    # -- Dagster --------------------------------------------------------------
    def on_record(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.getLevelName(self.level.upper()):
            stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
            self.log.write(f"{stamp} {record.levelname} {record.getMessage()}\n")
            self.log.flush()
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is not None:
            self.on_event(event)

    def on_event(self, event: dg.DagsterEvent) -> None:
        step = event.step_key or ""
        label = STAGES.get(step)
        if label is None:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
            self._draw(f"{label}：进行中…")
        elif kind == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization  # type: ignore[union-attr]
            self.metadata[step].append({k: getattr(v, "value", v) for k, v in mat.metadata.items()})
        elif kind == "STEP_SUCCESS":
            self.line(
                f"{label}：{stage_counts(step, self.metadata[step])}（{self._elapsed(step)}）"
            )
        elif kind == "STEP_FAILURE":
            err = getattr(event.event_specific_data, "error", None)
            first = without_class_name(getattr(err, "message", "") or "").splitlines()
            why = f"：{first[0][:200]}" if first else ""
            self.line(f"{label}：失败（{self._elapsed(step)}）{why}")
        elif kind == "STEP_SKIPPED":
            self.line(f"{label}：未运行（前一步未通过）")

    def _elapsed(self, step: str) -> str:
        begun = self.started.get(step)
        return f"用时 {time.monotonic() - begun:.1f} 秒" if begun is not None else "用时未知"


def stage_counts(step: str, metadata: list[dict[str, Any]]) -> str:
    """What a finished stage produced, from its materialisations' metadata."""
    first = next((m for m in metadata if m), {})
    if step == "raw_layer":
        files = sum(
            int(first.get(k, 0) or 0)
            for k in ("files_loaded", "files_rejected", "files_unchanged", "files_superseded")
        )
        return (
            f"文件 {files} 个（本次新读取 {first.get('files_parsed', 0)} 个），"
            f"行载入 {first.get('rows_loaded', 0)}，入库阶段隔离 {first.get('rows_quarantined', 0)}"
        )
    if step == "warehouse_models":
        return f"模型 {len(metadata)} 个"
    if step == "quality_gate":
        return (
            f"检查 {first.get('checks_run', 0)} 项，阻断未通过：{first.get('blocking_failed', '无')}，"
            f"提示：{first.get('warnings', '无')}"
        )
    if step == "submitter_feedback":
        return (
            f"工作簿 {first.get('workbooks', 0)} 个（拒收文件 {first.get('rejected_files', 0)}，"
            f"隔离行 {first.get('quarantined_rows', 0)}）"
        )
    if step == "published_warehouse":
        return f"表 {first.get('tables', 0)} 张，数据截至 {first.get('published_as_of', '?')}"
    if step == "leader_reports":
        return f"文件 {len(first.get('paths') or [])} 个"
    return "完成"


_CURRENT: StageReporter | None = None


def set_current(reporter: StageReporter | None) -> None:
    """The reporter of the refresh running in this process (None: nobody watches)."""
    global _CURRENT
    _CURRENT = reporter


def parse_progress_callback() -> Callable[[int, int], None] | None:
    """What ingest calls per parsed file: the watching refresh's bar, or nothing."""
    return _CURRENT.parse_progress if _CURRENT is not None else None


class _ReporterHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if _CURRENT is not None:
            _CURRENT.on_record(record)


@dg.logger(description="xuncha 刷新进度：每个阶段一行（命令行），全部记录写入数据目录下的日志文件")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    del init_context
    logger = logging.Logger("xuncha_progress", level=logging.DEBUG)
    logger.addHandler(_ReporterHandler())
    return logger
