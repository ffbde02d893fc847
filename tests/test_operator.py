"""Issue 16, the analyst's and the operator's side: the duckdb command, column comments,
the dbt docs' Chinese front page, and what the Dagster definitions show (raw asset
descriptions, W1–W3 checks, the inbox the sensor watches)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import duckdb
import pytest

from orchestration.home import Home
from tests.conftest import REPO, RefreshRun


def test_published_warehouse_every_column_has_a_comment(acceptance_run: RefreshRun) -> None:
    """dq_results, publication, ingest_files, quarantine and the marts: no column left bare."""
    assert acceptance_run.published.exists(), acceptance_run.stderr[-2000:]
    con = duckdb.connect(str(acceptance_run.published), read_only=True)
    try:
        bare = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "AND (comment IS NULL OR trim(comment) = '') ORDER BY 1, 2"
        ).fetchall()
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert {"dq_results", "publication"} <= tables
    assert bare == [], f"{len(bare)} published columns without a comment: {bare[:20]}"


def test_duckdb_command_is_installed_by_the_project(acceptance_run: RefreshRun) -> None:
    """The README's `duckdb -readonly var/published.duckdb` works from the project's venv."""
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    assert any(d.startswith("duckdb-cli") for d in deps), deps
    cli = Path(sys.executable).with_name("duckdb")
    assert cli.exists(), f"{cli} missing: pip install -e . should install duckdb-cli"
    proc = subprocess.run(
        [str(cli), "-readonly", str(acceptance_run.published), "-csv", "-c",
         "SELECT count(*) AS n FROM publication"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "1"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/duckdb -readonly var/published.duckdb" in readme


def test_dbt_docs_open_on_a_chinese_overview(tmp_path: Path) -> None:
    from orchestration.docs import generate_docs

    index = generate_docs(Home(tmp_path / "home"))
    manifest = json.loads(index.with_name("manifest.json").read_text(encoding="utf-8"))
    overview = manifest["docs"].get("doc.xuncha.__overview__")
    assert overview is not None, "dbt docs still open on dbt's own Welcome! page"
    assert "数据字典" in overview["block_contents"]
    assert "Welcome" not in overview["block_contents"]


def test_each_raw_asset_has_its_own_description() -> None:
    from orchestration.assets.ingest import raw_layer, raw_table_names

    descriptions = {key.path[-1]: spec.description for key, spec in raw_layer.specs_by_key.items()}
    assert set(descriptions) == set(raw_table_names())
    assert len(descriptions) >= 12
    assert len(set(descriptions.values())) == len(descriptions), descriptions
    assert "巡视巡察安排表" in descriptions["raw_t1_inspection"]
    assert "隔离" in descriptions["raw_quarantine"]


def test_warnings_are_non_blocking_checks_of_the_gate() -> None:
    from orchestration.definitions import build_definitions

    graph = build_definitions().resolve_asset_graph()
    checks = {
        key.name: graph.get_check_spec(key).blocking
        for key in graph.asset_check_keys
        if key.asset_key.path == ["quality_gate"]
    }
    for rule in ("W1", "W2", "W3"):
        assert checks.get(rule) is False, f"{rule} not a non-blocking check: {checks}"
    for rule in ("B1", "B2", "B3", "B4"):
        assert checks.get(rule) is True


def test_warning_checks_are_evaluated_by_a_refresh(acceptance_run: RefreshRun) -> None:
    """The refresh's Dagster run recorded a W1–W3 evaluation (the corpus has W1 and W2 rows)."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(acceptance_run.home / "dagster"))
    try:
        evaluations = {}
        for rule in ("W1", "W2", "W3"):
            key = dg.AssetCheckKey(dg.AssetKey("quality_gate"), rule)
            records = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)
            assert records, f"no evaluation of {rule}"
            evaluations[rule] = records[0].status.value
    finally:
        instance.dispose()
    assert "FAILED" in evaluations.values(), evaluations  # a warning, shown, not blocking
    assert acceptance_run.published.exists()


def test_sensor_watches_the_inbox_of_the_last_refresh(
    acceptance_run: RefreshRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`xuncha refresh --inbox X` then `xuncha ui`: the sensor watches X, and says so."""
    from orchestration.resources import XunchaSettings
    from orchestration.sensors import sensors

    monkeypatch.delenv("XUNCHA_INBOX", raising=False)
    monkeypatch.setenv("XUNCHA_HOME", str(acceptance_run.home))
    assert XunchaSettings().inbox_path() == acceptance_run.inbox.resolve()
    (sensor,) = [s for s in sensors() if s.name == "inbox_sensor"]
    assert str(acceptance_run.inbox.resolve()) in (sensor.description or "")
    monkeypatch.setenv("XUNCHA_INBOX", "/srv/报送")
    assert XunchaSettings().inbox_path() == Path("/srv/报送")
    (sensor,) = [s for s in sensors() if s.name == "inbox_sensor"]
    assert "/srv/报送" in (sensor.description or "")
    assert "XUNCHA_INBOX" in (sensor.description or "")
