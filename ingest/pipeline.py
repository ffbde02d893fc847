"""The ingest stage: inbox → raw layer (contract §2–§5, §7, §8 R1–R3, F1–F4).

Phase A (`ingest.parse`) reads and types each file on its own, cached by
content hash and run in worker processes. Phase B, here, needs the registry
(R0/T0, which may arrive in the same inbox) before any other file: it is built
first, then each file is decided alone (submitter, R1–R3) and staged as a part
(`ingest.stage`, kept between refreshes), and resubmission across files is done
by DuckDB when the raw layer is built from the parts. Only one file's rows are
in Python at a time.
"""

from __future__ import annotations

import hashlib
import io
import json
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
    Repeat,
    columns_frame,
    frame,
    read_previous_files,
    sensitive_template,
    subjects_schema,
    write_restricted,
)
from ingest.parse import PARSE_VERSION, ParsedFile, parse_file
from ingest.refs import RegionIndex, UnitIndex
from ingest.registry import Template, registry
from ingest.resolve import (
    FileOutcome,
    LoadedSheet,
    decide_rows,
    resolve_submitter,
    submission_date_of,
)
from ingest.resubmission import Recency, decide_current
from ingest.secrets import Key, decrypt, encrypt, resolve_key
from ingest.stage import RawBuilder, Stager, code_fingerprint, part_key

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


@dataclass(frozen=True, slots=True)
class FileHead:
    """What phase B needs of a parsed file before reading its rows: kept for every file
    while the rows themselves are read back from the cache one file at a time."""

    submission_date: date | None
    has_sheets: bool
    registry: bool  # holds an R0/T0 sheet (read first, to bootstrap the registry)
    rejected: bool

    @classmethod
    def of(cls, parsed: ParsedFile) -> FileHead:
        return cls(
            submission_date_of(parsed),
            bool(parsed.sheets),
            any(s.template in REGISTRY_TEMPLATES for s in parsed.sheets),
            parsed.rejection is not None,
        )


def _cache_path(cache_dir: Path, sha: str) -> Path:
    return cache_dir / f"{sha}.v{PARSE_VERSION}.enc"


def _parse_to_cache(path: Path, target: Path, cache_key: bytes) -> FileHead:
    """Parse one file and cache it encrypted; only its small head goes back to the parent,
    which reads the rows from the cache when it gets to the file (bounded memory)."""
    parsed = parse_file(path)
    head = FileHead.of(parsed)
    body = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
    data = pickle.dumps((head, body), protocol=pickle.HIGHEST_PROTOCOL)
    _write_private(target, encrypt(cache_key, data))
    return head


