"""Compare the published warehouses of two homes table by table (helper, not a test module).

Shows that a change of the dbt project keeps every published table the same. Each
table is exported with `tests.outputs.export_all` (ordered CSV, the wall-clock
columns of `publication` and `dq_results` left out) and the two homes are compared
row by row. The dbt test rows of `dq_results` are compared by check name, so a test
that was merged into another shows up as removed/added rather than hidden.

    .venv/bin/python -m tests.published_diff /tmp/home-before /tmp/home-after

Given two `.duckdb` files instead of homes (e.g. two work warehouses after a bare
`dbt build`), only the tables that publishing copies are compared; with
`--intermediate` also every stg_/int_ relation (view or table) of the work warehouse.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.assets.publish import PUBLISHED_PREFIXES, PUBLISHED_TABLES
from tests.outputs import connect, export_all, export_table


def intermediate_relations(path: Path) -> dict[str, str]:
    """The export of every staging and intermediate view or table of a work warehouse."""
    con = connect(path)
    try:
        names = [
            n
            for (n,) in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal "
                "UNION SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
            if n.startswith(("stg_", "int_"))
        ]
        return {n: export_table(con, n) for n in names}
    finally:
        con.close()


def published_tables(path: Path) -> dict[str, str]:
    """The export of a home's published warehouse, or of the publishable tables of a file."""
    if path.is_dir():
        return export_all(path / "published.duckdb")
    tables = export_all(path)
    return {
        t: text
        for t, text in tables.items()
        if t.startswith(PUBLISHED_PREFIXES) or t in PUBLISHED_TABLES
    }


def _rows(text: str) -> tuple[str, list[str]]:
    header, *rows = text.splitlines()
    return header, rows


def split_dbt_checks(tables: dict[str, str]) -> dict[str, str]:
    """`dq_results` as two tables: the dbt test rows (named by test) and every other check.

    Merging per-column dbt tests into one test per model changes the first and must
    leave the second (GX, B4, W1–W4, ingest checks) as it was.
    """
    if "dq_results" not in tables:
        return tables
    header, rows = _rows(tables.pop("dq_results"))
    dbt = [r for r in rows if r.startswith("'dbt:")]
    other = [r for r in rows if not r.startswith("'dbt:")]
    tables["dq_results (dbt tests)"] = "\n".join([header, *dbt])
    tables["dq_results (other checks)"] = "\n".join([header, *other])
    return tables


def compare(a: Path, b: Path, show: int = 5, intermediate: bool = False) -> int:
    """One line per table (equal / differs / only in one home); returns the count of differences."""
    left, right = split_dbt_checks(published_tables(a)), split_dbt_checks(published_tables(b))
    if intermediate:
        left |= intermediate_relations(a)
        right |= intermediate_relations(b)
    differences = 0
    for table in sorted(left.keys() | right.keys()):
        if table not in right or table not in left:
            print(f"ONLY IN {'A' if table in left else 'B'}  {table}")
            differences += 1
            continue
        (cols_a, rows_a), (cols_b, rows_b) = _rows(left[table]), _rows(right[table])
        if cols_a != cols_b:
            print(f"COLUMNS   {table}: {cols_a} != {cols_b}")
            differences += 1
        elif rows_a == rows_b:
            print(f"equal     {table} ({len(rows_a)} rows)")
        else:
            differences += 1
            set_a, set_b = set(rows_a), set(rows_b)
            only_a = [r for r in rows_a if r not in set_b]
            only_b = [r for r in rows_b if r not in set_a]
            print(
                f"DIFFERS   {table}: {len(rows_a)} vs {len(rows_b)} rows, -{len(only_a)} +{len(only_b)}"
            )
            for r in only_a[:show]:
                print(f"   - {r[:300]}")
            for r in only_b[:show]:
                print(f"   + {r[:300]}")
    return differences


def main() -> None:
    """CLI: exit 1 when any published table differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home_a", type=Path)
    parser.add_argument("home_b", type=Path)
    parser.add_argument("--show", type=int, default=5, help="rows shown per difference")
    parser.add_argument(
        "--intermediate", action="store_true", help="also stg_/int_ relations (work warehouses)"
    )
    args = parser.parse_args()
    sys.exit(1 if compare(args.home_a, args.home_b, args.show, args.intermediate) else 0)


if __name__ == "__main__":
    main()
