"""Warehouse assets: the dbt project (staging → intermediate → marts) and its tests.

Built with dagster-dbt's public API: `@dbt_assets` over the shared parse manifest
(orchestration/dbt_manifest.py says why xuncha prepares it itself), a translator that
maps dbt sources onto the raw layer's assets, and a `DbtCliResource` whose executable is
the launcher of orchestration/dbt_launcher.py (so dbt dies with a killed refresh). The
one exception is `XunchaDbtCliResource`, which declines dagster-dbt's in-process dbt
adapter (see there). The run's values — the home's warehouse file and the as-of date — go to dbt
as `--vars` (profiles.yml reads `warehouse`); each invocation writes its artifacts under
its own home (orchestration/dbt_targets.py). dbt tests are not mapped to Dagster asset
checks: the quality gate reads every test from `run_results.json` itself
(`orchestration/assets/quality.py`), and 176 check events cost ~10 s of event log
writes per refresh.

Great Expectations is no longer imported in a thread while dbt builds: that import
raced the step's own imports (a refresh failed with "partially initialized module
'sqlalchemy.orm.exc'"); the quality gate imports it when it runs (~3 s of CPU; measured
2026-12-02, v1 acceptance, load 9–12: gate step 17.3 s / 22.1 s without the warm-up,
6.2 s / 2.9 s with it).
"""

import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from home import Home
from orchestration.dbt_launcher import dbt_child_executable
from orchestration.dbt_manifest import DBT_PROJECT_DIR, dbt_project, prepare_manifest
from orchestration.dbt_targets import keep_parse_state, new_target_path, prune_targets
from orchestration.resources import WriterLock, XunchaSettings

__all__ = [
    "XunchaDbtCliResource",
    "build_warehouse_assets",
    "dbt_project",
    "dbt_resource",
    "dbt_vars",
]


class XunchaTranslator(DagsterDbtTranslator):
    """dbt sources are the raw layer's assets (`raw/<table>`); models keep their name."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


def dbt_vars(settings: XunchaSettings) -> str:
    """The run's values for dbt: the as-of date (models) and the warehouse (profile)."""
    home = settings.home_paths()
    return json.dumps(
        {"as_of": settings.as_of_date().isoformat(), "warehouse": str(home.warehouse)}
    )


def build_warehouse_assets() -> dg.AssetsDefinition:
    project = dbt_project()
    prepare_manifest()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=XunchaTranslator(),
        name="warehouse_models",
    )
    def warehouse_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        settings: XunchaSettings,
        writer: WriterLock,
    ) -> Iterator[Any]:
        del writer  # held for the whole run (orchestration/resources.py)
        home = settings.home_paths()
        target = new_target_path(home, context.run.run_id)
        invocation = dbt.cli(
            # dbt.log at its default (debug) level logs every statement: ~1–2 CPU-s of
            # 20; warnings and errors are kept, and every node's outcome is in the
            # event stream and run_results.json. No colour codes: the output goes to
            # the refresh's log file and Dagster's compute logs.
            # dbt unit tests check the models' SQL on fixed rows, not this refresh's data:
            # they run in the test suite (tests/test_dbt_unit_tests.py), not in every
            # refresh (12 unit tests, ~2 CPU-s of a build). Data tests still run here.
            [
                "build",
                *("--exclude-resource-type", "unit_test"),
                *("--vars", dbt_vars(settings)),
                *("--log-level-file", "warn", "--no-use-colors"),
            ],
            context=context,
            raise_on_error=False,
            target_path=target,
        )
        # Test results become observations here (checks are off); the quality gate
        # reads them from run_results.json, so only the models' outputs are kept.
        for event in invocation.stream():
            if not isinstance(event, dg.AssetObservation):
                yield event
        run_results = invocation.get_artifact("run_results.json")
        out = home.root / "dbt_run_results.json"
        out.write_text(json.dumps(run_results, ensure_ascii=False), encoding="utf-8")
        if (target / "manifest.json").exists():
            shutil.copyfile(target / "manifest.json", home.root / "dbt_manifest.json")
        keep_parse_state(home, target)
        prune_targets(home)

    return warehouse_models


class XunchaDbtCliResource(DbtCliResource):
    """`DbtCliResource` without the dbt adapter it opens in the refresh's own process.

    Before every `dbt build` dagster-dbt loads dbt's profile and project and registers a
    DuckDB adapter in the calling process (`_initialize_dbt_core_adapter`), only for
    `fetch_column_metadata` / `fetch_row_counts`, which xuncha never calls (the build runs
    in its own dbt process). That handle cost ~1.35 CPU-s and ~70 MB of the refresh
    process per build (measured 2026-12-02). dagster-dbt treats a missing handle as
    "no metadata fetching"; `tests/test_dbt_resource.py` fails if the method it overrides
    is renamed by an upgrade.
    """

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        del args
        return None


def dbt_resource(home: Home) -> DbtCliResource:
    return XunchaDbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_child_executable(home),
    )
