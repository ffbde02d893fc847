"""Encryption at rest of the names of reported cadres (ingest/secrets.py).

The seeded inbox of tests/hostile.py (made-up 反映对象 and 职务 on loaded,
quarantined and orphan rows) and the acceptance corpus's own `sensitive_names` are
refreshed three times into one home: killed (SIGKILL of the whole process tree)
while the parse cache is being written, killed after the restricted store was
written (dbt running), then to the end. After each, the raw bytes of every file
under the home — WAL, temp files, caches and lock files included — hold none of
the names. The restricted store opens with the key only; without it our reader says
so in Chinese, and DuckDB refuses too.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from ingest.secrets import KEY_DIR_ENV, KEY_ENV, RestrictedStoreLocked, open_restricted
from tests import hostile, outputs


def _all_names() -> list[str]:
    data = json.loads((hostile.ACCEPTANCE / "expected.json").read_text(encoding="utf-8"))
    return list(hostile.SEEDED_NAMES) + list(data["sensitive_names"])


def _wait_for(predicate, proc, timeout: float = 600) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    """A seeded inbox, a home, and a key directory outside it (this home's key goes there)."""
    root = tmp_path_factory.mktemp("encryption")
    inbox = hostile.build_seeded_inbox(root / "inbox")
    keys = root / "keys"
    old = os.environ.get(KEY_DIR_ENV)
    os.environ[KEY_DIR_ENV] = str(keys)
    os.environ.pop(KEY_ENV, None)
    yield inbox, root / "home", keys
    if old is None:
        os.environ.pop(KEY_DIR_ENV, None)
    else:
        os.environ[KEY_DIR_ENV] = old


def test_raw_byte_search_finds_plain_names(tmp_path: Path) -> None:
    """Positive control: an unencrypted DuckDB store of the same rows shows the names."""
    con = duckdb.connect(str(tmp_path / "plain.duckdb"))
    con.execute(
        "CREATE TABLE clue_subjects AS SELECT * FROM (VALUES "
        + ", ".join(f"('{n}', '{t}')" for n, t in hostile.SEEDED_SUBJECTS)
        + ") v(subject_name, subject_title)"
    )
    con.close()
    assert outputs.raw_hits(tmp_path, hostile.SEEDED_NAMES)


def test_killed_and_finished_refreshes_leave_no_plain_name_on_disk(keyed) -> None:
    inbox, home, keys = keyed
    names = _all_names()
    cache = home / "cache" / "parse"

    # 1. killed while the parse cache is being written
    proc = outputs.start_refresh(inbox, home, home.parent / "kill1.log")
    assert _wait_for(lambda: cache.is_dir() and any(cache.glob("*.enc")), proc)
    outputs.kill_tree(proc)
    assert outputs.raw_hits(home, names) == []

    # 2. killed after the restricted store was written (dbt is running)
    proc = outputs.start_refresh(inbox, home, home.parent / "kill2.log")
    assert _wait_for(lambda: (home / "restricted.duckdb").exists(), proc)
    time.sleep(1.0)
    outputs.kill_tree(proc)
    assert outputs.raw_hits(home, names) == []

    # 3. to the end
    done = outputs.run_refresh(inbox, home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert outputs.raw_hits(home, names) == []
    assert not any(n in done.stdout + done.stderr for n in names)
    # the key lives outside the home, owner-only
    (key_file,) = keys.glob("*.key")
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert not key_file.is_relative_to(home)
    secret = key_file.read_text().strip()
    assert secret not in done.stdout + done.stderr
    assert outputs.raw_hits(home, [secret]) == []

    # the names are there, for whoever holds the key
    con = open_restricted(home)
    try:
        stored = {v for row in con.execute("SELECT * FROM clue_subjects").fetchall() for v in row}
    finally:
        con.close()
    for name, title in hostile.SEEDED_SUBJECTS:
        assert {name, title} <= stored


def test_restricted_store_without_the_key_fails_clearly(keyed, tmp_path: Path, monkeypatch):
    _, home, _ = keyed
    store = home / "restricted.duckdb"
    assert store.exists()
    # DuckDB itself refuses a connection without the key
    with pytest.raises(duckdb.Error, match="encrypted"):
        duckdb.connect(str(store), read_only=True)
    # our reader, with a wrong key
    monkeypatch.setenv(KEY_ENV, "x" * 64)
    with pytest.raises(RestrictedStoreLocked, match="无法打开加密的受限库.*密钥不对") as info:
        open_restricted(home)
    assert "x" * 64 not in str(info.value)
    # and with no key at all (another machine: no key file for this home)
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv(KEY_DIR_ENV, str(tmp_path / "elsewhere"))
    with pytest.raises(RestrictedStoreLocked, match="找不到数据目录.*的密钥文件"):
        open_restricted(home)


def test_refresh_with_an_unsafe_key_file_refuses_in_chinese(keyed, tmp_path: Path) -> None:
    inbox, _, _ = keyed
    key_file = tmp_path / "open.key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)
    proc = subprocess.run(
        outputs.refresh_command(inbox, tmp_path / "home"),
        capture_output=True,
        text=True,
        env=os.environ | outputs.ENV | {"XUNCHA_KEY_FILE": str(key_file)},
        timeout=300,
    )
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "其他用户可读" in proc.stderr and "Traceback" not in proc.stderr
