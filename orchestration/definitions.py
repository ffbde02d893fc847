"""The one Dagster `Definitions` of xuncha, assembled from one module per concern.

Building it parses the dbt project (when the manifest is stale), so it sits
behind `@cache`: importing this module stays cheap, and `dagster dev`, the
command line and the tests share one code path.
"""

from __future__ import annotations

from functools import cache

import dagster as dg

from orchestration.assets.feedback import submitter_feedback
from orchestration.assets.ingest import raw_layer
from orchestration.assets.publish import published_warehouse
from orchestration.assets.quality import quality_gate
from orchestration.assets.reports import leader_reports
from orchestration.assets.warehouse import build_warehouse_assets, dbt_resource
from orchestration.resources import WriterLock, XunchaSettings
from orchestration.schedules import jobs, schedules
from orchestration.sensors import sensors


def all_assets() -> list[dg.AssetsDefinition]:
    """Every asset, one per stage; a module that fails to import fails the definitions
    (and tests/test_definitions_snapshot.py) instead of dropping its asset."""
    return [
        raw_layer,
        build_warehouse_assets(),
        quality_gate,
        published_warehouse,
        submitter_feedback,
        leader_reports,
    ]


def resources(settings: XunchaSettings | None = None) -> dict[str, object]:
    settings = settings or XunchaSettings()
    return {
        "settings": settings,
        "dbt": dbt_resource(settings.home_paths()),
        "writer": WriterLock(home=settings.home),
    }


@cache
def build_definitions() -> dg.Definitions:
    # In-process: the writer lock (a resource) is then held once for the whole run,
    # not taken and dropped around each step (orchestration/resources.py).
    return dg.Definitions(
        assets=all_assets(),
        resources=resources(),
        executor=dg.in_process_executor,
        jobs=jobs(),
        schedules=schedules(),
        sensors=sensors(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
