"""`xuncha status`: what an operator needs to know, in Chinese, without touching the warehouse.

Reads HOME/last_refresh.json, the published warehouse (or, when nothing is
published yet, the work warehouse) and the inbox. DuckDB files are opened
read-only, read at once and closed straight away, so a refresh that starts
meanwhile can still take its write lock; if a refresh holds the work
warehouse, the sections that need it say so instead of waiting.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from contract.rules import catalog, id_span
from home import Home

MAX_LISTED = 10
# the row rules ingest applies itself (R1–R3); the others need dbt (contract/rules.yml)
INGEST_ROW_RULES = id_span(tuple(r.id for r in catalog().of_level("row") if r.checks.ingest))


@dataclass
class Snapshot:
    """Rows read from one DuckDB file (published or work)."""

    label: str
    regions: dict[str, str] = field(default_factory=dict)
    files: list[tuple] = field(default_factory=list)  # file_path, sha, submitter, status, rule, msg
    quarantine: list[tuple] = field(default_factory=list)  # file_path, sheet, row, rule, msg, code
    error: str | None = None


@dataclass(frozen=True)
class Counts:
    """The one set of file and row counts the refresh summary and `xuncha status` both print."""

    files: int
    loaded: int
    rejected: int
    duplicates: int
    superseded: int
    rows_quarantined: int
    by_rule: dict[str, int]
    rejected_by_rule: dict[str, int] = field(default_factory=dict)

    def files_line(self) -> str:
        why = "，".join(f"{k} {v}" for k, v in sorted(self.rejected_by_rule.items()))
        return (
            f"文件 {self.files} 个：载入 {self.loaded}，拒收 {self.rejected}"
            + (f"（{why}）" if why else "")
            + f"，重复（与另一文件内容相同，已跳过）{self.duplicates}，被替代 {self.superseded}"
        )

    def rows_line(self) -> str:
        rules = "，".join(f"{k} {v}" for k, v in sorted(self.by_rule.items()))
        return f"隔离行 {self.rows_quarantined}" + (f"（{rules}）" if rules else "")


def snapshot_counts(snap: Snapshot, effective: dict[str, str] | None = None) -> Counts:
    """Counts of a snapshot: rejected = has an F rule; a duplicate = a later copy of a hash.

    A file whose status is "unchanged" (as before) counts as what it was before:
    `effective` maps its hash to that status (WorkState.effective_status).
    """
    effective = effective or {}
    seen: set[str] = set()
    rejected_by_rule: Counter = Counter()
    rejected = duplicates = superseded = 0
    for _path, sha, _code, status, rule, _msg in snap.files:
        if sha in seen:
            duplicates += 1
            continue
        seen.add(sha)
        if status == "unchanged":
            status = effective.get(sha, status)
        if rule:
            rejected += 1
            rejected_by_rule[rule] += 1
        elif status == "superseded":
            superseded += 1
    files = len(snap.files)
    return Counts(
        files=files,
        loaded=files - rejected - duplicates - superseded,
        rejected=rejected,
        duplicates=duplicates,
        superseded=superseded,
        rows_quarantined=len(snap.quarantine),
        by_rule=dict(Counter(r[3] for r in snap.quarantine)),
        rejected_by_rule=dict(rejected_by_rule),
    )


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of a warehouse's main schema: what an older or half-built file has."""
    return {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    }


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


FILES_SQL = (
    "SELECT file_path, file_sha256, submitter_code, status, rule, message "
    "FROM {table} ORDER BY file_path"
)
QUARANTINE_SQL = (
    "SELECT q.file_path, q.sheet, q.row_number, q.rule, q.message, f.submitter_code "
    "FROM quarantine q LEFT JOIN ingest_files f USING (file_path) "
    "ORDER BY q.file_path, q.sheet, q.row_number"
)


def _regions(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, str]:
    """Region code → name: dim_region once dbt built it, else the raw layer's current R0 rows."""
    if "dim_region" in tables:
        return dict(con.execute("SELECT region_code, region_name FROM dim_region").fetchall())
    if "raw_r0_region" in tables:
        return dict(
            con.execute(
                "SELECT region_code, region_name FROM raw_r0_region WHERE is_current"
            ).fetchall()
        )
    return {}


