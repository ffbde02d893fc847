"""One benchmark measurement, run in a fresh interpreter by `bench.run`.

    python -m bench.measure KIND RESULT_JSON [options]

KIND is one of floor, pandas, ingest, refresh, report. The result file gets the
operation's wall time (measured here, so interpreter start-up is excluded) and peak
resident memory: of this process and of its largest child (the fork pool's workers,
dbt), from getrusage, and of the whole process tree, sampled from /proc every 50 ms
(`peak_tree_rss_mb`: the largest sum of the RSS of this process and all its descendants
at one instant, where pages shared by forked workers count once per process, so it errs
high; `peak_tree_pss_mb`: the same with proportional set sizes, shared pages split).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TextIO

SPREADSHEETS = {".xlsx", ".xlsm", ".xls"}


def spreadsheet_files(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.rglob("*") if p.is_file() and p.suffix.lower() in SPREADSHEETS)


def pandas_sample(files: list[Path], size: int, seed: int = 0) -> list[Path]:
    """The fixed random sample pandas is measured on (the same for every run of a scale)."""
    if size <= 0 or size >= len(files):
        return list(files)
    return sorted(random.Random(seed).sample(files, size))


# --- (a) the floor: fastexcel to Arrow, nothing else -----------------------------------------


def _fastexcel_file(path: str) -> tuple[int, int]:
    import fastexcel

    reader = fastexcel.read_excel(path)
    rows = cells = 0
    for name in reader.sheet_names:
        try:
            table = reader.load_sheet(name, header_row=None).to_arrow()
        except Exception:  # a sheet whose mixed columns defeat inference: read as text
            table = reader.load_sheet(name, header_row=None, dtypes="string").to_arrow()
        rows += table.num_rows
        cells += table.num_rows * table.num_columns
    return rows, cells


# --- (b) pandas + openpyxl --------------------------------------------------------------------


def _pandas_file(path: str) -> tuple[int, int]:
    import pandas as pd

    frames = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    rows = sum(len(f) for f in frames.values())
    cells = sum(f.size for f in frames.values())
    return rows, cells


def _pool_map(func, paths: list[str], workers: int) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    if workers <= 1:
        return [func(p) for p in paths]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(func, paths, chunksize=4))


def measure_read(kind: str, args: argparse.Namespace) -> dict:
    inbox = Path(args.inbox)
    files = spreadsheet_files(inbox)
    if kind == "pandas":
        files = pandas_sample(files, args.sample)
    paths = [str(p) for p in files]
    func = _fastexcel_file if kind == "floor" else _pandas_file
    started = time.perf_counter()
    counts = _pool_map(func, paths, args.workers)
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "files": len(paths),
        "bytes": sum(p.stat().st_size for p in files),
        "rows": sum(r for r, _ in counts),
        "cells": sum(c for _, c in counts),
        "workers": args.workers,
    }


# --- (c) ingest, (d)–(f) refresh, (g) report ----------------------------------------------------


def measure_ingest(args: argparse.Namespace) -> dict:
    from ingest.pipeline import run_ingest

    started = time.perf_counter()
    summary = run_ingest(Path(args.inbox), Path(args.home), workers=args.workers or None)
    wall = time.perf_counter() - started
    return {"wall_s": wall, "summary": summary.as_metadata()}


def measure_refresh(args: argparse.Namespace) -> dict:
    from home import Home
    from orchestration.refresh import run_refresh

    home = Home.from_env(args.home)
    started = time.perf_counter()
    outcome = run_refresh(Path(args.inbox), home)
    wall = time.perf_counter() - started
    return {
        "wall_s": wall,
        "published": outcome.published,
        "ingest": outcome.ingest,
        "errors": outcome.errors[:5],
        "blocking_failures": [f"{f['rule']} {f['check']}" for f in outcome.blocking_failures][:10],
    }


def measure_report(args: argparse.Namespace) -> dict:
    exe = Path(sys.executable).with_name("xuncha")
    probe = subprocess.run([str(exe), "report", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        return {"available": False, "reason": (probe.stderr or probe.stdout).strip()[-300:]}
    started = time.perf_counter()
    done = subprocess.run([str(exe), "report", "--home", args.home], capture_output=True, text=True)
    wall = time.perf_counter() - started
    result = {"available": True, "wall_s": wall, "returncode": done.returncode}
    if done.returncode != 0:
        result["stderr"] = done.stderr.strip()[-500:]
    return result


def _children() -> dict[int, list[int]]:
    """Parent pid → child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of `pid` in KiB; zeros when it has gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _command(pid: int) -> str:
    """A short name for a process of the tree: its command line (fork-pool workers have
    their parent's, so the name also says when a process is a copy of its parent's)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return "?"
    words = [
        Path(a.decode(errors="replace")).name if i == 0 else a.decode(errors="replace")
        for i, a in enumerate(argv)
        if a
    ]
    return " ".join(words)[:160]


def tree_processes_kb(root: int) -> dict[int, tuple[int, int]]:
    """pid → (RSS, PSS) in KiB of `root` and all its descendants now."""
    tree = _children()
    found: dict[int, tuple[int, int]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        found[pid] = _memory_kb(pid)
        todo += tree.get(pid, [])
    return found


def tree_memory_kb(root: int) -> tuple[int, int]:
    """(RSS, PSS) of `root` and all its descendants now."""
    found = tree_processes_kb(root).values()
    return sum(r for r, _ in found), sum(p for _, p in found)


class TreeSampler(threading.Thread):
    """Samples the process tree's memory until stopped; keeps the largest RSS and PSS sums
    and a timeline: (seconds since start, RSS per pid), so the peak can be attributed to a
    process and, with the stage lines' times (`StageClock`), to a stage."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.peak_at = 0.0
        self.peak_processes: dict[int, int] = {}
        self.samples: list[tuple[float, int, dict[int, int]]] = []
        self.commands: dict[int, str] = {}
        self.started = time.monotonic()
        self._stop_event = threading.Event()

    def run(self) -> None:
        root = os.getpid()
        while not self._stop_event.is_set():
            found = tree_processes_kb(root)
            now = time.monotonic() - self.started
            rss = sum(r for r, _ in found.values())
            pss = sum(p for _, p in found.values())
            per_pid = {pid: r for pid, (r, _) in found.items() if r}
            for pid in per_pid:
                if pid not in self.commands:
                    self.commands[pid] = self._command_of(pid, root)
            self.samples.append((round(now, 3), rss, per_pid))
            if rss > self.peak_rss_kb:
                self.peak_rss_kb, self.peak_at, self.peak_processes = rss, now, per_pid
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self._stop_event.wait(self.interval)

    def _command_of(self, pid: int, root: int) -> str:
        """The command of `pid`; a forked copy of the measuring process (a fork-pool worker)
        shows the same command line, so it is named as such."""
        command = _command(pid)
        if pid != root and command == self.commands.get(root):
            return f"[fork-pool worker] {command}"
        return command

    def stop(self) -> tuple[int, int]:
        self._stop_event.set()
        self.join()
        return self.peak_rss_kb, self.peak_pss_kb


