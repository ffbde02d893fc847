"""The ingest stage: inbox → raw layer (contract §2–§5, §7, §8 R1–R3, F1–F4).

Phase A (`ingest.parse`) reads and types each file on its own, cached by
content hash and run in worker processes. Phase B, here, needs all files at
once: the registry (R0/T0) may arrive in the same inbox, submitters and
references are resolved against it, and resubmission compares files.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from home import Home
from ingest.inbox import InboxFile, scan_inbox
from ingest.load import (
    FILES_SCHEMA,
    LINEAGE_SCHEMA,
    QUARANTINE_SCHEMA,
    ROWS_SCHEMA,
    SUBJECTS_SCHEMA,
    columns_frame,
    frame,
    read_previous_files,
    template_schema,
    write_raw_layer,
    write_restricted,
)
from ingest.parse import PARSE_VERSION, ParsedFile, parse_file
from ingest.refs import RegionIndex, UnitIndex
from ingest.registry import registry
from ingest.resolve import (
    FileOutcome,
    LoadedSheet,
    decide_rows,
    resolve_submitter,
    submission_date_of,
)
from ingest.resubmission import Recency, decide_current
from ingest.secrets import Key, decrypt, encrypt, resolve_key

REGISTRY_TEMPLATES = ("R0", "T0")
PARALLEL_THRESHOLD = 6


@dataclass(slots=True)
class IngestSummary:
    refresh_id: str
    warehouse: Path
    files: Counter = field(default_factory=Counter)  # status → count
    rules: Counter = field(default_factory=Counter)  # F*/R* → count
    rows_loaded: int = 0
    rows_quarantined: int = 0
    parsed_files: int = 0  # files actually read this time (cache misses)

    def as_metadata(self) -> dict[str, object]:
        return {
            "files_loaded": self.files.get("loaded", 0),
            "files_rejected": self.files.get("rejected", 0),
            "files_unchanged": self.files.get("unchanged", 0),
            "files_superseded": self.files.get("superseded", 0),
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "quarantined_by_rule": dict(sorted(self.rules.items())),
            "files_parsed": self.parsed_files,
        }


def _cache_path(cache_dir: Path, sha: str) -> Path:
    return cache_dir / f"{sha}.v{PARSE_VERSION}.enc"


def _parse_to_cache(path: Path, target: Path, cache_key: bytes) -> bytes:
    """Parse one file and cache it encrypted; the plain pickle is returned as is, so a
    worker process serialises its result once (a returned ParsedFile would be pickled
    a second time)."""
    data = pickle.dumps(parse_file(path), protocol=pickle.HIGHEST_PROTOCOL)
    _write_private(target, encrypt(cache_key, data))
    return data


def _write_private(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically with mode 0600.

    Cached parses hold the sensitive T3 columns (反映对象, 反映对象职务): they reach
    this function already encrypted (ingest/secrets.py), and the file is created
    owner-only all the same (not chmod-ed afterwards, which would leave a readable window).
    """
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)  # an existing leftover tmp keeps its mode through O_CREAT
    tmp.replace(target)


