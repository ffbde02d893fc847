"""Sensitive data (contract §9): 反映对象 and 反映对象职务 never leave the restricted store.

The inbox is the acceptance corpus plus a workbook with made-up names
(`测试敏感人甲`…, titles `测试职务甲`…) on loaded, quarantined (R1, R3) and orphan
(R5) rows. After one real refresh every output is searched for them, and for
the acceptance corpus's own `sensitive_names`: the published and work
warehouses (every column of every table, cast to text), the report and feedback
workbooks (every part unzipped), the Dagster storage (every SQLite cell and the
raw bytes), compute logs, JSON state files and the refresh's own output.
"""

from __future__ import annotations

import json
import stat
import time

import pytest

from ingest.secrets import open_restricted
from tests import hostile, outputs


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("sensitive")
    inbox = hostile.build_seeded_inbox(root / "inbox")
    home = root / "home"
    started = time.time() - 1
    proc = outputs.run_refresh(inbox, home)
    assert proc.returncode == 0, proc.stderr[-4000:]
    proc.started = started
    return home, proc


@pytest.fixture(scope="module")
def acceptance_names() -> list[str]:
    data = json.loads((hostile.ACCEPTANCE / "expected.json").read_text(encoding="utf-8"))
    return list(data["sensitive_names"])


def _restricted_values(home) -> set[str]:
    con = open_restricted(home)  # encrypted (ingest/secrets.py): only with the key
    try:
        rows = con.execute("SELECT subject_name, subject_title FROM clue_subjects").fetchall()
    finally:
        con.close()
    return {v for row in rows for v in row if v}


def test_restricted_store_holds_the_seeded_names_and_is_owner_only(seeded):
    home, _ = seeded
    mode = stat.S_IMODE((home / "restricted.duckdb").stat().st_mode)
    assert mode == 0o600, oct(mode)
    values = _restricted_values(home)
    # positive control: the search below looks for values that really were submitted
    for name, title in hostile.SEEDED_SUBJECTS:
        assert {name, title} <= values
    # and they are encrypted at rest: not one byte of them in the store or its WAL
    assert outputs.raw_hits(home, hostile.SEEDED_NAMES) == []


def test_no_file_under_the_home_holds_a_name_in_plain_bytes(seeded, acceptance_names):
    """Every file, the restricted store, parse cache, WAL and temp files included."""
    home, _ = seeded
    assert outputs.raw_hits(home, hostile.SEEDED_NAMES + acceptance_names) == []


def test_parse_cache_is_owner_only(seeded):
    """The parse cache (pickled rows, incl. sensitive cells) is restricted like the store."""
    home, _ = seeded
    cache = home / "cache" / "parse"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    cached = list(cache.iterdir())
    assert cached and all(p.suffix == ".enc" for p in cached if p.name != "key_id"), cached


def _outputs(home):
    """Every file of HOME except the restricted store and the owner-only parse cache."""
    skip = (home / "restricted.duckdb", home / "restricted.duckdb.wal", home / "cache" / "parse")
    files = outputs.all_files(home, skip)
    assert files, "refresh left no outputs"
    return files


def test_seeded_names_appear_in_no_output(seeded):
    home, proc = seeded
    files = _outputs(home)
    kinds = {p.suffix for p in files}
    assert {".duckdb", ".xlsx", ".json"} <= kinds, kinds
    hits = outputs.search_files(files, hostile.SEEDED_NAMES, home)
    assert hits == []
    for name in hostile.SEEDED_NAMES:
        assert name not in proc.stdout and name not in proc.stderr


def test_acceptance_sensitive_names_appear_in_no_output(seeded, acceptance_names):
    home, proc = seeded
    assert len(acceptance_names) > 100
    restricted = _restricted_values(home)
    # they were submitted and are kept where they belong (rows quarantined at ingest are
    # not kept anywhere but in the submitted file, hence not all of them)
    assert len(set(acceptance_names) & restricted) >= 0.95 * len(acceptance_names)
    hits = outputs.search_files(_outputs(home), acceptance_names, home)
    assert hits == []
    assert not any(n in proc.stdout or n in proc.stderr for n in acceptance_names)


def test_no_sensitive_column_in_any_published_or_work_table(seeded):
    """By name: the English names of §9 and the Chinese labels and variants of §5 T3.
    (Comments may say 反映对象管理层级 — that column is not sensitive.)"""
    home, _ = seeded
    forbidden = {
        "subject_name",
        "subject_title",
        "反映对象",
        "反映对象职务",
        "被反映人",
        "姓名",
        "职务",
    }
    for db in ("published.duckdb", "warehouse.duckdb"):
        con = outputs.connect(home / db)
        try:
            cols = con.execute("SELECT table_name, column_name FROM duckdb_columns()").fetchall()
        finally:
            con.close()
        assert [(t, c) for t, c in cols if c in forbidden] == [], db


def test_dbt_artifacts_do_not_hold_seeded_names(seeded):
    """dbt writes its run artifacts (compiled SQL, run_results, logs) to HOME/dbt/target
    and the shared parse manifest and logs under the project folder: search both
    (the project's files only when written since this module's refresh started)."""
    home, proc = seeded
    suffixes = {".log", ".json", ".sql", ".txt", ".csv"}
    run_files = [p for p in outputs.all_files(home / "dbt" / "target") if p.suffix in suffixes]
    assert any(p.name == "run_results.json" for p in run_files), "dbt wrote no run artifacts?"
    root = hostile.REPO / "dbt_project"
    project_files = [
        p
        for sub in ("logs", "target")
        if (root / sub).exists()
        for p in outputs.all_files(root / sub)
        if p.suffix in suffixes and p.stat().st_mtime >= proc.started
    ]
    assert outputs.search_files(run_files, hostile.SEEDED_NAMES, home) == []
    assert outputs.search_files(project_files, hostile.SEEDED_NAMES, root) == []
