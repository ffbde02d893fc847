"""Phase B's rows go to DuckDB file by file, and the raw layer is built there (issue 13).

Each file's decided rows are appended to a temporary staging table per template (with
the file's recency rank), its detail rows to a staging `raw_rows` and its quarantined
rows to a staging quarantine, as soon as the file is decided; nothing of a file is kept
in Python after that. Resubmission (§7) is then one window function per template: a
row stands when its file has the highest rank of its scope. The raw tables are
`CREATE OR REPLACE … AS SELECT` from the stages, all in one transaction, so dbt never
sees half a refresh. DuckDB keeps the stages within its memory limit and spills the rest
to disk, so the process does not grow with the province.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from ingest.load import (
    QUARANTINE_SCHEMA,
    ROWS_SCHEMA,
    columns_frame,
    frame,
    template_schema,
)
from ingest.registry import Registry, Template

MEMORY_LIMIT = "256MB"  # DuckDB's own buffers; beyond it the stages spill to disk
# Staged frames wait in Python until this many rows are pending, then go to DuckDB in one
# insert per stage: one insert per sheet costs more than the rows themselves.
FLUSH_ROWS = 50_000
_RANK, _SEQ = "_rank", "_seq"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stage_name(code: str) -> str:
    return f"stage_{code.lower()}"


class Stager:
    """The staging tables of one refresh, in a connection to the work warehouse."""

    def __init__(self, warehouse: Path, reg: Registry) -> None:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(warehouse))
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.reg = reg
        self._seq = 0
        self._pending: dict[str, list[pl.DataFrame]] = {}
        self._pending_rows = 0
        self.schemas: dict[str, dict[str, pl.DataType]] = {}
        for code, template in reg.templates.items():
            schema = {k: v for k, v in template_schema(template).items() if k != "is_current"}
            self.schemas[code] = schema
            self._create(_stage_name(code), schema | {_RANK: pl.Int64(), _SEQ: pl.Int64()})
        quarantine = {k: v for k, v in QUARANTINE_SCHEMA.items() if k != "is_current"}
        self._create("stage_quarantine", quarantine | {_SEQ: pl.Int64()})
        self._create("stage_rows", ROWS_SCHEMA | {_SEQ: pl.Int64()})

    def _create(self, name: str, schema: dict[str, pl.DataType]) -> None:
        self.con.register("_empty", pl.DataFrame(schema=schema).to_arrow())
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _empty")
        self.con.unregister("_empty")

    def _numbered(self, df: pl.DataFrame) -> pl.DataFrame:
        """`df` with the running row number that keeps the raw tables in inbox order."""
        n = df.height
        seq = pl.int_range(self._seq, self._seq + n, dtype=pl.Int64, eager=True).alias(_SEQ)
        self._seq += n
        return df.with_columns(seq)

    def _append(self, name: str, df: pl.DataFrame) -> None:
        if df.height == 0:
            return
        self._pending.setdefault(name, []).append(self._numbered(df))
        self._pending_rows += df.height
        if self._pending_rows >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert the pending frames of every stage, one insert per stage."""
        for name, frames in self._pending.items():
            incoming = pl.concat(frames, how="vertical", rechunk=False)
            self.con.register("_incoming", incoming.to_arrow())
            self.con.execute(f"INSERT INTO {name} SELECT * FROM _incoming")
            self.con.unregister("_incoming")
        self._pending.clear()
        self._pending_rows = 0

    def add_loaded(self, code: str, columns: dict[str, list], rank: int) -> None:
        """One sheet's loaded rows of template `code`, as one list per column."""
        df = columns_frame(columns, self.schemas[code])
        self._append(_stage_name(code), df.with_columns(pl.lit(rank, pl.Int64).alias(_RANK)))

    def add_rows(self, columns: dict[str, list]) -> None:
        self._append("stage_rows", columns_frame(columns, ROWS_SCHEMA))

    def add_quarantine(self, rows: list[dict]) -> None:
        schema = {k: v for k, v in QUARANTINE_SCHEMA.items() if k != "is_current"}
        if rows:
            self._append("stage_quarantine", frame(rows, schema))

    # --- the raw layer ----------------------------------------------------------------------

    def _scope_partition(self, template: Template) -> str:
        """PARTITION BY of the §7 scope: nothing for a whole-table scope, else the submitter
        and the natural key (`row`) or the scope columns, an empty 组织单位/下发单位 being the
        submitter (`empty_is_submitter`, as `ingest.resolve.key_columns` keys them)."""
        if template.scope == "table":
            return ""
        names = template.natural_key if template.scope == "row" else template.scope
        columns = self.schemas[template.code]
        defaults = template.submitter_defaults
        parts = ["submitter_code"]
        for name in names:
            if name not in columns:
                parts.append("submitter_code" if name in defaults else "NULL")
            elif name in defaults:
                parts.append(f"coalesce(nullif({_quote(name)}, ''), submitter_code)")
            else:
                parts.append(_quote(name))
        return "PARTITION BY " + ", ".join(parts)

    def build_templates(self) -> dict[str, tuple[int, int]]:
        """Replace every template table from its stage; per file hash, (rows loaded, rows
        current). Runs inside the caller's transaction."""
        counts: dict[str, tuple[int, int]] = {}
        for code, template in self.reg.templates.items():
            stage = _stage_name(code)
            self.con.execute(
                f"CREATE OR REPLACE TABLE {_quote(template.table)} AS "
                f"SELECT * EXCLUDE ({_RANK}, {_SEQ}, _current), _current AS is_current FROM ("
                f"SELECT *, {_RANK} = max({_RANK}) OVER ({self._scope_partition(template)}) "
                f"AS _current FROM {stage}) ORDER BY {_SEQ}"
            )
            rows = self.con.execute(
                f"SELECT file_sha256, count(*), count(*) FILTER (WHERE is_current) "
                f"FROM {_quote(template.table)} GROUP BY file_sha256"
            ).fetchall()
            for sha, loaded, current in rows:
                before = counts.get(sha, (0, 0))
                counts[sha] = (before[0] + loaded, before[1] + current)
        return counts

    def build_bookkeeping(self, file_current: dict[str, bool]) -> None:
        """raw_quarantine (is_current = its file is not superseded) and raw_rows."""
        current = pl.DataFrame(
            {"file_sha256": list(file_current), "_file_current": list(file_current.values())},
            schema={"file_sha256": pl.Utf8(), "_file_current": pl.Boolean()},
        )
        self.con.register("_file_current", current.to_arrow())
        names = [n for n in QUARANTINE_SCHEMA if n != "is_current"]
        select = ", ".join(f"q.{_quote(n)}" for n in names)
        self.con.execute(
            f"CREATE OR REPLACE TABLE raw_quarantine AS SELECT {select}, "
            "coalesce(c._file_current, true) AS is_current FROM stage_quarantine q "
            "LEFT JOIN _file_current c ON c.file_sha256 = q.file_sha256 ORDER BY q._seq"
        )
        self.con.unregister("_file_current")
        # The stage was filled in _seq order and a plain scan keeps insertion order
        # (preserve_insertion_order), so no sort of the biggest table is needed.
        self.con.execute(
            f"CREATE OR REPLACE TABLE raw_rows AS SELECT * EXCLUDE ({_SEQ}) FROM stage_rows"
        )

    def replace_tables(self, tables: dict[str, pl.DataFrame]) -> None:
        for name, df in tables.items():
            self.con.register("_incoming", df.to_arrow())
            self.con.execute(f"CREATE OR REPLACE TABLE {_quote(name)} AS SELECT * FROM _incoming")
            self.con.unregister("_incoming")

    def append_tables(self, tables: dict[str, pl.DataFrame]) -> None:
        for name, df in tables.items():
            self.con.register("_incoming", df.to_arrow())
            self.con.execute(
                f"CREATE TABLE IF NOT EXISTS {_quote(name)} AS SELECT * FROM _incoming LIMIT 0"
            )
            self.con.execute(f"INSERT INTO {_quote(name)} BY NAME SELECT * FROM _incoming")
            self.con.unregister("_incoming")

    def close(self) -> None:
        self.con.close()
