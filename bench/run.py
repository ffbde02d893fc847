"""`make bench`: how fast is xuncha at a real province's size, and against what.

    python -m bench.run --scale 1            # a real province: ~17k inspections, ~250k problems
    SCALE=10 make bench                      # ten provinces' worth

Scale 1 is the demo generator at scale 34 with 10–20 problems per inspection, which gives
~16.7k inspections, ~251k problems, ~21k clues in ~480 workbooks from 66 offices over three
years. The generated inbox is cached under bench/work/ by its parameters, so reruns skip it.

Every measurement runs in a fresh interpreter (`bench.measure`), one after the other:

  a  floor     fastexcel reads every sheet of every file to Arrow, nothing else
  b  pandas    pandas.read_excel(engine="openpyxl"), every sheet; on a fixed random sample
               of files at large sizes, extrapolated linearly by file bytes
  c  ingest    run_ingest, cold parse cache
  d  refresh   run_refresh (ingest, dbt build, quality gate, publish), cold home
  e  changed   run_refresh after one workbook changed
  f  unchanged run_refresh with nothing changed
  g  report    `xuncha report --home H` (recorded as not available if the CLI is missing)
  h  fixed     run_refresh, cold home, on a tiny province (FIXED_SCALE: ~100 workbooks, 3 % of
               scale 1's rows): what a refresh costs before the data is large (interpreter,
               Dagster, dbt's parse and per-node work, GX), which no work on the data path removes

Figures go to bench/results.json (merged per scale). Absolute times depend on the machine
and on what else it runs; quote the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

from bench.measure import pandas_sample, spreadsheet_files

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
RESULTS = BENCH / "results.json"

# Scale 1 = a real province over a term (see the module docstring).
GENERATOR_SCALE_PER_UNIT = 34
PROBLEMS_PER_INSPECTION = (10, 20)
SEED = 7
YEARS = (2022, 2023, 2024)

# The tiny province of the fixed-cost refresh (h): generator scale 1, ~3 % of scale 1's rows.
FIXED_SCALE = 1 / GENERATOR_SCALE_PER_UNIT

# Issue 13's targets; every ratio is between figures of the same run.
TARGETS = {
    "ingest_cpu_over_floor_cpu_max": 1.5,  # ingest CPU-s ≤ 1.5× the floor's CPU-s
    "pandas_over_ingest_min": 8.0,  # pandas+openpyxl ≥ 8× slower than ingest (wall)
    "refresh_cold_over_floor_max": 8.0,  # scale 1: cold refresh ≤ 8× the floor's wall time
    "refresh_changed_over_floor_max": 4.0,  # scale 1: one changed file ≤ 4× the floor
    "scale10_peak_mb_max": 2048.0,  # scale 10: peak RSS of the process tree
    "scale10_peak_over_scale1_max": 1.5,  # … and ≤ 1.5× the scale-1 peak
    "scale10_cold_over_scale1_max": 10.0,  # scale 10 cold refresh ≤ 10× scale 1's
}

PACKAGES = (
    "fastexcel",
    "python-calamine",
    "polars",
    "pyarrow",
    "duckdb",
    "pandas",
    "openpyxl",
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "great-expectations",
)


# --- the province -------------------------------------------------------------------------


def province(scale: float) -> tuple[Path, dict]:
    """Generate (or reuse) the inbox for `scale`; returns its path and the generator summary."""
    gen_scale = GENERATOR_SCALE_PER_UNIT * scale
    lo, hi = PROBLEMS_PER_INSPECTION
    key = f"province-s{gen_scale:g}-p{lo}-{hi}-seed{SEED}-y{YEARS[0]}-{YEARS[-1]}"
    target = WORK / key
    manifest = WORK / f"{key}.json"
    if manifest.exists() and target.is_dir():
        return target, json.loads(manifest.read_text(encoding="utf-8"))
    from demo import generate_demo_inbox

    shutil.rmtree(target, ignore_errors=True)
    print(f"generating {key} …", flush=True)
    started = time.perf_counter()
    summary = generate_demo_inbox(
        target, seed=SEED, years=YEARS, scale=gen_scale, problems_per_inspection=(lo, hi)
    )
    keep = {
        k: summary[k]
        for k in ("files_written", "rows", "inspections", "problems", "clues", "scale", "seed")
    }
    keep["offices"] = len(summary["regions"])
    keep["generate_s"] = round(time.perf_counter() - started, 1)
    manifest.write_text(json.dumps(keep, ensure_ascii=False, indent=1), encoding="utf-8")
    return target, keep


def correct_one_text_cell(path: Path) -> bool:
    """Append “（已更正）” to the last text cell of 8+ characters, as a resubmitted correction
    would; False when the workbook has none (nothing saved). bench/compare_raw.py uses it too."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in reversed(list(ws.iter_rows())):
            for cell in row:
                if isinstance(cell.value, str) and len(cell.value) >= 8:
                    cell.value = cell.value + "（已更正）"
                    wb.save(path)
                    return True
    return False


