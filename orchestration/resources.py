"""Run settings shared by every asset: which home, which inbox, which as-of date."""

from __future__ import annotations

import os
from datetime import date

import dagster as dg

from home import Home


class XunchaSettings(dg.ConfigurableResource):
    """Settings of one refresh. Defaults come from the environment (XUNCHA_HOME, XUNCHA_INBOX)."""

    home: str = ""
    inbox: str = ""
    as_of: str = ""  # YYYY-MM-DD; empty = today

    def home_paths(self) -> Home:
        return Home.from_env(self.home or None)

    def inbox_path(self):
        """The inbox given to this run, else the configured one (schedule_config.configured_inbox)."""
        from pathlib import Path

        from orchestration.schedule_config import configured_inbox

        if self.inbox:
            return Path(self.inbox)
        return configured_inbox(self.home_paths()).path

    def as_of_date(self) -> date:
        """The as-of date: the setting (the CLI's --as-of; the daily schedule's tick day,
        orchestration/schedules.py, as run config), else XUNCHA_AS_OF (a run started by
        hand with `dagster job execute`), else today."""
        text = self.as_of or os.environ.get("XUNCHA_AS_OF", "")
        return date.fromisoformat(text) if text else date.today()


class WriterLock(dg.ConfigurableResource):
    """Holds the home's writer lock (orchestration/lock.py) for the whole run.

    Runs execute in-process (definitions.py), where a resource is set up once before
    the first step and torn down after the last, so a scheduled or sensor run waits
    here for a CLI refresh (or another run) to finish and keeps the home to itself
    until it ends. Inside `xuncha refresh`, which already holds the lock, this is a
    no-op (the lock is re-entrant within a process).
    """

    home: str = ""
    wait_seconds: float = -1.0  # negative: XUNCHA_LOCK_WAIT, else lock.RUN_WAIT_SECONDS

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from orchestration.lock import acquire, run_wait

        run = context.dagster_run
        command = f"Dagster 运行 {run.run_id[:8]}" if run else "Dagster 运行"
        log = context.log
        acquire(
            Home.from_env(self.home or None).root,
            command,
            run_wait() if self.wait_seconds < 0 else self.wait_seconds,
            say=log.warning if log else None,
        )

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        from orchestration.lock import release

        release(Home.from_env(self.home or None).root)
