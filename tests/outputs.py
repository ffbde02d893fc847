"""Helpers shared by the robustness tests: run the real `xuncha refresh`, export and
fingerprint published tables, and read every output a refresh leaves behind.

Nothing of the project is mocked: refreshes are the console script in a
subprocess (its own session, so a test can SIGKILL the whole process tree),
and outputs are read with duckdb, sqlite3, zipfile and openpyxl.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests import hostile

AS_OF = hostile.ACCEPTANCE_AS_OF.isoformat()
# Values that change with the wall clock, not with the data (brief: "except timestamps").
VOLATILE_COLUMNS = {
    "publication": {"published_at", "publication_id", "refresh_id", "input_fingerprint"},
    "dq_results": {"checked_at"},
}

ENV = {
    "GX_ANALYTICS_ENABLED": "False",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


def xuncha_exe() -> str:
    exe = Path(sys.executable).with_name("xuncha")
    return str(exe) if exe.exists() else "xuncha"


def refresh_command(
    inbox: Path, home: Path, as_of: str = AS_OF, *, force: bool = False
) -> list[str]:
    command = [xuncha_exe(), "refresh", "--inbox", str(inbox), "--home", str(home)]
    return [*command, "--as-of", as_of, *(["--force"] if force else [])]


def start_refresh(inbox: Path, home: Path, log: Path | None = None) -> subprocess.Popen:
    """A refresh in its own session: `kill_tree` then takes dbt and workers down with it."""
    out = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen(
        refresh_command(inbox, home),
        stdout=out,
        stderr=subprocess.STDOUT,
        env=os.environ | ENV,
        start_new_session=True,
    )


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the refresh and every process it started (dbt, parse workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def run_refresh(
    inbox: Path, home: Path, *, retries: int = 2, timeout: float = 1200, force: bool = False
) -> subprocess.CompletedProcess:
    """A full refresh that must publish; a failure inside dbt is retried (brief).

    `force`: recompute even when nothing changed since the last publication.
    """
    for attempt in range(retries + 1):
        proc = subprocess.run(
            refresh_command(inbox, home, force=force),
            capture_output=True,
            text=True,
            env=os.environ | ENV,
            timeout=timeout,
        )
        if proc.returncode == 0 or attempt == retries or "warehouse_models" not in proc.stderr:
            return proc
        time.sleep(30)
    return proc


def run_dbt(
    args: list[str],
    warehouse: Path,
    as_of: str,
    target: Path,
    project: Path | None = None,
) -> subprocess.CompletedProcess:
    """A dbt command (e.g. `["build", "--select", "rpt_overview"]`) on `warehouse`, with the
    refresh's --vars and its artifacts under `target`, as a refresh runs dbt; the project is
    the repository's unless a (corrupted) copy is given."""
    from orchestration.dbt_launcher import dbt_executable
    from orchestration.dbt_manifest import DBT_PROJECT_DIR

    project = project or DBT_PROJECT_DIR
    return subprocess.run(
        [
            dbt_executable(),
            *args,
            *("--project-dir", str(project), "--profiles-dir", str(project)),
            *("--target-path", str(target), "--log-path", str(target)),
            *("--vars", json.dumps({"warehouse": str(warehouse), "as_of": as_of})),
        ],
        env=os.environ | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        cwd=project,
    )


def prepare_dbt() -> None:
    """Parse the dbt project once, before refreshes run side by side (they share target/)."""
    from orchestration.dbt_manifest import prepare_manifest

    prepare_manifest()


# --------------------------------------------------------------------- published tables


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def query_rows(db: Path, sql: str, params: list | None = None) -> list[dict]:
    """The rows of one query on a warehouse file opened read-only, as column → value."""
    con = connect(db)
    try:
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def table_names(con: duckdb.DuckDBPyConnection, prefixes: tuple[str, ...] = ()) -> list[str]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
        ).fetchall()
    ]
    return [n for n in names if not prefixes or n.startswith(prefixes)]