def _read_snapshot(con: duckdb.DuckDBPyConnection, tables: set[str], label: str) -> Snapshot:
    """The files and quarantine rows of dbt's ingest_files and quarantine models: the same
    reading for the published file and the work warehouse, so both count alike."""
    snap = Snapshot(label=label, regions=_regions(con, tables))
    snap.files = con.execute(FILES_SQL.format(table="ingest_files")).fetchall()
    snap.quarantine = con.execute(QUARANTINE_SQL).fetchall()
    return snap


def read_published(path: Path) -> tuple[dict | None, Snapshot | None, str | None]:
    """(publication row, snapshot of its ingest tables, error) of the published warehouse."""
    if not path.exists():
        return None, None, None
    try:
        con = _connect(path)
    except duckdb.Error as exc:
        return None, None, f"无法打开已发布仓库：{exc}"
    try:
        tables = table_names(con)
        publication = None
        if "publication" in tables:
            row = con.execute(
                "SELECT as_of, published_at FROM publication ORDER BY published_at DESC LIMIT 1"
            ).fetchone()
            publication = {"as_of": row[0], "published_at": row[1]} if row else None
        snap = None
        if {"ingest_files", "quarantine"} <= tables:
            snap = _read_snapshot(con, tables, "已发布仓库")
    finally:
        con.close()
    return publication, snap, None


@dataclass
class WorkState:
    snapshot: Snapshot | None = None
    inbox_hashes: set[str] = field(default_factory=set)
    submission_dates: dict[str, date] = field(default_factory=dict)  # sha → 填报日期 or mtime
    # sha → the last status other than "unchanged" it had (raw_file_history)
    effective_status: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def read_work(path: Path) -> WorkState:
    state = WorkState()
    if not path.exists():
        return state
    try:
        con = _connect(path)
    except duckdb.Error as exc:
        state.error = f"工作仓库暂时无法读取（可能正在刷新）：{str(exc).splitlines()[0]}"
        return state
    try:
        tables = table_names(con)
        if "raw_ingest_files" not in tables:
            return state
        state.inbox_hashes = {
            r[0] for r in con.execute("SELECT file_sha256 FROM raw_ingest_files").fetchall()
        }
        history = "raw_file_history" if "raw_file_history" in tables else "raw_ingest_files"
        state.submission_dates = {
            sha: day
            for sha, day in con.execute(
                f"SELECT file_sha256, max(coalesce(submission_date, CAST(file_mtime AS DATE))) "
                f"FROM {history} GROUP BY 1"
            ).fetchall()
            if day is not None
        }
        if history == "raw_file_history":
            state.effective_status = dict(
                con.execute(
                    "SELECT file_sha256, arg_max(status, refreshed_at) FROM raw_file_history "
                    "WHERE status <> 'unchanged' GROUP BY 1"
                ).fetchall()
            )
        if {"ingest_files", "quarantine"} <= tables:
            snap = _read_snapshot(con, tables, "工作仓库（尚未发布）")
        else:  # dbt did not run: the ingest stage's own tables (R1–R3 only)
            snap = Snapshot(
                label=f"工作仓库入库阶段（dbt 未完成，仅含 {INGEST_ROW_RULES}）",
                regions=_regions(con, tables),
            )
            snap.files = con.execute(FILES_SQL.format(table="raw_ingest_files")).fetchall()
            snap.quarantine = con.execute(
                "SELECT file_path, sheet, row_number, rule, message, submitter_code "
                "FROM raw_quarantine WHERE is_current ORDER BY file_path, sheet, row_number"
            ).fetchall()
        state.snapshot = snap
    finally:
        con.close()
    return state


def _short(text: object, limit: int = 160) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _inbox_of(home: Home, explicit: str | None, last: dict | None) -> Path:
    chosen = explicit or os.environ.get("XUNCHA_INBOX") or (last or {}).get("inbox")
    return Path(chosen) if chosen else home.default_inbox


