"""`xuncha refresh`: materialise the whole asset graph in-process through Dagster.

When nothing that decides the result changed since the last publication
(orchestration/fingerprint.py), the refresh stops before Dagster, dbt or Great
Expectations are even imported and the published version stays as it is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from home import Home
from orchestration import fingerprint

if TYPE_CHECKING:
    import dagster as dg

REPO_DAGSTER_YAML = Path(__file__).resolve().parents[1] / "dagster.yaml"
KEEP_LOGS = 10
# "dagster._core.definitions.events.Failure: 发布失败：…" → "发布失败：…": the class is not for a user
_PY_CLASS = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?\w*(?:Error|Failure|Exception): ")


def without_class_name(message: str) -> str:
    """A failed step's message as a user reads it: no leading Python class name.

    Shared by the refresh's error list and the stage line (orchestration/progress.py);
    this module imports no dagster at import time, so the progress logger can use it.
    """
    return _PY_CLASS.sub("", message.strip())


@dataclass
class RefreshOutcome:
    published: bool
    as_of: str
    inbox: str
    home: str
    run_id: str
    finished_at: str
    ingest: dict = field(default_factory=dict)
    blocking_failures: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # True when nothing changed since the last publication and nothing was recomputed;
    # the other fields then describe that publication.
    unchanged: bool = False
    counts: dict = field(default_factory=dict)  # orchestration.status.Counts of this refresh
    outputs: dict = field(default_factory=dict)  # reports / feedback files written
    log_file: str = ""  # HOME/logs/refresh-….log: dbt's and Dagster's output
    stage_lines: list[str] = field(default_factory=list)


def use_instance_home(home: Home) -> dg.DagsterInstance:
    """Dagster's storage lives under XUNCHA_HOME, configured by the repo's dagster.yaml.

    The instance is process configuration, not a run value: dagster.yaml reads its
    storage folder from DAGSTER_HOME. A refresh's own values (home, inbox, as-of)
    travel as the `settings` resource of its run."""
    home.ensure()
    target = home.dagster / "dagster.yaml"
    if REPO_DAGSTER_YAML.exists() and (
        not target.exists() or target.read_bytes() != REPO_DAGSTER_YAML.read_bytes()
    ):
        shutil.copyfile(REPO_DAGSTER_YAML, target)
    os.environ["DAGSTER_HOME"] = str(home.dagster)
    import dagster as dg

    return dg.DagsterInstance.get()


def _fingerprint(inbox: Path, as_of: date) -> fingerprint.Fingerprint | None:
    try:
        return fingerprint.compute(inbox, as_of.isoformat())
    except OSError:
        return None  # an unreadable file: let the refresh run and report it


def unchanged_outcome(home: Home, current: fingerprint.Fingerprint | None) -> RefreshOutcome | None:
    """The last publication's outcome, marked unchanged, if `current` is what it was made from."""
    if current is None:
        return None
    state = fingerprint.unchanged_since_publication(home, current)
    if state is None:
        return None
    known = {f.name for f in fields(RefreshOutcome)}
    outcome = RefreshOutcome(**{k: v for k, v in state.items() if k in known})
    outcome.unchanged = True
    return outcome


def run_refresh(
    inbox: Path,
    home: Home,
    as_of: date | None = None,
    *,
    log_level: str = "INFO",
    force: bool = False,
    wait: float | None = None,
    command: str = "xuncha refresh",
) -> RefreshOutcome:
    """One refresh, holding the home's writer lock throughout (orchestration/lock.py).

    Raises lock.WriterBusy when another writer kept the home longer than `wait`
    seconds, and secrets.KeyUnavailable when the configured key cannot be read.
    """
    from orchestration.lock import writer_lock

    with writer_lock(home.root, command, wait):
        as_of = as_of or date.today()
        current = _fingerprint(inbox, as_of)
        if not force and (outcome := unchanged_outcome(home, current)) is not None:
            return outcome
        home.ensure()
        ensure_key(home)
        fingerprint.forget(home)  # until this refresh has published, nothing is vouched for
        return _materialize(inbox, home, as_of, log_level, current)


def ensure_key(home: Home) -> None:
    """Resolve the encryption key before any work; say so when a new one was created."""
    from ingest.secrets import resolve_key

    key = resolve_key(home.root, create=True)
    if key.created:
        print(
            f"未配置密钥（XUNCHA_KEY / XUNCHA_KEY_FILE），已为数据目录生成新密钥：{key.source}"
            "（权限 0600，在数据目录之外）。受限库与解析缓存用它加密；请妥善备份该文件，"
            "丢失后重新刷新即可重建受限库。",
            file=sys.stderr,
        )


