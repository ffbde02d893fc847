"""Great Expectations suites on the marts: the fact columns that must be filled.

Each check has one home (contract/rules.yml): dbt tests own B1's keys and all of
B2 (counts, rates, part ≤ whole on every rpt_ table) and B3; GX keeps only what no
dbt test checks — the not-null columns of the facts below. GX cannot read DuckDB
directly here, so each mart is read into Polars and validated as a pandas frame.
GX is imported lazily: it is slow to import and only the quality gate needs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from contract.rules import catalog
from expectations.results import CheckResult
from ingest.registry import registry

NOT_NULL_TYPE = "expect_column_values_to_not_be_null"
# fact columns no dbt not_null test covers (the keys' not_null tests are dbt's)
NOT_NULL = {
    "fct_inspection": ["entry_date"],
    "fct_problem": ["status"],
    "fct_clue": ["cadre_level", "transfer_date"],
    "fct_common_problem": ["push_date"],
    "fct_self_check": ["report_date"],
    "fct_common_problem_obligation": ["issuer_code", "common_problem_code", "unit_code"],
}
# §9: the columns marked `sensitive` in ingest/templates.yml (反映对象, 反映对象职务 of T3)
SENSITIVE_COLUMNS = tuple(
    c.name for t in registry().templates.values() for c in t.columns if c.sensitive
)
SENSITIVE_CHECK = "sensitive"  # dq_results.check_name prefix; its rule is in the catalog


def planned(table: str) -> list[tuple[str, str]]:
    """(expectation type, column) of one mart's suite, without importing GX (the catalog
    test compares these with the dbt tests and contract/rules.yml)."""
    return [(NOT_NULL_TYPE, col) for col in NOT_NULL.get(table, [])]


def _suite_for(table: str, columns: set[str]) -> list[Any]:
    """The expectations of one mart, for the columns it has."""
    import great_expectations as gx

    build = {NOT_NULL_TYPE: lambda col: gx.expectations.ExpectColumnValuesToNotBeNull(column=col)}
    return [build[kind](col) for kind, col in planned(table) if col in columns]


def sensitive_leaks(table: str, columns: set[str]) -> CheckResult:
    """§9: 反映对象 / 反映对象职务 must never reach a published table (GX has no
    "column must not exist" expectation, so this one is checked directly)."""
    leaked = sorted(columns & set(SENSITIVE_COLUMNS))
    return CheckResult(
        check=f"{SENSITIVE_CHECK}:{table}",
        rule=catalog().enforcing("gate", SENSITIVE_CHECK).id,
        status="fail" if leaked else "pass",
        failing_count=len(leaked),
        examples="、".join(leaked),
    )


def validate_marts(
    warehouse: Path, tables: Iterable[str], loader: Callable[[str], Any] | None = None
) -> list[CheckResult]:
    """Validate each mart with its suite (one GX validation per table).

    Returns one CheckResult per expectation (its rule: the catalog's for that
    expectation type), plus the sensitive-column check.
    A mart is read for the columns its suite checks only: its column names come from
    the catalog, and a mart without expectations is not read at all (reading all 17
    marts whole into pandas, which GX then hashes, cost ~3 CPU-s per refresh at scale 1).
    `loader` lets a test hand in a pandas frame instead of reading the warehouse.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("marts")
    results: list[CheckResult] = []
    con = duckdb.connect(str(warehouse), read_only=True) if loader is None else None
    try:
        for table in tables:
            frame = loader(table) if loader is not None else None
            columns = set(frame.columns) if frame is not None else _columns(con, table)
            results.append(sensitive_leaks(table, columns))
            items = _suite_for(table, columns)
            if not items:
                continue
            if frame is None:
                frame = _read_columns(con, table, [e.column for e in items])
            suite = gx.ExpectationSuite(name=f"xuncha_{table}")
            for expectation in items:
                suite.add_expectation(expectation)
            batch = (
                source.add_dataframe_asset(name=table)
                .add_batch_definition_whole_dataframe("all")
                .get_batch(batch_parameters={"dataframe": frame})
            )
            results += [_check_result(table, outcome) for outcome in batch.validate(suite).results]
    finally:
        if con is not None:
            con.close()
    return results


def _columns(con: Any, table: str) -> set[str]:
    """The column names of one relation of the warehouse (main schema), from its catalog."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?",
        [table],
    ).fetchall()
    if not rows:  # a missing mart fails loudly, as reading it whole used to
        con.execute(f"SELECT * FROM {table} LIMIT 0")
    return {name for (name,) in rows}


def _read_columns(con: Any, table: str, columns: list[str]) -> Any:
    """The listed columns of one mart as a pandas frame (GX validates pandas frames)."""
    wanted = ", ".join(f'"{c}"' for c in dict.fromkeys(columns))
    return con.sql(f"SELECT {wanted} FROM {table}").pl().to_pandas()


def _check_result(table: str, outcome: Any) -> CheckResult:
    """One GX expectation's outcome as a dq_results row (its rule: the catalog's for the type)."""
    cfg = outcome.expectation_config
    res = outcome.result or {}
    failing = int(res.get("unexpected_count") or (0 if outcome.success else 1))
    examples = res.get("partial_unexpected_list") or []
    column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A") or ""
    return CheckResult(
        check=f"gx:{table}:{cfg.type}:{column}",
        rule=catalog().enforcing("gx", cfg.type).id,
        status="pass" if outcome.success else "fail",
        failing_count=failing,
        examples=str(examples[:5]) if not outcome.success else "",
    )
