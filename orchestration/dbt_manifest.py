"""The dbt project and its shared parse manifest, rebuilt when the project changed.

dagster-dbt builds the warehouse assets from `dbt_project/target/manifest.json`, but
prepares it only under `dagster dev` (`DbtProject.prepare_if_dev`); `xuncha refresh`,
`xuncha ui`, the tests and the daemon's run workers all load the definitions without
it. So every loader calls `prepare_manifest()` first: `dbt parse` runs only when the
manifest is missing or older than a file of the project, into a private folder whose
manifest (and partial-parse state) is then renamed into place, so a refresh running
at the same time never reads half a manifest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.dbt_launcher import dbt_executable, die_with_parent

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
SHARED_TARGET = DBT_PROJECT_DIR / "target"
PARTIAL_PARSE = "partial_parse.msgpack"


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="work")


def _project_mtime() -> float:
    """Newest mtime of the project's own files (target/ and logs/ are not descended into)."""
    newest = 0.0
    for dirpath, dirnames, filenames in os.walk(DBT_PROJECT_DIR):
        dirnames[:] = [d for d in dirnames if d not in {"target", "logs", "dbt_packages"}]
        for name in filenames:
            newest = max(newest, os.stat(os.path.join(dirpath, name)).st_mtime)
    return newest


def prepare_manifest(force: bool = False) -> Path:
    """`target/manifest.json`, parsed again when missing or older than the project."""
    manifest = Path(dbt_project().manifest_path)
    if not force and manifest.exists() and manifest.stat().st_mtime >= _project_mtime():
        return manifest
    SHARED_TARGET.mkdir(parents=True, exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix=".parse-", dir=SHARED_TARGET))
    try:
        if (SHARED_TARGET / PARTIAL_PARSE).exists():
            shutil.copyfile(SHARED_TARGET / PARTIAL_PARSE, private / PARTIAL_PARSE)
        _parse_into(private)
        if (private / PARTIAL_PARSE).exists():
            os.replace(private / PARTIAL_PARSE, SHARED_TARGET / PARTIAL_PARSE)
        os.replace(private / "manifest.json", manifest)  # last: its mtime marks freshness
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return manifest


def _parse_into(target: Path) -> None:
    """`dbt parse` into `target`; parsing opens no warehouse, so the profile (its
    `warehouse` var, profiles.yml) is pointed at a scratch file."""
    scratch = str(Path(tempfile.gettempdir()) / "xuncha-parse.duckdb")
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            *("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)),
            *("--target-path", str(target), "--log-path", str(target), "--quiet"),
            *("--vars", json.dumps({"warehouse": scratch})),
        ],
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
