"""Warehouse assets: the dbt project (staging → intermediate → marts) and its tests.

The asset definitions are built from one shared parse manifest
(`dbt_project/target/manifest.json`, written atomically by `prepare_manifest`).
Each refresh's `dbt build` writes its artifacts under its own home
(`HOME/dbt/target/<run>-<id>/`, the newest few kept), so refreshes of different
homes never share a target folder. dbt tests are not mapped to Dagster asset
checks: the quality gate reads every test from `run_results.json` itself
(`orchestration/assets/quality.py`), and 176 check events cost ~10 s of event
log writes per refresh.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from home import Home
from orchestration.resources import WriterLock, XunchaSettings

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
SHARED_TARGET = DBT_PROJECT_DIR / "target"
PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_TARGETS = 3  # per-invocation target folders kept per home (the newest)
LEGACY_TARGET_MAX_AGE_S = 3600  # old shared `target/warehouse_models-*` folders
PARENT_PID_ENV = "XUNCHA_DBT_PARENT_PID"


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="work")


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


# --- dbt dies with its parent ----------------------------------------------------------------

_CHILD_WRAPPER = """#!{python} -S
# Written by xuncha (orchestration/assets/warehouse.py): run dbt so that it is killed
# when the refresh that started it dies, even by SIGKILL (prctl PR_SET_PDEATHSIG).
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
parent = os.environ.get("{env}")
if parent and os.getppid() != int(parent):
    sys.exit("xuncha: the refresh that started dbt is gone")
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


def dbt_child_executable(home: Home | None = None) -> str:
    """A launcher that makes dbt die with the refresh (Linux); plain dbt elsewhere.

    dagster-dbt starts dbt with `subprocess.Popen` and offers no `preexec_fn`, so the
    executable it is given sets PR_SET_PDEATHSIG and then execs the real dbt (the
    setting survives exec). The death signal follows the thread that started the
    child: dbt is started from the step's own thread, which waits for it to finish.
    """
    real = dbt_executable()
    if not sys.platform.startswith("linux"):
        return real
    home = home or Home.from_env()
    try:
        return str(write_launcher(home.root / "dbt" / "bin" / "dbt", real))
    except OSError:
        return real


def write_launcher(launcher: Path, real: str) -> Path:
    """Write (when different) the launcher script that runs `real` as described above."""
    text = _CHILD_WRAPPER.format(python=sys.executable, env=PARENT_PID_ENV, dbt=real)
    if not launcher.exists() or launcher.read_text(encoding="utf-8") != text:
        launcher.parent.mkdir(parents=True, exist_ok=True)
        tmp = launcher.with_name(f".{launcher.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        os.replace(tmp, launcher)
    return launcher


def die_with_parent() -> None:
    """`preexec_fn` for the dbt processes xuncha starts itself (Linux only)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)


def _dbt_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra)
    return env


# --- the shared parse manifest ----------------------------------------------------------------


def _project_mtime() -> float:
    """Newest mtime of the project's own files (target/ and logs/ are not descended into)."""
    newest = 0.0
    for dirpath, dirnames, filenames in os.walk(DBT_PROJECT_DIR):
        dirnames[:] = [d for d in dirnames if d not in {"target", "logs", "dbt_packages"}]
        for name in filenames:
            newest = max(newest, os.stat(os.path.join(dirpath, name)).st_mtime)
    return newest


def prepare_manifest(force: bool = False) -> Path:
    """Build `target/manifest.json` with `dbt parse` when missing or older than the project.

    dagster-dbt only prepares it under `dagster dev`; the refresh, the tests and
    the UI all call this first. dbt parses into a private folder and the manifest
    (and partial-parse state) are renamed into place, so a concurrent refresh
    never reads half a manifest.
    """
    project = dbt_project()
    manifest = Path(project.manifest_path)
    if not force and manifest.exists() and manifest.stat().st_mtime >= _project_mtime():
        return manifest
    SHARED_TARGET.mkdir(parents=True, exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix=".parse-", dir=SHARED_TARGET))
    try:
        if (SHARED_TARGET / PARTIAL_PARSE).exists():
            shutil.copyfile(SHARED_TARGET / PARTIAL_PARSE, private / PARTIAL_PARSE)
        result = subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(private),
                "--log-path",
                str(private),
                "--quiet",
            ],
            env=_dbt_env(
                XUNCHA_WAREHOUSE=os.environ.get("XUNCHA_WAREHOUSE")
                or str(Path(tempfile.gettempdir()) / "xuncha-parse.duckdb")
            ),
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        if (private / PARTIAL_PARSE).exists():
            os.replace(private / PARTIAL_PARSE, SHARED_TARGET / PARTIAL_PARSE)
        os.replace(private / "manifest.json", manifest)  # last: its mtime marks freshness
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return manifest


