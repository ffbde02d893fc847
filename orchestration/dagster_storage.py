"""Dagster's SQLite storage with an event log that keeps its connections (dagster.yaml).

Why: a refresh writes ~300 events, and Dagster's `SqliteEventLogStorage._connect`
builds a new SQLAlchemy engine, opens a new SQLite connection and disposes both for
every one of them — asset events twice (the run's shard and the cross-run index
shard) — and each commit syncs the write-ahead log to disk. Measured on the scale-1
bench run's 297 events replayed into a fresh storage, that was most of the time
Dagster spent outside the stages.

What changes, and only that: one engine per shard file, kept for the life of the
process, whose connections set `PRAGMA synchronous=NORMAL`. The files, their schema,
their WAL journal (Dagster already sets it when it creates a shard), the tables and
every query are Dagster's own, so `xuncha status`, `xuncha ui`, the webserver and the
daemon read the same history — with this class or with Dagster's plain `sqlite`
storage. In WAL mode NORMAL keeps the database consistent on any crash; a power cut
may lose the last events committed before it (not a process crash: those are in the
WAL file), which is the price Dagster's own docs name for NORMAL.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine, create_engine


def _normal_sync(dbapi_connection: Any, _record: Any) -> None:
    """Each new SQLite connection: sync at checkpoints, not at every commit (WAL mode)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KeptConnectionEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` whose `_connect` reuses one engine (and its pooled
    connection) per shard instead of creating and disposing one per event.

    The rest — initialising a shard on first use, the lock that serialises this
    process's threads, a transaction per block — is Dagster's `_connect` as it is.
    Engines belong to the process that made them: after a fork they are made anew.
    They are closed at exit, so that SQLite checkpoints each shard's write-ahead log
    into its .db file and removes the -wal file, as Dagster's closing after every
    event did: a copy of the .db files alone is then the whole history.
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: dict[str, Engine] = {}
        self._engines_pid = os.getpid()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)
        atexit.register(self._dispose_engines)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            if self._engines_pid != os.getpid():
                self._engines = {}  # a forked child: the parent's connections are not ours
                self._engines_pid = os.getpid()
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    pool_size=1,
                    max_overflow=4,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                sa_event.listen(engine, "connect", _normal_sync)
                self._engines[shard] = engine
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Dagster asks this of the index shard at every asset event, through a new
        engine each time; here through the kept one. Not under `_db_lock`: Dagster
        calls it while holding an index transaction (a second pooled connection
        reads beside it, as WAL allows)."""
        with self._engine(INDEX_SHARD_NAME).connect() as conn:
            return bool(conn.dialect.has_table(conn, table_name))

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            engines, self._engines = self._engines, {}
        for engine in engines.values():
            engine.dispose()

    def wipe(self) -> None:
        """Dagster deletes the run shards' files: close our connections to them first."""
        self._dispose_engines()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class XunchaSqliteStorage(DagsterSqliteStorage):
    """Dagster's `sqlite` storage (same base_dir and files) with the event log above.

    dagster.yaml names it under `storage: custom:`, since Dagster's `sqlite` entry
    cannot take another event-log class and separate `event_log_storage` entries
    cannot derive their folders from one DAGSTER_HOME.
    """

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage = KeptConnectionEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData, config_value: dict[str, str]
    ) -> XunchaSqliteStorage:
        # DagsterSqliteStorage's own from_config_value names its class, not cls
        return cls.from_local(inst_data=inst_data, **config_value)


__all__ = ["KeptConnectionEventLogStorage", "XunchaSqliteStorage"]
