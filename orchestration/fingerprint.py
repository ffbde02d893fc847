"""Nothing changed since the last publication? Then a refresh has nothing to do.

A refresh is a pure function of its inputs (tests/test_idempotence.py): the inbox,
the as-of date, the ingest code and its templates (`PARSE_VERSION`,
`ingest/templates.yml`), the dbt project and the code of xuncha and of the
libraries it runs. `compute()` fingerprints all of them; `run_refresh` compares the
fingerprint with the one recorded beside `last_refresh.json` by the last refresh
that published, and when they are equal it keeps `published.duckdb` and the
reports as they are instead of recomputing the same thing (`--force` recomputes).

The inbox part hashes every file's bytes (the same SHA-256 ingest uses) together
with its relative path, size and mtime (ingest keeps the mtime as a fallback
submission date, so a touched file may change §7's ordering). Hashing the bytes
rather than trusting size+mtime costs ~0.1 s per 20 MB and is never fooled by a
copy that preserves mtimes (`cp -p`, `rsync -t`, unzip) with different content.

Safety: the record is removed before any refresh starts writing and written back
only after a refresh published without errors, and it names the exact
`published.duckdb` and work warehouse (inode, size, mtime) it vouches for. So a blocked refresh, a
refresh that failed or was killed at any point (even right after renaming a new
`published.duckdb` into place), or a published file replaced by hand, all make
the next refresh run in full. Only the standard library is imported here: the
check runs before Dagster, dbt or Great Expectations are loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from home import Home
from ingest.inbox import scan_inbox, sha256_of

REPO = Path(__file__).resolve().parents[1]
# Source trees whose code (and rule catalog, contract/rules.yml) decides what a refresh produces.
CODE_DIRS = ("contract", "home", "ingest", "orchestration", "expectations", "reports")
DBT_DIR = REPO / "dbt_project"
DBT_SKIP = {"target", "logs", "dbt_packages", "__pycache__"}
LIBRARIES = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "great-expectations",
    "polars",
    "pyarrow",
    "fastexcel",
    "python-calamine",
    "pandas",
)
RECORD_VERSION = 1


@dataclass(frozen=True)
class Fingerprint:
    digest: str
    parts: dict

    @property
    def files(self) -> int:
        return int(self.parts.get("inbox_files", 0))


def inbox_digest(inbox: Path) -> tuple[str, int]:
    """(digest, file count) over exactly the files ingest reads (`ingest.inbox.scan_inbox`).

    Raises OSError when a file cannot be read: then nothing is short-circuited.
    """
    root = inbox.resolve()
    if not root.is_dir():
        raise FileNotFoundError(root)
    digest = hashlib.sha256()
    files = scan_inbox(root)
    for f in files:
        digest.update(f"{f.rel_path}\0{f.size}\0{f.mtime.isoformat()}\0{f.sha256}\n".encode())
    return digest.hexdigest(), len(files)


def _walk(base: Path, skip: set[str]) -> list[Path]:
    """Files below `base`, not descending into `skip` folders (dbt's target/ is large)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in skip and not d.startswith(".")]
        found += [Path(dirpath) / n for n in filenames if not n.endswith((".pyc", ".pyo"))]
    return sorted(found)


def _tree_digest(root: Path, dirs: tuple[str, ...], skip: set[str]) -> str:
    digest = hashlib.sha256()
    for top in dirs:
        for path in _walk(root / top if top else root, skip):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def parse_version() -> str | None:
    """`ingest.parse.PARSE_VERSION`, read from the source (importing ingest loads polars)."""
    text = (REPO / "ingest" / "parse.py").read_text(encoding="utf-8")
    found = re.search(r"^PARSE_VERSION\s*=\s*([^\s#]+)", text, re.MULTILINE)
    return found.group(1) if found else None


def library_versions() -> dict[str, str | None]:
    from importlib import metadata

    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def compute(inbox: Path, as_of: str) -> Fingerprint:
    inbox_hash, files = inbox_digest(inbox)
    parts = {
        "record_version": RECORD_VERSION,
        "inbox": str(inbox.resolve()),
        "inbox_sha256": inbox_hash,
        "inbox_files": files,
        "as_of": as_of,
        "parse_version": parse_version(),
        "templates_sha256": sha256_of(REPO / "ingest" / "templates.yml"),
        "dbt_project_sha256": _tree_digest(DBT_DIR, ("",), DBT_SKIP),
        "code_sha256": _tree_digest(REPO, CODE_DIRS, {"__pycache__"}),
        "pyproject_sha256": sha256_of(REPO / "pyproject.toml"),
        "python": sys.version.split()[0],
        "libraries": library_versions(),
    }
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()
    return Fingerprint(hashlib.sha256(blob).hexdigest(), parts)


def _file_identity(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def read_record(home: Home) -> dict | None:
    try:
        record = json.loads(home.fingerprint_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def unchanged_since_publication(home: Home, current: Fingerprint) -> dict | None:
    """The last refresh's state (last_refresh.json) when `current` is what it published.

    None unless all of these hold: the record's fingerprint equals `current`; the
    last refresh (last_refresh.json) is the one the record names and it published
    without errors; `published.duckdb` is still the very file it wrote.
    """
    record = read_record(home)
    if not record or record.get("fingerprint") != current.digest:
        return None
    try:
        state = json.loads(home.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not state.get("published") or state.get("errors"):
        return None
    if state.get("run_id") != record.get("run_id"):
        return None
    identity = _file_identity(home.published)
    if identity is None or identity != record.get("published_file"):
        return None
    # A refresh started elsewhere (schedule, sensor, UI) that wrote the work warehouse
    # since, even a blocked one, means the home no longer matches: recompute.
    if _file_identity(home.warehouse) != record.get("warehouse_file"):
        return None
    return state


def forget(home: Home) -> None:
    """Called before a refresh writes anything: until it has published, nothing is vouched for."""
    home.fingerprint_file.unlink(missing_ok=True)


def remember(home: Home, current: Fingerprint, run_id: str) -> None:
    """After a refresh published without errors: record what it published from."""
    identity = _file_identity(home.published)
    if identity is None:
        return
    record = {
        "fingerprint": current.digest,
        "run_id": run_id,
        "published_file": identity,
        "warehouse_file": _file_identity(home.warehouse),
        "parts": current.parts,
    }
    tmp = home.fingerprint_file.with_name(f".{home.fingerprint_file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, home.fingerprint_file)


__all__ = ["Fingerprint", "compute", "forget", "remember", "unchanged_since_publication"]