def _read_cached(path: Path, cache_key: bytes) -> ParsedFile | None:
    """A cached parse, or None when it is missing or was encrypted with another key."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    data = decrypt(cache_key, blob)
    return None if data is None else pickle.loads(data)


def _drop_plain_cache(cache_dir: Path) -> None:
    """Caches of earlier versions were plain pickles holding the sensitive columns: remove
    them, and temp files of killed refreshes (one writer per home, so none is live)."""
    for leftover in (*cache_dir.glob("*.pkl"), *cache_dir.glob("*.tmp")):
        leftover.unlink(missing_ok=True)


def parse_all(
    files: list[InboxFile],
    cache_dir: Path,
    workers: int | None,
    cache_key: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, ParsedFile], int]:
    """Parsed result per hash; unchanged files come from the cache and are never re-read.

    `cache_key` encrypts the cache (ingest/secrets.py); without one, the cache
    folder gets a key of its own.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache_dir.chmod(0o700)
    if cache_key is None:
        cache_key = resolve_key(cache_dir, create=True).cache_key()
    _drop_plain_cache(cache_dir)
    results: dict[str, ParsedFile] = {}
    todo: list[InboxFile] = []
    for file in files:
        cached = _read_cached(_cache_path(cache_dir, file.sha256), cache_key)
        if cached is not None:
            results[file.sha256] = cached
        else:
            todo.append(file)
    workers = workers or os.cpu_count() or 1
    if len(todo) >= PARALLEL_THRESHOLD and workers > 1:
        registry()  # loaded once here, inherited by the forked workers
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {
                f.sha256: pool.submit(
                    _parse_to_cache, f.path, _cache_path(cache_dir, f.sha256), cache_key
                )
                for f in todo
            }
            for done, (sha, future) in enumerate(futures.items(), 1):
                results[sha] = pickle.loads(future.result())
                if progress:
                    progress(done, len(todo))
    else:
        for done, f in enumerate(todo, 1):
            data = _parse_to_cache(f.path, _cache_path(cache_dir, f.sha256), cache_key)
            results[f.sha256] = pickle.loads(data)
            if progress:
                progress(done, len(todo))
    return results, len(todo)


def _bootstrap_registry(
    unique: list[InboxFile], parsed: dict[str, ParsedFile], recency: dict[str, Recency]
) -> tuple[RegionIndex, UnitIndex]:
    """Build the region and unit indexes from the current R0 and T0 rows of the inbox.

    R0/T0 carry no references, so their rows can be decided before any
    submitter is known; the latest file holding each table wins (§7).
    """
    empty_regions, empty_units = RegionIndex(), UnitIndex()
    outcomes = []
    for file in unique:
        p = parsed[file.sha256]
        if p.rejection or not any(s.template in REGISTRY_TEMPLATES for s in p.sheets):
            continue
        only_registry = ParsedFile(sheets=[s for s in p.sheets if s.template in REGISTRY_TEMPLATES])
        outcome = FileOutcome(file=file, submitter_code="")
        decide_rows(outcome, only_registry, empty_units, empty_regions)
        outcomes.append(outcome)
    current = decide_current(outcomes, recency)
    regions, units = RegionIndex(), UnitIndex()
    for outcome in outcomes:
        for loaded in outcome.loaded:
            v = loaded.values
            for pos, is_current in zip(loaded.rows, current[id(loaded)], strict=True):
                if not is_current:
                    continue
                if loaded.template.code == "R0":
                    regions.add(
                        str(v["region_code"][pos]),
                        str(v["region_name"][pos]),
                        v["region_level"][pos],
                    )  # type: ignore[arg-type]
                else:
                    units.add(str(v["unit_code"][pos]), str(v["unit_name"][pos]), v["aliases"][pos])  # type: ignore[arg-type]
    return regions, units


