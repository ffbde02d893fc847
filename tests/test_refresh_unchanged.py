"""Nothing changed since the last publication: `xuncha refresh` keeps it and says so.

Real refreshes of a copy of the acceptance inbox, through the console script. The
steps build on each other (one home), so they are one test: a refresh publishes;
the same inbox again is short-circuited (published.duckdb, reports and the state
file untouched, no Dagster run); one workbook edited → recomputed and published;
unchanged again → short-circuited; the half-empty phase-2 resubmission → blocked
(B4); the same blocked inbox again → recomputed and blocked again, never
short-circuited into looking published. `xuncha docs` then runs on that home.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.builders import correct_one_cell
from tests.conftest import ACCEPTANCE, xuncha

AS_OF = "2025-03-15"
UNCHANGED = ("收件箱无变化", "沿用已发布版本")
EDITED = "雁湖市委巡察办/2023年/2023年发现问题及整改台账.xlsx"

pytestmark = pytest.mark.skipif(
    not (ACCEPTANCE / "inbox").is_dir(), reason="acceptance corpus not available"
)


def _refresh(inbox: Path, home: Path) -> tuple[int, str, str]:
    proc = xuncha("refresh", "--inbox", str(inbox), "--home", str(home), "--as-of", AS_OF)
    return proc.returncode, proc.stdout, proc.stderr


def _snapshot(home: Path) -> dict[str, tuple[int, int, str]]:
    """(inode, mtime_ns, sha256) of the published file, the state file and every report."""
    paths = [home / "published.duckdb", home / "last_refresh.json"]
    paths += sorted(p for p in (home / "reports").rglob("*") if p.is_file())
    out = {}
    for path in paths:
        st = path.stat()
        out[str(path.relative_to(home))] = (
            st.st_ino,
            st.st_mtime_ns,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    return out


def _dagster_runs(home: Path) -> int:
    return len(list((home / "dagster" / "history" / "runs").glob("*.db")))


def _edit_one_cell(path: Path) -> None:
    """A correction in one text cell, as a resubmitted ledger would carry."""
    assert correct_one_cell(path, min_length=8), f"no text cell to edit in {path}"


@pytest.fixture(scope="module")
def refreshed_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("unchanged")
    inbox, home = root / "inbox", root / "home"
    shutil.copytree(ACCEPTANCE / "inbox", inbox, copy_function=shutil.copyfile)
    for path in (inbox, *inbox.rglob("*")):  # the corpus is read-only; the copy is ours
        path.chmod(0o755 if path.is_dir() else 0o644)
    rc, out, err = _refresh(inbox, home)
    assert rc == 0, err[-3000:]
    assert not any(m in out for m in UNCHANGED)
    return inbox, home


def test_unchanged_inbox_is_not_recomputed_and_a_blocked_one_always_is(refreshed_home) -> None:
    inbox, home = refreshed_home

    # 1. Same inbox, same as-of: short-circuited, nothing written.
    before, runs = _snapshot(home), _dagster_runs(home)
    rc, out, err = _refresh(inbox, home)
    assert rc == 0, err[-3000:]
    assert all(m in out for m in UNCHANGED), out
    assert _snapshot(home) == before
    assert _dagster_runs(home) == runs  # no Dagster run at all; its speed is `make bench`'s

    # 2. One workbook edited: recomputed and published.
    _edit_one_cell(inbox / EDITED)
    rc, out, err = _refresh(inbox, home)
    assert rc == 0, err[-3000:]
    assert not any(m in out for m in UNCHANGED)
    # only the edited workbook is read again (the stage line of issue 16's watchable refresh)
    assert re.search(r"解析入库：文件 \d+ 个（本次新读取 1 个）", out), out
    assert _snapshot(home)["published.duckdb"] != before["published.duckdb"]

    # 3. Unchanged again: short-circuited again.
    before = _snapshot(home)
    rc, out, _ = _refresh(inbox, home)
    assert rc == 0 and all(m in out for m in UNCHANGED), out
    assert _snapshot(home) == before

    # 4. The phase-2 resubmission: blocked by B4, published file kept.
    phase2 = ACCEPTANCE / "phase2"
    for src in phase2.rglob("*"):
        if src.is_file():
            target = inbox / src.relative_to(phase2)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
    rc, out, err = _refresh(inbox, home)
    assert rc != 0 and "B4" in err
    assert _snapshot(home)["published.duckdb"] == before["published.duckdb"]
    assert (
        json.loads((home / "last_refresh.json").read_text(encoding="utf-8"))["published"] is False
    )

    # 5. The same blocked inbox again: recomputed (never "unchanged"), blocked again.
    runs = _dagster_runs(home)
    rc, out, err = _refresh(inbox, home)
    assert rc != 0 and "B4" in err
    assert not any(m in out + err for m in UNCHANGED)
    assert _dagster_runs(home) == runs + 1
    assert _snapshot(home)["published.duckdb"] == before["published.duckdb"]


def test_docs_site_with_chinese_descriptions(refreshed_home) -> None:
    _, home = refreshed_home
    warehouse = home / "warehouse.duckdb"
    warehouse_mtime = warehouse.stat().st_mtime_ns
    proc = xuncha("docs", "--home", str(home))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    docs = home / "docs"
    assert str(docs / "index.html") in proc.stdout and "static_index.html" in proc.stdout
    for name in ("index.html", "static_index.html", "catalog.json", "manifest.json"):
        assert (docs / name).is_file(), name
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    node = manifest["nodes"]["model.xuncha.rpt_clue_yield"]
    assert re.search(r"[\u4e00-\u9fff]", node["description"]), node["description"]
    assert any(re.search(r"[\u4e00-\u9fff]", c["description"]) for c in node["columns"].values())
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    assert "model.xuncha.rpt_clue_yield" in catalog["nodes"]  # read from the work warehouse
    assert warehouse.stat().st_mtime_ns == warehouse_mtime  # opened read-only


def test_failing_dbt_test_still_blocks_publishing(refreshed_home, tmp_path: Path) -> None:
    """dbt tests are not Dagster asset checks any more: the gate reads run_results.json.

    The artifacts of the real build in `refreshed_home`, with one B1 test turned
    into a failure, must close the gate and keep the published file.
    """
    from orchestration.assets.publish import GateClosed, publish
    from orchestration.assets.quality import run_quality_gate
    from orchestration.resources import XunchaSettings

    _, source = refreshed_home
    home = tmp_path / "home"
    home.mkdir()
    for name in ("warehouse.duckdb", "published.duckdb", "dbt_manifest.json"):
        shutil.copyfile(source / name, home / name)
    results = json.loads((source / "dbt_run_results.json").read_text(encoding="utf-8"))
    failed = [r for r in results["results"] if ".b1_error_fct_problem." in r["unique_id"]]
    assert len(failed) == 1 and failed[0]["status"] == "pass"
    failed[0] |= {"status": "fail", "failures": 2, "message": "Got 2 results"}
    failed_check = "dbt:b1_error_fct_problem"
    (home / "dbt_run_results.json").write_text(json.dumps(results), encoding="utf-8")

    checks = run_quality_gate(XunchaSettings(home=str(home), as_of=AS_OF))
    blocking = [c for c in checks if c.blocking_failure]
    # (B4 may fail too: the home ends blocked by the phase-2 resubmission.)
    assert ("B1", failed_check) in [(c.rule, c.check) for c in blocking]
    assert not [c for c in blocking if c.rule in ("B1", "B2", "B3") and c.check != failed_check]
    before = (home / "published.duckdb").read_bytes()
    with pytest.raises(GateClosed, match="B1"):
        publish(home / "warehouse.duckdb", home / "published.duckdb", date(2025, 3, 15))
    assert (home / "published.duckdb").read_bytes() == before
