"""dbt dies with the refresh that started it (Linux) — a workaround dagster-dbt needs.

dagster-dbt starts dbt with `subprocess.Popen` and offers no `preexec_fn`, so the
executable it is given (the public `DbtCliResource(dbt_executable=...)`) is a launcher
script that sets PR_SET_PDEATHSIG and then execs the real dbt (the setting survives
exec). Without it, a refresh killed with SIGKILL leaves dbt writing the warehouse
while the next refresh starts. The death signal follows the thread that started the
child: dagster-dbt starts dbt from the step's own thread, which waits for it.

The launcher belongs to one process: its pid is written into the script (and its
name), so a dbt whose refresh died before the signal was set exits at once; the
launchers of processes that are gone are removed when a new one is written.

dagster-dbt asks the executable for `--version` before every `dbt build` (to tell
dbt Core from Fusion); starting dbt only to print its version cost ~3 CPU-s and 2–5 s
per refresh, so the launcher answers it from the installed dbt-core's package
version, which is written into the script (a dbt upgrade rewrites it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from home import Home

_LAUNCHER = """#!{python} -S
# Written by xuncha (orchestration/dbt_launcher.py): run dbt so that it is killed
# when the refresh that started it (pid {parent}) dies, even by SIGKILL.
import ctypes, os, signal, sys
if sys.argv[1:] == ["--version"]:  # dagster-dbt's question, answered without dbt
    print("Core:")
    print("  - installed: {version}")
    sys.exit(0)
ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
if os.getppid() != {parent}:
    sys.exit("xuncha: the refresh that started dbt is gone")
os.execv({dbt!r}, [{dbt!r}, *sys.argv[1:]])
"""


def dbt_executable() -> str:
    """The real dbt of this interpreter's environment."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else (shutil.which("dbt") or "dbt")


def dbt_child_executable(home: Home) -> str:
    """The launcher of this process for `home` (Linux); plain dbt elsewhere or when the
    home's folder cannot be written (dbt then merely outlives a killed refresh)."""
    real = dbt_executable()
    if not sys.platform.startswith("linux"):
        return real
    folder = home.root / "dbt" / "bin"
    try:
        launcher = write_launcher(folder / f"dbt-{os.getpid()}", real, os.getpid())
        remove_stale_launchers(folder)
    except OSError:
        return real
    return str(launcher)


def write_launcher(launcher: Path, real: str, parent: int) -> Path:
    """Write (when different) the script that runs `real` for process `parent`."""
    text = _LAUNCHER.format(
        python=sys.executable, parent=parent, dbt=real, version=_dbt_core_version()
    )
    if not launcher.exists() or launcher.read_text(encoding="utf-8") != text:
        launcher.parent.mkdir(parents=True, exist_ok=True)
        tmp = launcher.with_name(f".{launcher.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        os.replace(tmp, launcher)
    return launcher


def remove_stale_launchers(folder: Path) -> None:
    """Remove `dbt-<pid>` launchers whose process no longer exists."""
    for path in folder.glob("dbt-*"):
        pid = path.name.removeprefix("dbt-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            path.unlink(missing_ok=True)


def _dbt_core_version() -> str:
    """The installed dbt-core's version (what `dbt --version` reports as Core)."""
    from importlib.metadata import version

    return version("dbt-core")


def die_with_parent() -> None:
    """`preexec_fn` for the dbt processes xuncha starts itself (Linux only)."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
