"""Where xuncha keeps its state: one `XUNCHA_HOME` folder (default `./var`).

Work warehouse, published warehouse, restricted store, caches, quarantine
exports, reports, feedback and Dagster's storage all live under it, so one
folder is the whole state of an installation.

This module imports nothing of the project, so every stage (ingest, orchestration,
reports, bench) names a path of the home the same way without reaching into a later one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class Under:
    """A path below the home's root, read as an attribute of a `Home` (`home.warehouse`)."""

    def __init__(self, *parts: str, doc: str = "") -> None:
        self.parts = parts
        self.__doc__ = doc or "/".join(parts)

    def __get__(self, home: Home | None, owner: type | None = None) -> Path:
        if home is None:
            raise AttributeError("a path of a Home, not of the class")
        return home.root.joinpath(*self.parts)


@dataclass(frozen=True, slots=True)
class Home:
    root: Path

    warehouse = Under("warehouse.duckdb", doc="the work warehouse (raw layer, dbt models)")
    published = Under("published.duckdb", doc="what readers open; replaced by a rename")
    restricted = Under("restricted.duckdb", doc="the sensitive columns, encrypted (§9)")
    reports = Under("reports")
    feedback = Under("feedback")
    parse_cache = Under("cache", "parse", doc="parsed files by content hash, encrypted")
    stage_cache = Under("cache", "stage", doc="each file's ingest decision (Parquet parts), by key")
    dagster = Under("dagster", doc="Dagster's storage (dagster.yaml)")
    default_inbox = Under("inbox")
    state_file = Under("last_refresh.json", doc="outcome of the last refresh (status, reports)")
    fingerprint_file = Under(
        "last_published_fingerprint.json", doc="what the last publication was made from"
    )
    dbt_target = Under("dbt", "target", doc="one folder per dbt invocation, newest few kept")
    docs = Under("docs", doc="the dbt documentation site (`xuncha docs`)")

    @classmethod
    def from_env(cls, override: str | Path | None = None) -> Home:
        root = Path(override or os.environ.get("XUNCHA_HOME") or "var")
        return cls(root.resolve())

    def ensure(self) -> None:
        for path in (self.root, self.reports, self.feedback, self.dagster):
            path.mkdir(parents=True, exist_ok=True)