# --- per-home target folders -------------------------------------------------------------------


def new_target_path(home: Home, run_id: str) -> Path:
    """A fresh target folder for one dbt invocation, seeded with this home's parse state.

    dbt reuses `partial_parse.msgpack` only when vars (as_of) and the profile (the
    warehouse path) match the parse that wrote it, so the state of the last build
    in this home is the useful one; dbt checks it and parses in full when stale.
    """
    target = home.dbt_target / f"{run_id[:8]}-{uuid.uuid4().hex[:7]}"
    target.mkdir(parents=True, exist_ok=True)
    own = home.root / "dbt" / PARTIAL_PARSE
    if own.exists():
        shutil.copyfile(own, target / PARTIAL_PARSE)
    return target


def keep_parse_state(home: Home, target: Path) -> None:
    state = target / PARTIAL_PARSE
    if state.exists():
        tmp = home.root / "dbt" / f".{PARTIAL_PARSE}.{os.getpid()}.tmp"
        shutil.copyfile(state, tmp)
        os.replace(tmp, home.root / "dbt" / PARTIAL_PARSE)


def prune_targets(home: Home, keep: int = KEEP_TARGETS) -> list[Path]:
    """Remove all but the newest `keep` invocation folders of this home, and the
    shared `dbt_project/target/warehouse_models-*` folders older versions left behind."""
    removed: list[Path] = []
    if home.dbt_target.is_dir():
        folders = sorted(
            (p for p in home.dbt_target.iterdir() if p.is_dir()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        removed += folders[keep:]
    cutoff = time.time() - LEGACY_TARGET_MAX_AGE_S
    if SHARED_TARGET.is_dir():
        removed += [
            p
            for p in SHARED_TARGET.glob("warehouse_models-*")
            if p.is_dir() and p.stat().st_mtime < cutoff
        ]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


# --- assets ----------------------------------------------------------------------------------------


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
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        settings: XunchaSettings,
        writer: WriterLock,
    ) -> Iterator[Any]:
        del writer  # held for the whole run (orchestration/resources.py)
        home = settings.home_paths()
        os.environ["XUNCHA_WAREHOUSE"] = str(home.warehouse)
        os.environ[PARENT_PID_ENV] = str(os.getpid())
        target = new_target_path(home, context.run.run_id)
        preload_quality_gate()
        invocation = dbt.cli(
            # dbt.log at its default (debug) level logs every statement: ~1–2 CPU-s of
            # 20; warnings and errors are kept, and every node's outcome is in the
            # event stream and run_results.json.
            ["build", "--vars", dbt_vars(settings), "--log-level-file", "warn"],
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


def _import_great_expectations() -> None:
    try:
        import great_expectations  # noqa: F401
        from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: F401
    except Exception:  # noqa: BLE001 - the gate imports it again and reports any error
        pass


def preload_quality_gate() -> threading.Thread | None:
    """Import Great Expectations (4–8 s) on the other core while dbt builds.

    The quality gate needs it right after dbt; dbt runs in its own process and this
    process mostly waits for its output meanwhile. Started after ingest (whose
    fork pool must not fork while another thread imports).
    """
    if "great_expectations" in sys.modules:
        return None
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    thread = threading.Thread(target=_import_great_expectations, name="preload-gx", daemon=True)
    thread.start()
    return thread


class XunchaDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs xuncha does not use.

    `_cli_version` runs `dbt --version` in a subprocess (~2 s) — the installed
    dbt-core is the one we run. `_initialize_dbt_core_adapter` loads a dbt adapter
    and all macros in this process (~3 s) only to fetch row counts and column
    metadata, which the warehouse assets do not ask for.
    """

    @cached_property
    def _cli_version(self):  # type: ignore[no-untyped-def]
        from importlib import metadata

        from packaging import version

        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # type: ignore[no-untyped-def]
        return None


def dbt_resource(home: Home | None = None) -> DbtCliResource:
    return XunchaDbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_child_executable(home),
    )
