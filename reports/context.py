"""What every report page must state besides its figures: which data, how fresh, for which year.

Kept apart from the figures so the workbook and the brief print the same
"数据截至" date and the same stale-data warning, word for word.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

OWN_LABEL = "省本级"
TOTAL_LABEL = "全省合计"
ALL_PERIOD = "全部"


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Facts about the published file shown on every sheet and in the brief."""

    year: int
    years: tuple[int, ...]
    as_of: date
    published_at: datetime | None
    province_code: str
    province_name: str
    stale_notice: str | None = None
    publication_id: str = ""  # orchestration/publications.py; empty for older files

    @property
    def period(self) -> str:
        return str(self.year)

    @property
    def as_of_text(self) -> str:
        return cn_date(self.as_of)

    @property
    def all_years_label(self) -> str:
        """Label of the 全部 period, e.g. 累计（2023—2024年）."""
        if len(self.years) > 1:
            return f"累计（{self.years[0]}—{self.years[-1]}年）"
        return "累计（全部年度）"


def cn_date(value: date | datetime | None) -> str:
    """2025年3月15日 — the date style of official tables."""
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True, slots=True)
class RefreshState:
    """The part of HOME/last_refresh.json that decides whether published data is stale."""

    published: bool
    as_of: str | None
    finished_at: datetime | None
    blocking_failures: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> RefreshState | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        finished = data.get("finished_at")
        failures = tuple(
            f"{f.get('rule', '')} {f.get('check', '')}".strip() if isinstance(f, dict) else str(f)
            for f in data.get("blocking_failures") or []
        )
        return cls(
            published=bool(data.get("published")),
            as_of=data.get("as_of"),
            finished_at=datetime.fromisoformat(finished) if finished else None,
            blocking_failures=failures,
        )


def stale_notice(
    state: RefreshState | None, as_of: date, published_at: datetime | None
) -> str | None:
    """The warning to print when the last refresh was blocked, or None when the data is current.

    A blocked refresh recorded *before* the current publication does not make it
    stale: that is the case while the Dagster asset runs inside a refresh that
    has just published (last_refresh.json is written only after the run).
    """
    if state is None or state.published:
        return None
    if published_at and state.finished_at and published_at > state.finished_at:
        return None
    attempted = f"（{state.as_of}）" if state.as_of else ""
    return (
        f"注意：最近一次刷新{attempted}未通过质量检查，本表为上次发布的数据（截至{cn_date(as_of)}）"
    )
