"""Publish the checked warehouse into a DuckLake (docs/scaling.md, "The warehouse as a lake").

    xuncha lake --home HOME --catalog CATALOG --data-path DIR

CATALOG is DuckLake's metadata database:
  - a local DuckDB file:   ducklake:/srv/xuncha/lake/metadata.ducklake
  - PostgreSQL:            ducklake:postgres:dbname=xuncha_lake host=db.internal user=xuncha
                           (password from PGPASSWORD / ~/.pgpass, never on the command line)
DATA_PATH is where DuckLake writes the Parquet files (a local folder, NFS, or s3://…).

Every table of HOME/published.duckdb — the file the quality gate let through — is
replaced in the lake inside ONE DuckLake transaction, so readers see either the previous
snapshot or the new one (the guarantee the rename of published.duckdb gives on one
machine), and every earlier publish stays queryable (`FROM lake.fct_problem AT (VERSION => n)`).
restricted.duckdb is never read: the sensitive T3 columns do not reach the lake.

The extensions come from PyPI packages (`duckdb-extension-ducklake`, and
`duckdb-extension-postgres-scanner` for a PostgreSQL catalog) built for the pinned
DuckDB, so nothing is downloaded from DuckDB's extension site at run time.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import duckdb

from home import Home

# DuckDB extension name → the PyPI package that ships its binary
EXTENSION_PACKAGES = {
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}


def extension_file(name: str) -> Path:
    """The .duckdb_extension file a package ships for the running DuckDB version."""
    package = importlib.import_module(EXTENSION_PACKAGES[name])
    folder = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob(f"{name}.duckdb_extension"))
    if not found:
        raise RuntimeError(
            f"{EXTENSION_PACKAGES[name]} has no {name} extension for duckdb {duckdb.__version__} "
            f"(looked in {folder}); install the package version equal to duckdb's"
        )
    return found[0]


def sql_literal(text: str) -> str:
    """ATTACH takes no bound parameters: quote paths and connection strings as SQL literals."""
    return "'" + text.replace("'", "''") + "'"


def needed_extensions(catalog: str) -> list[str]:
    return ["ducklake"] + (["postgres_scanner"] if catalog.startswith("ducklake:postgres:") else [])


def load_extensions(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """LOAD from the packaged files; a missing package says which one to install."""
    for name in needed_extensions(catalog):
        try:
            path = extension_file(name)
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                f"DuckDB extension '{name}' needs the Python package "
                f"{EXTENSION_PACKAGES[name].replace('_', '-')}: {exc}"
            ) from exc
        con.execute(f"LOAD '{path}'")


def attach_lake(
    con: duckdb.DuckDBPyConnection, catalog: str, data_path: str, *, read_only: bool = False
) -> None:
    load_extensions(con, catalog)
    if catalog.startswith("ducklake:") and not catalog.startswith("ducklake:postgres:"):
        Path(catalog.removeprefix("ducklake:")).parent.mkdir(parents=True, exist_ok=True)
    if "://" not in data_path:
        Path(data_path).mkdir(parents=True, exist_ok=True)
    options = f"DATA_PATH {sql_literal(data_path)}" + (", READ_ONLY" if read_only else "")
    con.execute(f"ATTACH {sql_literal(catalog)} AS lake ({options})")


def publish_to_lake(home: Path, catalog: str, data_path: str) -> dict:
    """Copy every published table into the lake as one snapshot; returns counts and snapshot id."""
    published = Home(home).published
    if not published.exists():
        raise FileNotFoundError(f"{published} 不存在：请先运行 xuncha refresh")
    con = duckdb.connect()
    try:
        attach_lake(con, catalog, data_path)
        con.execute(f"ATTACH {sql_literal(str(published))} AS pub (READ_ONLY)")
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'pub' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        try:
            for table in tables:
                con.execute(
                    f'CREATE OR REPLACE TABLE lake."{table}" AS SELECT * FROM pub."{table}"'
                )
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise
        seconds = time.perf_counter() - started
        snapshot = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchall()[0][0]
        counts = {
            t: con.execute(f'SELECT count(*) FROM lake."{t}"').fetchall()[0][0] for t in tables
        }
    finally:
        con.close()
    return {"tables": counts, "snapshot": snapshot, "seconds": round(seconds, 2)}


def cmd_lake(args: argparse.Namespace) -> int:
    from orchestration.lock import EXIT_BUSY, WriterBusy, writer_lock

    home = Home.from_env(args.home)
    try:
        with writer_lock(home.root, "xuncha lake", args.wait):
            result = publish_to_lake(home.root, args.catalog, args.data_path)
    except WriterBusy as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_BUSY
    except (RuntimeError, FileNotFoundError, duckdb.Error) as exc:
        print(f"错误：未能发布到 DuckLake：{exc}", file=sys.stderr)
        return 1
    print(
        f"已将 {len(result['tables'])} 张表发布到 DuckLake，快照 {result['snapshot']}，"
        f"用时 {result['seconds']} 秒"
    )
    for table, n in result["tables"].items():
        print(f"  {table:<40}{n:>10}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "lake", help="把已发布仓库作为一个快照发布到 DuckLake（见 docs/scaling.md）"
    )
    p.add_argument("--home", help="XUNCHA_HOME（默认 ./var）")
    p.add_argument("--catalog", required=True, help="ducklake:<文件> 或 ducklake:postgres:<连接串>")
    p.add_argument("--data-path", required=True, help="Parquet 数据目录（本地、NFS 或 s3://）")
    p.add_argument(
        "--wait", type=float, default=None, metavar="SECONDS", help="数据目录被占用时最多等待的秒数"
    )
    p.set_defaults(func=cmd_lake)
