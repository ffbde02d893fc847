"""One writer per home (orchestration/lock.py), on real processes.

Two `xuncha refresh` and one Dagster run of `refresh_job` (the job the schedule
and the sensor launch, through `dagster job execute`) start on one home within a
second: all three end without a traceback, the writer history shows one writer at
a time, the published warehouse equals a single refresh's, and the two that came
second say they waited and for whom. A holder that is SIGKILLed never blocks the
next writer; a writer that waits too long gives up with its own exit code.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.lock import EXIT_BUSY, HISTORY_NAME, LOCK_NAME
from tests import hostile, outputs

REPO = Path(__file__).resolve().parents[1]
HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from orchestration.lock import writer_lock\n"
    "with writer_lock(Path(sys.argv[1]), 'xuncha 测试占用'):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(float(sys.argv[2]))\n"
)


def _env(**extra: str) -> dict[str, str]:
    return os.environ | outputs.ENV | {"PYTHONPATH": str(REPO)} | extra


def _holder(home: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(home), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def _history(home: Path) -> list[dict]:
    lines = (home / HISTORY_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_second_writer_waits_then_gives_up_with_its_own_exit_code(tmp_path: Path) -> None:
    home = tmp_path / "home"
    holder = _holder(home, 60)
    try:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        # an empty inbox is refused before the lock is even asked for (issue 16): one file
        (inbox / "报送.csv").write_text("届次\n1\n", encoding="utf-8")
        command = outputs.refresh_command(inbox, home)
        proc = subprocess.run(
            [*command, "--wait", "1"], capture_output=True, text=True, env=_env(), timeout=120
        )
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == EXIT_BUSY, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    # says once who holds the home: command, PID, since when
    assert proc.stderr.count("另一个写入进程正在使用数据目录") == 1
    assert f"xuncha 测试占用（PID {holder.pid}，自 " in proc.stderr
    assert "本次未写入任何内容" in proc.stderr
    # nothing was written by the refresh that gave up
    assert not (home / "warehouse.duckdb").exists()
    assert not (home / "restricted.duckdb").exists()


def test_lock_of_a_killed_holder_does_not_block(tmp_path: Path) -> None:
    home = tmp_path / "home"
    holder = _holder(home, 600)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (home / LOCK_NAME).exists()  # the file stays, its flock went with the process
    second = _holder(home, 0)
    second.wait(timeout=30)
    assert second.returncode == 0
    events = _history(home)
    assert [e["event"] for e in events] == ["acquired", "acquired", "released"]
    assert events[1]["waited_seconds"] < 5


def test_lock_wait_env_is_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    holder = _holder(home, 60)
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [outputs.xuncha_exe(), "docs", "--home", str(home)],
            capture_output=True,
            text=True,
            env=_env(XUNCHA_LOCK_WAIT="1"),
            timeout=120,
        )
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == EXIT_BUSY, proc.stderr
    assert "最多 1 秒" in proc.stderr
    assert elapsed < 60


def _dagster_run(home: Path, inbox: Path, log: Path) -> subprocess.Popen:
    """`refresh_job` through Dagster's own command line, as the daemon would run it."""
    exe = Path(sys.executable).with_name("dagster")
    return subprocess.Popen(
        [str(exe), "job", "execute", "-m", "orchestration.definitions", "-j", "refresh_job"],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=REPO,
        env=_env(
            XUNCHA_HOME=str(home),
            XUNCHA_INBOX=str(inbox),
            XUNCHA_AS_OF=outputs.AS_OF,
            XUNCHA_LOCK_WAIT="1500",
            DAGSTER_HOME=str(home / "dagster"),
        ),
    )


def test_two_cli_refreshes_and_a_dagster_run_write_one_at_a_time(tmp_path: Path, acceptance_run):
    assert acceptance_run.returncode == 0, acceptance_run.stderr[-3000:]
    outputs.prepare_dbt()
    inbox = tmp_path / "inbox"
    shutil.copytree(hostile.ACCEPTANCE_INBOX, inbox, copy_function=shutil.copy2)
    home = tmp_path / "home"
    (home / "dagster").mkdir(parents=True)
    shutil.copyfile(REPO / "dagster.yaml", home / "dagster" / "dagster.yaml")
    logs = {name: tmp_path / f"{name}.log" for name in ("cli1", "cli2", "dagster")}
    procs = {}
    for name in ("cli1", "cli2"):
        procs[name] = subprocess.Popen(
            [*outputs.refresh_command(inbox, home), "--wait", "1500"],
            stdout=logs[name].open("wb"),
            stderr=subprocess.STDOUT,
            env=_env(),
        )
        time.sleep(0.3)
    procs["dagster"] = _dagster_run(home, inbox, logs["dagster"])
    for proc in procs.values():
        proc.wait(timeout=1800)
    texts = {
        name: path.read_text(encoding="utf-8", errors="replace") for name, path in logs.items()
    }
    for name, proc in procs.items():
        assert "Traceback" not in texts[name], f"{name}:\n{texts[name][-3000:]}"
        assert proc.returncode == 0, f"{name}:\n{texts[name][-3000:]}"

    # one writer at a time: the history (appended by the holder only) alternates
    # acquired/released of one process; each of the three wrote (Dagster may take the
    # lock again, re-entrantly, for its end-of-run resources)
    events = _history(home)
    assert [e["event"] for e in events] == ["acquired", "released"] * (len(events) // 2), events
    for taken, given in zip(events[::2], events[1::2], strict=True):
        assert taken["pid"] == given["pid"] and given["at"] >= taken["at"], (taken, given)
    acquired = events[::2]
    pids = {name: proc.pid for name, proc in procs.items()}
    assert {e["pid"] for e in acquired} == set(pids.values())
    first = min(acquired, key=lambda e: e["at"])["pid"]
    for name, pid in pids.items():
        if pid != first:
            assert "另一个写入进程正在使用数据目录" in texts[name], texts[name][-2000:]
            assert "已等待" in texts[name], texts[name][-2000:]
    # the published warehouse is a single refresh's: every fact, dimension and report
    # table (bookkeeping differs by design: the later refreshes see files as unchanged)
    tables = ("fct_", "dim_", "rpt_")
    ours = outputs.export_all(home / "published.duckdb", tables)
    assert len(ours) > 10
    assert ours == outputs.export_all(acceptance_run.published, tables)
