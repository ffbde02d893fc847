"""Ingest with the inbox split into shards parsed in parallel by Dagster's multiprocess executor.

    python -m bench.partitioned --inbox DIR --home HOME [--shards 4]

Phase A of ingest (read + type one file) needs nothing but the file, and its result is
cached by content hash under HOME/cache/parse. So the inbox is cut into shards (whole
office folders, balanced by bytes); one `parse_shard` step per shard fills the shared
cache, the multiprocess executor runs them side by side (on a cluster: the k8s/celery
executors, with HOME/cache on shared storage); then one `resolve_and_load` step runs
`run_ingest`, whose phase A is all cache hits, so only phase B (registry, references,
resubmission — it needs every file at once) and the load remain. dbt, the gate and publish
follow as in `xuncha refresh`. See docs/scaling.md.

The instance comes from DAGSTER_HOME; with docs/dagster.postgres.yaml there, run and event
storage are PostgreSQL, which the multiprocess executor's concurrent steps write to safely.
"""

# No `from __future__ import annotations`: Dagster reads the op signatures at definition.
import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import dagster as dg

from home import Home
from ingest.inbox import scan_inbox
from ingest.pipeline import parse_all


def shard_inbox(inbox: Path, shards: int) -> list[list[str]]:
    """Office folders (top-level folders of the inbox) packed into `shards` groups by bytes."""
    by_folder: dict[str, int] = defaultdict(int)
    for f in scan_inbox(inbox):
        by_folder[f.top_folder or ""] += f.size
    groups: list[list[str]] = [[] for _ in range(max(1, shards))]
    sizes = [0] * len(groups)
    for folder, size in sorted(by_folder.items(), key=lambda kv: -kv[1]):
        i = sizes.index(min(sizes))
        groups[i].append(folder)
        sizes[i] += size
    return [g for g in groups if g]


class ShardConfig(dg.Config):
    inbox: str
    home: str
    shards: int = 4


@dg.op(out=dg.DynamicOut(list))
def plan_shards(config: ShardConfig):  # type: ignore[no-untyped-def]
    for i, folders in enumerate(shard_inbox(Path(config.inbox), config.shards)):
        yield dg.DynamicOutput(folders, mapping_key=f"shard_{i}")


@dg.op
def parse_shard(context: dg.OpExecutionContext, config: ShardConfig, folders: list) -> int:
    wanted = set(folders)
    files = [f for f in scan_inbox(Path(config.inbox)) if (f.top_folder or "") in wanted]
    started = time.perf_counter()
    _, parsed = parse_all(files, Home(Path(config.home)).parse_cache, workers=1)
    context.log.info(
        f"{len(folders)} folders, {parsed} of {len(files)} files parsed "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return parsed


@dg.op
def resolve_and_load(context: dg.OpExecutionContext, config: ShardConfig, parsed: list) -> dict:
    from ingest.pipeline import run_ingest

    summary = run_ingest(Path(config.inbox), Path(config.home), workers=1)
    meta = summary.as_metadata()
    context.log.info(f"phase B + load after {sum(parsed)} shard parses: {meta}")
    return meta


@dg.job(executor_def=dg.multiprocess_executor)
def sharded_ingest() -> None:
    resolve_and_load(plan_shards().map(parse_shard).collect())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.partitioned")
    parser.add_argument("--inbox", required=True)
    parser.add_argument("--home", required=True)
    parser.add_argument("--shards", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    shard = {
        "inbox": str(Path(args.inbox).resolve()),
        "home": str(Path(args.home).resolve()),
        "shards": args.shards,
    }
    run_config = {
        "ops": {
            name: {"config": shard} for name in ("plan_shards", "parse_shard", "resolve_and_load")
        },
        "execution": {"config": {"max_concurrent": args.shards}},
    }
    instance_cm = (
        dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.instance_for_test()
    )
    with instance_cm as instance:
        started = time.perf_counter()
        with dg.execute_job(
            dg.reconstructable(sharded_ingest), instance=instance, run_config=run_config
        ) as result:
            ok = result.success
            outcome = {
                "success": ok,
                "seconds": round(time.perf_counter() - started, 1),
                "ingest": result.output_for_node("resolve_and_load") if ok else None,
            }
    print(json.dumps(outcome, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
