"""Issue 16, the analyst's and the operator's side: the duckdb command, column comments,
the dbt docs' Chinese front page, and what the Dagster definitions show (raw asset
descriptions, W1–W3 checks, the inbox the sensor watches)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import duckdb
import pytest

from home import Home
from tests.conftest import REPO, RefreshRun, copy_run
from tests.outputs import query_rows


def test_published_warehouse_every_column_has_a_comment(acceptance_run: RefreshRun) -> None:
    """dq_results, publication, ingest_files, quarantine and the marts: no column left bare."""
    assert acceptance_run.published.exists(), acceptance_run.stderr[-2000:]
    published = acceptance_run.published
    bare = [
        (r["table_name"], r["column_name"])
        for r in query_rows(
            published,
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main' "
            "AND (comment IS NULL OR trim(comment) = '') ORDER BY 1, 2",
        )
    ]
    tables = {
        r["table_name"] for r in query_rows(published, "SELECT table_name FROM duckdb_tables()")
    }
    assert {"dq_results", "publication"} <= tables
    assert bare == [], f"{len(bare)} published columns without a comment: {bare[:20]}"


def model_docs(manifest: dict) -> dict[str, tuple[str, str | None, dict[str, str]]]:
    """relation → (kind, comment, column → comment) that persist_docs writes for each model:
    the model's description (none when empty) and its documented columns' descriptions."""
    return {
        node["alias"]: (
            node["config"]["materialized"],
            node["description"] or None,
            {name: column["description"] for name, column in node["columns"].items()},
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


_OWN = "database_name = current_database() AND schema_name = 'main'"


def relation_docs(db: Path) -> dict[str, tuple[str, str | None, dict[str, str | None]]]:
    """relation → (kind, comment, column → comment) of every relation in `main` of `db`."""
    relations = {
        r["name"]: (r["kind"], r["comment"])
        for r in query_rows(
            db,
            "SELECT table_name AS name, 'table' AS kind, comment FROM duckdb_tables() "
            f"WHERE {_OWN} UNION ALL SELECT view_name, 'view', comment FROM duckdb_views() "
            f"WHERE {_OWN} AND NOT internal",
        )
    }
    columns: dict[str, dict[str, str | None]] = {name: {} for name in relations}
    for r in query_rows(
        db,
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        f"WHERE {_OWN} ORDER BY table_name, column_index",
    ):
        columns[r["table_name"]][r["column_name"]] = r["comment"]
    return {name: (kind, comment, columns[name]) for name, (kind, comment) in relations.items()}


def assert_models_documented(db: Path, manifest: dict) -> None:
    """Every model of `manifest` is in `db` as the relation its materialisation makes, with
    the model's description as its comment and each documented column's description as that
    column's comment (undocumented columns: none); no other relation but the raw layer and
    the quality gate's `dq_results` (orchestration/assets/quality.py writes it)."""
    expected = model_docs(manifest)
    found = relation_docs(db)
    sources = {node["identifier"] for node in manifest["sources"].values()}
    others = set(found) - set(expected) - sources - {"dq_results"}
    assert others == set(), "relations no model, source or the gate makes"
    for name, (kind, comment, columns) in expected.items():
        assert name in found, f"model {name} not built"
        got_kind, got_comment, got_columns = found[name]
        assert (got_kind, got_comment) == (kind, comment), name
        want = {c: columns.get(c) for c in got_columns}
        assert got_columns == want, f"{name}: column comments differ from the descriptions"


def test_warehouse_and_published_comments_are_the_model_descriptions(
    acceptance_run: RefreshRun,
) -> None:
    """The project's own materialisations (dbt_project/macros/materializations/) persist the
    same docs as dbt's: every model's relation (table or view) of the work warehouse carries
    its description and its columns', no temporary or backup relation is left beside them,
    and the published copy of each mart carries the same table and column comments."""
    manifest = json.loads((acceptance_run.home / "dbt_manifest.json").read_text("utf-8"))
    assert_models_documented(acceptance_run.warehouse, manifest)
    work = relation_docs(acceptance_run.warehouse)
    published = relation_docs(acceptance_run.published)
    assert set(published) - {"publication", "dq_results"} <= set(work)
    for name, (kind, comment, columns) in published.items():
        if name in work:
            assert (kind, comment, columns) == work[name], f"{name} published differently"


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


