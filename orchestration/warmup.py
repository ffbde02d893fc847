"""Speed only: import Great Expectations on the other core while dbt builds.

The quality gate needs Great Expectations right after dbt, and importing it costs
3 s of CPU (5–6 s wall on this shared 2-core machine); during `dbt build` this
process mostly waits for dbt's output. So the refresh job's hook below starts the
import in a thread as soon as the ingest step has succeeded — not earlier: ingest's
fork pool must not fork while another thread imports. Nothing depends on it: the
gate imports Great Expectations itself and reports any error.

Measured 2026-12-02 on the v1 acceptance refresh (`--force`, the two alternated, machine
shared at load 9–12): the quality gate step took 17.3 s and 22.1 s without the warm-up,
6.2 s and 2.9 s with it.
"""

from __future__ import annotations

import os
import sys
import threading

import dagster as dg

AFTER_STEP = "raw_layer"  # the ingest multi-asset (orchestration/assets/ingest.py)


def _import_great_expectations() -> None:
    try:
        import great_expectations  # noqa: F401
        from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: F401
    except Exception:  # noqa: BLE001 - the gate imports it again and reports any error
        pass


def start_great_expectations_import() -> threading.Thread | None:
    """Start the import in a daemon thread, unless it is done already."""
    if "great_expectations" in sys.modules:
        return None
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    thread = threading.Thread(target=_import_great_expectations, name="preload-gx", daemon=True)
    thread.start()
    return thread


@dg.success_hook(name="warm_up_quality_gate")
def warm_up_quality_gate(context: dg.HookContext) -> None:
    """After the ingest step: start importing Great Expectations (see the module)."""
    if context.op.name == AFTER_STEP:
        start_great_expectations_import()
