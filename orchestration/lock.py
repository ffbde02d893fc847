"""One writer per home: every command or Dagster run that writes XUNCHA_HOME holds
`HOME/writer.lock` (an flock) for as long as it writes.

DuckDB lets one process write a database file; two refreshes started a second
apart used to die inside dbt on its file lock with a traceback. Now the second
writer waits for the first, says once who holds the home (command, PID, since
when), and gives up after a limit (`--wait SECONDS`, `XUNCHA_LOCK_WAIT`, default
300 s) with its own message and exit code (`EXIT_BUSY`).

The kernel releases an flock when its holder dies (even by SIGKILL), so a lock
file left behind by a killed refresh never blocks. The holder's description is
written into the lock file for the waiting ones to read; every acquisition and
release is appended to `HOME/writer_history.jsonl` (the audit of who wrote when).
Readers (status, reports, analysts) never take the lock: they open
published.duckdb read-only. The lock is re-entrant within a process, so the CLI
can hold it around the Dagster run whose assets take it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LOCK_NAME = "writer.lock"
HISTORY_NAME = "writer_history.jsonl"
WAIT_ENV = "XUNCHA_LOCK_WAIT"
DEFAULT_WAIT_SECONDS = 300.0
# A scheduled or sensor run queues behind a refresh started by hand: it waits longer.
RUN_WAIT_SECONDS = 3600.0
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later
POLL_SECONDS = 0.2


class WriterBusy(Exception):
    """Another writer held the home for longer than this one was willing to wait."""


@dataclass
class _Held:
    fd: int
    count: int
    command: str
    acquired: float
    waited: float


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


def default_wait() -> float:
    """`XUNCHA_LOCK_WAIT` seconds, else 300; a malformed value is an error, not a silent default."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"环境变量 {WAIT_ENV} 应为等待秒数，实际为“{raw}”") from exc
    return max(value, 0.0)


def run_wait() -> float:
    """How long a Dagster run waits for the home: XUNCHA_LOCK_WAIT, else an hour."""
    return default_wait() if os.environ.get(WAIT_ENV, "").strip() else RUN_WAIT_SECONDS


def lock_path(home: Path) -> Path:
    return home / LOCK_NAME


def holder(home: Path) -> dict | None:
    """Who holds (or last held) the home, as written into the lock file by its holder."""
    try:
        text = lock_path(home).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def describe(info: dict | None) -> str:
    if not info:
        return "另一个写入进程"
    return (
        f"{info.get('command', '?')}（PID {info.get('pid', '?')}，自 {info.get('since', '?')} 起）"
    )


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _record(home: Path, event: dict) -> None:
    """Append one line to the writer history (O_APPEND: lines of two processes never mix)."""
    line = json.dumps({**event, "at": time.time()}, ensure_ascii=False) + "\n"
    fd = os.open(home / HISTORY_NAME, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def acquire(
    home: Path,
    command: str,
    wait: float | None = None,
    say: Callable[[str], None] | None = None,
) -> float:
    """Take the home's writer lock, waiting up to `wait` seconds; returns the seconds waited.

    Raises WriterBusy (message in Chinese) when the holder did not finish in time.
    """
    home = home.resolve()
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    wait = default_wait() if wait is None else wait
    with _guard:
        held = _held.get(home)
        if held is not None:
            held.count += 1
            return 0.0
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(home), os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    announced = False
    try:
        while not _try_flock(fd):
            if not announced:
                say(
                    f"另一个写入进程正在使用数据目录 {home}：{describe(holder(home))}；"
                    f"等待其结束（最多 {wait:g} 秒）……"
                )
                announced = True
            if time.monotonic() - started >= wait:
                raise WriterBusy(
                    f"已等待 {wait:g} 秒，数据目录 {home} 仍被 {describe(holder(home))}占用，"
                    "本次未写入任何内容。请待其结束后重试，或用 --wait 秒数 延长等待。"
                )
            time.sleep(POLL_SECONDS)
    except BaseException:
        os.close(fd)
        raise
    waited = time.monotonic() - started
    now = datetime.now().replace(microsecond=0).isoformat()
    info = {"command": command, "pid": os.getpid(), "since": now}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
    with _guard:
        _held[home] = _Held(fd, 1, command, time.time(), waited)
    _record(home, {"event": "acquired", **info, "waited_seconds": round(waited, 2)})
    if announced:
        say(f"已等待 {waited:.0f} 秒，前一个写入进程已结束，开始写入。")
    return waited


def release(home: Path) -> None:
    """Give the lock back (the outermost release of this process unlocks the file)."""
    home = home.resolve()
    with _guard:
        held = _held.get(home)
        if held is None:
            return
        held.count -= 1
        if held.count > 0:
            return
        del _held[home]
    _record(
        home,
        {
            "event": "released",
            "command": held.command,
            "pid": os.getpid(),
            "since": datetime.fromtimestamp(held.acquired).replace(microsecond=0).isoformat(),
            "released": datetime.now().replace(microsecond=0).isoformat(),
        },
    )
    fcntl.flock(held.fd, fcntl.LOCK_UN)
    os.close(held.fd)


@contextlib.contextmanager
def writer_lock(
    home: Path,
    command: str,
    wait: float | None = None,
    say: Callable[[str], None] | None = None,
) -> Iterator[float]:
    """`with writer_lock(home, "xuncha refresh"):` — the home is written by this process only."""
    waited = acquire(home, command, wait, say)
    try:
        yield waited
    finally:
        release(home)


def holds(home: Path) -> bool:
    """True when this process holds the home's writer lock."""
    with _guard:
        return home.resolve() in _held


__all__ = [
    "EXIT_BUSY",
    "WAIT_ENV",
    "WriterBusy",
    "acquire",
    "default_wait",
    "holder",
    "holds",
    "release",
    "writer_lock",
]
