"""Is the raw layer the same with two versions of the ingest code? (issue 13)

    python bench/compare_raw.py --baseline /work/main --candidate . [--inbox NAME=PATH …]

For each inbox (default: the v1 and v2 acceptance inboxes; `--demo` adds the demo inbox)
it runs `ingest.pipeline.run_ingest` per code tree: cold (run 1), again on the same home
(run 2: `unchanged` verdicts, the appended file history), after one workbook changed
(run 3: a correction appended to one text cell) and after another was deleted (run 4) —
the incremental cases — each in a fresh interpreter whose PYTHONPATH is that tree. Both
trees read the same inbox copy, so file mtimes (recency, §7) agree. Every raw table and
the restricted store are dumped after each run and compared row by row, ignoring
refresh ids and timestamps.

The dump step runs this file as a script (`dump` sub-command) under the other tree's
PYTHONPATH, so it imports nothing from this repository's `bench` package.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

IGNORED = {"refresh_id", "refreshed_at"}
DEFAULT_INBOXES = {
    "v1": ("/work/shared/acceptance/inbox", "2025-03-20"),
    "v2": ("/work/shared/acceptance-v2/inbox", "2025-03-15"),
}


def dump(inbox: Path, home: Path, as_of: str, out: Path, run: int) -> None:
    """Ingest `inbox` into `home` once and write every raw table as sorted JSON lines."""
    import duckdb

    from ingest.pipeline import run_ingest
    from ingest.secrets import open_restricted

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = run_ingest(inbox, home, date.fromisoformat(as_of))
    elapsed = time.perf_counter() - started
    meta = summary.as_metadata()
    meta.pop("files_parsed", None)
    (out / f"run{run}-summary.json").write_text(
        json.dumps({"metadata": meta, "wall_s": round(elapsed, 2)}, ensure_ascii=False),
        encoding="utf-8",
    )
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' ORDER BY table_name"
            ).fetchall()
        ]
        for name in names:
            _dump_table(con, name, out / f"run{run}-{name}.jsonl")
    finally:
        con.close()
    rcon = open_restricted(home)
    try:
        _dump_table(rcon, "clue_subjects", out / f"run{run}-restricted_clue_subjects.jsonl")
    finally:
        rcon.close()


def _dump_table(con, name: str, target: Path) -> None:  # type: ignore[no-untyped-def]
    """The table's schema line, then its rows (without refresh ids/timestamps), sorted."""
    described = con.execute(f'DESCRIBE "{name}"').fetchall()
    columns = [(c[0], c[1]) for c in described if c[0] not in IGNORED]
    select = ", ".join(f'"{c}"' for c, _ in columns)
    rows = con.execute(f'SELECT {select} FROM "{name}"').fetchall()
    lines = sorted(json.dumps(list(r), ensure_ascii=False, default=repr) for r in rows)
    with target.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(columns, ensure_ascii=False) + "\n")
        for line in lines:
            fh.write(line + "\n")