def _materialize(
    inbox: Path,
    home: Home,
    as_of: date,
    log_level: str,
    current: fingerprint.Fingerprint | None,
) -> RefreshOutcome:
    """Run the named `refresh_job` in-process, one line per stage; details to the log file."""
    import duckdb

    from orchestration.assets.ingest import RAW_LAYER
    from orchestration.assets.publish import PUBLISHED
    from orchestration.progress import StageReporter, set_current
    from orchestration.resources import XunchaSettings

    settings = XunchaSettings(
        home=str(home.root), inbox=str(inbox.resolve()), as_of=as_of.isoformat()
    )
    instance = use_instance_home(home)
    started = datetime.now().replace(microsecond=0)
    log_path = new_log_path(home, started)
    out = sys.stdout
    with log_path.open("w", encoding="utf-8") as log:
        reporter = StageReporter(out=out, log=log, terminal=_is_terminal(out), level=log_level)
        set_current(reporter)
        try:
            result = _execute_refresh_job(settings, instance, log)
        finally:
            set_current(None)
    outcome = RefreshOutcome(
        published=False,
        as_of=as_of.isoformat(),
        inbox=str(inbox.resolve()),
        home=str(home.root),
        run_id=result.run_id,
        finished_at=datetime.now().replace(microsecond=0).isoformat(),
        log_file=str(log_path),
        stage_lines=list(reporter.lines),
    )
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization  # type: ignore[union-attr]
            if mat.asset_key == RAW_LAYER:
                outcome.ingest = {k: v.value for k, v in mat.metadata.items()}
            if mat.asset_key == PUBLISHED:
                outcome.published = True
        if event.is_failure and event.event_type_value == "STEP_FAILURE":
            data = event.event_specific_data
            err = getattr(data, "error", None)
            message = without_class_name(getattr(err, "message", str(err)))
            outcome.errors.append(f"{event.step_key}: {message}")
    try:
        outcome.blocking_failures, outcome.warnings = _gate_findings(home, started)
    except duckdb.Error as exc:
        outcome.errors.append(f"无法读取质量检查结果：{exc}")
    outcome.counts = _counts(home)
    outcome.outputs = _outputs(home, started)
    if not outcome.published and not outcome.blocking_failures and not outcome.errors:
        outcome.errors.append("发布步骤未运行（上游失败或被跳过）")
    home.state_file.write_text(
        json.dumps(asdict(outcome), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    if outcome.published and not outcome.errors and current is not None:
        fingerprint.remember(home, current, outcome.run_id)
    return outcome


def _is_terminal(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def new_log_path(home: Home, started: datetime, keep: int = KEEP_LOGS) -> Path:
    """HOME/logs/refresh-<time>.log for this refresh; the oldest beyond `keep` are removed."""
    logs = home.root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs.glob("refresh-*.log"))[: -(keep - 1) or None]:
        old.unlink(missing_ok=True)
    return logs / f"refresh-{started:%Y%m%d-%H%M%S}.log"


def _execute_refresh_job(settings, instance, log):  # type: ignore[no-untyped-def]
    """The named `refresh_job` (as the schedule and the sensor run it), output to `log`.

    dbt's output (which dagster-dbt writes to stdout) and anything else printed
    during the run go to the log file; the stage lines go to the real stdout,
    which the reporter holds. dbt writes no colour codes (orchestration/assets/warehouse.py).
    """
    import contextlib
    import gc

    import dagster as dg

    from orchestration.definitions import all_assets, resources
    from orchestration.progress import progress_logger
    from orchestration.schedules import WRITER_TAG, refresh_job

    defs = dg.Definitions(
        assets=all_assets(),
        resources=resources(settings),
        jobs=[refresh_job],
        loggers={"progress": progress_logger},
    )
    job = defs.resolve_job_def(refresh_job.name)
    if not gc.isenabled():
        # `xuncha refresh` imported Dagster, dbt and the definitions without collecting
        # (cli.cmd_refresh): they live as long as the process, so they go to the
        # permanent generation, out of every later full pass, and collection resumes.
        # Before, 9 full passes walked them again and again (6.6 s of a 141 s run on
        # the v1 acceptance inbox at load 7, 6 of them before the first stage).
        # An in-process caller that left collection on is left as it is.
        gc.freeze()
        gc.enable()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        return job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={**WRITER_TAG, "xuncha/trigger": "cli"},
            run_config={"loggers": {"progress": {}}},
        )


def _counts(home: Home) -> dict:
    """The file and row counts `xuncha status` shows (orchestration.status.Counts)."""
    from orchestration.status import read_work, snapshot_counts

    work = read_work(home.warehouse)
    if work.snapshot is None:
        return {}
    return asdict(snapshot_counts(work.snapshot, work.effective_status))


def _outputs(home: Home, since: datetime) -> dict[str, list[str]]:
    """Report and feedback files this refresh wrote (modified since it started)."""
    cutoff = since.timestamp() - 1
    found: dict[str, list[str]] = {}
    for name, folder in (("reports", home.reports), ("feedback", home.feedback)):
        found[name] = sorted(
            str(p)
            for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.stat().st_mtime >= cutoff
        )
    return found


def _gate_findings(home: Home, since: datetime) -> tuple[list[dict], list[dict]]:
    """Non-passing checks recorded by this refresh's quality gate (older rows are stale)."""
    import duckdb

    if not home.warehouse.exists():
        return [], []
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        has = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dq_results'"
        ).fetchall()[0][0]
        if not has:
            return [], []
        rows = con.execute(
            "SELECT rule, rule_level, check_name, status, failing_count, examples FROM dq_results "
            "WHERE status <> 'pass' AND checked_at >= ? ORDER BY rule, check_name",
            [since],
        ).fetchall()
    finally:
        con.close()
    keys = ("rule", "level", "check", "status", "failing_count", "examples")
    findings = [dict(zip(keys, r, strict=True)) for r in rows]
    blocking = [f for f in findings if f["level"] == "blocking" and f["status"] == "fail"]
    warnings = [f for f in findings if f not in blocking]
    return blocking, warnings


__all__ = ["RefreshOutcome", "run_refresh", "unchanged_outcome", "without_class_name"]