def _write_private(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically with mode 0600.

    Cached parses hold the sensitive columns (templates.yml `sensitive`: T3 反映对象,
    反映对象职务): they reach this function already encrypted (ingest/secrets.py), and the
    file is created owner-only all the same (not chmod-ed afterwards, which would leave a
    readable window).
    """
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o600)  # an existing leftover tmp keeps its mode through O_CREAT
    tmp.replace(target)


def _read_cached_parts(path: Path, cache_key: bytes) -> tuple[FileHead, bytes] | None:
    """A cached parse as (head, pickled ParsedFile), or None when it is missing or was
    encrypted with another key. The rows stay pickled until `load_parsed` needs them."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    data = decrypt(cache_key, blob)
    return None if data is None else pickle.loads(data)


def _read_cached(path: Path, cache_key: bytes) -> ParsedFile | None:
    parts = _read_cached_parts(path, cache_key)
    return None if parts is None else pickle.loads(parts[1])


def _drop_plain_cache(cache_dir: Path) -> None:
    """Caches of earlier versions were plain pickles holding the sensitive columns: remove
    them, and temp files of killed refreshes (one writer per home, so none is live)."""
    for leftover in (*cache_dir.glob("*.pkl"), *cache_dir.glob("*.tmp")):
        leftover.unlink(missing_ok=True)


@dataclass(slots=True)
class ParseCache:
    """The encrypted parse cache of a home: one file per content hash."""

    directory: Path
    key: bytes

    def path(self, sha: str) -> Path:
        return _cache_path(self.directory, sha)

    def load(self, sha: str) -> ParsedFile:
        parsed = _read_cached(self.path(sha), self.key)
        if parsed is None:  # written by parse_heads of this refresh, under this key
            raise RuntimeError(f"parse cache entry {self.path(sha)} vanished during the refresh")
        return parsed


def parse_heads(
    files: list[InboxFile],
    cache_dir: Path,
    workers: int | None,
    cache_key: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, FileHead], int, ParseCache]:
    """Parse every file not in the cache (in worker processes) and return each file's head.

    Unchanged files come from the cache and are never re-read. `cache_key` encrypts the
    cache (ingest/secrets.py); without one, the cache folder gets a key of its own.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache_dir.chmod(0o700)
    if cache_key is None:
        cache_key = resolve_key(cache_dir, create=True).cache_key()
    _drop_plain_cache(cache_dir)
    heads: dict[str, FileHead] = {}
    todo: list[InboxFile] = []
    for file in files:
        cached = _read_cached_parts(_cache_path(cache_dir, file.sha256), cache_key)
        if cached is not None:
            heads[file.sha256] = cached[0]
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
                heads[sha] = future.result()
                if progress:
                    progress(done, len(todo))
    else:
        for done, f in enumerate(todo, 1):
            heads[f.sha256] = _parse_to_cache(f.path, _cache_path(cache_dir, f.sha256), cache_key)
            if progress:
                progress(done, len(todo))
    return heads, len(todo), ParseCache(cache_dir, cache_key)


def parse_all(
    files: list[InboxFile],
    cache_dir: Path,
    workers: int | None,
    cache_key: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, ParsedFile], int]:
    """Parsed result per hash, all in memory (for tools and tests; run_ingest streams)."""
    heads, count, cache = parse_heads(files, cache_dir, workers, cache_key, progress)
    return {sha: cache.load(sha) for sha in heads}, count


def _bootstrap_registry(
    unique: list[InboxFile],
    heads: dict[str, FileHead],
    cache: ParseCache,
    recency: dict[str, Recency],
) -> tuple[RegionIndex, UnitIndex, str]:
    """Build the region and unit indexes from the current R0 and T0 rows of the inbox, and
    a fingerprint of what went into them (every file's decision depends on it).

    R0/T0 carry no references, so their rows can be decided before any
    submitter is known; the latest file holding each table wins (§7).
    """
    empty_regions, empty_units = RegionIndex(), UnitIndex()
    outcomes = []
    for file in unique:
        head = heads[file.sha256]
        if head.rejected or not head.registry:
            continue
        p = cache.load(file.sha256)
        only_registry = ParsedFile(sheets=[s for s in p.sheets if s.template in REGISTRY_TEMPLATES])
        outcome = FileOutcome(file=file, submitter_code="")
        decide_rows(outcome, only_registry, empty_units, empty_regions)
        outcomes.append(outcome)
    current = decide_current(outcomes, recency)
    regions, units = RegionIndex(), UnitIndex()
    added: list[list[object]] = []
    for outcome in outcomes:
        for loaded in outcome.loaded:
            v = loaded.values
            for pos, is_current in zip(loaded.rows, current[id(loaded)], strict=True):
                if not is_current:
                    continue
                if loaded.template.code == "R0":
                    entry = [str(v["region_code"][pos]), str(v["region_name"][pos])]
                    regions.add(*entry, v["region_level"][pos])  # type: ignore[arg-type]
                    added.append(["R0", *entry, v["region_level"][pos]])
                else:
                    entry = [str(v["unit_code"][pos]), str(v["unit_name"][pos])]
                    units.add(*entry, v["aliases"][pos])  # type: ignore[arg-type]
                    added.append(["T0", *entry, v["aliases"][pos]])
    text = json.dumps(added, ensure_ascii=False, default=str)
    return regions, units, hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class FileVerdict:
    """What is kept of a decided file: one small record, stored with its part."""

    submitter_code: str | None
    submission_date: date | None
    rule: str | None
    message: str | None
    quarantined: int = 0
    quarantine_rules: Counter = field(default_factory=Counter)
    subjects: bool = False  # has rows in the restricted store (an encrypted part file)

    @classmethod
    def of(cls, outcome: FileOutcome, subjects: bool) -> FileVerdict:
        return cls(
            outcome.submitter_code,
            outcome.submission_date,
            outcome.rule,
            outcome.message,
            len(outcome.quarantined),
            Counter(q.rule for q in outcome.quarantined),
            subjects,
        )

    def to_json(self) -> dict:
        return {
            "submitter_code": self.submitter_code,
            "submission_date": self.submission_date.isoformat() if self.submission_date else None,
            "rule": self.rule,
            "message": self.message,
            "quarantined": self.quarantined,
            "quarantine_rules": dict(self.quarantine_rules),
            "subjects": self.subjects,
        }

    @classmethod
    def from_json(cls, data: dict) -> FileVerdict:
        day = data["submission_date"]
        return cls(
            data["submitter_code"],
            date.fromisoformat(day) if day else None,
            data["rule"],
            data["message"],
            data["quarantined"],
            Counter(data["quarantine_rules"]),
            data["subjects"],
        )


@dataclass(slots=True)
class SubjectParts:
    """Each part's rows of the restricted store, encrypted (`cache/stage/<part>.enc`)."""

    directory: Path
    key: bytes

    def path(self, part: str) -> Path:
        return self.directory / f"{part}.subjects.enc"

    def write(self, part: str, df: pl.DataFrame) -> None:
        buffer = io.BytesIO()
        df.write_parquet(buffer)
        _write_private(self.path(part), encrypt(self.key, buffer.getvalue()))

    def read(self, part: str) -> pl.DataFrame | None:
        try:
            blob = self.path(part).read_bytes()
        except FileNotFoundError:
            return None
        data = decrypt(self.key, blob)
        return None if data is None else pl.read_parquet(io.BytesIO(data))

    def prune(self, current: set[str]) -> None:
        for path in self.directory.glob("*.subjects.enc"):
            if path.name.removesuffix(".subjects.enc") not in current:
                path.unlink(missing_ok=True)
        for leftover in self.directory.glob("*.tmp"):
            leftover.unlink(missing_ok=True)


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
    Files are decided one at a time and their rows staged in DuckDB (`ingest.stage`), so
    memory holds one file's rows, not the province's; a file already decided against the
    same registry by the same code is not decided again.
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
    heads, parsed_count, cache = parse_heads(
        unique, Home(home).parse_cache, workers, key.cache_key(), progress
    )

    recency = {
        f.sha256: Recency(
            heads[f.sha256].submission_date or date.min,
            f.mtime,
            (0 if f.sha256 in previous else 1) * 1_000_000 + i,
        )
        for i, f in enumerate(unique)
    }
    regions, units, registry_fp = _bootstrap_registry(unique, heads, cache, recency)
    # The §7 "later" order as one integer per file: a row stands when its file ranks highest.
    ranks = {sha: i for i, sha in enumerate(sorted(recency, key=lambda s: recency[s].key()))}
    code_fp = code_fingerprint()
    parts = {f.sha256: part_key(code_fp, registry_fp, f.sha256, f.rel_path) for f in unique}

    reg = registry()
    sensitive = sensitive_template(reg)
    stage_dir = Home(home).stage_cache
    stager = Stager(stage_dir, reg)
    subject_store = SubjectParts(stage_dir, key.cache_key())
    verdicts: dict[str, FileVerdict] = {}
    subject_parts: list[pl.DataFrame] = []
    try:
        for part, data in stager.known_parts().items():
            verdict = FileVerdict.from_json(data)
            if verdict.subjects:
                df = subject_store.read(part)
                if df is None:  # lost, or encrypted under another key: decide it again
                    continue
                subject_parts.append(df)
            verdicts[part] = verdict
        current_parts = set(parts.values())
        stager.prune(set(verdicts) & current_parts)
        subject_store.prune(set(verdicts) & current_parts)
        for f in unique:
            part = parts[f.sha256]
            if part in verdicts:
                continue
            stager.start_part()
            outcome = _decide_file(f, part, heads[f.sha256], cache, regions, units, stager)
            subjects = None
            if outcome.rule is None:
                subjects = _stage_outcome(stager, part, outcome, sensitive)
            if subjects is not None:
                subject_store.write(part, subjects)
                subject_parts.append(subjects)
            verdicts[part] = FileVerdict.of(outcome, subjects is not None)
            stager.end_part(part, verdicts[part].to_json())
    finally:
        stager.close()
    by_file = {f.sha256: verdicts[parts[f.sha256]] for f in unique}
    order = pl.DataFrame(
        {
            "_part": [parts[f.sha256] for f in unique],
            "_rank": [ranks[f.sha256] for f in unique],
            "_ord": list(range(len(unique))),
        },
        schema={"_part": pl.Utf8(), "_rank": pl.Int64(), "_ord": pl.Int64()},
    )
    summary = IngestSummary(refresh_id=refresh_id, warehouse=warehouse, parsed_files=parsed_count)
    builder = RawBuilder(warehouse, stager, order)
    try:
        builder.con.execute("BEGIN TRANSACTION")
        try:
            counts = builder.build_templates()
            file_rows, file_current = _file_rows(
                files, first_of_hash, by_file, counts, previous, summary
            )
            builder.build_bookkeeping(file_current)
            ingest_files = frame(file_rows, FILES_SCHEMA | {"submitter_hint": pl.Utf8()})
            refresh = pl.DataFrame(
                {
                    "refresh_id": [refresh_id],
                    "as_of": [as_of or date.today()],
                    "refreshed_at": [refreshed_at],
                }
            )
            builder.replace_tables({"raw_ingest_files": ingest_files, "raw_refresh": refresh})
            history = ingest_files.with_columns(
                pl.lit(refresh_id).alias("refresh_id"), pl.lit(refreshed_at).alias("refreshed_at")
            )
            builder.append_tables({"raw_file_history": history})
            builder.con.execute("COMMIT")
        except BaseException:
            builder.con.execute("ROLLBACK")
            raise
    finally:
        builder.close()
    write_restricted(Home(home).restricted, _subjects_in_order(subject_parts, order), key)
    return summary


def _subjects_in_order(parts: list[pl.DataFrame], order: pl.DataFrame) -> pl.DataFrame:
    """The restricted rows of the current parts, in inbox order."""
    schema = subjects_schema(registry())
    if not parts:
        return pl.DataFrame(schema=schema)
    rows = pl.concat(parts, how="vertical")
    ranked = rows.join(
        order.select("_part", "_ord"), on="_part", how="inner", maintain_order="left"
    )
    return ranked.sort("_ord", maintain_order=True).select(list(schema))


def _decide_file(
    f: InboxFile,
    part: str,
    head: FileHead,
    cache: ParseCache,
    regions: RegionIndex,
    units: UnitIndex,
    stager: Stager,
) -> FileOutcome:
    """F1–F4 and R1–R3 of one file; its detail rows go to the raw_rows stage as read."""
    outcome = FileOutcome(file=f, submission_date=head.submission_date)
    p = cache.load(f.sha256)
    if head.rejected or not head.has_sheets:
        if p.rejection:
            outcome.rule, outcome.message = p.rejection
        else:
            outcome.rule, outcome.message = "F2", p.near_miss
        return outcome
    for columns in _raw_rows(f, p):
        stager.add_rows(part, columns)
    submitter, how = resolve_submitter(p, f, regions)
    if submitter is None:
        outcome.rule, outcome.message = "F3", how
        return outcome
    outcome.submitter_code = submitter
    decide_rows(outcome, p, units, regions)
    return outcome


def _raw_rows(f: InboxFile, parsed: ParsedFile) -> list[dict[str, list | Repeat]]:
    """raw_rows of one file as columns, one set per matched sheet (staged one after the
    other, so the part holds every detail row of every sheet in order), as read."""
    return [
        {
            "file_path": Repeat(f.rel_path, len(sheet)),
            "file_sha256": Repeat(f.sha256, len(sheet)),
            "sheet": Repeat(sheet.name, len(sheet)),
            "row_number": sheet.row_numbers,
            "template": Repeat(sheet.template, len(sheet)),
            "cells": sheet.cells,
        }
        for sheet in parsed.sheets
    ]


def _pick(column: list[object] | None, rows: list[int]) -> list[object] | Repeat:
    """The cells of `column` at positions `rows` (all None for a column the sheet lacks)."""
    if column is None:
        return Repeat(None, len(rows))
    return [column[p] for p in rows]


def _stage_outcome(
    stager: Stager, part: str, outcome: FileOutcome, sensitive: Template | None
) -> pl.DataFrame | None:
    """Stage a decided file: its loaded rows per template and its quarantined rows; its
    rows of the sensitive columns come back (for the restricted store only), if any."""
    f = outcome.file
    subjects: list[pl.DataFrame] = []
    for loaded in outcome.loaded:
        code = loaded.template.code
        rows = loaded.rows
        n = len(rows)
        numbers = _pick(loaded.sheet.row_numbers, rows)  # type: ignore[arg-type]
        columns: dict[str, list | Repeat] = {}
        for name in stager.schemas[code]:
            if name not in LINEAGE_SCHEMA:
                columns[name] = _pick(loaded.values.get(name), rows)
        columns["file_path"] = Repeat(f.rel_path, n)
        columns["file_sha256"] = Repeat(f.sha256, n)
        columns["sheet"] = Repeat(loaded.sheet.name, n)
        columns["row_number"] = numbers
        columns["submitter_code"] = Repeat(outcome.submitter_code, n)
        columns["submission_date"] = Repeat(outcome.submission_date, n)
        stager.add_loaded(part, code, columns)
        if sensitive is not None and code == sensitive.code:
            subjects.append(_subjects(outcome, loaded, numbers, sensitive))
    stager.add_quarantine(
        part,
        [
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
            }
            for q in outcome.quarantined
        ],
    )
    if not subjects:
        return None
    return pl.concat(subjects, how="vertical").with_columns(pl.lit(part, pl.Utf8).alias("_part"))