def _run_tree(tree: Path, inbox: Path, home: Path, as_of: str, out: Path, run: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, str(Path(__file__).resolve()), "dump", str(inbox), str(home), as_of]
    cmd += [str(out), str(run)]
    done = subprocess.run(cmd, env=env, cwd=str(tree), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dump with {tree} failed:\n{done.stderr[-3000:]}")


def _workbooks(inbox: Path) -> list[Path]:
    return sorted(
        (p for p in inbox.rglob("*.xlsx") if p.is_file()), key=lambda p: (p.stat().st_size, str(p))
    )


def change_one_file(inbox: Path) -> str:
    """Append a correction to one long text cell of a mid-sized workbook (as bench.run)."""
    from bench.run import correct_one_text_cell

    files = _workbooks(inbox)
    for path in files[len(files) // 2 :] + files[: len(files) // 2]:
        if correct_one_text_cell(path):
            return str(path.relative_to(inbox))
    raise RuntimeError("no text cell to change")


def delete_one_file(inbox: Path) -> str:
    """Delete the largest workbook: its rows leave, earlier versions may stand again."""
    path = _workbooks(inbox)[-1]
    path.unlink()
    return str(path.relative_to(inbox))


def compare_dirs(a: Path, b: Path) -> list[str]:
    """Differences between two dumps, as short lines (empty: identical)."""
    problems: list[str] = []
    names_a = {p.name for p in a.iterdir()}
    names_b = {p.name for p in b.iterdir()}
    for missing in sorted(names_a ^ names_b):
        problems.append(f"only in {'baseline' if missing in names_a else 'candidate'}: {missing}")
    for name in sorted(names_a & names_b):
        la = (a / name).read_text(encoding="utf-8").splitlines()
        lb = (b / name).read_text(encoding="utf-8").splitlines()
        if name.endswith("summary.json"):
            ja, jb = json.loads(la[0])["metadata"], json.loads(lb[0])["metadata"]
            if ja != jb:
                problems.append(f"{name}: {ja} != {jb}")
            continue
        if la[:1] != lb[:1]:
            problems.append(f"{name}: schema {la[:1]} != {lb[:1]}")
        if la != lb:
            sa, sb = set(la[1:]), set(lb[1:])
            problems.append(
                f"{name}: {len(la) - 1} vs {len(lb) - 1} rows, "
                f"{len(sa - sb)} only in baseline, {len(sb - sa)} only in candidate"
            )
            for line in sorted(sa - sb)[:3]:
                problems.append(f"    - {line[:300]}")
            for line in sorted(sb - sa)[:3]:
                problems.append(f"    + {line[:300]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "dump":
        inbox, home, as_of, out, run = argv[1:6]
        dump(Path(inbox), Path(home), as_of, Path(out), int(run))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"))
    parser.add_argument("--candidate", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--inbox", action="append", default=[], help="NAME=PATH[@AS_OF]")
    parser.add_argument("--demo", action="store_true", help="also the demo inbox (seed 7)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/compare_raw"))
    parser.add_argument("--runs", type=int, default=4, help="1–4, see above")
    args = parser.parse_args(argv)
    inboxes = dict(DEFAULT_INBOXES)
    for spec in args.inbox:
        name, _, rest = spec.partition("=")
        path, _, as_of = rest.partition("@")
        inboxes[name] = (path, as_of or "2025-03-20")
    if args.demo:
        demo = args.work / "demo-inbox"
        if not demo.exists():
            # this tree's generator (demo/ gives the same files as the old orchestration.demo)
            env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
            code = "import sys; from pathlib import Path; from demo import "
            code += f"generate_demo_inbox; generate_demo_inbox(Path({str(demo)!r}), seed=7)"
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
        inboxes["demo"] = (str(demo), "2025-03-20")
    failed = False
    for name, (path, as_of) in inboxes.items():
        base = args.work / name
        shutil.rmtree(base, ignore_errors=True)
        # One copy of the inbox for both trees, so file mtimes (recency, §7) are the same.
        inbox = base / "inbox"
        shutil.copytree(path, inbox, symlinks=True, copy_function=shutil.copy2)
        dumps = {"baseline": base / "baseline", "candidate": base / "candidate"}
        for run in range(1, args.runs + 1):
            if run == 3:
                print(f"{name}: changed {change_one_file(inbox)}", flush=True)
            if run == 4:
                print(f"{name}: deleted {delete_one_file(inbox)}", flush=True)
            for side, tree in (("baseline", args.baseline), ("candidate", args.candidate)):
                started = time.perf_counter()
                _run_tree(tree, inbox, base / f"home-{side}", as_of, dumps[side], run)
                took = time.perf_counter() - started
                print(f"{name}: run {run} {side} ({tree}) {took:.1f} s", flush=True)
        problems = compare_dirs(dumps["baseline"], dumps["candidate"])
        tables = len(list(dumps["baseline"].glob("*.jsonl")))
        rows = sum(len(p.read_text().splitlines()) - 1 for p in dumps["baseline"].glob("*.jsonl"))
        if problems:
            failed = True
            print(f"{name}: DIFFERENT")
            for line in problems:
                print("  " + line)
        else:
            print(f"{name}: identical ({tables} tables over {args.runs} runs, {rows} rows)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
