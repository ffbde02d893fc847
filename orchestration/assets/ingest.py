"""Ingest assets: the inbox becomes the raw layer of the work warehouse.

One run of the ingest stage writes every raw table at once (they must agree
with each other), so it is one multi-asset with one asset per raw table;
the keys match the dbt source `raw`.
"""

import dagster as dg

from ingest.pipeline import run_ingest
from ingest.registry import registry
from orchestration.resources import WriterLock, XunchaSettings

BOOKKEEPING_TABLES = ("raw_ingest_files", "raw_quarantine", "raw_rows", "raw_refresh")


def raw_table_names() -> list[str]:
    return [t.table for t in registry().templates.values()] + list(BOOKKEEPING_TABLES)


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


RAW_LAYER = raw_key("raw_ingest_files")


@dg.multi_asset(
    name="raw_layer",
    group_name="ingest",
    specs=[
        dg.AssetSpec(
            raw_key(name),
            description=f"原始层表 {name}：收件箱报送文件解析入库（含来源文件、工作表、行号）",
            kinds={"python", "duckdb"},
        )
        for name in raw_table_names()
    ],
)
def raw_layer(context: dg.AssetExecutionContext, settings: XunchaSettings, writer: WriterLock):
    del writer  # held for the whole run (orchestration/resources.py)
    home = settings.home_paths()
    home.ensure()
    summary = run_ingest(settings.inbox_path(), home.root, settings.as_of_date())
    context.log.info(
        "ingest: %s files, %s rows loaded, %s rows quarantined",
        dict(summary.files),
        summary.rows_loaded,
        summary.rows_quarantined,
    )
    for name in raw_table_names():
        metadata = summary.as_metadata() if name == "raw_ingest_files" else {}
        yield dg.MaterializeResult(asset_key=raw_key(name), metadata=metadata)