def change_one_file(inbox: Path) -> str:
    """Edit one text cell of one mid-sized workbook, as a resubmission with a correction would."""
    files = sorted(spreadsheet_files(inbox), key=lambda p: (p.stat().st_size, str(p)))
    path = files[len(files) // 2]
    if not correct_one_text_cell(path):
        raise RuntimeError(f"no text cell to change in {path}")
    return str(path.relative_to(inbox))


# --- running one measurement ----------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env |= {
        "GX_ANALYTICS_ENABLED": "False",
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    }
    return env


def measure(kind: str, label: str, timeout: float, **options: object) -> dict:
    result_file = WORK / f"result-{label}.json"
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.measure", kind, str(result_file)]
    for name, value in options.items():
        if value is not None:
            cmd += [f"--{name}", str(value)]
    print(f"  {label:<10} …", end="", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        print(f" timed out after {timeout:.0f} s")
        return {"error": f"timed out after {timeout:.0f} s"}
    process_s = time.perf_counter() - started
    if done.returncode != 0 or not result_file.exists():
        print(" failed")
        return {"error": (done.stderr or done.stdout).strip()[-1500:], "process_s": process_s}
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result["process_s"] = round(process_s, 2)
    if "wall_s" in result:
        result["wall_s"] = round(result["wall_s"], 2)
    print(f" {result.get('wall_s', '—')} s", flush=True)
    return result


# --- the run -----------------------------------------------------------------------------------


def machine() -> dict:
    mem_kb = 0
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
        "packages": versions,
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def run(scale: float, pandas_files: int, workers: int, timeout: float, skip: set[str]) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    source, prov = province(scale)
    files = spreadsheet_files(source)
    total_bytes = sum(p.stat().st_size for p in files)
    print(
        f"scale {scale:g}: {prov['files_written']} workbooks ({total_bytes / 1e6:.1f} MB), "
        f"{prov['offices']} offices, {prov['inspections']} inspections, "
        f"{prov['problems']} problems, {prov['clues']} clues"
    )
    run_dir = WORK / f"run-scale{scale:g}"
    shutil.rmtree(run_dir, ignore_errors=True)
    inbox = run_dir / "inbox"
    shutil.copytree(source, inbox)
    home_ingest = run_dir / "home-ingest"
    home = run_dir / "home"
    figures: dict[str, dict] = {}

    def step(name: str, kind: str, **options: object) -> None:
        if name in skip:
            figures[name] = {"skipped": True}
            return
        figures[name] = measure(kind, f"s{scale:g}-{name}", timeout, **options)

    step("floor", "floor", inbox=inbox, workers=workers)
    sample = pandas_files if 0 < pandas_files < len(files) else 0
    step("pandas", "pandas", inbox=inbox, workers=workers, sample=sample)
    p = figures["pandas"]
    if "wall_s" in p:
        sampled = pandas_sample(files, sample)
        sample_bytes = sum(f.stat().st_size for f in sampled)
        p["sampled"] = bool(sample)
        p["sample_files"] = len(sampled)
        p["extrapolated_s"] = round(p["wall_s"] * total_bytes / sample_bytes, 2)
    step("ingest", "ingest", inbox=inbox, home=home_ingest, workers=workers)
    step("refresh_cold", "refresh", inbox=inbox, home=home)
    step("report", "report", home=home)
    if "refresh_changed" not in skip:
        figures_changed_file = change_one_file(inbox)
    step("refresh_changed", "refresh", inbox=inbox, home=home)
    if "refresh_changed" in figures and "skipped" not in figures["refresh_changed"]:
        figures["refresh_changed"]["changed_file"] = figures_changed_file
    step("refresh_unchanged", "refresh", inbox=inbox, home=home)
    if "refresh_fixed" not in skip:
        tiny, _ = province(FIXED_SCALE)
        tiny_inbox = run_dir / "inbox-fixed"
        shutil.copytree(tiny, tiny_inbox)
        step("refresh_fixed", "refresh", inbox=tiny_inbox, home=run_dir / "home-fixed")

    wall = {k: v.get("wall_s") for k, v in figures.items()}
    pandas_s = figures["pandas"].get("extrapolated_s")
    cpu = {k: v.get("cpu_s") for k, v in figures.items()}
    ratios = {
        "ingest_over_floor": _ratio(wall.get("ingest"), wall.get("floor")),
        "ingest_over_floor_cpu": _ratio(cpu.get("ingest"), cpu.get("floor")),
        "pandas_over_ingest": _ratio(pandas_s, wall.get("ingest")),
        "pandas_over_floor": _ratio(pandas_s, wall.get("floor")),
    }
    peak = max(
        (v.get("peak_rss_mb", 0) + v.get("peak_child_rss_mb", 0) for v in figures.values()),
        default=0,
    )
    tree_peak = max((v.get("peak_tree_rss_mb", 0) for v in figures.values()), default=0)
    ratios |= {
        "refresh_cold_over_floor": _ratio(wall.get("refresh_cold"), wall.get("floor")),
        "refresh_changed_over_floor": _ratio(wall.get("refresh_changed"), wall.get("floor")),
        "refresh_fixed_over_floor": _ratio(wall.get("refresh_fixed"), wall.get("floor")),
    }
    return {
        "scale": scale,
        "date": datetime.now().isoformat(timespec="seconds"),
        "province": prov | {"bytes": total_bytes},
        "workers": workers,
        "figures": figures,
        "ratios": ratios,
        "peak_rss_mb_upper_bound": round(peak, 1),
        "peak_tree_rss_mb": round(tree_peak, 1),
        "load_average_at_end": os.getloadavg(),
        "notes": [
            "wall_s is the operation inside a fresh interpreter; process_s adds start-up.",
            "peak_rss_mb is the measuring process, peak_child_rss_mb its largest child "
            "(fork-pool worker, dbt); peak_tree_rss_mb is the largest sum of RSS over the "
            "whole process tree sampled every 50 ms (shared pages of forked workers counted "
            "in each, so it errs high), peak_tree_pss_mb the same with shared pages split.",
            (
                f"pandas+openpyxl measured on a fixed random sample of {sample} of "
                f"{len(files)} files and extrapolated linearly by file bytes."
                if sample
                else "pandas+openpyxl measured on every file."
            ),
            "Floor and pandas use the same fork pool size as ingest (workers).",
            "refresh_fixed is a cold refresh of a tiny province (generator scale 1, ~3 % of "
            "scale 1's rows): the part of a refresh that does not grow with the data.",
            "The machine is shared: other processes used the CPU during the run "
            "(see load averages), so absolute times are pessimistic; quote ratios.",
        ],
    }


def _peak(run_result: dict) -> float | None:
    """The process tree's peak RSS of a run (sampled), else the getrusage upper bound."""
    return run_result.get("peak_tree_rss_mb") or run_result.get("peak_rss_mb_upper_bound")


def check_targets(results: dict) -> list[tuple[str, str, str]]:
    rows = []

    def add(name: str, value: float | None, limit: float, lower_is_better: bool = True) -> None:
        if value is None:
            rows.append((name, "n/a", "not measured"))
            return
        ok = value <= limit if lower_is_better else value >= limit
        sign = "≤" if lower_is_better else "≥"
        by = value / limit if lower_is_better else limit / value
        status = "met" if ok else f"NOT met (off by {by:.2f}×)"
        rows.append((name, f"{value:g} ({sign} {limit:g})", status))

    s1 = results.get("scale_1")
    if s1:
        r = s1["ratios"]
        add(
            "ingest CPU / floor CPU",
            r.get("ingest_over_floor_cpu"),
            TARGETS["ingest_cpu_over_floor_cpu_max"],
        )
        add(
            "pandas / ingest",
            r.get("pandas_over_ingest"),
            TARGETS["pandas_over_ingest_min"],
            lower_is_better=False,
        )
        add(
            "refresh cold / floor",
            r.get("refresh_cold_over_floor"),
            TARGETS["refresh_cold_over_floor_max"],
        )
        add(
            "refresh changed / floor",
            r.get("refresh_changed_over_floor"),
            TARGETS["refresh_changed_over_floor_max"],
        )
    s10 = results.get("scale_10")
    if s10:
        add("scale 10 peak tree RSS [MB]", _peak(s10), TARGETS["scale10_peak_mb_max"])
        if s1:
            add(
                "scale 10 / scale 1 peak",
                _ratio(_peak(s10), _peak(s1)),
                TARGETS["scale10_peak_over_scale1_max"],
            )
            add(
                "scale 10 / scale 1 cold",
                _ratio(
                    s10["figures"]["refresh_cold"].get("wall_s"),
                    s1["figures"]["refresh_cold"].get("wall_s"),
                ),
                TARGETS["scale10_cold_over_scale1_max"],
            )
    return rows


def print_table(run_result: dict) -> None:
    print()
    print(
        f"{'measurement':<18}{'wall s':>10}{'process s':>11}{'CPU s':>8}"
        f"{'peak MB':>9}{'child MB':>10}{'tree MB':>9}  note"
    )
    for name, v in run_result["figures"].items():
        if v.get("skipped"):
            print(f"{name:<18}{'skipped':>10}")
            continue
        if v.get("available") is False:
            print(f"{name:<18}{'n/a':>10}  not available: {v.get('reason', '')[:60]}")
            continue
        note = ""
        if "error" in v:
            note = "ERROR " + v["error"].splitlines()[-1][:80] if v["error"] else "ERROR"
        elif name == "pandas" and v.get("sampled"):
            note = (
                f"sample of {v['sample_files']} files; extrapolated by bytes: "
                f"{v['extrapolated_s']} s"
            )
        elif "published" in v:
            note = "published" if v["published"] else f"NOT published {v.get('errors')}"
        elif "rows" in v:
            note = f"{v['files']} files, {v['rows']} rows"
        print(
            f"{name:<18}{v.get('wall_s', '—')!s:>10}{v.get('process_s', '—')!s:>11}"
            f"{v.get('cpu_s', '—')!s:>8}"
            f"{v.get('peak_rss_mb', '—')!s:>9}{v.get('peak_child_rss_mb', '—')!s:>10}"
            f"{v.get('peak_tree_rss_mb', '—')!s:>9}  {note}"
        )
    r = run_result["ratios"]
    print()
    print(
        f"ingest / floor   = {r['ingest_over_floor']}  (CPU seconds: {r['ingest_over_floor_cpu']})"
    )
    print(f"pandas / ingest  = {r['pandas_over_ingest']}")
    print(f"pandas / floor   = {r['pandas_over_floor']}")
    print(f"refresh cold / floor    = {r['refresh_cold_over_floor']}")
    print(f"refresh changed / floor = {r['refresh_changed_over_floor']}")
    print(f"refresh fixed / floor   = {r.get('refresh_fixed_over_floor')}  (tiny province)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--pandas-files",
        type=int,
        default=None,
        help="measure pandas on this many randomly sampled files (default 40; all files "
        "when there are fewer); 0 = all files",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated measurements to skip (floor,pandas,ingest,refresh_cold,"
        "report,refresh_changed,refresh_unchanged,refresh_fixed)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    pandas_files = args.pandas_files if args.pandas_files is not None else 40
    skip = {s for s in args.skip.split(",") if s}

    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    results["machine"] = machine()
    results["targets"] = TARGETS
    run_result = run(args.scale, pandas_files, args.workers, args.timeout, skip)
    results[f"scale_{args.scale:g}"] = run_result
    results["date"] = run_result["date"]
    results["target_status"] = [
        {"target": t, "value": v, "status": s} for t, v, s in check_targets(results)
    ]
    args.results.write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    print_table(run_result)
    print()
    for target, value, status in check_targets(results):
        print(f"{target:<30}{value:<26}{status}")
    print(f"\nwritten to {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
