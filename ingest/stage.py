"""Phase B's decided rows, staged file by file as Parquet parts kept between refreshes (issue 13).

Each file's decision (submitter, F-rules, R1–R3) depends only on the file, its place in
the inbox and the registry (the current R0/T0 rows), so it is a *part* keyed by a hash
of those and of the ingest code (`part_key`). As soon as a file is decided, its loaded
rows (per template), detail rows (`raw_rows`) and quarantined rows are written as
Parquet files of its part directory under `cache/stage/`, with its verdict; nothing of
it stays in Python. A refresh after one file changed decides that file only: the other
parts are still there. (The sensitive columns are never in these parts: they go to
encrypted part files, `ingest.pipeline.SubjectParts`.)

The raw layer is then built in the work warehouse by DuckDB over the current parts'
Parquet files: resubmission (§7) is one window function per template — a row stands
when its file has the highest recency rank of its scope — and every raw table is
`CREATE OR REPLACE … AS SELECT`, all in one transaction, so dbt never sees half a
refresh. DuckDB works within its memory limit and spills the rest to disk, so the
process does not grow with the province.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.load import (
    QUARANTINE_SCHEMA,
    ROWS_SCHEMA,
    Repeat,
    arrow_schema,
    columns_table,
    frame,
    template_schema,
)
from ingest.registry import Registry, Template

MEMORY_LIMIT = "256MB"  # DuckDB's own buffers when building; beyond it, it spills to disk
# One thread builds the raw layer with less CPU than two and no more wall time (bench
# province, issue 13: 2.4 against 3.6 CPU-s for the build, its checkpoint 0.25 against
# 0.75 s): the statements read many small Parquet parts and the second thread mostly waits.
THREADS = 1
_PART, _SEQ = "_part", "_seq"
_INGEST = Path(__file__).resolve().parent
_RULES_YML = _INGEST.parent / "contract" / "rules.yml"


def code_fingerprint() -> str:
    """Hash of what decides a part besides its file: the ingest code, templates.yml and
    the rules text, so that changing any of them re-decides every file."""
    digest = hashlib.sha256()
    sources = sorted(_INGEST.glob("*.py")) + [_INGEST / "templates.yml", _RULES_YML]
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def part_key(code_fp: str, registry_fp: str, sha256: str, rel_path: str) -> str:
    """The key of one file's decision: its content, its path (lineage, submitter folder),
    the registry it was resolved against and the code that decided it."""
    text = "\0".join((code_fp, registry_fp, sha256, rel_path))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stage_name(code: str) -> str:
    return f"stage_{code.lower()}"


def _schema_fingerprint(reg: Registry) -> str:
    """The stage's table layout follows templates.yml; a changed layout is a new stage file."""
    return hashlib.sha256(
        json.dumps(
            {
                c: [[k, str(v)] for k, v in template_schema(t).items()]
                for c, t in reg.templates.items()
            },
            ensure_ascii=False,
        ).encode()
    ).hexdigest()[:16]


