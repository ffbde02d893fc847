"""A publish that cannot write leaves the old published file and no temp file.

On a home with a real publication: (1) the publish step in a child process under
`RLIMIT_FSIZE` (SIGXFSZ ignored, so the write gets EFBIG, as on a full or
quota-limited disk); (2) a whole `xuncha refresh --force` whose publication
history folder is a read-only bind mount; (3) the publish step as an unprivileged
user in a read-only home. Each time: a Chinese message saying what failed, a
non-zero exit, published.duckdb untouched (same file, same tables), no
`.published.duckdb.*` temp file and no new history entry.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from orchestration import publications
from tests import hostile, outputs

REPO = Path(__file__).resolve().parents[1]
PUBLISH = (
    "import sys\n"
    "from datetime import date\n"
    "from pathlib import Path\n"
    "from orchestration.assets.publish import PublishFailed, publish\n"
    "home = Path(sys.argv[1])\n"
    "try:\n"
    "    publish(home / 'warehouse.duckdb', home / 'published.duckdb', date(2025, 3, 15),\n"
    "            refresh_id='childrun1')\n"
    "except PublishFailed as exc:\n"
    "    print(f'错误：{exc}', file=sys.stderr)\n"
    "    raise SystemExit(1)\n"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("write_failures")
    root.chmod(0o755)
    inbox = hostile.copy_acceptance_inbox(root / "inbox")
    home = root / "home"
    proc = outputs.run_refresh(inbox, home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return home


@pytest.fixture(scope="module")
def inbox(home: Path) -> Path:
    return home.parent / "inbox"


def _state(home: Path) -> tuple:
    st = (home / "published.duckdb").stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns), [
        p.publication_id for p in publications.history(home)
    ]


def _assert_clean(home: Path, before: tuple, export: dict, proc: subprocess.CompletedProcess):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    assert "已发布的仓库保持不变" in proc.stderr, proc.stderr[-3000:]
    assert _state(home) == before
    assert outputs.export_all(home / "published.duckdb") == export
    assert not list(home.glob(".published.duckdb.*")), list(home.glob(".published.duckdb.*"))
    assert not list(publications.history_dir(home).glob(".*"))


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def test_file_size_limit(home: Path) -> None:
    before, export = _state(home), outputs.export_all(home / "published.duckdb")
    assert (home / "published.duckdb").stat().st_size > 1 << 20  # the limit does bite
    proc = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(home)],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        preexec_fn=_limit_file_size,
        timeout=300,
    )
    _assert_clean(home, before, export, proc)
    assert "无法写入新的发布文件" in proc.stderr
    assert "文件超过系统允许的大小" in proc.stderr, proc.stderr


def test_read_only_history_folder_fails_the_refresh_cleanly(home: Path, inbox: Path) -> None:
    folder = publications.history_dir(home)
    mounted = subprocess.run(
        ["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount read-only here: {mounted.stderr!r}")
    try:
        before, export = _state(home), outputs.export_all(home / "published.duckdb")
        proc = subprocess.run(
            outputs.refresh_command(inbox, home, force=True),
            capture_output=True,
            text=True,
            env=os.environ | outputs.ENV,
            timeout=1200,
        )
    finally:
        subprocess.run(["umount", str(folder)], check=True)
    _assert_clean(home, before, export, proc)
    assert "发布失败" in proc.stderr and "文件系统只读" in proc.stderr, proc.stderr[-3000:]
    assert "未发布：上次发布的仓库保持不变" in proc.stderr


def _as_nobody() -> None:
    os.setgid(65534)
    os.setuid(65534)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the child as another user")
def test_read_only_home_for_an_unprivileged_writer(home: Path) -> None:
    # a copy where the unprivileged user can reach it (pytest's folders are root's only)
    work = Path(tempfile.mkdtemp(prefix="xuncha-readonly-", dir="/tmp"))
    try:
        work.chmod(0o755)
        copy = work / "home"
        copy.mkdir()
        for name in ("warehouse.duckdb", "published.duckdb", publications.DIR_NAME):
            source = home / name
            if source.is_dir():
                shutil.copytree(source, copy / name)
            else:
                shutil.copy2(source, copy / name)
        before, export = _state(copy), outputs.export_all(copy / "published.duckdb")
        copy.chmod(0o555)  # nobody may read the home, not create a file in it
        try:
            proc = subprocess.run(
                [sys.executable, "-c", PUBLISH, str(copy)],
                capture_output=True,
                text=True,
                env=os.environ | {"PYTHONPATH": str(REPO), "HOME": "/tmp"},
                preexec_fn=_as_nobody,
                timeout=300,
            )
        except PermissionError as exc:  # the interpreter lives where only root may go
            pytest.skip(f"the unprivileged user cannot run this Python: {exc}")
        if "ModuleNotFoundError" in proc.stderr:
            pytest.skip(f"the unprivileged user cannot run this checkout: {proc.stderr[-300:]}")
        _assert_clean(copy, before, export, proc)
        assert "没有写权限" in proc.stderr, proc.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_read_only_home(home: Path, tmp_path: Path) -> None:
    """The home itself read-only (a read-only bind mount of a copy): no temp file can be made."""
    copy = tmp_path / "home"
    copy.mkdir()
    for name in ("warehouse.duckdb", "published.duckdb"):
        shutil.copy2(home / name, copy / name)
    before, export = _state(copy), outputs.export_all(copy / "published.duckdb")
    mounted = subprocess.run(
        ["mount", "--bind", "-o", "ro", str(copy), str(copy)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot bind-mount read-only here: {mounted.stderr!r}")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PUBLISH, str(copy)],
            capture_output=True,
            text=True,
            env=os.environ | {"PYTHONPATH": str(REPO)},
            timeout=300,
        )
    finally:
        subprocess.run(["umount", str(copy)], check=True)
    _assert_clean(copy, before, export, proc)
    assert "文件系统只读" in proc.stderr, proc.stderr
