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


@dataclass(frozen=True, slots=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls, override: str | Path | None = None) -> Home:
        root = Path(override or os.environ.get("XUNCHA_HOME") or "var")
        return cls(root.resolve())

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.root / "published.duckdb"

    @property
    def restricted(self) -> Path:
        return self.root / "restricted.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def parse_cache(self) -> Path:
        """Parsed files by content hash (ingest/pipeline.py), encrypted."""
        return self.root / "cache" / "parse"

    @property
    def dagster(self) -> Path:
        return self.root / "dagster"

    @property
    def default_inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def state_file(self) -> Path:
        """Outcome of the last refresh (for `xuncha status` and reports)."""
        return self.root / "last_refresh.json"

    @property
    def fingerprint_file(self) -> Path:
        """What the last publication was made from (orchestration/fingerprint.py)."""
        return self.root / "last_published_fingerprint.json"

    @property
    def dbt_target(self) -> Path:
        """This home's dbt artifacts: one folder per dbt invocation, the newest few kept."""
        return self.root / "dbt" / "target"

    @property
    def docs(self) -> Path:
        """The dbt documentation site (`xuncha docs`)."""
        return self.root / "docs"

    def ensure(self) -> None:
        for path in (self.root, self.reports, self.feedback, self.dagster):
            path.mkdir(parents=True, exist_ok=True)
