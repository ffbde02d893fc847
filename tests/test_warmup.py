"""The Great Expectations warm-up is wired to the refresh job, after the ingest step only."""

from __future__ import annotations

import sys

import dagster as dg

from orchestration.schedules import refresh_job
from orchestration.warmup import AFTER_STEP, warm_up_quality_gate


def test_refresh_job_carries_the_warm_up_hook() -> None:
    assert warm_up_quality_gate in refresh_job.hooks


def test_the_hook_imports_great_expectations_after_ingest_only() -> None:
    import threading

    def started() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "preload-gx"]

    before = started()
    warm_up_quality_gate.decorated_fn(dg.build_hook_context(op=_op("warehouse_models")))
    assert started() == before, "only the ingest step starts the import"
    warm_up_quality_gate.decorated_fn(dg.build_hook_context(op=_op(AFTER_STEP)))
    threads = [t for t in started() if t not in before]
    if "great_expectations" in sys.modules and not threads:
        return  # imported already by another test of this session: nothing to start
    (thread,) = threads
    thread.join(timeout=120)
    assert "great_expectations" in sys.modules


def _op(name: str) -> dg.OpDefinition:
    @dg.op(name=name)
    def step() -> None:
        return None

    return step
