"""Bad input is refused before any work starts (issue 16).

A typo in `--inbox`, an empty folder, an impossible `--as-of` date or a home
written by another DuckDB version used to run the whole pipeline and end in a
traceback (or, worse, "已发布" over an empty warehouse). Each check here raises
`UserError` with one Chinese line saying what is wrong and how to fix it; the
command line prints it and exits with `EXIT_USAGE`, having touched nothing.
"""

from __future__ import annotations

import os
import struct
from datetime import date
from pathlib import Path

from home import Home

EXIT_USAGE = 2
DUCKDB_MAGIC = b"DUCK"


class UserError(Exception):
    """A mistake of the operator's: the message says what and how to fix it."""


def parse_as_of(text: str | None) -> date | None:
    """`--as-of` as a date; an impossible one (2025-13-45) is refused in Chinese."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"截至日期“{text}”无效：请按 年-月-日 填写一个实际存在的日期，例如 --as-of 2025-03-15。"
        ) from None


def check_inbox(inbox: Path) -> int:
    """The inbox exists, is a readable folder and holds at least one file; returns the count.

    Counts what `ingest.inbox.scan_inbox` would read (hidden files, `~$` lock files
    and symlinks are ignored there too), without hashing anything.
    """
    shown = str(inbox)
    if not inbox.exists():
        raise UserError(
            f"收件箱不存在：{shown}。请检查 --inbox 后的路径是否写错（可先用 ls 或资源管理器确认）。"
        )
    if not inbox.is_dir():
        raise UserError(f"收件箱不是文件夹：{shown}。--inbox 应指向存放报送文件的文件夹。")
    if not os.access(inbox, os.R_OK | os.X_OK):
        raise UserError(f"无法读取收件箱：{shown}（没有读取权限）。请检查文件夹权限后再刷新。")
    count = _count_files(inbox)
    if count == 0:
        raise UserError(
            f"收件箱中没有报送文件：{shown}。请把各单位报送的 Excel/CSV 文件放入该文件夹后再刷新。"
        )
    return count


def _count_files(inbox: Path) -> int:
    from ingest.inbox import IGNORED_NAMES

    count = 0
    for dirpath, dirnames, filenames in os.walk(inbox, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath) / name
            if name.startswith((".", "~$")) or name in IGNORED_NAMES or path.is_symlink():
                continue
            count += 1
    return count


def check_home(home: Home) -> None:
    """The home's DuckDB files are ones this program can open (not written by a newer DuckDB).

    Reads the storage version from each file's header; only a version other than the
    one this DuckDB writes is opened (read-only) to ask DuckDB itself.
    """
    if home.root.exists() and not home.root.is_dir():
        raise UserError(f"数据目录不是文件夹：{home.root}。请用 --home 指定一个文件夹。")
    own = None
    for path in (home.warehouse, home.published):
        version = storage_version(path)
        if version is None:
            continue
        own = own if own is not None else written_storage_version()
        if version == own:
            continue
        reason = _open_error(path)
        if reason is not None:
            raise UserError(
                f"数据目录 {home.root} 中的 {path.name} 由另一版本的程序写入"
                f"（存储格式版本 {version}，本程序无法读取）：请用 --home 换一个新的数据目录，"
                "或删除该数据目录后重新刷新。"
            )


def storage_version(path: Path) -> int | None:
    """The storage version number in a DuckDB file's header, None if no such file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[8:12] != DUCKDB_MAGIC:
        return None
    return struct.unpack("<Q", head[12:20])[0]


def written_storage_version() -> int:
    """The storage version the installed DuckDB writes."""
    import tempfile

    import duckdb

    with tempfile.TemporaryDirectory(prefix="xuncha-version-") as scratch:
        probe = Path(scratch) / "probe.duckdb"
        duckdb.connect(str(probe)).close()
        return storage_version(probe) or 0


def _open_error(path: Path) -> str | None:
    """DuckDB's refusal to open `path` because of its version, None if it opens (or is busy)."""
    import duckdb

    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as exc:
        return str(exc) if "version number" in str(exc) else None
    return None
