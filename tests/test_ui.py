"""The Dagster webserver starts on our definitions and shows the asset graph and the checks."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from orchestration.dbt_manifest import prepare_manifest

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 120

ASSET_GRAPH_QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    assetChecksOrError {
      __typename
      ... on AssetChecks { checks { name blocking } }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory):
    prepare_manifest()
    home = tmp_path_factory.mktemp("ui_home")
    dagster_home = home / "dagster"
    dagster_home.mkdir()
    shutil.copyfile(REPO / "dagster.yaml", dagster_home / "dagster.yaml")
    port = _free_port()
    env = dict(
        os.environ,
        DAGSTER_HOME=str(dagster_home),
        XUNCHA_HOME=str(home),
        XUNCHA_INBOX=str(home / "inbox"),
        DAGSTER_DISABLE_TELEMETRY="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    log = (home / "webserver.log").open("w")
    executable = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen(
        [str(executable), "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"webserver exited ({proc.returncode}):\n{_tail(home)}")
            try:
                nodes = _graphql(port, ASSET_GRAPH_QUERY).get("data", {}).get("assetNodes")
                if nodes:  # the code location has loaded
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"webserver not up within {STARTUP_TIMEOUT} s:\n{_tail(home)}")
            time.sleep(1)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _tail(home: Path) -> str:
    return (home / "webserver.log").read_text(errors="replace")[-4000:]


def test_asset_graph_has_the_groups_and_blocking_checks(webserver: int) -> None:
    data = _graphql(webserver, ASSET_GRAPH_QUERY)
    assert "errors" not in data, data.get("errors")
    nodes = data["data"]["assetNodes"]
    groups = {n["groupName"] for n in nodes}
    assert {"ingest", "warehouse", "quality", "publish"} <= groups
    expected_groups = {"ingest", "warehouse", "quality", "publish", "reports"}
    assert groups <= expected_groups | {"default"}, groups

    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert by_key["raw/raw_ingest_files"]["groupName"] == "ingest"
    assert by_key["fct_problem"]["groupName"] == "warehouse"
    assert by_key["quality_gate"]["groupName"] == "quality"
    assert by_key["submitter_feedback"]["groupName"] == "quality"
    assert by_key["published_warehouse"]["groupName"] == "publish"

    gate = by_key["quality_gate"]["assetChecksOrError"]
    assert gate["__typename"] == "AssetChecks"
    checks = {c["name"]: c["blocking"] for c in gate["checks"]}
    for rule in ("B1", "B2", "B3", "B4"):
        assert checks.get(rule) is True, f"blocking check {rule} missing: {checks}"


def test_jobs_schedules_and_sensor_are_visible(webserver: int) -> None:
    query = """
    {
      repositoriesOrError {
        ... on RepositoryConnection {
          nodes {
            jobs { name }
            schedules { name cronSchedule executionTimezone }
            sensors { name }
          }
        }
      }
    }
    """
    data = _graphql(webserver, query)
    assert "errors" not in data, data.get("errors")
    (repo,) = data["data"]["repositoriesOrError"]["nodes"]
    assert "refresh_job" in {j["name"] for j in repo["jobs"]}
    schedules = {s["name"]: s for s in repo["schedules"]}
    assert schedules["daily_refresh"]["cronSchedule"] == os.environ.get(
        "XUNCHA_REFRESH_CRON", "0 2 * * *"
    )
    assert schedules["daily_refresh"]["executionTimezone"] == os.environ.get(
        "XUNCHA_TIMEZONE", "Asia/Shanghai"
    )
    assert "inbox_sensor" in {s["name"] for s in repo["sensors"]}
