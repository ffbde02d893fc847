"""Great Expectations suites on the marts (value and distribution rules of §8).

GX cannot read DuckDB directly here, so each mart is read into Polars and
validated as a pandas frame. GX is imported lazily: it is slow to import and
only the quality gate needs it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from expectations.results import CheckResult

COUNT_COLUMNS = {
    "rpt_clue_yield": ["inspections", "clues", "county_cadre_clues"],
    "rpt_rectification": [
        "found",
        "completed",
        "in_progress",
        "not_started",
        "long_term",
        "overdue",
    ],
    "rpt_outcomes": [
        "inspections",
        "problems_found",
        "immediate",
        "immediate_completed",
        "immediate_livelihood",
        "common_flagged",
        "recovered_loss_10k",
        "institutions",
        "clues",
        "cases_filed",
        "punished",
    ],
    "rpt_common_problems": [
        "units_in_scope",
        "units_reported",
        "units_reported_on_time",
        "units_overdue",
        "units_with_problem",
        "problems_found",
        "measures",
        "completed",
        "institutions",
        "cases",
    ],
    "rpt_common_problem_followup": [
        "common_problems",
        "units_in_scope",
        "units_reported",
        "units_reported_on_time",
        "units_overdue",
        "units_with_problem",
        "problems_found",
        "measures",
        "completed",
        "institutions",
        "cases",
    ],
    "rpt_recurrence": [
        "lookback_inspections",
        "with_prior",
        "rectified_categories",
        "recurred_categories",
    ],
    "rpt_recurrence_items": ["prior_problems", "lookback_problems"],
    "rpt_rectification_by_unit": [
        "found",
        "completed",
        "in_progress",
        "not_started",
        "long_term",
        "overdue",
        "max_overdue_days",
    ],
    "fct_self_check": ["problems_found", "measures", "completed", "institutions", "cases"],
}
RATE_COLUMNS = {
    "rpt_rectification": ["completion_rate"],
    "rpt_common_problems": ["coverage_rate", "completion_rate"],
    "rpt_common_problem_followup": ["coverage_rate", "completion_rate"],
    "rpt_recurrence": ["recurrence_rate"],
    "rpt_rectification_by_unit": ["completion_rate"],
}
POSITIVE_RATIOS = {
    "rpt_clue_yield_ratio": [
        "ratio_clues",
        "ratio_clues_ci_low",
        "ratio_clues_ci_high",
        "ratio_county_cadre_clues",
        "ratio_county_cadre_clues_ci_low",
        "ratio_county_cadre_clues_ci_high",
    ]
}
NOT_NULL = {
    "fct_inspection": ["organiser_code", "term", "round", "unit_code", "entry_date"],
    "fct_problem": ["submitter_code", "problem_code", "status"],
    "fct_clue": ["submitter_code", "clue_code", "cadre_level", "transfer_date"],
    "fct_common_problem": ["issuer_code", "common_problem_code", "push_date"],
    "fct_self_check": ["issuer_code", "common_problem_code", "unit_code", "report_date"],
    "fct_common_problem_obligation": ["issuer_code", "common_problem_code", "unit_code"],
}
SENSITIVE_COLUMNS = ("subject_name", "subject_title")


def _suite_for(table: str, columns: set[str]) -> list[tuple[str, Any]]:
    """(rule, expectation) pairs for one mart; built from the tables above."""
    import great_expectations as gx

    exp: list[tuple[str, Any]] = []
    for col in COUNT_COLUMNS.get(table, []):
        exp.append(("B2", gx.expectations.ExpectColumnValuesToBeBetween(column=col, min_value=0)))
    for col in RATE_COLUMNS.get(table, []):
        exp.append(
            (
                "B2",
                gx.expectations.ExpectColumnValuesToBeBetween(column=col, min_value=0, max_value=1),
            )
        )
    for col in POSITIVE_RATIOS.get(table, []):
        exp.append(
            (
                "B2",
                gx.expectations.ExpectColumnValuesToBeBetween(
                    column=col, min_value=0, strict_min=False
                ),
            )
        )
    if table == "rpt_rectification":
        exp.append(
            (
                "B2",
                gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="found", column_B="completed", or_equal=True
                ),
            )
        )
    for col in NOT_NULL.get(table, []):
        exp.append(("B1", gx.expectations.ExpectColumnValuesToNotBeNull(column=col)))
    return [
        (rule, e)
        for rule, e in exp
        if (getattr(e, "column", None) or getattr(e, "column_A", None)) in columns
    ]


def sensitive_leaks(table: str, columns: set[str]) -> CheckResult:
    """§9: 反映对象 / 反映对象职务 must never reach a published table (GX has no
    "column must not exist" expectation, so this one is checked directly)."""
    leaked = sorted(columns & set(SENSITIVE_COLUMNS))
    return CheckResult(
        check=f"sensitive:{table}",
        rule="S1",
        status="fail" if leaked else "pass",
        failing_count=len(leaked),
        examples="、".join(leaked),
    )


def _column_of(expectation: Any) -> str:
    return getattr(expectation, "column", None) or getattr(expectation, "column_A", "") or ""


def validate_marts(
    warehouse: Path, tables: Iterable[str], loader: Callable[[str], Any] | None = None
) -> list[CheckResult]:
    """Validate each mart with its suite (one GX validation per table).

    Returns one CheckResult per expectation, plus the sensitive-column check.
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
            if loader is not None:
                frame = loader(table)
            else:
                frame = con.sql(f"SELECT * FROM {table}").pl().to_pandas()  # type: ignore[union-attr]
            results.append(sensitive_leaks(table, set(frame.columns)))
            items = _suite_for(table, set(frame.columns))
            if not items:
                continue
            suite = gx.ExpectationSuite(name=f"xuncha_{table}")
            rules: dict[str, str] = {}
            for rule, expectation in items:
                added = suite.add_expectation(expectation)
                rules[_key(added)] = rule
            batch = (
                source.add_dataframe_asset(name=table)
                .add_batch_definition_whole_dataframe("all")
                .get_batch(batch_parameters={"dataframe": frame})
            )
            for outcome in batch.validate(suite).results:
                cfg = outcome.expectation_config
                res = outcome.result or {}
                failing = int(res.get("unexpected_count") or (0 if outcome.success else 1))
                examples = res.get("partial_unexpected_list") or []
                column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A") or ""
                results.append(
                    CheckResult(
                        check=f"gx:{table}:{cfg.type}:{column}",
                        rule=rules.get(f"{cfg.type}:{column}", "B2"),
                        status="pass" if outcome.success else "fail",
                        failing_count=failing,
                        examples=str(examples[:5]) if not outcome.success else "",
                    )
                )
    finally:
        if con is not None:
            con.close()
    return results


def _key(expectation: Any) -> str:
    return f"{expectation.expectation_type}:{_column_of(expectation)}"
