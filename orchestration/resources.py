"""Run settings shared by every asset: which home, which inbox, which as-of date."""

from __future__ import annotations

import os
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
        from pathlib import Path

        return Path(self.inbox or os.environ.get("XUNCHA_INBOX") or self.home_paths().default_inbox)

    def as_of_date(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else date.today()