_ELAPSED = re.compile(r"用时 ([0-9.]+) 秒")


class StageClock(io.TextIOBase):
    """Stands in for stdout during a refresh: passes every write on and notes when each
    finished stage line (`orchestration.progress`, "名称：…（用时 X 秒）") arrived, so
    a sample's time can be named by the stage that was running."""

    def __init__(self, out: TextIO, started: float) -> None:
        super().__init__()
        self.out = out
        self.started = started
        self.lines: list[tuple[float, str]] = []
        self._pending = ""

    def write(self, text: str) -> int:
        self.out.write(text)
        self._pending += text
        *done, self._pending = self._pending.split("\n")
        now = time.monotonic() - self.started
        self.lines += [(round(now, 3), line.split("\r")[-1]) for line in done if line.strip()]
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return False

    def stages(self) -> list[dict]:
        """Each stage line as {stage, start_s, end_s} (start = end − its printed duration)."""
        found = []
        for end, line in self.lines:
            name = line.split("：", 1)[0]
            elapsed = _ELAPSED.search(line)
            start = end - float(elapsed.group(1)) if elapsed else end
            found.append({"stage": name, "start_s": round(start, 2), "end_s": end, "line": line})
        return found


def stage_at(stages: list[dict], t: float) -> str:
    """The stage running at `t` seconds, or what the refresh was doing between stages."""
    for s in stages:
        if s["start_s"] <= t <= s["end_s"]:
            return s["stage"]
    if not stages:
        return "-"
    if t < stages[0]["start_s"]:
        return "start-up (before the first stage)"
    if t > stages[-1]["end_s"]:
        return "wind-up (after the last stage)"
    following = next(s for s in stages if s["start_s"] > t)
    return f"between stages (before {following['stage']})"


