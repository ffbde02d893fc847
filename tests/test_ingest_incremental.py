"""Incremental ingest (issue 13): after one file changed, a refresh decides that file only
and the raw layer is the same as a full rebuild's, table by table and row by row."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb

from ingest.pipeline import run_ingest
from ingest.secrets import open_restricted
from tests import hostile
from tests.builders import correct_one_cell

AS_OF = date(2025, 3, 20)
IGNORED = {"refresh_id", "refreshed_at"}


def _tables(home: Path) -> dict[str, list[str]]:
    """Every table of the work warehouse and the restricted store, rows as sorted JSON."""
    found: dict[str, list[str]] = {}
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    rcon = open_restricted(home)
    try:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        for label, c, name in [("w", con, n) for n in names] + [("r", rcon, "clue_subjects")]:
            columns = [d[0] for d in c.execute(f'DESCRIBE "{name}"').fetchall()]
            kept = ", ".join(f'"{col}"' for col in columns if col not in IGNORED)
            rows = c.execute(f'SELECT {kept} FROM "{name}"').fetchall()
            found[f"{label}.{name}"] = sorted(
                json.dumps(r, default=str, ensure_ascii=False) for r in rows
            )
    finally:
        con.close()
        rcon.close()
    return found


def _parts(home: Path) -> set[str]:
    (directory,) = (home / "cache" / "stage").glob("parts-*")
    return {p.name for p in directory.iterdir() if (p / "verdict.json").exists()}


def _change_one_cell(inbox: Path) -> Path:
    """Append a correction to the last long text cell of the first workbook that has one."""
    for path in sorted(inbox.rglob("*.xlsx")):
        if correct_one_cell(path, min_length=12):
            return path
    raise AssertionError("no long text cell in the corpus")


def test_one_changed_file_is_decided_alone_and_equals_a_full_rebuild(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(hostile.ACCEPTANCE_INBOX, inbox, copy_function=shutil.copy2)
    home = tmp_path / "home"
    run_ingest(inbox, home, AS_OF)
    before = _parts(home)
    assert len(before) > 10

    changed = _change_one_cell(inbox)
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(home, rebuilt)
    shutil.rmtree(rebuilt / "cache" / "stage")  # the full rebuild decides every file again

    summary = run_ingest(inbox, home, AS_OF)
    after = _parts(home)
    assert summary.parsed_files == 1, changed
    assert len(after - before) == 1 and len(before - after) == 1  # one part replaced

    run_ingest(inbox, rebuilt, AS_OF)
    incremental, full = _tables(home), _tables(rebuilt)
    assert set(incremental) == set(full)
    for name in full:
        assert incremental[name] == full[name], name
    # the correction itself arrived
    assert any("（已更正）" in row for row in incremental["w.raw_rows"])