def test_warning_checks_are_evaluated_by_a_refresh(
    acceptance_run: RefreshRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh's Dagster run recorded a W1–W3 evaluation (the corpus has W1 and W3 rows)."""
    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(acceptance_run.home / "dagster"))
    evaluations = {}
    with dg.DagsterInstance.from_config(str(acceptance_run.home / "dagster")) as instance:
        for rule in ("W1", "W2", "W3"):
            key = dg.AssetCheckKey(dg.AssetKey("quality_gate"), rule)
            records = instance.event_log_storage.get_asset_check_execution_history(key, limit=1)
            assert records, f"no evaluation of {rule}"
            evaluations[rule] = records[0].status.value
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


# --- the command line: bad input refused before work starts ------------------------


def _xuncha_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("XUNCHA_INBOX", None)
    env["XUNCHA_HOME"] = str(home)
    return env


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("xuncha")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, check=False, timeout=600,
        env=_xuncha_env(home),
    )  # fmt: skip


def _refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("错误：")
    for word in words:
        assert word in lines[0], lines[0]


def test_missing_empty_or_file_inbox_is_refused_on_a_new_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _refused(_run("refresh", "--inbox", str(tmp_path / "nonexistent"), home=home), "不存在")
    (tmp_path / "empty").mkdir()
    _refused(_run("refresh", "--inbox", str(tmp_path / "empty"), home=home), "没有报送文件")
    (tmp_path / "a.xlsx").write_bytes(b"x")
    _refused(_run("refresh", "--inbox", str(tmp_path / "a.xlsx"), home=home), "不是文件夹")
    assert not (home / "published.duckdb").exists()
    assert not (home / "warehouse.duckdb").exists()


def test_bad_as_of_date_is_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_text("x\n", encoding="utf-8")
    home = tmp_path / "home"
    _refused(
        _run("refresh", "--inbox", str(inbox), "--as-of", "2025-13-45", home=home),
        "2025-13-45",
        "年-月-日",
    )
    assert not (home / "warehouse.duckdb").exists()
    debug = _run("--debug", "refresh", "--inbox", str(inbox), "--as-of", "2025-13-45", home=home)
    assert debug.returncode != 0 and "Traceback" in debug.stderr  # --debug shows it


def test_typo_inbox_on_a_published_home_publishes_nothing(acceptance_run: RefreshRun) -> None:
    before = acceptance_run.published.stat().st_mtime_ns
    proc = _run("refresh", "--inbox", "/nonexistent", "--home", str(acceptance_run.home),
                home=acceptance_run.home)  # fmt: skip
    _refused(proc, "/nonexistent", "不存在")
    assert acceptance_run.published.stat().st_mtime_ns == before


def _as_newer_duckdb(path: Path, version: int = 999) -> None:
    """Rewrite a DuckDB file's header as a newer DuckDB would (version and checksum)."""
    data = bytearray(path.read_bytes())
    data[12:20] = struct.pack("<Q", version)
    checksum = 5381
    for i in range(8, 4096, 8):
        (word,) = struct.unpack("<Q", data[i : i + 8])
        checksum ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    data[0:8] = struct.pack("<Q", checksum)
    path.write_bytes(bytes(data))


