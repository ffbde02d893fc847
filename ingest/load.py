"""Write the raw layer into DuckDB through Arrow (see docs/raw-layer.md).

Each table is replaced whole inside one transaction, so dbt never sees half a
refresh; the file history is appended. Sensitive columns (`sensitive: true` in
templates.yml: T3's) go only to the restricted store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from ingest.registry import Registry, Template
from ingest.secrets import Key, attach_encrypted

_POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.Utf8(),
    "code": pl.Utf8(),
    "region_code": pl.Utf8(),
    "enum": pl.Utf8(),
    "unit_ref": pl.Utf8(),
    "office_ref": pl.Utf8(),
    "date": pl.Date(),
    "deadline": pl.Date(),
    "integer": pl.Int64(),
    "ordinal": pl.Int64(),
    "year": pl.Int64(),
    "money": pl.Float64(),
    "boolean": pl.Boolean(),
    "enum_list": pl.List(pl.Utf8()),
    "text_list": pl.List(pl.Utf8()),
    "office_ref_list": pl.List(pl.Utf8()),
}

LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "file_path": pl.Utf8(),
    "file_sha256": pl.Utf8(),
    "sheet": pl.Utf8(),
    "row_number": pl.Int32(),
    "submitter_code": pl.Utf8(),
    "submission_date": pl.Date(),
    "is_current": pl.Boolean(),
}

FILES_SCHEMA: dict[str, pl.DataType] = {
    "file_path": pl.Utf8(),
    "file_sha256": pl.Utf8(),
    "file_size": pl.Int64(),
    "file_mtime": pl.Datetime("us"),
    "submitter_code": pl.Utf8(),
    "submission_date": pl.Date(),
    "status": pl.Utf8(),
    "rule": pl.Utf8(),
    "message": pl.Utf8(),
    "rows_loaded": pl.Int64(),
    "rows_quarantined": pl.Int64(),
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "file_path": pl.Utf8(),
    "file_sha256": pl.Utf8(),
    "sheet": pl.Utf8(),
    "row_number": pl.Int32(),
    "template": pl.Utf8(),
    "submitter_code": pl.Utf8(),
    "column_name": pl.Utf8(),
    "value": pl.Utf8(),
    "rule": pl.Utf8(),
    "message": pl.Utf8(),
    "is_current": pl.Boolean(),
}

ROWS_SCHEMA: dict[str, pl.DataType] = {
    "file_path": pl.Utf8(),
    "file_sha256": pl.Utf8(),
    "sheet": pl.Utf8(),
    "row_number": pl.Int32(),
    "template": pl.Utf8(),
    "cells": pl.Utf8(),
}

SUBJECT_LINEAGE: dict[str, pl.DataType] = {
    "file_sha256": pl.Utf8(),
    "sheet": pl.Utf8(),
    "row_number": pl.Int32(),
    "submitter_code": pl.Utf8(),
}


def sensitive_template(reg: Registry) -> Template | None:
    """The template whose columns are marked `sensitive` in templates.yml (T3: 反映对象,
    反映对象职务), read from the registry so that one declaration decides what never enters
    the work warehouse. The restricted store has one table, so at most one template may."""
    found = [t for t in reg.templates.values() if any(c.sensitive for c in t.columns)]
    if len(found) > 1:
        codes = "、".join(t.code for t in found)
        raise ValueError(f"templates.yml: sensitive columns in more than one template ({codes})")
    return found[0] if found else None


def subjects_schema(reg: Registry) -> dict[str, pl.DataType]:
    """Columns of the restricted `clue_subjects`: where the row is, its natural key (the
    clue code) and the sensitive columns, as text."""
    template = sensitive_template(reg)
    schema = dict(SUBJECT_LINEAGE)
    if template is None:
        return schema
    for name in template.natural_key:
        schema[name] = _POLARS_TYPES[template.column(name).type]
    for column in template.columns:
        if column.sensitive:
            schema[column.name] = pl.Utf8()
    return schema


def template_schema(template: Template) -> dict[str, pl.DataType]:
    """Warehouse columns of a template table: its non-sensitive columns, then lineage."""
    schema = {c.name: _POLARS_TYPES[c.type] for c in template.columns if not c.sensitive}
    schema.update(LINEAGE_SCHEMA)
    return schema


def frame(rows: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


@dataclass(frozen=True, slots=True)
class Repeat:
    """A column holding one value on every row (a lineage column: the file, the sheet).

    Polars repeats it in one call, instead of converting `n` references to the same
    Python object one by one (`[value] * n`).
    """

    value: object
    n: int


def columns_frame(
    columns: dict[str, list | Repeat], schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """A frame from one list (or `Repeat`) per column: much cheaper than one dict per row."""
    return pl.DataFrame([_series(name, columns[name], schema[name]) for name in schema])


def _series(name: str, values: list | Repeat, dtype: pl.DataType) -> pl.Series:
    """One typed column. Polars builds a list column from Python one inner Series per
    cell, so lists of text go through Arrow, which converts them in one pass."""
    if isinstance(values, Repeat):
        # One cell, repeated: far cheaper than pl.repeat, whose eager form plans a query.
        return pl.Series(name, [values.value], dtype=dtype).new_from_index(0, values.n)
    if dtype == pl.List(pl.Utf8()):
        return pl.Series(name, pa.array(values, type=pa.large_list(pa.large_string())))
    return pl.Series(name, values, dtype=dtype)


def arrow_schema(schema: dict[str, pl.DataType]) -> pa.Schema:
    """The Arrow schema polars gives a frame of `schema` (large strings, date32, …), so a
    table built straight in Arrow is written to Parquet with the very same types."""
    return pl.DataFrame(schema=schema).to_arrow().schema


def columns_table(
    columns: dict[str, list | Repeat], schema: dict[str, pl.DataType], arrow: pa.Schema
) -> pa.Table:
    """`columns_frame(columns, schema).to_arrow()` built straight in Arrow (`arrow` is
    `arrow_schema(schema)`): the stage only writes the table to Parquet, and skipping
    polars spares converting every column into it and out again."""
    return pa.Table.from_arrays(
        [_array(columns[f.name], schema[f.name], f.type) for f in arrow], schema=arrow
    )


def _array(values: list | Repeat, dtype: pl.DataType, arrow: pa.DataType) -> pa.Array:
    """One column as `columns_frame` types it, by the quicker converter of its type.

    Polars converts text and numbers several times faster than `pa.array` (text: 10×),
    Arrow dates (8×) and lists of text; both give the same values for what a parser or a
    default puts in a date or list column, and a value Arrow will not take goes through
    polars, as before.
    """
    if isinstance(values, Repeat):
        if values.value is None:
            return pa.nulls(values.n, arrow)
        return pa.repeat(pa.scalar(values.value, arrow), values.n)
    if dtype in _ARROW_CONVERTS:
        try:
            return pa.array(values, arrow)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    array = _series("x", values, dtype).to_arrow()
    return array if array.type == arrow else array.cast(arrow)


_ARROW_CONVERTS = (pl.Date(), pl.List(pl.Utf8()))


def write_restricted(restricted: Path, subjects: pl.DataFrame, key: Key) -> None:
    """The only place 反映对象 and 反映对象职务 are stored: encrypted with `key`
    (ingest/secrets.py), owner-only, and replaced whole by a rename.

    The store is rebuilt from the inbox by every refresh, so it is written to a new
    file (encrypted from its first byte, WAL included) and renamed over the old one:
    a killed refresh leaves the previous store, and a changed key needs no migration.
    """
    restricted.parent.mkdir(parents=True, exist_ok=True)
    tmp = restricted.with_name(f".{restricted.name}.{os.getpid()}.tmp")
    # One writer per home (orchestration/lock.py): any temp store is a killed refresh's.
    for leftover in restricted.parent.glob(f".{restricted.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
    old_umask = os.umask(0o077)
    try:
        con = duckdb.connect()
        try:
            attach_encrypted(con, tmp, key, "r", read_only=False)
            con.execute("SET temp_file_encryption = true")  # should it ever spill to disk
            con.register("_incoming", subjects.to_arrow())
            con.execute("CREATE TABLE r.clue_subjects AS SELECT * FROM _incoming")
            con.unregister("_incoming")
            con.execute("DETACH r")
        finally:
            con.close()
    except BaseException:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    finally:
        os.umask(old_umask)
    tmp.chmod(0o600)
    restricted.with_name(restricted.name + ".wal").unlink(missing_ok=True)  # the old file's
    os.replace(tmp, restricted)


def read_previous_files(warehouse: Path) -> dict[str, dict]:
    """The last recorded outcome of each file hash, so unchanged files keep their verdict."""
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (exists,) = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'raw_file_history'"
        ).fetchall()[0]
        if not exists:
            return {}
        rows = con.sql(
            """
            SELECT * EXCLUDE (rn) FROM (
                SELECT *, row_number() OVER (
                    PARTITION BY file_sha256 ORDER BY refreshed_at DESC, refresh_id DESC
                ) AS rn
                FROM raw_file_history WHERE status <> 'unchanged'
            ) WHERE rn = 1
            """
        ).pl()
    finally:
        con.close()
    return {r["file_sha256"]: r for r in rows.iter_rows(named=True)}
