"""A failed stage's line names what failed in Chinese, never a Python class name."""

from __future__ import annotations

import io
import subprocess
import sys

import dagster as dg

from orchestration.progress import StageReporter, progress_logger, set_current
from orchestration.refresh import without_class_name

WHY = "发布失败：无法写入新的发布文件（/tmp）：磁盘空间不足。"


def test_class_name_is_removed_from_a_message() -> None:
    assert without_class_name(f"dagster._core.definitions.events.Failure: {WHY}") == WHY
    assert without_class_name(f"OSError: {WHY}\n详情") == f"{WHY}\n详情"
    assert without_class_name(WHY) == WHY


@dg.asset(name="published_warehouse")
def _failing_publish() -> None:
    raise dg.Failure(description=WHY)


def test_step_failure_line_of_a_real_dagster_run() -> None:
    """A real in-process run whose publish step fails: the progress logger's stage line."""
    out = io.StringIO()
    reporter = StageReporter(out=out, log=io.StringIO(), terminal=False)
    set_current(reporter)
    try:
        job = dg.define_asset_job("failing_job")
        defs = dg.Definitions(
            assets=[_failing_publish], jobs=[job], loggers={"progress": progress_logger}
        )
        result = defs.resolve_job_def("failing_job").execute_in_process(
            raise_on_error=False, run_config={"loggers": {"progress": {}}}
        )
    finally:
        set_current(None)
    assert not result.success
    failed = [line for line in reporter.lines if line.startswith("发布：失败")]
    assert len(failed) == 1, reporter.lines
    assert failed[0].endswith(f"：{WHY}")
    assert "Failure" not in failed[0] and "dagster" not in failed[0]


def test_refresh_module_imports_no_dagster() -> None:
    """The unchanged-inbox path and the shared message helper must not pay for dagster."""
    code = "import sys, orchestration.refresh; print('dagster' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "False"
