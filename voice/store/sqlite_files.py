"""The SQLite file itself: opening connections, creating and upgrading the schema, refusing a damaged file.

A database that was in use (its ``.locks`` file exists beside it) but is now missing or empty was
truncated or deleted by accident: it is refused rather than silently replaced by an empty one.
A file that fails SQLite's quick check is refused at start; ``voice data check`` runs the full
integrity check on demand. Write-ahead-log files are truncated back to ``WAL_SIZE_LIMIT`` after
each completed checkpoint, so they stay bounded under load.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from .base import StoreError
from .checkpoint import SAFETY_NET_PAGES
from .sqlite_rows import SCHEMA, SCHEMA_VERSION

__all__ = [
    "MEMORY",
    "WAL_SIZE_LIMIT",
    "connect",
    "file_problems",
    "integrity_problems",
    "make_parent",
    "migrate",
    "refuse_damaged",
    "refuse_truncated",
    "schema_version",
]

_LOGGER = logging.getLogger(__name__)

MEMORY = ":memory:"
WAL_SIZE_LIMIT = 64 * 1024 * 1024
"""Bytes the write-ahead log is cut back to after a checkpoint (``PRAGMA journal_size_limit``)."""


def make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError.said("store_no_folder", path=path, reason=exc.strerror) from exc


def refuse_truncated(path: Path) -> None:
    """Refuse a database that was in use and is now missing or empty (0 bytes)."""
    if not Path(f"{path}.locks").exists() or (path.exists() and path.stat().st_size > 0):
        return
    raise StoreError.said("store_truncated", path=path, empty=path.exists())


def connect(path: str | Path, busy_timeout: float) -> sqlite3.Connection:
    """Open a connection in autocommit mode, so that transactions are exactly the ones the store begins."""
    try:
        # ``timeout`` installs SQLite's busy_timeout handler.
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _unopenable(path, exc) from exc
    try:
        if path != MEMORY:
            mode = _write_ahead_logging(db, busy_timeout)
            if mode != "wal":
                _LOGGER.warning("%s runs in %s mode, not WAL; readers will wait for writers", path, mode)
        # NORMAL is durable across process crashes in WAL mode; FULL would also survive power loss at
        # the cost of an fsync per turn.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES}")  # a Checkpointer does it sooner
        db.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
    except sqlite3.Error as exc:
        db.close()
        raise _unopenable(path, exc) from exc
    return db


def _write_ahead_logging(db: sqlite3.Connection, busy_timeout: float) -> str:
    """Switch the file to WAL, waiting up to ``busy_timeout`` for another process that is creating it.

    SQLite does not wait for the lock this switch needs on a new file: two gunicorn workers opening a
    fresh database at once failed with "database is locked" in 18-30 of 400 openings, and gunicorn
    stops the whole server when one worker fails to start. The journal mode of the file."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            return str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _unopenable(path: str | Path, exc: sqlite3.Error) -> StoreError:
    if "malformed" in str(exc) or "not a database" in str(exc):
        return _damaged(path, str(exc))
    return StoreError.said("store_unopenable", path=path, reason=str(exc))


def _damaged(path: str | Path, problem: str) -> StoreError:
    return StoreError.said("store_damaged", path=path, reason=problem)


def schema_version(db: sqlite3.Connection, path: str | Path) -> int:
    """The file's schema version; a newer one than this program's is refused."""
    found = int(db.execute("PRAGMA user_version").fetchone()[0])
    if found > SCHEMA_VERSION:
        raise StoreError.said("store_newer", path=path, found=found, ours=SCHEMA_VERSION)
    return found


def migrate(db: sqlite3.Connection) -> None:
    """Create the tables, or add what a newer schema version has (run again, the statements leave the
    same tables and rows: two processes that both found an older file may both run them)."""
    for statement in SCHEMA:
        db.execute(statement)


def refuse_damaged(db: sqlite3.Connection, path: str | Path) -> None:
    """SQLite's quick check (a fraction of the full integrity check's time); a damaged file is refused."""
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(1)")]
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, str(exc)) from exc
    if problems != ["ok"]:
        raise _damaged(path, problems[0])


def file_problems(path: str | Path) -> list[str]:
    """The full integrity check of an SQLite file that the store refused to open, read-only; none for a
    file that is not there or that the check finds whole."""
    if path == MEMORY or not Path(path).is_file():
        return []
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return integrity_problems(db)
    finally:
        db.close()


def integrity_problems(db: sqlite3.Connection) -> list[str]:
    """SQLite's full integrity check: every problem it finds, or none."""
    try:
        rows = [row[0] for row in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return [*_found_before_failing(db), f"{exc} (SQLite could not check further)"]
    return [] if rows == ["ok"] else rows


def _found_before_failing(db: sqlite3.Connection) -> list[str]:
    """The problems a check that fails part-way finds before it fails: SQLite stops with "malformed"
    where it would go past a damaged page, so it is asked for one problem more each time, up to 100."""
    found: list[str] = []
    for limit in range(1, _MOST_PROBLEMS + 1):
        try:
            rows = [row[0] for row in db.execute(f"PRAGMA integrity_check({limit})")]
        except sqlite3.DatabaseError:
            break
        if rows == ["ok"]:
            break
        found = rows
        if len(rows) < limit:  # all there are
            break
    return found


_MOST_PROBLEMS = 100