def run_ingest(
    inbox: Path,
    home: Path,
    as_of: date | None = None,
    *,
    workers: int | None = None,
    key: Key | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestSummary:
    """Ingest the whole inbox into `home/warehouse.duckdb`; bad files and rows never stop it.

    `key` (default: the home's, ingest/secrets.py) encrypts the restricted store and cache.
    """
    key = key or resolve_key(home, create=True)
    warehouse = Home(home).warehouse
    refresh_id = uuid.uuid4().hex[:12]
    refreshed_at = datetime.now().replace(microsecond=0)
    files = scan_inbox(inbox)
    previous = read_previous_files(warehouse)

    first_of_hash: dict[str, InboxFile] = {}
    for f in files:
        first_of_hash.setdefault(f.sha256, f)
    unique = list(first_of_hash.values())
    parsed, parsed_count = parse_all(
        unique, Home(home).parse_cache, workers, key.cache_key(), progress
    )

    recency = {
        f.sha256: Recency(
            submission_date_of(parsed[f.sha256]) or date.min,
            f.mtime,
            (0 if f.sha256 in previous else 1) * 1_000_000 + i,
        )
        for i, f in enumerate(unique)
    }
    regions, units = _bootstrap_registry(unique, parsed, recency)

    outcomes: dict[str, FileOutcome] = {}
    for f in unique:
        p = parsed[f.sha256]
        outcome = FileOutcome(file=f, submission_date=submission_date_of(p))
        outcomes[f.sha256] = outcome
        if p.rejection:
            outcome.rule, outcome.message = p.rejection
            continue
        if not p.sheets:
            outcome.rule, outcome.message = "F2", p.near_miss
            continue
        submitter, how = resolve_submitter(p, f, regions)
        if submitter is None:
            outcome.rule, outcome.message = "F3", how
            continue
        outcome.submitter_code = submitter
        decide_rows(outcome, p, units, regions)

    loaded_outcomes = [o for o in outcomes.values() if o.rule is None]
    current = decide_current(loaded_outcomes, recency)

    summary = IngestSummary(refresh_id=refresh_id, warehouse=warehouse, parsed_files=parsed_count)
    tables, file_rows, quarantine_rows, subjects = _assemble(
        files, first_of_hash, outcomes, current, previous, summary
    )
    tables["raw_ingest_files"] = frame(file_rows, FILES_SCHEMA | {"submitter_hint": pl.Utf8()})
    tables["raw_quarantine"] = frame(quarantine_rows, QUARANTINE_SCHEMA)
    tables["raw_rows"] = columns_frame(_raw_rows(unique, parsed), ROWS_SCHEMA)
    tables["raw_refresh"] = pl.DataFrame(
        {
            "refresh_id": [refresh_id],
            "as_of": [as_of or date.today()],
            "refreshed_at": [refreshed_at],
        }
    )
    history = tables["raw_ingest_files"].with_columns(
        pl.lit(refresh_id).alias("refresh_id"), pl.lit(refreshed_at).alias("refreshed_at")
    )
    write_raw_layer(warehouse, tables, {"raw_file_history": history})
    write_restricted(Home(home).restricted, subjects, key)
    return summary


def _raw_rows(unique: list[InboxFile], parsed: dict[str, ParsedFile]) -> dict[str, list]:
    """raw_rows as columns: every detail row of every matched sheet, as read."""
    columns: dict[str, list] = {name: [] for name in ROWS_SCHEMA}
    for f in unique:
        for sheet in parsed[f.sha256].sheets:
            n = len(sheet)
            columns["file_path"] += [f.rel_path] * n
            columns["file_sha256"] += [f.sha256] * n
            columns["sheet"] += [sheet.name] * n
            columns["row_number"] += sheet.row_numbers
            columns["template"] += [sheet.template] * n
            columns["cells"] += sheet.cells
    return columns


def _pick(column: list[object] | None, rows: list[int]) -> list[object]:
    """The cells of `column` at positions `rows` (all None for a column the sheet lacks)."""
    if column is None:
        return [None] * len(rows)
    return [column[p] for p in rows]


def _append_loaded(
    table: dict[str, list],
    subjects: dict[str, list],
    f: InboxFile,
    outcome: FileOutcome,
    loaded: LoadedSheet,
    is_current: list[bool],
) -> None:
    """Add one sheet's loaded rows to its template table (and T3 subjects to the restricted
    table), column by column."""
    rows = loaded.rows
    n = len(rows)
    numbers = _pick(loaded.sheet.row_numbers, rows)  # type: ignore[arg-type]
    for name in table:
        if name not in LINEAGE_SCHEMA:
            table[name] += _pick(loaded.values.get(name), rows)
    table["file_path"] += [f.rel_path] * n
    table["file_sha256"] += [f.sha256] * n
    table["sheet"] += [loaded.sheet.name] * n
    table["row_number"] += numbers
    table["submitter_code"] += [outcome.submitter_code] * n
    table["submission_date"] += [outcome.submission_date] * n
    table["is_current"] += is_current
    if loaded.template.code == "T3":
        subjects["file_sha256"] += [f.sha256] * n
        subjects["sheet"] += [loaded.sheet.name] * n
        subjects["row_number"] += numbers
        subjects["submitter_code"] += [outcome.submitter_code] * n
        subjects["clue_code"] += _pick(loaded.values.get("clue_code"), rows)
        for name in ("subject_name", "subject_title"):
            subjects[name] += _pick(loaded.sheet.sensitive.get(name), rows)  # type: ignore[arg-type]


def _assemble(
    files: list[InboxFile],
    first_of_hash: dict[str, InboxFile],
    outcomes: dict[str, FileOutcome],
    current: dict[int, list[bool]],
    previous: dict[str, dict],
    summary: IngestSummary,
) -> tuple[dict[str, pl.DataFrame], list[dict], list[dict], pl.DataFrame]:
    """Template tables, file rows, quarantine rows and the restricted subjects of this refresh."""
    reg = registry()
    schemas = {code: template_schema(t) for code, t in reg.templates.items()}
    by_template: dict[str, dict[str, list]] = {
        code: {name: [] for name in schema} for code, schema in schemas.items()
    }
    subjects: dict[str, list] = {name: [] for name in SUBJECTS_SCHEMA}
    file_rows: list[dict] = []
    quarantine_rows: list[dict] = []
    for f in files:
        original = first_of_hash[f.sha256]
        outcome = outcomes[original.sha256]
        if original is not f:
            file_rows.append(_copy_row(f, original, outcome))
            summary.files["unchanged"] += 1
            continue
        rows_current = sum(sum(current[id(loaded)]) for loaded in outcome.loaded)
        if outcome.rule:
            status = "rejected"
        elif outcome.loaded and rows_current == 0:
            status = "superseded"
        else:
            status = "loaded"
        before = previous.get(f.sha256)
        if before is not None and before["status"] == status:
            status = "unchanged"
        summary.files[status] += 1
        file_current = status != "superseded"
        for loaded in outcome.loaded:
            table = by_template[loaded.template.code]
            _append_loaded(table, subjects, f, outcome, loaded, current[id(loaded)])
        for q in outcome.quarantined:
            quarantine_rows.append(
                {
                    "file_path": f.rel_path,
                    "file_sha256": f.sha256,
                    "sheet": q.sheet,
                    "row_number": q.row_number,
                    "template": q.template,
                    "submitter_code": outcome.submitter_code,
                    "column_name": q.column_name,
                    "value": q.value,
                    "rule": q.rule,
                    "message": q.message,
                    "is_current": file_current,
                }
            )
            if file_current:
                summary.rules[q.rule] += 1
        if outcome.rule:
            summary.rules[outcome.rule] += 1
        summary.rows_loaded += rows_current
        summary.rows_quarantined += len(outcome.quarantined) if file_current else 0
        file_rows.append(
            _file_row(
                f,
                outcome,
                status,
                outcome.rule,
                outcome.message,
                rows_current,
                len(outcome.quarantined),
            )
        )
    tables = {
        t.table: columns_frame(by_template[code], schemas[code])
        for code, t in reg.templates.items()
    }
    return tables, file_rows, quarantine_rows, columns_frame(subjects, SUBJECTS_SCHEMA)


def _copy_row(f: InboxFile, original: InboxFile, outcome: FileOutcome) -> dict:
    """A byte-identical copy is `unchanged` and carries the rule and message of the file it
    copies (§7 v2), so a copy of a rejected file still tells its sender why it was refused."""
    message = f"与“{original.rel_path}”内容完全相同，已跳过"
    if outcome.rule:
        message += f"；该文件未被接收：{outcome.message}"
    return _file_row(f, outcome, "unchanged", outcome.rule, message, 0, 0)


def _file_row(
    f: InboxFile,
    outcome: FileOutcome,
    status: str,
    rule: str | None,
    message: str | None,
    rows_loaded: int,
    rows_quarantined: int,
) -> dict:
    return {
        "file_path": f.rel_path,
        "file_sha256": f.sha256,
        "file_size": f.size,
        "file_mtime": f.mtime,
        "submitter_code": None if outcome.rule else outcome.submitter_code,
        "submission_date": outcome.submission_date,
        "status": status,
        "rule": rule,
        "message": message,
        "rows_loaded": rows_loaded,
        "rows_quarantined": rows_quarantined,
        "submitter_hint": outcome.submitter_code or f.top_folder,
    }