def attribute(sampler: TreeSampler, stages: list[dict]) -> dict:
    """Where the peak was (time, stage, RSS per process) and the tree's peak per stage."""
    by_stage: dict[str, float] = {}
    for t, rss, _ in sampler.samples:
        name = stage_at(stages, t)
        by_stage[name] = max(by_stage.get(name, 0.0), round(rss / 1024, 1))
    return {
        "peak_tree_at_s": round(sampler.peak_at, 2),
        "peak_stage": stage_at(stages, sampler.peak_at),
        "peak_processes": [
            {"pid": pid, "command": sampler.commands.get(pid, "?"), "rss_mb": round(kb / 1024, 1)}
            for pid, kb in sorted(sampler.peak_processes.items(), key=lambda x: -x[1])
        ],
        "stage_peak_tree_rss_mb": by_stage,
        "stages": [{k: v for k, v in s.items() if k != "line"} for s in stages],
    }


def write_timeline(path: Path, sampler: TreeSampler, stages: list[dict]) -> None:
    """The whole sampled timeline as JSON: per sample time, tree RSS and RSS per pid (KiB),
    the command of each pid, and the stages with their start and end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    timeline = {
        "interval_s": sampler.interval,
        "commands": {str(pid): cmd for pid, cmd in sampler.commands.items()},
        "stages": stages,
        "samples": [
            {"t": t, "rss_kb": rss, "stage": stage_at(stages, t), "pids": per_pid}
            for t, rss, per_pid in sampler.samples
        ],
    }
    path.write_text(json.dumps(timeline, ensure_ascii=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.measure")
    parser.add_argument("kind", choices=["floor", "pandas", "ingest", "refresh", "report"])
    parser.add_argument("result")
    parser.add_argument("--inbox")
    parser.add_argument("--home")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument(
        "--timeline", help="write the sampled memory timeline (JSON) to this file as well"
    )
    args = parser.parse_args(argv)
    sampler = TreeSampler()
    sampler.start()
    clock = StageClock(sys.stdout, sampler.started)
    if args.kind in ("floor", "pandas"):
        result = measure_read(args.kind, args)
    elif args.kind == "ingest":
        result = measure_ingest(args)
    elif args.kind == "refresh":
        with contextlib.redirect_stdout(clock):
            result = measure_refresh(args)
    else:
        result = measure_report(args)
    peak_tree_rss_kb, peak_tree_pss_kb = sampler.stop()
    stages = clock.stages()
    if args.timeline:
        write_timeline(Path(args.timeline), sampler, stages)
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(u.ru_utime + u.ru_stime for u in (self_usage, child_usage))
    result |= {
        "peak_rss_mb": round(self_usage.ru_maxrss / 1024, 1),  # KiB → MiB on Linux
        "peak_child_rss_mb": round(child_usage.ru_maxrss / 1024, 1),
        "peak_tree_rss_mb": round(peak_tree_rss_kb / 1024, 1),
        "peak_tree_pss_mb": round(peak_tree_pss_kb / 1024, 1),
        # CPU seconds of the whole run (this process and its children, start-up included):
        # robust to other load on a shared machine, unlike wall time.
        "cpu_s": round(cpu, 2),
    } | attribute(sampler, stages)
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