def status_lines(home: Home, inbox: str | None = None) -> list[str]:
    out: list[str] = [f"数据目录：{home.root}"]
    last = None
    if home.state_file.exists():
        try:
            last = json.loads(home.state_file.read_text(encoding="utf-8"))
        except ValueError:
            out.append("上次刷新：记录文件 last_refresh.json 无法解析")

    # last refresh and its outcome
    if last:
        out.append(
            f"上次刷新：{last.get('finished_at', '?').replace('T', ' ')}"
            f"（运行 ID {last.get('run_id', '?')}），数据截至 {last.get('as_of', '?')}"
        )
        if last.get("published"):
            out.append("刷新结果：成功，已发布")
        else:
            out.append("刷新结果：未发布（上次发布的仓库保持不变）")
        counts = last.get("counts") or {}
        if counts:  # what the refresh's summary printed (Counts, from its warehouse)
            c = Counts(**counts)
            out.append(f"入库：{c.files_line()}；{c.rows_line()}")
    else:
        out.append("上次刷新：尚无刷新记录")

    # refreshes started by the schedule or the inbox sensor (they do not write last_refresh.json)
    scheduled = latest_scheduled_refresh(home)
    if scheduled:
        out.append(scheduled)

    # published as-of
    publication, published_snap, pub_error = read_published(home.published)
    if pub_error:
        out.append(pub_error)
    if publication:
        out.append(
            f"已发布数据截至：{publication['as_of']}"
            f"（发布于 {str(publication['published_at']).replace('T', ' ')}）"
        )
    else:
        out.append("已发布数据截至：尚未发布")

    # failing rules with examples
    failing = (last or {}).get("blocking_failures") or []
    warnings = (last or {}).get("warnings") or []
    errors = (last or {}).get("errors") or []
    if failing or warnings or errors:
        out.append("未通过的规则：")
        for f in failing:
            out.append(
                f"  阻断 {f.get('rule')} {f.get('check')}：{f.get('failing_count')} 项；"
                f"示例：{_short(f.get('examples')) or '—'}"
            )
        for w in warnings:
            example = f"；示例：{_short(w.get('examples'))}" if w.get("examples") else ""
            out.append(
                f"  提示 {w.get('rule')} {w.get('check')}：{w.get('failing_count')} 项{example}"
            )
        for e in errors:
            out.append(f"  错误：{_short(e, 300)}")
    elif last:
        out.append("未通过的规则：无")

    # quarantine by rule and submitter
    work = read_work(home.warehouse)
    if work.error:
        out.append(work.error)
    snap = published_snap or work.snapshot
    regions = dict(work.snapshot.regions if work.snapshot else {}) | (snap.regions if snap else {})

    def office(code: str | None) -> str:
        return f"{code} {regions.get(code, '')}".strip() if code else "未确定报送单位"

    if snap is None:
        out.append("隔离行：没有可读的仓库")
    else:
        rows = snap.quarantine
        by_rule = Counter(r[3] for r in rows)
        out.append(f"隔离行（来源：{snap.label}）：共 {len(rows)} 行")
        if by_rule:
            out.append("  按规则：" + "，".join(f"{k} {v}" for k, v in sorted(by_rule.items())))
            per_office: dict[str | None, Counter] = defaultdict(Counter)
            for r in rows:
                per_office[r[5]][r[3]] += 1
            out.append("  按报送单位：")
            for code in sorted(per_office, key=lambda c: c or "~"):
                counts = per_office[code]
                out.append(
                    f"    {office(code)}：共 {sum(counts.values())} 行（"
                    + "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
                    + "）"
                )
            out.append("  示例（每条规则一行）：")
            seen: set[str] = set()
            for path, sheet, row_number, rule, message, _code in sorted(rows, key=lambda r: r[3]):
                if rule in seen:
                    continue
                seen.add(rule)
                out.append(
                    f"    {rule} {path} 工作表“{sheet}”第 {row_number} 行：{_short(message, 120)}"
                )
        rejected = [f for f in snap.files if f[4]]
        out.append(f"拒收文件：{len(rejected)} 个")
        for path, _sha, _code, _status, rule, message in rejected[:MAX_LISTED]:
            out.append(f"    {rule} {path}：{_short(message, 120)}")
        if len(rejected) > MAX_LISTED:
            out.append(f"    …… 另有 {len(rejected) - MAX_LISTED} 个")

    # files waiting in the inbox
    inbox_path = _inbox_of(home, inbox, last)
    if not inbox_path.is_dir():
        out.append(f"收件箱：{inbox_path} 不存在")
    elif work.error:
        out.append(f"收件箱 {inbox_path}：工作仓库暂时无法读取，无法判断待处理文件")
    else:
        from ingest.inbox import scan_inbox

        waiting = [f for f in scan_inbox(inbox_path) if f.sha256 not in work.inbox_hashes]
        if waiting:
            out.append(f"收件箱 {inbox_path} 中等待刷新的文件：{len(waiting)} 个")
            out += [f"    {f.rel_path}" for f in waiting[:MAX_LISTED]]
            if len(waiting) > MAX_LISTED:
                out.append(f"    …… 另有 {len(waiting) - MAX_LISTED} 个")
        else:
            out.append(f"收件箱 {inbox_path} 中等待刷新的文件：无")

    # regions with no submission this year
    year = _as_of_year(last, publication)
    if snap is None or not regions:
        out.append(f"{year} 年尚无报送的区划：无法判断（没有区划表）")
    else:
        submitted = {
            code
            for _path, sha, code, status, rule, _msg in snap.files
            if code
            and not rule
            and status != "rejected"
            and (day := work.submission_dates.get(sha)) is not None
            and day.year == year
        }
        missing = [c for c in sorted(snap.regions or regions) if c not in submitted]
        if missing:
            out.append(
                f"{year} 年尚无报送的区划（按填报日期，未填按文件修改时间）：{len(missing)} 个："
                + "、".join(office(c) for c in missing)
            )
        else:
            out.append(f"{year} 年尚无报送的区划：无（{len(regions)} 个区划均已报送）")
    return out


