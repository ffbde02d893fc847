"""Shared fixtures: the acceptance corpus and one real refresh of it per test session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
# every test home's key file goes to a folder of this run, not the user's ~/.config/xuncha/keys
# (the refresh subprocesses inherit it); a test that checks the default sets its own
os.environ.setdefault("XUNCHA_KEY_DIR", tempfile.mkdtemp(prefix="xuncha-test-keys-"))

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the repository; from a git worktree (/work/wt/<branch>) the one above it.
SHARED = Path(
    os.environ.get("XUNCHA_SHARED")
    or next(
        (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
)
ACCEPTANCE = SHARED / "acceptance"
ACCEPTANCE_V2 = SHARED / "acceptance-v2"


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


def refresh_again(run: RefreshRun, as_of: str, *options: str) -> subprocess.CompletedProcess[str]:
    """`xuncha refresh` once more on a run's inbox and home (a `copy_run` of a session's)."""
    home = str(run.home)
    return xuncha("refresh", "--inbox", str(run.inbox), "--home", home, "--as-of", as_of, *options)


def add_phase2(run: RefreshRun, corpus: Path) -> list[Path]:
    """Copy a corpus's phase2 files into a run's inbox (folders made writable): the second
    delivery an acceptance test refreshes again with."""
    phase2 = corpus / "phase2"
    copied: list[Path] = []
    for src in phase2.rglob("*"):
        if src.is_file():
            target = run.inbox / src.relative_to(phase2)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.parent.chmod(0o755)
            shutil.copy2(src, target)
            copied.append(target)
    return copied


@pytest.fixture(scope="session")
def expected() -> dict:
    if not ACCEPTANCE.exists():
        pytest.fail(f"acceptance corpus missing at {ACCEPTANCE}")
    return json.loads((ACCEPTANCE / "expected.json").read_text(encoding="utf-8"))


def copy_run(run: RefreshRun, dest: Path) -> RefreshRun:
    """A private copy of a session refresh's home and inbox, for a test that refreshes again.

    The session fixtures are shared by many test files; a test that adds phase2 files or
    re-runs `--force` on the shared home would change what every later test reads.
    """
    shutil.copytree(run.home, dest / "home", symlinks=True)
    shutil.copytree(run.inbox, dest / "inbox", symlinks=True, copy_function=shutil.copy2)
    return RefreshRun(dest / "home", dest / "inbox", run.returncode, run.stdout, run.stderr)


def _refresh_copy(corpus: Path, tmp_path_factory: pytest.TempPathFactory, as_of: str) -> RefreshRun:
    """`xuncha refresh` on a copy of a corpus's inbox, through the real command."""
    base = tmp_path_factory.mktemp(corpus.name)
    inbox = base / "inbox"
    shutil.copytree(corpus / "inbox", inbox, copy_function=shutil.copy2)
    home = base / "home"
    proc = xuncha("refresh", "--inbox", str(inbox), "--home", str(home), "--as-of", as_of)
    return RefreshRun(home, inbox, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def acceptance_run(tmp_path_factory: pytest.TempPathFactory, expected: dict) -> RefreshRun:
    """The v1 acceptance inbox through the real `xuncha refresh`."""
    return _refresh_copy(ACCEPTANCE, tmp_path_factory, expected["as_of"])


@pytest.fixture(scope="session")
def expected_v2() -> dict:
    if not ACCEPTANCE_V2.exists():
        pytest.fail(f"acceptance corpus v2 missing at {ACCEPTANCE_V2}")
    return json.loads((ACCEPTANCE_V2 / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def acceptance_v2_run(tmp_path_factory: pytest.TempPathFactory, expected_v2: dict) -> RefreshRun:
    """The contract-v2 acceptance inbox through the real `xuncha refresh`."""
    return _refresh_copy(ACCEPTANCE_V2, tmp_path_factory, expected_v2["as_of"])