class Stager:
    """The persistent stage of a home: one directory per part under `cache/stage/`, holding
    a Parquet file per stage table it has rows for and its verdict (`verdict.json`,
    written last: a part without one is a killed refresh's and is dropped)."""

    def __init__(self, stage_dir: Path, reg: Registry) -> None:
        stage_dir.mkdir(parents=True, exist_ok=True)
        stage_dir.chmod(0o700)
        self.directory = stage_dir / f"parts-{_schema_fingerprint(reg)}"
        for old in stage_dir.glob("parts-*"):
            if old != self.directory:
                shutil.rmtree(old, ignore_errors=True)  # a stage of another templates.yml layout
        self.directory.mkdir(exist_ok=True)
        self.reg = reg
        self.schemas: dict[str, dict[str, pl.DataType]] = {
            code: {k: v for k, v in template_schema(t).items() if k != "is_current"}
            for code, t in reg.templates.items()
        }
        self._quarantine = {k: v for k, v in QUARANTINE_SCHEMA.items() if k != "is_current"}
        self._arrow = {code: arrow_schema(schema) for code, schema in self.schemas.items()}
        self._rows_arrow = arrow_schema(ROWS_SCHEMA)
        self._pending: dict[str, list[pa.Table]] = {}
        self._seq = 0

    def stage_schema(self, name: str) -> dict[str, pl.DataType]:
        """Columns of a stage table (`_part`, the raw columns but is_current, `_seq`)."""
        if name == "stage_rows":
            schema = dict(ROWS_SCHEMA)
        elif name == "stage_quarantine":
            schema = self._quarantine
        else:
            schema = self.schemas[name.removeprefix("stage_").upper()]
        return {_PART: pl.Utf8(), **schema, _SEQ: pl.Int64()}

    def stage_names(self) -> list[str]:
        return [*(_stage_name(c) for c in self.schemas), "stage_quarantine", "stage_rows"]

    # --- staging ----------------------------------------------------------------------------

    def known_parts(self) -> dict[str, dict]:
        """Verdict of every complete part already staged."""
        known: dict[str, dict] = {}
        for entry in self.directory.iterdir():
            try:
                known[entry.name] = json.loads((entry / "verdict.json").read_text("utf-8"))
            except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
                continue
        return known

    def start_part(self) -> None:
        self._seq = 0
        self._pending.clear()

    def _append(self, name: str, part: str, table: pa.Table) -> None:
        """Queue one sheet's rows of stage table `name`, between `_part` and `_seq`."""
        n = table.num_rows
        if n == 0:
            return
        seq = pa.array(range(self._seq, self._seq + n), pa.int64())
        self._seq += n
        table = table.add_column(0, _PART, pa.repeat(pa.scalar(part, pa.large_string()), n))
        self._pending.setdefault(name, []).append(table.append_column(_SEQ, seq))

    def add_loaded(self, part: str, code: str, columns: dict[str, list | Repeat]) -> None:
        """One sheet's loaded rows of template `code`, as one list (or Repeat) per column."""
        self._append(
            _stage_name(code), part, columns_table(columns, self.schemas[code], self._arrow[code])
        )

    def add_rows(self, part: str, columns: dict[str, list | Repeat]) -> None:
        self._append("stage_rows", part, columns_table(columns, ROWS_SCHEMA, self._rows_arrow))

    def add_quarantine(self, part: str, rows: list[dict]) -> None:
        if rows:
            self._append("stage_quarantine", part, frame(rows, self._quarantine).to_arrow())

    def end_part(self, part: str, verdict: dict) -> None:
        """Write the part: its Parquet files, then its verdict, in a temp directory renamed
        into place, so a killed refresh leaves whole parts or none."""
        tmp = self.directory / f".{part}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        tables = []
        for name, pending in self._pending.items():
            table = pa.concat_tables(pending) if len(pending) > 1 else pending[0]
            _write_parquet(table, tmp / f"{name}.parquet")
            tables.append(name)
        verdict = verdict | {"tables": tables}
        (tmp / "verdict.json").write_text(json.dumps(verdict, ensure_ascii=False), "utf-8")
        target = self.directory / part
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        self._pending.clear()

    def prune(self, current: set[str]) -> None:
        """Drop the parts of files no longer in the inbox (or decided differently now) and
        the leftovers of killed refreshes."""
        for entry in self.directory.iterdir():
            if entry.name not in current or not (entry / "verdict.json").exists():
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)

    def files_of(self, name: str, parts: list[str]) -> list[str]:
        """The Parquet files of stage table `name` of `parts` (those that have rows)."""
        found = []
        for part in parts:
            path = self.directory / part / f"{name}.parquet"
            if path.exists():
                found.append(str(path))
        return found

    def close(self) -> None:
        self._pending.clear()


