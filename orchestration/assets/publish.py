"""Write-audit-publish: the published warehouse is replaced only after the gate passed.

The new file is written whole beside the old one and renamed into place, so a
reader opens either the previous or the new version, never half of one.
"""

import os
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.assets.quality import QUALITY_GATE
from orchestration.resources import XunchaSettings

PUBLISHED = dg.AssetKey("published_warehouse")
PUBLISHED_PREFIXES = ("fct_", "dim_", "rpt_")
PUBLISHED_TABLES = ("ingest_files", "quarantine", "dq_results")


class GateClosed(Exception):
    """Publishing was asked for while a blocking rule failed."""


def blocking_failures(warehouse: Path) -> list[tuple[str, str, int, str]]:
    """(rule, check, failing count, examples) of every failed blocking check in dq_results."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            """
            SELECT rule, check_name, failing_count, examples FROM dq_results
            WHERE status = 'fail' AND rule_level = 'blocking' ORDER BY rule, check_name
            """
        ).fetchall()
    finally:
        con.close()


def tables_to_publish(con: duckdb.DuckDBPyConnection) -> list[str]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'work' "
            "AND schema_name = 'main' ORDER BY 1"
        ).fetchall()
    ]
    return [n for n in names if n.startswith(PUBLISHED_PREFIXES) or n in PUBLISHED_TABLES]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temp_files(published: Path) -> list[Path]:
    """Temp files of publishes that were killed (SIGKILL, power loss) before their rename.

    Publishing is single-writer, so the temp file (and DuckDB's `.wal` beside it) of
    a process that no longer runs is garbage, as is one of this very process (an
    earlier publish in it). A temp file of another live process is left alone.
    """
    removed = []
    prefix = f".{published.name}."
    for path in [
        *published.parent.glob(f"{prefix}*.tmp"),
        *published.parent.glob(f"{prefix}*.tmp.wal"),
    ]:
        pid_text = path.name[len(prefix) :].split(".", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def publish(warehouse: Path, published: Path, as_of: date) -> list[str]:
    """Copy the checked marts (with their Chinese comments) into a new file, then rename."""
    failures = blocking_failures(warehouse)
    if failures:
        raise GateClosed("；".join(f"{r} {c}" for r, c, _, _ in failures))
    remove_stale_temp_files(published)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(f"ATTACH '{warehouse}' AS work (READ_ONLY)")
        tables = tables_to_publish(con)
        for table in tables:
            con.execute(f'CREATE TABLE main."{table}" AS SELECT * FROM work.main."{table}"')
        _copy_comments(con, tables)
        con.execute(
            "CREATE TABLE publication AS SELECT ?::DATE AS as_of, ?::TIMESTAMP AS published_at",
            [as_of, datetime.now().replace(microsecond=0)],
        )
        con.execute("COMMENT ON TABLE publication IS '本次发布的数据截至日期与发布时间'")
        con.execute("DETACH work")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    tmp.chmod(0o644)
    os.replace(tmp, published)
    return tables


def _copy_comments(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    wanted = set(tables)
    for table, comment in con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = 'work' "
        "AND comment IS NOT NULL"
    ).fetchall():
        if table in wanted:
            con.execute(f"COMMENT ON TABLE main.\"{table}\" IS '{_sql_text(comment)}'")
    for table, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = 'work' AND comment IS NOT NULL"
    ).fetchall():
        if table in wanted:
            con.execute(f'COMMENT ON COLUMN main."{table}"."{column}" IS \'{_sql_text(comment)}\'')


def _sql_text(text: str) -> str:
    return str(text).replace("'", "''")


@dg.asset(
    key=PUBLISHED,
    group_name="publish",
    deps=[QUALITY_GATE],
    description="分析人员使用的已发布仓库 published.duckdb（只含通过阻断规则的数据）。",
    kinds={"duckdb"},
)
def published_warehouse(settings: XunchaSettings) -> dg.MaterializeResult:
    home = settings.home_paths()
    try:
        tables = publish(home.warehouse, home.published, settings.as_of_date())
    except GateClosed as exc:
        # The gate is checked here too: Dagster may still run an asset downstream
        # of a failed check, and publishing bad data is the one thing not allowed.
        raise dg.Failure(description=f"阻断规则未通过，未发布：{exc}") from exc
    return dg.MaterializeResult(
        metadata={"published_as_of": settings.as_of_date().isoformat(), "tables": len(tables)}
    )
