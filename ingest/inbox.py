"""Find the files of an inbox and fingerprint them (contract §2, §7).

Symlinks are ignored (one pointing out of the inbox must never be read), as
are office lock files (`~$…`) and hidden files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

IGNORED_NAMES = frozenset({"Thumbs.db", "desktop.ini"})


@dataclass(frozen=True, slots=True)
class InboxFile:
    path: Path
    rel_path: str  # relative to the inbox, '/'-separated
    size: int
    mtime: datetime
    sha256: str

    @property
    def top_folder(self) -> str | None:
        """The first-level sub-folder (a submitter hint), None for files at the root."""
        parts = self.rel_path.split("/")
        return parts[0] if len(parts) > 1 else None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def scan_inbox(inbox: Path) -> list[InboxFile]:
    """Every regular file below `inbox`, sorted by relative path.

    Files of other formats are kept so that they are rejected (F1) visibly
    rather than ignored.
    """
    found: list[InboxFile] = []
    root = inbox.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith((".", "~$")) or name in IGNORED_NAMES or path.is_symlink():
                continue
            stat = path.stat()
            found.append(
                InboxFile(
                    path=path,
                    rel_path=path.relative_to(root).as_posix(),
                    size=stat.st_size,
                    mtime=datetime.fromtimestamp(stat.st_mtime, tz=UTC).replace(tzinfo=None),
                    sha256=sha256_of(path),
                )
            )
    found.sort(key=lambda f: f.rel_path)
    return found