def _subjects(
    outcome: FileOutcome, loaded: LoadedSheet, numbers: list[object], template: Template
) -> pl.DataFrame:
    """The restricted rows of one loaded sheet: where each row is, its natural key and its
    sensitive columns (templates.yml `sensitive`)."""
    rows = loaded.rows
    n = len(rows)
    columns: dict[str, list | Repeat] = {
        "file_sha256": Repeat(outcome.file.sha256, n),
        "sheet": Repeat(loaded.sheet.name, n),
        "row_number": numbers,
        "submitter_code": Repeat(outcome.submitter_code, n),
    }
    for name in template.natural_key:
        columns[name] = _pick(loaded.values.get(name), rows)
    for column in template.columns:
        if column.sensitive:
            columns[column.name] = _pick(loaded.sheet.sensitive.get(column.name), rows)  # type: ignore[arg-type]
    return columns_frame(columns, subjects_schema(registry()))


def _file_rows(
    files: list[InboxFile],
    first_of_hash: dict[str, InboxFile],
    verdicts: dict[str, FileVerdict],
    counts: dict[str, tuple[int, int]],
    previous: dict[str, dict],
    summary: IngestSummary,
) -> tuple[list[dict], dict[str, bool]]:
    """raw_ingest_files rows, in inbox order, and per decided file whether it stands
    (not superseded), from the per-file counts of loaded and current rows."""
    file_rows: list[dict] = []
    file_current: dict[str, bool] = {}
    for f in files:
        original = first_of_hash[f.sha256]
        verdict = verdicts[original.sha256]
        if original is not f:
            file_rows.append(_copy_row(f, original, verdict))
            summary.files["unchanged"] += 1
            continue
        loaded, rows_current = counts.get(f.sha256, (0, 0))
        if verdict.rule:
            status = "rejected"
        elif loaded and rows_current == 0:
            status = "superseded"
        else:
            status = "loaded"
        before = previous.get(f.sha256)
        if before is not None and before["status"] == status:
            status = "unchanged"
        summary.files[status] += 1
        current = status != "superseded"
        file_current[f.sha256] = current
        if current:
            summary.rules.update(verdict.quarantine_rules)
        if verdict.rule:
            summary.rules[verdict.rule] += 1
        summary.rows_loaded += rows_current
        summary.rows_quarantined += verdict.quarantined if current else 0
        file_rows.append(
            _file_row(
                f, verdict, status, verdict.rule, verdict.message, rows_current, verdict.quarantined
            )
        )
    return file_rows, file_current


def _copy_row(f: InboxFile, original: InboxFile, outcome: FileVerdict) -> dict:
    """A byte-identical copy is `unchanged` and carries the rule and message of the file it
    copies (§7 v2), so a copy of a rejected file still tells its sender why it was refused."""
    message = f"与“{original.rel_path}”内容完全相同，已跳过"
    if outcome.rule:
        message += f"；该文件未被接收：{outcome.message}"
    return _file_row(f, outcome, "unchanged", outcome.rule, message, 0, 0)


def _file_row(
    f: InboxFile,
    outcome: FileVerdict,
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