def export_table(
    con: duckdb.DuckDBPyConnection, table: str, exclude: set[str] = frozenset()
) -> str:
    """Ordered CSV of a table (header included), volatile columns left out."""
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
            "ORDER BY column_index",
            [table],
        ).fetchall()
        if r[0] not in exclude
    ]
    select = ", ".join(f'"{c}"' for c in cols)
    rows = con.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow(["\\N" if v is None else repr(v) for v in row])
    return buf.getvalue()


def export_all(path: Path, prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    con = connect(path)
    try:
        return {
            t: export_table(con, t, VOLATILE_COLUMNS.get(t, set()))
            for t in table_names(con, prefixes)
        }
    finally:
        con.close()


def fingerprint(path: Path) -> str:
    """sha256 of the ordered export of every rpt_* and fct_* table."""
    digest = hashlib.sha256()
    for table, text in export_all(path, ("rpt_", "fct_")).items():
        digest.update(table.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def duplicate_rows(path: Path, prefixes: tuple[str, ...] = ("fct_", "rpt_", "dim_")) -> dict:
    """Tables of the published file that hold a row twice (table → surplus rows)."""
    con = connect(path)
    try:
        found = {}
        for t in table_names(con, prefixes):
            total, distinct = con.execute(
                f'SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT * FROM "{t}")) FROM "{t}"'
            ).fetchone()
            if total != distinct:
                found[t] = total - distinct
        return found
    finally:
        con.close()


# --------------------------------------------------------------------- every output


@dataclass(frozen=True)
class Hit:
    path: str
    where: str
    needle: str


def needles(name: str) -> list[str]:
    """The ways a string can be spelled in a file: UTF-8, JSON \\u escapes, XML char refs."""
    return [
        name,
        json.dumps(name)[1:-1],  # ensure_ascii escapes
        json.dumps(name)[1:-1].upper(),
        "".join(f"&#{ord(c)};" for c in name),
        "".join(f"&#x{ord(c):x};" for c in name),
    ]


def _duckdb_texts(path: Path) -> Iterator[tuple[str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
        for db, schema, table in tables:
            cols = con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = ? "
                "AND schema_name = ? AND table_name = ?",
                [db, schema, table],
            ).fetchall()
            for (col,) in cols:
                values = con.execute(
                    f'SELECT DISTINCT CAST("{col}" AS VARCHAR) FROM "{db}"."{schema}"."{table}" '
                    f'WHERE "{col}" IS NOT NULL'
                ).fetchall()
                for (v,) in values:
                    yield f"{table}.{col}", v
            comment = con.execute(
                "SELECT coalesce(comment, '') FROM duckdb_tables() WHERE table_name = ?", [table]
            ).fetchone()
            if comment and comment[0]:
                yield f"{table} (comment)", comment[0]
    finally:
        con.close()


def _sqlite_texts(path: Path) -> Iterator[tuple[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in con.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        yield table, _decode_blob(value)
                    elif isinstance(value, str):
                        yield table, value
    finally:
        con.close()


def _decode_blob(value: bytes) -> str:
    import zlib

    for attempt in (lambda b: zlib.decompress(b), lambda b: b):
        try:
            return attempt(value).decode("utf-8", "ignore")
        except zlib.error:
            continue
    return ""


def _zip_texts(path: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            text = zf.read(info).decode("utf-8", "ignore")
            yield info.filename, text
            yield info.filename + " (unescaped)", html.unescape(text)


def file_texts(path: Path) -> Iterator[tuple[str, str]]:
    """Every piece of text a file holds, however it is stored."""
    head = path.read_bytes()[:16]
    if head.startswith(b"SQLite format 3"):
        yield from _sqlite_texts(path)
        yield "(raw bytes)", path.read_bytes().decode("utf-8", "ignore")
    elif path.suffix == ".duckdb" and head[8:12] == b"DUCK":
        yield from _duckdb_texts(path)
    elif head.startswith(b"PK\x03\x04"):
        yield from _zip_texts(path)
    else:
        yield "(raw bytes)", path.read_bytes().decode("utf-8", "ignore")


def search_files(paths: list[Path], names: list[str], root: Path | None = None) -> list[Hit]:
    wanted = {n: needles(n) for n in names}
    hits: list[Hit] = []
    for path in paths:
        try:
            for where, text in file_texts(path):
                for name, forms in wanted.items():
                    if any(f in text for f in forms):
                        hits.append(Hit(str(path.relative_to(root) if root else path), where, name))
        except (duckdb.Error, sqlite3.Error, zipfile.BadZipFile) as exc:
            hits.append(Hit(str(path), f"unreadable: {exc}", ""))
    return hits


def raw_hits(root: Path, names: list[str]) -> list[tuple[str, str]]:
    """(file, name) for every file under `root` whose raw bytes hold a name (UTF-8 or
    UTF-16), whatever the file is: WAL, temp file, cache, lock file, database."""
    forms = {n: [n.encode("utf-8"), n.encode("utf-16-le"), n.encode("utf-16-be")] for n in names}
    hits = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        for name, encoded in forms.items():
            if any(e in data for e in encoded):
                hits.append((str(path.relative_to(root)), name))
    return hits


def all_files(root: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*")):
        if (
            path.is_file()
            and not path.is_symlink()
            and not any(path.is_relative_to(s) for s in skip)
        ):
            out.append(path)
    return out


# --------------------------------------------------------------------- reader processes

READER_SQL = {
    "province_found": "SELECT found FROM rpt_rectification r JOIN dim_region d "
    "ON d.region_code = r.scope_code WHERE d.region_level = '省' AND r.period = '全部'",
    "cities_found": "SELECT coalesce(sum(found), 0) FROM rpt_rectification r JOIN dim_region d "
    "ON d.region_code = r.scope_code WHERE d.region_level = '市' AND r.period = '全部'",
    "province_own_found": "SELECT count(*) FROM fct_problem p JOIN dim_region d "
    "ON d.region_code = p.unit_region_code WHERE d.region_level = '省'",
    "province_clues": "SELECT sum(clues) FROM rpt_clue_yield y JOIN dim_region d "
    "ON d.region_code = y.scope_code WHERE d.region_level = '省' AND y.period = '全部'",
    "fct_clue": "SELECT count(*) FROM fct_clue",
    "fct_problem": "SELECT count(*) FROM fct_problem",
    "ingest_files": "SELECT count(*) FROM ingest_files",
}


def read_version(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """One consistent look at a published file: the figures a reader would combine."""
    return {k: int(con.execute(sql).fetchone()[0]) for k, sql in READER_SQL.items()}


def signature(values: dict[str, int]) -> str:
    return json.dumps(values, sort_keys=True)


def province_consistent(values: dict[str, int]) -> bool:
    """§6: a province figure = the sum over its cities + the province's own units."""
    return values["province_found"] == values["cities_found"] + values["province_own_found"]


def reader_loop(published: Path, stop: Path, out: Path) -> None:
    """Query `published` read-only, a new connection per query, until `stop` exists."""
    stats = {"queries": 0, "failed": 0, "inconsistent": 0, "errors": [], "signatures": {}}
    while not published.exists() and not stop.exists():
        time.sleep(0.05)
    while not stop.exists():
        try:
            con = duckdb.connect(str(published), read_only=True)
            try:
                values = read_version(con)
            finally:
                con.close()
        except Exception as exc:  # any failure is a failed query
            stats["failed"] += 1
            stats["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
            stats["queries"] += 1
            continue
        stats["queries"] += 1
        time.sleep(0.05)  # an eager analyst, not a busy loop starving the refresh of CPU
        if not province_consistent(values):
            stats["inconsistent"] += 1
        sig = signature(values)
        stats["signatures"][sig] = stats["signatures"].get(sig, 0) + 1
    stats["errors"] = stats["errors"][:20]
    out.write_text(json.dumps(stats, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "reader":
        reader_loop(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        raise SystemExit("usage: python -m tests.outputs reader PUBLISHED STOPFILE OUT")
