"""The key that encrypts the names of reported cadres at rest (T3 反映对象, 反映对象职务).

Two copies of those columns exist on disk: the restricted store
`HOME/restricted.duckdb` (DuckDB database encryption, WAL included) and the parse
cache `HOME/cache/parse/*.enc` (each cached parse encrypted whole with AES-256-GCM).
Both use one key, found in this order:

1. `XUNCHA_KEY`: the key itself (at least 32 characters), for a secret store that
   injects environment variables;
2. `XUNCHA_KEY_FILE`: a file holding it (must not be readable by group or others);
3. otherwise this home's own key file, outside the home:
   `$XUNCHA_KEY_DIR/<id>.key` (default `~/.config/xuncha/keys/`), where `<id>` is the
   random, non-secret name kept in `HOME/key_id`. It is created (mode 0600) the
   first time a home is refreshed, with a message saying where it is.

Creating a key rather than refusing: everything the key protects is derived from
the inbox and rebuilt by every refresh, so a lost key costs one refresh, never
data; refusing would stop the schedule on a new installation. A backup of the home
alone then holds no readable name. The key is never written to a log, a run's
metadata or an error message.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from home import Home

KEY_ENV = "XUNCHA_KEY"
KEY_FILE_ENV = "XUNCHA_KEY_FILE"
KEY_DIR_ENV = "XUNCHA_KEY_DIR"
KEY_ID_NAME = "key_id"
MIN_KEY_LENGTH = 32
CACHE_MAGIC = b"XCE1"
NONCE_BYTES = 12


class KeyUnavailable(Exception):
    """The key is missing, unreadable or unsafe (the message says which, in Chinese)."""


class RestrictedStoreLocked(Exception):
    """restricted.duckdb cannot be opened with the key at hand."""


@dataclass(frozen=True)
class Key:
    secret: str
    source: str  # where it came from (never the key itself)
    created: bool = False

    def __repr__(self) -> str:  # never print the secret, even by accident
        return f"Key(source={self.source!r}, created={self.created})"

    __str__ = __repr__

    def cache_key(self) -> bytes:
        """The AES-256 key of the parse cache, derived so the two uses never share bytes."""
        return hashlib.sha256(b"xuncha parse cache\0" + self.secret.encode("utf-8")).digest()


def key_dir() -> Path:
    configured = os.environ.get(KEY_DIR_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "xuncha" / "keys"


def _check_length(secret: str, where: str) -> str:
    secret = secret.strip()
    if len(secret) < MIN_KEY_LENGTH:
        raise KeyUnavailable(f"{where} 中的密钥太短（至少 {MIN_KEY_LENGTH} 个字符）")
    return secret


def _read_key_file(path: Path) -> str:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise KeyUnavailable(f"密钥文件不存在：{path}") from exc
    except OSError as exc:
        raise KeyUnavailable(f"无法读取密钥文件 {path}：{exc.strerror}") from exc
    if mode & 0o077:
        raise KeyUnavailable(f"密钥文件 {path} 的权限为 {oct(mode)}，其他用户可读；请改为 0600")
    return _check_length(text, f"密钥文件 {path}")


def _home_key_file(home: Path, create: bool) -> Path | None:
    id_file = home / KEY_ID_NAME
    if id_file.exists():
        key_id = id_file.read_text(encoding="utf-8").strip()
    elif create:
        key_id = secrets.token_hex(8)
        home.mkdir(parents=True, exist_ok=True)
        id_file.write_text(key_id + "\n", encoding="utf-8")
    else:
        return None
    return key_dir() / f"{key_id}.key"


def _create_key_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret + "\n")
    return secret


def resolve_key(home: Path, *, create: bool = False) -> Key:
    """The key of `home` (see the module docstring for the order); KeyUnavailable if there is none.

    `create`: make this home's own key file when no key is configured (refreshes do).
    """
    if os.environ.get(KEY_ENV):
        return Key(_check_length(os.environ[KEY_ENV], f"环境变量 {KEY_ENV}"), f"环境变量 {KEY_ENV}")
    if os.environ.get(KEY_FILE_ENV):
        path = Path(os.environ[KEY_FILE_ENV])
        return Key(_read_key_file(path), f"密钥文件 {path}")
    path = _home_key_file(home, create)
    if path is None:
        raise KeyUnavailable(
            f"未配置密钥：请设置 {KEY_ENV} 或 {KEY_FILE_ENV}（数据目录 {home} 尚无自己的密钥）"
        )
    if path.exists():
        return Key(_read_key_file(path), f"密钥文件 {path}")
    if not create:
        raise KeyUnavailable(
            f"找不到数据目录 {home} 的密钥文件 {path}；请设置 {KEY_ENV} 或 {KEY_FILE_ENV}，"
            "或把原密钥文件放回该位置"
        )
    return Key(_create_key_file(path), f"密钥文件 {path}", created=True)


# --------------------------------------------------------------------- DuckDB store


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach_encrypted(con, path: Path, key: Key, alias: str, *, read_only: bool) -> None:  # type: ignore[no-untyped-def]
    """ATTACH an encrypted DuckDB file. Writing needs httpfs loaded (DuckDB's built-in
    crypto is read-only), which ships as the PyPI package duckdb-extension-httpfs."""
    import duckdb

    if not read_only:
        load_httpfs(con)
    options = f"ENCRYPTION_KEY {sql_literal(key.secret)}" + (", READ_ONLY" if read_only else "")
    try:
        con.execute(f"ATTACH {sql_literal(str(path))} AS {alias} ({options})")
    except duckdb.Error as exc:
        # DuckDB's messages never contain the key; this one says what to do, in Chinese.
        raise RestrictedStoreLocked(
            f"无法打开加密的受限库 {path}：密钥不对或文件已损坏（{key.source}）。"
            f"DuckDB：{type(exc).__name__}"
        ) from None


def load_httpfs(con) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    try:
        import duckdb_extension_httpfs as package
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            "写入加密的受限库需要 Python 包 duckdb-extension-httpfs（与 duckdb 同版本）"
        ) from exc
    folder = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.rglob("httpfs.duckdb_extension"))
    if not found:
        raise RuntimeError(f"duckdb-extension-httpfs 中没有 duckdb {duckdb.__version__} 的扩展")
    con.execute(f"LOAD {sql_literal(str(found[0]))}")


def open_restricted(home: Path, key: Key | None = None):  # type: ignore[no-untyped-def]
    """A read-only connection to the restricted store (table `r.clue_subjects`).

    Raises RestrictedStoreLocked (Chinese message) without the right key.
    """
    import duckdb

    path = Home(home).restricted
    if key is None:
        try:
            key = resolve_key(home)
        except KeyUnavailable as exc:
            raise RestrictedStoreLocked(f"无法打开加密的受限库 {path}：{exc}") from None
    con = duckdb.connect()
    try:
        attach_encrypted(con, path, key, "r", read_only=True)
        con.execute("USE r")
    except BaseException:
        con.close()
        raise
    return con


# --------------------------------------------------------------------- parse cache


def encrypt(cache_key: bytes, data: bytes) -> bytes:
    """CACHE_MAGIC + nonce + AES-256-GCM(data): tampering or another key fails to decrypt."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(NONCE_BYTES)
    return CACHE_MAGIC + nonce + AESGCM(cache_key).encrypt(nonce, data, CACHE_MAGIC)


def decrypt(cache_key: bytes, blob: bytes) -> bytes | None:
    """The plain bytes, or None when the blob is not ours or was made with another key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not blob.startswith(CACHE_MAGIC):
        return None
    start = len(CACHE_MAGIC)
    nonce, body = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    try:
        return AESGCM(cache_key).decrypt(nonce, body, CACHE_MAGIC)
    except InvalidTag:
        return None


__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "Key",
    "KeyUnavailable",
    "RestrictedStoreLocked",
    "attach_encrypted",
    "decrypt",
    "encrypt",
    "open_restricted",
    "resolve_key",
]
