"""Warehouse assets: the dbt project (staging → intermediate → marts) and its tests."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import XunchaSettings

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="work")


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def prepare_manifest(force: bool = False) -> Path:
    """Build `target/manifest.json` with `dbt parse` when missing or older than the project.

    dagster-dbt only prepares it under `dagster dev`; the refresh, the tests and
    the UI all call this first.
    """
    project = dbt_project()
    manifest = Path(project.manifest_path)
    newest = max(
        p.stat().st_mtime
        for p in DBT_PROJECT_DIR.rglob("*")
        if p.is_file() and "target" not in p.parts and "logs" not in p.parts
    )
    if not force and manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    env = dict(os.environ)
    env.setdefault("XUNCHA_WAREHOUSE", str(Path(tempfile.gettempdir()) / "xuncha-parse.duckdb"))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--quiet",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


class XunchaTranslator(DagsterDbtTranslator):
    """dbt sources are the raw layer's assets (`raw/<table>`); models keep their name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


def dbt_vars(settings: XunchaSettings) -> str:
    return json.dumps({"as_of": settings.as_of_date().isoformat()})


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
        context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: XunchaSettings
    ) -> Iterator[Any]:
        os.environ["XUNCHA_WAREHOUSE"] = str(settings.home_paths().warehouse)
        invocation = dbt.cli(
            ["build", "--vars", dbt_vars(settings)], context=context, raise_on_error=False
        )
        yield from invocation.stream()
        run_results = invocation.get_artifact("run_results.json")
        target = settings.home_paths().root / "dbt_run_results.json"
        target.write_text(json.dumps(run_results, ensure_ascii=False), encoding="utf-8")

    return warehouse_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
    )