RUN_STATUS = {
    "SUCCESS": "成功",
    "FAILURE": "失败",
    "CANCELED": "已取消",
    "QUEUED": "排队中",
    "NOT_STARTED": "未开始",
    "STARTING": "启动中",
    "STARTED": "运行中",
    "CANCELING": "取消中",
}


def latest_scheduled_refresh(home: Home) -> str | None:
    """The last `refresh_job` run (schedule or sensor) in Dagster's storage under HOME, if any."""
    if not (home.dagster / "dagster.yaml").exists() or not (home.dagster / "history").exists():
        return None
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home.dagster)  # dagster.yaml reads its base_dir from it
    try:
        with dg.DagsterInstance.from_config(str(home.dagster)) as instance:
            records = instance.get_run_records(
                filters=dg.RunsFilter(job_name="refresh_job"), limit=50
            )
    except Exception as exc:  # the UI's storage is optional for status
        return f"调度刷新：无法读取 Dagster 运行记录（{_short(exc, 100)}）"
    # `xuncha refresh` runs the same named job; those are reported from last_refresh.json
    records = [r for r in records if r.dagster_run.tags.get("xuncha/trigger") != "cli"]
    if not records:
        return None
    record = records[0]
    run = record.dagster_run
    when = record.end_time or record.start_time or record.create_timestamp.timestamp()
    stamp = datetime.fromtimestamp(when).replace(microsecond=0).isoformat(sep=" ")
    trigger = run.tags.get("xuncha/trigger") or (
        "调度" if run.tags.get("dagster/schedule_name") else "界面"
    )
    trigger = {"schedule": "调度", "inbox_sensor": "收件箱传感器", "cli": "命令行"}.get(
        trigger, trigger
    )
    state = RUN_STATUS.get(run.status.value, run.status.value)
    return f"调度刷新（Dagster）：最近一次 {stamp}，{trigger}触发，运行 ID {run.run_id}，{state}"


def _as_of_year(last: dict | None, publication: dict | None) -> int:
    for candidate in ((last or {}).get("as_of"), (publication or {}).get("as_of")):
        if candidate:
            return date.fromisoformat(str(candidate)[:10]).year
    return date.today().year


def cmd_status(args: argparse.Namespace) -> int:
    home = Home.from_env(args.home)
    for line in status_lines(home, args.inbox):
        print(line)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("status", help="查看上次刷新、发布日期、隔离与待处理文件")
    p.add_argument("--home", help="数据目录（默认 XUNCHA_HOME 或 ./var）")
    p.add_argument("--inbox", help="收件箱（默认 XUNCHA_INBOX、上次刷新的收件箱或 数据目录/inbox）")
    p.set_defaults(func=cmd_status)
