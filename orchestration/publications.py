"""Publication history: every published warehouse is kept, and one can be put back.

Each successful publish links its new file into `HOME/publications/<id>.duckdb`
(a hard link to the very file renamed over published.duckdb: no copy, no extra
space while it is current) beside `<id>.json` with its as-of date, refresh id,
input fingerprint (orchestration/fingerprint.py) and row count per table. The
newest `XUNCHA_KEEP_PUBLICATIONS` (default 10, the current one included) are
kept. `xuncha publications` lists them; `xuncha rollback ID` renames a hard link
of one over published.duckdb under the writer lock — atomic, as a publish is —
and says how the row counts change. Each published file names itself in its
`publication` table (publication_id), so a leader report can name its source.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from home import Home

DIR_NAME = "publications"
KEEP_ENV = "XUNCHA_KEEP_PUBLICATIONS"
DEFAULT_KEEP = 10
ID_PATTERN = re.compile(r"^\d{8}-\d{6}-[0-9a-z]{1,12}$")


class PublicationError(Exception):
    """A publication that does not exist, or a rollback that could not be done."""


@dataclass
class Publication:
    publication_id: str
    as_of: str
    published_at: str
    refresh_id: str
    input_fingerprint: str
    row_counts: dict[str, int]
    file: Path

    def meta(self) -> dict:
        return {
            "publication_id": self.publication_id,
            "as_of": self.as_of,
            "published_at": self.published_at,
            "refresh_id": self.refresh_id,
            "input_fingerprint": self.input_fingerprint,
            "row_counts": self.row_counts,
        }


def keep_count() -> int:
    raw = os.environ.get(KEEP_ENV, "").strip()
    if not raw:
        return DEFAULT_KEEP
    try:
        return max(int(raw), 1)
    except ValueError as exc:
        raise ValueError(f"环境变量 {KEEP_ENV} 应为正整数，实际为“{raw}”") from exc


def history_dir(home: Path) -> Path:
    return home / DIR_NAME


def record(home: Path, new_file: Path, meta: dict) -> Publication:
    """Link the new published file into the history with its description (before its
    rename over published.duckdb, so the current publication is always in the history)."""
    folder = history_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    pid = meta["publication_id"]
    target = folder / f"{pid}.duckdb"
    target.unlink(missing_ok=True)
    os.link(new_file, target)
    side = folder / f"{pid}.json"
    tmp = side.with_name(f".{side.name}.tmp")
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, side)
    return _from_meta(meta, target)


def _from_meta(meta: dict, file: Path) -> Publication:
    return Publication(
        publication_id=str(meta["publication_id"]),
        as_of=str(meta.get("as_of", "")),
        published_at=str(meta.get("published_at", "")),
        refresh_id=str(meta.get("refresh_id", "")),
        input_fingerprint=str(meta.get("input_fingerprint", "")),
        row_counts={k: int(v) for k, v in (meta.get("row_counts") or {}).items()},
        file=file,
    )


def history(home: Path) -> list[Publication]:
    """Every kept publication, newest first (ids sort by time)."""
    folder = history_dir(home)
    found = []
    for side in sorted(folder.glob("*.json"), reverse=True):
        file = side.with_suffix(".duckdb")
        if not ID_PATTERN.match(side.stem) or not file.exists():
            continue
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append(_from_meta(meta, file))
    return found


def current_id(home: Path) -> str | None:
    """The history entry published.duckdb is (same inode), if any."""
    try:
        published = Home(home).published.stat()
    except OSError:
        return None
    for pub in history(home):
        st = pub.file.stat()
        if (st.st_ino, st.st_dev) == (published.st_ino, published.st_dev):
            return pub.publication_id
    return None


def prune(home: Path, keep: int | None = None) -> list[str]:
    """Drop all but the newest `keep` publications; the current one is never dropped."""
    keep = keep_count() if keep is None else keep
    current = current_id(home)
    dropped = []
    for pub in history(home)[keep:]:
        if pub.publication_id == current:
            continue
        pub.file.unlink(missing_ok=True)
        pub.file.with_suffix(".json").unlink(missing_ok=True)
        dropped.append(pub.publication_id)
    return dropped


def find(home: Path, publication_id: str) -> Publication:
    for pub in history(home):
        if pub.publication_id == publication_id:
            return pub
    known = "、".join(p.publication_id for p in history(home)) or "无"
    raise PublicationError(f"没有编号为 {publication_id} 的发布版本（现有：{known}）")


def row_counts(path: Path) -> dict[str, int]:
    """Rows per table of a published file (read-only)."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in tables}
    finally:
        con.close()


def rollback(home: Path, publication_id: str) -> tuple[Publication, dict[str, int]]:
    """Put a kept publication back as published.duckdb; returns it and the row counts
    of the file it replaced. The caller holds the writer lock."""
    from orchestration import fingerprint

    pub = find(home, publication_id)
    published = Home(home).published
    before = row_counts(published) if published.exists() else {}
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(pub.file, tmp)
        # The last refresh no longer describes what is published: the next one recomputes.
        fingerprint.forget(Home(home))
        os.replace(tmp, published)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublicationError(
            f"未能恢复发布版本 {publication_id}：{exc.strerror or exc}（{exc.filename or ''}）；"
            "已发布的仓库保持不变"
        ) from exc
    return pub, before


__all__ = [
    "Publication",
    "PublicationError",
    "current_id",
    "find",
    "history",
    "prune",
    "record",
    "rollback",
    "row_counts",
]