def test_home_written_by_another_version_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    warehouse = home / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    _as_newer_duckdb(warehouse)
    with pytest.raises(duckdb.Error, match="version number 999"):
        duckdb.connect(str(warehouse), read_only=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_text("x\n", encoding="utf-8")
    _refused(_run("refresh", "--inbox", str(inbox), "--home", str(home), home=home),
             "另一版本", "--home")  # fmt: skip
    assert not (home / "published.duckdb").exists()


# --- a refresh you can watch ------------------------------------------------------------

STAGE_PREFIXES = (
    "解析入库：",
    "构建仓库（dbt）：",
    "质量检查：",
    "退回修改清单：",
    "发布：",
    "领导报表：",
)


def test_refresh_prints_one_line_per_stage_and_no_dbt_log(acceptance_run: RefreshRun) -> None:
    out = acceptance_run.stdout
    assert acceptance_run.returncode == 0, acceptance_run.stderr
    assert "\x1b[" not in out + acceptance_run.stderr  # not a terminal: no colour codes
    assert "Running with dbt" not in out and "START sql" not in out
    lines = out.splitlines()
    assert len(lines) < 40, out
    for prefix in STAGE_PREFIXES:
        (line,) = [x for x in lines if x.startswith(prefix)]
        assert re.search(r"用时 \d+\.\d 秒", line), line
    logs = sorted((acceptance_run.home / "logs").glob("refresh-*.log"))
    assert logs and "Running with dbt" in logs[-1].read_text(encoding="utf-8")
    assert str(logs[-1]) in out


def test_refresh_summary_names_reports_and_feedback(acceptance_run: RefreshRun) -> None:
    out = acceptance_run.stdout
    reports = sorted((acceptance_run.home / "reports").rglob("*.xlsx"))
    feedback = sorted((acceptance_run.home / "feedback").rglob("*.xlsx"))
    assert reports and feedback
    for path in reports:
        assert str(path) in out
    assert str(acceptance_run.home / "feedback") in out
    assert f"{len(feedback)} 个工作簿" in out


def _summary(text: str) -> tuple[str, str]:
    files = re.search(r"文件 \d+ 个：载入 .*被替代 \d+", text)
    rows = re.search(r"隔离行 \d+（[^）]*）", text)
    assert files and rows, text
    return files.group(0), rows.group(0)


def test_refresh_counts_agree_with_status_and_the_corpus(
    acceptance_run: RefreshRun, expected: dict
) -> None:
    files_line, rows_line = _summary(acceptance_run.stdout)
    status = _run("status", "--home", str(acceptance_run.home), home=acceptance_run.home)
    assert status.returncode == 0, status.stderr
    assert (files_line, rows_line) == _summary(status.stdout)
    total = sum(expected["quarantine_counts"].values())
    assert f"隔离行 {total}（" in rows_line
    assert f"共 {total} 行" in status.stdout
    rejected = sum(1 for f in expected["files"] if f["rule"])
    assert f"拒收 {rejected}（" in files_line
    assert "未变" not in files_line  # a fresh home has no unchanged files
    assert re.search(r"重复[^0-9]*1，", files_line)  # the corpus's one identical copy


def test_cli_refresh_is_the_named_refresh_job(
    acceptance_run: RefreshRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(acceptance_run.home / "dagster"))
    with dg.DagsterInstance.from_config(str(acceptance_run.home / "dagster")) as instance:
        runs = instance.get_runs(limit=5)
    assert runs, "no Dagster run recorded"
    assert {r.job_name for r in runs} == {"refresh_job"}
    assert runs[0].tags.get("xuncha/trigger") == "cli"


def test_stage_lines_on_a_terminal_redraw_with_carriage_returns_only() -> None:
    from orchestration.progress import StageReporter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for terminal in (True, False):
        out = Terminal() if terminal else io.StringIO()
        reporter = StageReporter(out=out, log=io.StringIO(), terminal=terminal)
        for done in range(1, 4):
            reporter.parse_progress(done, 3)
        reporter.line("解析入库：文件 3 个（用时 0.1 秒）")
        text = out.getvalue()
        assert "\x1b" not in text
        assert ("\r" in text and "3/3 个文件" in text) is terminal
        assert text.endswith("解析入库：文件 3 个（用时 0.1 秒）\n")


def test_docs_serve_opens_on_the_chinese_overview(tmp_path: Path) -> None:
    """`xuncha docs --serve` serves the site itself (no activated venv, no `dbt` on PATH)."""
    home = tmp_path / "home"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).with_name("xuncha")
    env = _xuncha_env(home)
    env["PATH"] = "/usr/bin:/bin"  # the venv is not activated
    proc = subprocess.Popen(
        [str(exe), "docs", "--serve", "--port", str(port), "--home", str(home)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        body = ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.json") as r:
                    body = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(1)
        assert body, proc.stderr.read() if proc.poll() is not None else "site not up"
        overview = json.loads(body)["docs"].get("doc.xuncha.__overview__")
        assert overview and "数据字典" in overview["block_contents"]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=30)
    assert "dbt docs serve" not in (proc.stdout.read() if proc.stdout else "")


def test_force_refresh_counts_rejected_files(
    acceptance_run: RefreshRun, tmp_path: Path, expected: dict
) -> None:
    """--force over the same inbox: the rejected files are still counted as rejected."""
    acceptance_run = copy_run(acceptance_run, tmp_path)  # refreshes again: not the shared home
    proc = _run("refresh", "--inbox", str(acceptance_run.inbox), "--home",
                str(acceptance_run.home), "--as-of", expected["as_of"], "--force",
                home=acceptance_run.home)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    files_line, rows_line = _summary(proc.stdout)
    first_files, first_rows = _summary(acceptance_run.stdout)
    assert (files_line, rows_line) == (first_files, first_rows)
    assert "拒收 0" not in files_line
