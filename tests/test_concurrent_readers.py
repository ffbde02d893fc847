"""Readers during refreshes: analysts querying published.duckdb never fail and never
see half of one version and half of another.

Four reader processes (`python -m tests.outputs reader`) query the published
file read-only in a loop — a new `duckdb.connect(path, read_only=True)` per
query, as an analyst's tool would — while the same home is refreshed 10 times,
alternating the acceptance corpus with and without one county's 2024 clue
file, so the content changes at every publish (os.replace of the file). Each
query combines several tables; it must satisfy §6 (province found = the sum
over its cities + the province's own units) and match, as a whole, one of the
versions the refreshes published.

XUNCHA_READER_REFRESHES scales the test (default 10).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests import hostile, outputs
from tests.test_crash_safety import inbox_b

pytestmark = pytest.mark.slow

REFRESHES = int(os.environ.get("XUNCHA_READER_REFRESHES", "10"))
READERS = 4


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("readers")
    inboxes = [inbox_b(root / "B"), hostile.copy_acceptance_inbox(root / "A")]
    home = root / "home"
    published = home / "published.duckdb"
    stop = root / "stop"
    outputs.prepare_dbt()
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.outputs",
                "reader",
                str(published),
                str(stop),
                str(root / f"reader{i}.json"),
            ],
            cwd=hostile.REPO,
            stderr=subprocess.PIPE,
        )
        for i in range(READERS)
    ]
    published_versions: dict[str, str] = {}
    refreshes = []
    started = time.monotonic()
    try:
        for i in range(REFRESHES):
            inbox = inboxes[i % 2]
            t0 = time.monotonic()
            proc = outputs.run_refresh(inbox, home)
            refreshes.append((inbox.name, proc.returncode, round(time.monotonic() - t0)))
            assert proc.returncode == 0, proc.stderr[-3000:]
            con = outputs.connect(published)
            try:
                published_versions[outputs.signature(outputs.read_version(con))] = inbox.name
            finally:
                con.close()
            time.sleep(1)  # let readers query this version too
    finally:
        stop.touch()
        errs = [r.communicate(timeout=120)[1].decode(errors="replace") for r in readers]
    stats = [json.loads((root / f"reader{i}.json").read_text()) for i in range(READERS)]
    summary = {
        "refreshes": refreshes,
        "seconds": round(time.monotonic() - started),
        "queries": sum(s["queries"] for s in stats),
        "failed": sum(s["failed"] for s in stats),
        "inconsistent": sum(s["inconsistent"] for s in stats),
        "versions_published": len(published_versions),
        "versions_seen": sorted({sig for s in stats for sig in s["signatures"]}),
    }
    print(json.dumps(summary, ensure_ascii=False))
    (root / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    codes = [r.returncode for r in readers]
    return {"stats": stats, "published": published_versions, "errs": errs, "codes": codes}


def test_readers_ran_throughout(run):
    assert run["codes"] == [0] * READERS, run["errs"]
    for s in run["stats"]:
        assert s["queries"] > REFRESHES, s["queries"]


def test_zero_failed_queries(run):
    errors = [e for s in run["stats"] for e in s["errors"]]
    assert [s["failed"] for s in run["stats"]] == [0] * READERS, errors


def test_every_query_sees_a_consistent_province(run):
    assert [s["inconsistent"] for s in run["stats"]] == [0] * READERS


def test_every_query_sees_one_published_version(run):
    assert len(set(run["published"].values())) == 2  # both contents were published
    seen = {sig for s in run["stats"] for sig in s["signatures"]}
    assert seen <= set(run["published"]), seen - set(run["published"])
    assert len(seen) == 2  # and the readers saw the content change
