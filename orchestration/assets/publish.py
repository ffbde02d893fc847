"""Write-audit-publish: the published warehouse is replaced only after the gate passed.

The new file is written whole beside the old one and renamed into place, so a
reader opens either the previous or the new version, never half of one.
"""

import contextlib
import errno
import os
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.assets.quality import QUALITY_GATE
from orchestration.resources import WriterLock, XunchaSettings

PUBLISHED = dg.AssetKey("published_warehouse")
PUBLISHED_PREFIXES = ("fct_", "dim_", "rpt_")
PUBLISHED_TABLES = ("ingest_files", "quarantine", "dq_results")
# DuckDB's buffers while the tables are copied (it may otherwise take 80% of the RAM, and
# runs inside the refresh's process): beyond this it writes out to the new file or spills
# to `<file>.tmp` beside it. As ingest's staging (ingest/stage.py) and dbt (profiles.yml).
PUBLISH_MEMORY_LIMIT = "256MB"


PUBLICATION_COLUMN_COMMENTS = {
    "as_of": "数据截至日期（统计截止日，判断整改是否逾期以此为准）",
    "published_at": "发布时间",
    "publication_id": "发布编号（xuncha publications 列出，xuncha rollback 按它恢复）",
    "refresh_id": "产生本次发布的刷新编号（Dagster 运行 ID）",
    "input_fingerprint": "输入指纹：收件箱文件、截至日期、模板与程序的哈希，相同即无需重算",
}


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


class PublishFailed(Exception):
    """The new published file could not be written (disk full, file-size limit, permission)."""


def publication_id(published_at: datetime, refresh_id: str) -> str:
    """Sortable by time, unique by refresh: 20261201-223015-3f2a9c1b."""
    tag = "".join(c for c in refresh_id.lower() if c.isalnum())[:8] or "manual"
    return f"{published_at:%Y%m%d-%H%M%S}-{tag}"


def _discard(path: Path) -> None:
    """Remove `path` if it is there (on a read-only file system even unlinking a missing
    name fails with EROFS, so look first)."""
    if path.exists() or path.is_symlink():
        path.unlink()


def _temp_files(tmp: Path) -> list[Path]:
    return [tmp, tmp.with_name(tmp.name + ".wal")]


def publish(
    warehouse: Path,
    published: Path,
    as_of: date,
    *,
    refresh_id: str = "",
    input_fingerprint: str = "",
) -> list[str]:
    """Copy the checked marts (with their Chinese comments) into a new file, keep it in the
    publication history (orchestration/publications.py), then rename it into place.

    Raises PublishFailed (Chinese message) when the new file cannot be written: the
    old published file stays and no temp file is left.
    """
    from orchestration import publications

    failures = blocking_failures(warehouse)
    if failures:
        raise GateClosed("；".join(f"{r} {c}" for r, c, _, _ in failures))
    remove_stale_temp_files(published)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    published_at = datetime.now().replace(microsecond=0)
    pid = publication_id(published_at, refresh_id)
    try:
        _discard(tmp)
        tables, counts = _write_new_file(
            warehouse, tmp, [as_of, published_at, pid, refresh_id, input_fingerprint]
        )
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        tmp.chmod(0o644)
        meta = {
            "publication_id": pid,
            "as_of": as_of.isoformat(),
            "published_at": published_at.isoformat(),
            "refresh_id": refresh_id,
            "input_fingerprint": input_fingerprint,
            "row_counts": counts,
        }
        publications.record(published.parent, tmp, meta)
        os.replace(tmp, published)
    except (OSError, duckdb.Error) as exc:
        for path in _temp_files(tmp):
            _discard(path)
        history = published.parent / publications.DIR_NAME
        for path in (history / f"{pid}.duckdb", history / f"{pid}.json"):
            with contextlib.suppress(OSError):  # a read-only history folder refuses even this
                path.unlink()
        raise PublishFailed(_failure_text(exc, tmp)) from exc
    publications.prune(published.parent)
    return tables


