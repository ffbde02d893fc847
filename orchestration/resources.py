"""Run settings shared by every asset: which home, which inbox, which as-of date."""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.home import Home


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
        return date.fromisoformat(self.as_of) if self.as_of else date.today()
