"""Shared fixtures: the acceptance corpus and one real refresh of it per test session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("XUNCHA_SHARED", REPO.parent / "shared"))
ACCEPTANCE = SHARED / "acceptance"


@dataclass
class RefreshRun:
    home: Path
    inbox: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def published(self) -> Path:
        return self.home / "published.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"


def xuncha(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real console script of this environment."""
    exe = Path(sys.executable).with_name("xuncha")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, check=False, timeout=900
    )


@pytest.fixture(scope="session")
def expected() -> dict:
    if not ACCEPTANCE.exists():
        pytest.fail(f"acceptance corpus missing at {ACCEPTANCE}")
    return json.loads((ACCEPTANCE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def acceptance_run(tmp_path_factory: pytest.TempPathFactory, expected: dict) -> RefreshRun:
    """`xuncha refresh` on a copy of the acceptance inbox, through the real command."""
    base = tmp_path_factory.mktemp("acceptance")
    inbox = base / "inbox"
    shutil.copytree(ACCEPTANCE / "inbox", inbox, copy_function=shutil.copy2)
    home = base / "home"
    proc = xuncha(
        "refresh", "--inbox", str(inbox), "--home", str(home), "--as-of", expected["as_of"]
    )
    return RefreshRun(home, inbox, proc.returncode, proc.stdout, proc.stderr)