class RawBuilder:
    """Builds the raw layer in the work warehouse from the current parts of the stage."""

    def __init__(self, warehouse: Path, stager: Stager, files: pl.DataFrame) -> None:
        """`files`: one row per current part — _part, _rank (§7 recency, higher = later),
        _ord (inbox order)."""
        self.reg = stager.reg
        self.schemas = stager.schemas
        self.quarantine = stager._quarantine
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(warehouse))
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute(f"SET threads = {THREADS}")
        self.con.register("_files", files.to_arrow())
        parts = files["_part"].to_list()
        for name in stager.stage_names():
            self._source(name, stager.files_of(name, parts), stager.stage_schema(name))

    def _source(self, name: str, paths: list[str], schema: dict[str, pl.DataType]) -> None:
        """View `name` over the parts' Parquet files (an empty table when none has rows)."""
        if paths:
            listed = ", ".join(_literal(p) for p in paths)
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet([{listed}])"
            )
        else:
            self.con.register(f"_empty_{name}", pl.DataFrame(schema=schema).to_arrow())
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM _empty_{name}")

    def _scope_partition(self, template: Template) -> str:
        """PARTITION BY of the §7 scope: nothing for a whole-table scope, else the submitter
        and the natural key (`row`) or the scope columns, an empty 组织单位/下发单位 being the
        submitter (`empty_is_submitter`, as `ingest.resolve.key_columns` keys them)."""
        if template.scope == "table":
            return ""
        names = template.natural_key if template.scope == "row" else template.scope
        columns = self.schemas[template.code]
        defaults = template.submitter_defaults
        parts = ["s.submitter_code"]
        for name in names:
            if name not in columns:
                parts.append("s.submitter_code" if name in defaults else "NULL")
            elif name in defaults:
                parts.append(f"coalesce(nullif(s.{_quote(name)}, ''), s.submitter_code)")
            else:
                parts.append(f"s.{_quote(name)}")
        return "PARTITION BY " + ", ".join(parts)

    def build_templates(self) -> dict[str, tuple[int, int]]:
        """Replace every template table from its stage; per file hash, (rows loaded, rows
        current). Runs inside the caller's transaction."""
        counts: dict[str, tuple[int, int]] = {}
        for code, template in self.reg.templates.items():
            select = ", ".join(f"s.{_quote(n)}" for n in self.schemas[code])
            self.con.execute(
                f"CREATE OR REPLACE TABLE {_quote(template.table)} AS "
                f"SELECT {select}, f._rank = max(f._rank) OVER ({self._scope_partition(template)}) "
                f"AS is_current FROM {_stage_name(code)} s "
                f"JOIN _files f ON f._part = s.{_PART} ORDER BY f._ord, s.{_SEQ}"
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
        select = ", ".join(f"q.{_quote(n)}" for n in self.quarantine)
        self.con.execute(
            f"CREATE OR REPLACE TABLE raw_quarantine AS SELECT {select}, "
            "coalesce(c._file_current, true) AS is_current FROM stage_quarantine q "
            f"JOIN _files f ON f._part = q.{_PART} "
            "LEFT JOIN _file_current c ON c.file_sha256 = q.file_sha256 "
            f"ORDER BY f._ord, q.{_SEQ}"
        )
        self.con.unregister("_file_current")
        select = ", ".join(f"r.{_quote(n)}" for n in ROWS_SCHEMA)
        self.con.execute(
            # Not sorted: the biggest table, and nothing reads it by position (a template
            # table keeps the inbox order, as before).
            f"CREATE OR REPLACE TABLE raw_rows AS SELECT {select} FROM stage_rows r "
            f"SEMI JOIN _files f ON f._part = r.{_PART}"
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


def _write_parquet(table: pa.Table, path: Path) -> None:
    """One stage table of a part, written by pyarrow without dictionary pages: half the
    CPU of polars' writer on frames this small (a part is one file's rows), and DuckDB
    reads the same values back."""
    pq.write_table(table, path, compression="lz4", write_statistics=False, use_dictionary=False)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
