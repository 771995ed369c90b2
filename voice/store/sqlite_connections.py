"""The SQLite store's connections: one per thread (one shared in memory), and the file's write turn.

Each thread gets its own connection; a process that was forked after the store was used opens fresh
ones, because SQLite connections must not cross a fork. Every write is a ``BEGIN IMMEDIATE``
transaction that the writers of the file take turns at (``SessionLocks.hold_writer``), and SQLite's
failures become a ``StoreError`` that says what to do.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .base import BusyError, StoreError
from .checkpoint import Checkpointer
from .session_lock import SessionLocks
from .sqlite_files import MEMORY, connect

__all__ = ["SqliteConnections"]

SHORTENED_WAIT_S = 0.1
"""A write that waited longer than this for the other writers gives SQLite only the rest of its timeout."""


class SqliteConnections:
    """The connections to one SQLite file (or ``":memory:"``), its checkpoint thread and its locks."""

    def __init__(self, path: str | Path, busy_timeout: float) -> None:
        """``busy_timeout`` is how many seconds a write waits, in all, for the other writers."""
        self.path = MEMORY if str(path) == MEMORY else Path(path).expanduser()
        self.busy_timeout = busy_timeout
        # One in-memory database means one connection, shared by every thread in turn.
        self._local: Any = SimpleNamespace() if self.path == MEMORY else threading.local()
        self._lock = threading.RLock()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._in_use: set[sqlite3.Connection] = set()
        """Connections a thread is running statements on: ``close`` leaves each to its thread, which
        closes it when done (closing one under a running statement crashed the process)."""
        self._checkpointer: Checkpointer | None = None
        self.sessions = SessionLocks(None if self.path == MEMORY else Path(f"{self.path}.locks"))
        """The turns' hold on their sessions, and the writers' turn at the file."""
        self._closed = False

    def release(self) -> None:
        """Give back the calling thread's connection (a file's; the in-memory one is shared)."""
        if self.path != MEMORY:
            self._forget_connection()

    def close(self) -> None:
        """Close this process's connections and stop its checkpoint thread; a connection in use (a
        purge in a background thread, a turn past the server's stop) is closed by its thread when done."""
        with self._lock:
            self._closed = True
            pid = os.getpid()
            for owner, db in self._connections:
                if owner == pid and db not in self._in_use:  # not a parent's, after a fork
                    db.close()
            self._connections = [(owner, db) for owner, db in self._connections if db in self._in_use]
            if self._checkpointer is not None and self._checkpointer.pid == pid:
                self._checkpointer.stop()
            self._checkpointer = None
            self.sessions.close()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads; each statement sees one consistent snapshot."""
        with self._connection() as db, self._translated():
            yield db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front, so it never fails half-way on a busy file;
        the writers of this file take turns first (``SessionLocks.hold_writer``)."""
        with (
            self._connection() as db,  # a new thread's connection is opened before its turn to write
            self.sessions.hold_writer(self.busy_timeout) as left,
            self._translated(),
        ):
            self._begin(db, left)
            try:
                yield db
                db.execute("COMMIT")
            finally:
                if db.in_transaction:  # the body or the COMMIT failed
                    db.execute("ROLLBACK")
        if isinstance(self.path, Path):
            self._process_checkpointer(self.path).written()

    def _begin(self, db: sqlite3.Connection, left: float) -> None:
        """``BEGIN IMMEDIATE``, waiting for a writer outside the turns at most ``left`` seconds: what
        waiting for the other writers here left of ``busy_timeout``."""
        if left > self.busy_timeout - SHORTENED_WAIT_S:
            db.execute("BEGIN IMMEDIATE")
            return
        db.execute(f"PRAGMA busy_timeout = {round(left * 1000)}")
        try:
            db.execute("BEGIN IMMEDIATE")
        finally:
            db.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")

    def _process_checkpointer(self, path: Path) -> Checkpointer:
        """This process's checkpoint thread, started on the first write (and again after a fork)."""
        with self._lock:
            if self._checkpointer is None or self._checkpointer.pid != os.getpid():
                self._checkpointer = Checkpointer(path)
            return self._checkpointer

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self.path == MEMORY:
            with self._lock:
                yield self.own_connection()
            return
        db = self.own_connection()
        with self._lock:
            self._in_use.add(db)
        try:
            yield db
        finally:
            with self._lock:
                self._in_use.discard(db)
                closed_meanwhile = self._closed
            if closed_meanwhile:
                self._forget_connection()

    def own_connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (and again after a fork)."""
        if self._closed:
            raise StoreError("the session store was closed; open a new one with open_store.")
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = connect(self.path, self.busy_timeout)
            self._local.db, self._local.pid = db, os.getpid()
            with self._lock:
                self._connections.append((os.getpid(), db))
        return db

    def _forget_connection(self) -> None:
        """Close this thread's connection; the next use opens a fresh one."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            return
        self._local.db = None
        with self._lock:
            self._connections = [(pid, found) for pid, found in self._connections if found is not db]
        db.close()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Turn SQLite's failures into a ``StoreError`` that says what to do.

        After a failed write the connection is dropped: one opened while the file was read-only
        stays read-only, so the store recovers by itself once the fault is gone.
        """
        try:
            yield
        except sqlite3.OperationalError as exc:
            if self.path != MEMORY:
                self._forget_connection()
            if "locked" in str(exc) or "busy" in str(exc):
                seconds = f"{self.busy_timeout:g}"
                raise BusyError.said("store_locked", path=self.path, seconds=seconds) from exc
            raise StoreError.said("store_failed", path=self.path, reason=str(exc), disk=True) from exc
        except sqlite3.Error as exc:
            raise StoreError.said("store_failed", path=self.path, reason=str(exc), disk=False) from exc