def _failure_text(exc: BaseException, tmp: Path) -> str:
    """What failed, in Chinese, with the system's reason (disk full, too large, permission)."""
    reasons = {
        errno.ENOSPC: "磁盘空间不足",
        errno.EFBIG: "文件超过系统允许的大小",
        errno.EDQUOT: "超出磁盘配额",
        errno.EACCES: "没有写权限",
        errno.EPERM: "没有写权限",
        errno.EROFS: "文件系统只读",
    }
    text = str(exc)
    reason = reasons.get(getattr(exc, "errno", None) or 0)
    if reason is None:
        for code, words in (
            ("File too large", reasons[errno.EFBIG]),
            ("No space left", reasons[errno.ENOSPC]),
            ("Permission denied", reasons[errno.EACCES]),
            ("Read-only file system", reasons[errno.EROFS]),
        ):
            if code in text:
                reason = words
                break
    return (
        f"无法写入新的发布文件（{tmp.parent}）：{reason or '写入失败'}。"
        f"已发布的仓库保持不变，临时文件已删除。系统信息：{text[:300]}"
    )


def _write_new_file(warehouse: Path, tmp: Path, publication: list) -> tuple[list[str], dict]:
    """The checked tables and the `publication` row into `tmp`; returns tables and row counts."""
    con = duckdb.connect(str(tmp), config={"memory_limit": PUBLISH_MEMORY_LIMIT})
    try:
        con.execute(f"ATTACH '{warehouse}' AS work (READ_ONLY)")
        tables = tables_to_publish(con)
        for table in tables:
            con.execute(f'CREATE TABLE main."{table}" AS SELECT * FROM work.main."{table}"')
        _copy_comments(con, tables)
        con.execute(
            "CREATE TABLE publication AS SELECT ?::DATE AS as_of, ?::TIMESTAMP AS published_at, "
            "?::VARCHAR AS publication_id, ?::VARCHAR AS refresh_id, "
            "?::VARCHAR AS input_fingerprint",
            publication,
        )
        con.execute(
            "COMMENT ON TABLE publication IS "
            "'本次发布的数据截至日期、发布时间、发布编号、刷新编号与输入指纹'"
        )
        for column, comment in PUBLICATION_COLUMN_COMMENTS.items():
            con.execute(f"COMMENT ON COLUMN publication.{column} IS '{comment}'")
        con.execute("DETACH work")
        counts = {
            t: int(con.execute(f'SELECT count(*) FROM main."{t}"').fetchone()[0])
            for t in [*tables, "publication"]
        }
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return tables, counts


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
def published_warehouse(
    context: dg.AssetExecutionContext, settings: XunchaSettings, writer: WriterLock
) -> dg.MaterializeResult:
    del writer  # held for the whole run (orchestration/resources.py)
    home = settings.home_paths()
    as_of = settings.as_of_date()
    try:
        tables = publish(
            home.warehouse,
            home.published,
            as_of,
            refresh_id=context.run_id,
            input_fingerprint=_input_fingerprint(settings, as_of),
        )
    except GateClosed as exc:
        # The gate is checked here too: Dagster may still run an asset downstream
        # of a failed check, and publishing bad data is the one thing not allowed.
        raise dg.Failure(description=f"阻断规则未通过，未发布：{exc}") from exc
    except PublishFailed as exc:
        raise dg.Failure(description=f"发布失败：{exc}") from None
    return dg.MaterializeResult(
        metadata={"published_as_of": settings.as_of_date().isoformat(), "tables": len(tables)}
    )


def _input_fingerprint(settings: XunchaSettings, as_of: date) -> str:
    """What this publication was made from (orchestration/fingerprint.py); empty if unreadable."""
    from orchestration import fingerprint

    try:
        return fingerprint.compute(settings.inbox_path(), as_of.isoformat()).digest
    except OSError:
        return ""
