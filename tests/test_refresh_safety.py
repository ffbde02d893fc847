"""The refresh path's safety nets, each on its own (no full refresh here).

* when a refresh may be short-circuited (orchestration/fingerprint.py) and when not;
* `--force`, and the short-circuit path importing neither Dagster, dbt nor GX;
* stale publish temp files of a killed refresh are removed by the next publish;
* dbt started by a refresh dies with it (PR_SET_PDEATHSIG launcher);
* per-home dbt target folders are pruned to the newest few.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from home import Home
from orchestration import fingerprint
from orchestration.refresh import RefreshOutcome, run_refresh, unchanged_outcome

AS_OF = "2025-03-15"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def published_home(tmp_path: Path) -> tuple[Path, Home, fingerprint.Fingerprint]:
    """A home as a refresh that published leaves it (files stand in for the warehouses)."""
    inbox = tmp_path / "inbox"
    (inbox / "某县委巡察办").mkdir(parents=True)
    (inbox / "某县委巡察办" / "台账.xlsx").write_bytes(b"ledger-v1")
    (inbox / "某县委巡察办" / "~$台账.xlsx").write_bytes(b"excel lock file")
    home = Home(tmp_path / "home")
    home.ensure()
    home.published.write_bytes(b"published")
    home.warehouse.write_bytes(b"warehouse")
    outcome = RefreshOutcome(
        published=True,
        as_of=AS_OF,
        inbox=str(inbox),
        home=str(home.root),
        run_id="run-1",
        finished_at="2025-03-15T10:00:00",
        ingest={"files_loaded": 1},
    )
    home.state_file.write_text(json.dumps(asdict(outcome)), encoding="utf-8")
    current = fingerprint.compute(inbox, AS_OF)
    fingerprint.remember(home, current, "run-1")
    return inbox, home, current


def _again(inbox: Path, home: Home, as_of: str = AS_OF) -> RefreshOutcome | None:
    return unchanged_outcome(home, fingerprint.compute(inbox, as_of))


def test_unchanged_home_is_recognised(published_home) -> None:
    inbox, home, _ = published_home
    outcome = _again(inbox, home)
    assert outcome is not None and outcome.unchanged and outcome.published
    assert outcome.run_id == "run-1" and outcome.ingest == {"files_loaded": 1}
    # Office lock files and hidden files are not submissions (ingest/inbox.py).
    (inbox / "某县委巡察办" / "~$台账.xlsx").write_bytes(b"another lock")
    assert _again(inbox, home) is not None


def test_same_size_and_mtime_but_other_bytes_is_a_change(published_home) -> None:
    inbox, home, _ = published_home
    path = inbox / "某县委巡察办" / "台账.xlsx"
    st = path.stat()
    path.write_bytes(b"ledger-v2")  # same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _again(inbox, home) is None


@pytest.mark.parametrize(
    "change",
    ["as_of", "new_file", "touched", "blocked", "errors", "forgotten", "published", "warehouse"],
)
def test_anything_else_means_a_full_refresh(published_home, change: str) -> None:
    inbox, home, _ = published_home
    as_of = AS_OF
    if change == "as_of":
        as_of = "2025-03-16"
    elif change == "new_file":
        (inbox / "某县委巡察办" / "补报.xlsx").write_bytes(b"late")
    elif change == "touched":  # ingest keeps the mtime (fallback submission date, §7)
        os.utime(inbox / "某县委巡察办" / "台账.xlsx", (1, 1))
    elif change in ("blocked", "errors"):
        state = json.loads(home.state_file.read_text(encoding="utf-8"))
        if change == "blocked":
            state |= {"published": False, "blocking_failures": [{"rule": "B4"}]}
        else:
            state["errors"] = ["leader_reports: 失败"]
        home.state_file.write_text(json.dumps(state), encoding="utf-8")
    elif change == "forgotten":  # a refresh started (and was killed, or is running)
        fingerprint.forget(home)
    elif change == "published":  # e.g. killed right after renaming a new version in
        tmp = home.published.with_name("new")
        tmp.write_bytes(b"published")
        os.replace(tmp, home.published)
    elif change == "warehouse":  # a run from the UI or a sensor wrote the work warehouse
        with home.warehouse.open("ab") as fh:
            fh.write(b"!")
    assert _again(inbox, home, as_of) is None


def test_force_recomputes_and_a_full_refresh_forgets_first(published_home, monkeypatch) -> None:
    inbox, home, _ = published_home
    calls: list[bool] = []

    def fake_materialize(inbox, home, as_of, log_level, current):  # noqa: ANN001
        calls.append(home.fingerprint_file.exists())
        return RefreshOutcome(False, as_of.isoformat(), str(inbox), str(home.root), "r2", "")

    import orchestration.refresh as refresh

    monkeypatch.setattr(refresh, "_materialize", fake_materialize)
    assert run_refresh(inbox, home, date.fromisoformat(AS_OF)).unchanged
    assert calls == []
    outcome = run_refresh(inbox, home, date.fromisoformat(AS_OF), force=True)
    assert not outcome.unchanged and calls == [False]  # the record was dropped before the run


def test_short_circuit_loads_neither_dagster_nor_dbt_nor_gx(published_home) -> None:
    inbox, home, _ = published_home
    code = (
        "import sys\n"
        "from orchestration.cli import main\n"
        f"rc = main(['refresh', '--inbox', {str(inbox)!r}, '--home', {str(home.root)!r},"
        f" '--as-of', {AS_OF!r}])\n"
        "heavy = sorted(m for m in ('dagster', 'dagster_dbt', 'dbt', 'great_expectations',"
        " 'polars', 'pandas') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(rc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "收件箱无变化" in proc.stdout and "沿用已发布版本" in proc.stdout
    assert "HEAVY []" in proc.stdout  # how fast that is, `make bench` measures


# --- publish temp files ----------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _warehouse_with_a_mart(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "CREATE TABLE dq_results (rule VARCHAR, rule_level VARCHAR, check_name VARCHAR,"
            " status VARCHAR, failing_count INTEGER, examples VARCHAR)"
        )
        con.execute("CREATE TABLE fct_x AS SELECT 1 AS x")
    finally:
        con.close()


def test_publish_removes_temp_files_of_killed_publishes(tmp_path: Path) -> None:
    from orchestration.assets.publish import publish

    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published.duckdb"
    _warehouse_with_a_mart(warehouse)
    dead = tmp_path / f".published.duckdb.{_dead_pid()}.tmp"
    dead_wal = tmp_path / f"{dead.name}.wal"
    mine = tmp_path / f".published.duckdb.{os.getpid()}.tmp"
    live_proc = subprocess.Popen(["sleep", "60"])
    try:
        live = tmp_path / f".published.duckdb.{live_proc.pid}.tmp"
        for path in (dead, dead_wal, mine, live):
            path.write_bytes(b"half a copy")
        assert "fct_x" in publish(warehouse, published, date(2025, 3, 15))
        assert not dead.exists() and not dead_wal.exists() and not mine.exists()
        assert live.exists()  # another process may be publishing right now
    finally:
        live_proc.kill()
        live_proc.wait()
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("SELECT x FROM fct_x").fetchall() == [(1,)]
    finally:
        con.close()


# --- dbt dies with the refresh ---------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_child_started_through_the_launcher_dies_with_its_parent(tmp_path: Path) -> None:
    launcher = tmp_path / "bin" / "dbt"
    parent_code = (
        "import os, subprocess, sys, time\n"
        "from pathlib import Path\n"
        "from orchestration.dbt_launcher import write_launcher\n"
        f"write_launcher(Path({str(launcher)!r}), '/bin/sleep', os.getpid())\n"
        f"child = subprocess.Popen([{str(launcher)!r}, '120'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True
    )
    child_pid = int(parent.stdout.readline())
    time.sleep(0.5)  # the launcher has exec'd sleep
    assert Path(f"/proc/{child_pid}/cmdline").read_bytes().startswith(b"/bin/sleep")
    os.kill(parent.pid, signal.SIGKILL)  # as an operator's kill -9 of xuncha would
    parent.wait()
    for _ in range(50):
        try:
            status = Path(f"/proc/{child_pid}/status").read_text()
        except FileNotFoundError:
            break
        if "State:\tZ" in status:  # dead, waiting for init to reap it
            break
        time.sleep(0.1)
    else:
        os.kill(child_pid, signal.SIGKILL)
        pytest.fail("dbt's stand-in outlived the refresh that started it")


# --- per-home dbt target folders -------------------------------------------------------------


def test_only_the_newest_target_folders_are_kept(tmp_path: Path) -> None:
    from orchestration.dbt_targets import KEEP_TARGETS, prune_targets

    home = Home(tmp_path)
    folders = []
    for i in range(KEEP_TARGETS + 3):
        folder = home.dbt_target / f"run{i}-abc"
        folder.mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
        folders.append(folder)
    prune_targets(home)
    kept = sorted(p.name for p in home.dbt_target.iterdir())
    assert kept == sorted(f.name for f in folders[-KEEP_TARGETS:])
