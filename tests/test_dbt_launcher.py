"""The dbt launcher answers dagster-dbt's `--version` question as dbt itself would."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from orchestration.dbt_launcher import dbt_executable, write_launcher

VERSION = re.compile(r"installed:\s*(\d+\.\d+\.\d+)")


def _installed(output: str) -> str:
    found = VERSION.search(output)
    assert found, output
    return found.group(1)


def test_launcher_reports_the_installed_dbt_core_version(tmp_path: Path) -> None:
    """dagster-dbt reads the first x.y.z of `dbt --version` (Core vs Fusion): the launcher
    must give the version the real dbt reports, without starting dbt (the launcher here
    would exec /bin/false)."""
    launcher = write_launcher(tmp_path / "dbt-launcher", "/bin/false", os.getpid())
    answered = subprocess.run([str(launcher), "--version"], capture_output=True, text=True)
    real = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True)
    assert answered.returncode == 0, answered.stderr
    assert _installed(answered.stdout) == _installed(real.stdout)
    assert re.search(r"(\d+\.\d+\.\d+)", answered.stdout).group(1) == _installed(real.stdout)


def test_launcher_runs_dbt_for_every_other_command(tmp_path: Path) -> None:
    """Only the bare `--version` is answered; any other argument list reaches dbt."""
    launcher = write_launcher(tmp_path / "dbt-launcher", dbt_executable(), os.getpid())
    shown = subprocess.run([str(launcher), "--help"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "Usage: dbt" in shown.stdout
