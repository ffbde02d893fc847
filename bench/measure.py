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
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

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


def tree_memory_kb(root: int) -> tuple[int, int]:
    """(RSS, PSS) of `root` and all its descendants now."""
    tree = _children()
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        r, p = _memory_kb(pid)
        rss, pss = rss + r, pss + p
        todo += tree.get(pid, [])
    return rss, pss


class TreeSampler(threading.Thread):
    """Samples the process tree's memory until stopped; keeps the largest RSS and PSS sums."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        root = os.getpid()
        while not self._stop_event.is_set():
            rss, pss = tree_memory_kb(root)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self._stop_event.wait(self.interval)

    def stop(self) -> tuple[int, int]:
        self._stop_event.set()
        self.join()
        return self.peak_rss_kb, self.peak_pss_kb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.measure")
    parser.add_argument("kind", choices=["floor", "pandas", "ingest", "refresh", "report"])
    parser.add_argument("result")
    parser.add_argument("--inbox")
    parser.add_argument("--home")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=0)
    args = parser.parse_args(argv)
    sampler = TreeSampler()
    sampler.start()
    if args.kind in ("floor", "pandas"):
        result = measure_read(args.kind, args)
    elif args.kind == "ingest":
        result = measure_ingest(args)
    elif args.kind == "refresh":
        result = measure_refresh(args)
    else:
        result = measure_report(args)
    peak_tree_rss_kb, peak_tree_pss_kb = sampler.stop()
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
    }
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
