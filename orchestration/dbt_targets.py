"""Each dbt invocation's artifacts under its own home: `HOME/dbt/target/<run>-<id>/`.

Refreshes of different homes (tests, benchmarks, two offices on one machine) never
share a target folder, so one's `run_results.json` is never another's. dbt reuses
`partial_parse.msgpack` only when the vars and the profile match the parse that wrote
it, so the state of this home's last build seeds the next one; the newest few
folders are kept for inspection.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

from home import Home
from orchestration.dbt_manifest import PARTIAL_PARSE, SHARED_TARGET

KEEP_TARGETS = 3  # per-invocation target folders kept per home (the newest)
LEGACY_TARGET_MAX_AGE_S = 3600  # old shared `target/warehouse_models-*` folders


def new_target_path(home: Home, run_id: str) -> Path:
    """A fresh target folder for one dbt invocation, seeded with this home's parse state
    (dbt checks it and parses in full when stale)."""
    target = home.dbt_target / f"{run_id[:8]}-{uuid.uuid4().hex[:7]}"
    target.mkdir(parents=True, exist_ok=True)
    own = home.root / "dbt" / PARTIAL_PARSE
    if own.exists():
        shutil.copyfile(own, target / PARTIAL_PARSE)
    return target


def keep_parse_state(home: Home, target: Path) -> None:
    state = target / PARTIAL_PARSE
    if state.exists():
        tmp = home.root / "dbt" / f".{PARTIAL_PARSE}.{os.getpid()}.tmp"
        shutil.copyfile(state, tmp)
        os.replace(tmp, home.root / "dbt" / PARTIAL_PARSE)


def prune_targets(home: Home, keep: int = KEEP_TARGETS) -> list[Path]:
    """Remove all but the newest `keep` invocation folders of this home, and the
    shared `dbt_project/target/warehouse_models-*` folders older versions left behind."""
    removed: list[Path] = []
    if home.dbt_target.is_dir():
        folders = sorted(
            (p for p in home.dbt_target.iterdir() if p.is_dir()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        removed += folders[keep:]
    cutoff = time.time() - LEGACY_TARGET_MAX_AGE_S
    if SHARED_TARGET.is_dir():
        removed += [
            p
            for p in SHARED_TARGET.glob("warehouse_models-*")
            if p.is_dir() and p.stat().st_mtime < cutoff
        ]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
