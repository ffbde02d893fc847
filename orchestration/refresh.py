"""`xuncha refresh`: materialise the whole asset graph in-process through Dagster."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.assets.ingest import RAW_LAYER
from orchestration.assets.publish import PUBLISHED
from orchestration.definitions import all_assets, resources
from orchestration.home import Home
from orchestration.resources import XunchaSettings

REPO_DAGSTER_YAML = Path(__file__).resolve().parents[1] / "dagster.yaml"


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


def use_instance_home(home: Home) -> dg.DagsterInstance:
    """Dagster's storage lives under XUNCHA_HOME, configured by the repo's dagster.yaml."""
    home.ensure()
    target = home.dagster / "dagster.yaml"
    if REPO_DAGSTER_YAML.exists() and (
        not target.exists() or target.read_bytes() != REPO_DAGSTER_YAML.read_bytes()
    ):
        shutil.copyfile(REPO_DAGSTER_YAML, target)
    os.environ["DAGSTER_HOME"] = str(home.dagster)
    os.environ["XUNCHA_HOME"] = str(home.root)
    return dg.DagsterInstance.get()


def run_refresh(
    inbox: Path, home: Home, as_of: date | None = None, *, log_level: str = "WARNING"
) -> RefreshOutcome:
    as_of = as_of or date.today()
    settings = XunchaSettings(
        home=str(home.root), inbox=str(inbox.resolve()), as_of=as_of.isoformat()
    )
    instance = use_instance_home(home)
    started = datetime.now().replace(microsecond=0)
    result = dg.materialize(
        all_assets(),
        instance=instance,
        resources=resources(settings),
        raise_on_error=False,
        tags={"xuncha/trigger": "cli", "xuncha/writer": "1"},
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    outcome = RefreshOutcome(
        published=False,
        as_of=as_of.isoformat(),
        inbox=str(inbox),
        home=str(home.root),
        run_id=result.run_id,
        finished_at=datetime.now().replace(microsecond=0).isoformat(),
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
            outcome.errors.append(f"{event.step_key}: {getattr(err, 'message', str(err))}".strip())
    try:
        outcome.blocking_failures, outcome.warnings = _gate_findings(home, started)
    except duckdb.Error as exc:
        outcome.errors.append(f"无法读取质量检查结果：{exc}")
    if not outcome.published and not outcome.blocking_failures and not outcome.errors:
        outcome.errors.append("发布步骤未运行（上游失败或被跳过）")
    home.state_file.write_text(
        json.dumps(asdict(outcome), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return outcome


def _gate_findings(home: Home, since: datetime) -> tuple[list[dict], list[dict]]:
    """Non-passing checks recorded by this refresh's quality gate (older rows are stale)."""
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


__all__ = ["RefreshOutcome", "run_refresh"]
