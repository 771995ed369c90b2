"""The SQLite store: one database file that every worker process on one machine shares.

The file runs in WAL mode, so readers never wait for the writer, and every write is a
``BEGIN IMMEDIATE`` transaction, so writers queue on SQLite's lock (up to ``busy_timeout``)
instead of failing halfway. Each thread gets its own connection; a process that was forked
after the store was used opens fresh ones, because SQLite connections must not cross a fork.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..state import DialogState
from .base import Clock, ConflictError, JsonDict, LogEntry, Session, Speaker, Store, StoreError, TurnRecord
from .checkpoint import SAFETY_NET_PAGES, Checkpointer

_LOGGER = logging.getLogger(__name__)

MEMORY = ":memory:"
SCHEMA_VERSION = 1
"""Kept in ``PRAGMA user_version``; a newer file is refused rather than misread."""
PURGE_BATCH_ROWS = 2000
"""Rows deleted per transaction by the purges; each batch holds the write lock for a few milliseconds."""

_SESSION_COLUMNS = (
    "id",
    "user_id",
    "skill",
    "locale",
    "channel",
    "attributes",
    "dialog",
    "history",
    "created_at",
    "updated_at",
    "expires_at",
    "ttl",
    "handed_over",
    "ended",
    "version",
)
_LOG_COLUMNS = (
    "session_id",
    "user_id",
    "time",
    "speaker",
    "text",
    "intent",
    "confidence",
    "skill",
    "locale",
    "channel",
    "handed_over",
)

_SELECT_SESSIONS = f"SELECT {', '.join(_SESSION_COLUMNS)} FROM sessions"
_SELECT_LOG = f"SELECT {', '.join(_LOG_COLUMNS)} FROM log"
_SAVE_SESSION = (
    f"INSERT OR REPLACE INTO sessions ({', '.join(_SESSION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_SESSION_COLUMNS))})"
)
_UPDATE_SESSION = (
    f"UPDATE sessions SET {', '.join(f'{column} = ?' for column in _SESSION_COLUMNS[1:])} "
    "WHERE id = ? AND version = ?"
)
"""Saves a loaded session: no row changes when another worker saved it first."""
_INSERT_SESSION = (
    f"INSERT INTO sessions ({', '.join(_SESSION_COLUMNS)}) VALUES ({', '.join('?' * len(_SESSION_COLUMNS))}) "
    f"ON CONFLICT (id) DO UPDATE SET "
    f"{', '.join(f'{column} = excluded.{column}' for column in _SESSION_COLUMNS[1:-1])}, "
    "version = sessions.version + 1 WHERE sessions.ended OR sessions.expires_at <= ? RETURNING version"
)
"""Saves a new session, in place of an ended or expired one; no row comes back over a live one."""
_LOAD_WITH_USER = (
    f"SELECT {', '.join(f's.{column}' for column in _SESSION_COLUMNS)}, "
    "(SELECT attributes FROM users WHERE id = ?) FROM (SELECT 1) "
    "LEFT JOIN sessions AS s ON s.id = ? AND s.expires_at > ?"
)
"""A session and its user's attributes in one statement; always one row."""
_INSERT_LOG = f"INSERT INTO log ({', '.join(_LOG_COLUMNS)}) VALUES ({', '.join('?' * len(_LOG_COLUMNS))})"
"""The statements of every turn, written out once."""

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, skill TEXT NOT NULL, locale TEXT NOT NULL,
        channel TEXT NOT NULL, attributes TEXT NOT NULL CHECK (json_valid(attributes)),
        dialog TEXT NOT NULL CHECK (json_valid(dialog)), history TEXT NOT NULL CHECK (json_valid(history)),
        created_at REAL NOT NULL, updated_at REAL NOT NULL, expires_at REAL NOT NULL, ttl REAL NOT NULL,
        handed_over INTEGER NOT NULL, ended INTEGER NOT NULL, version INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)",
    "CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at)",
    """CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY, attributes TEXT NOT NULL CHECK (json_valid(attributes)),
        updated_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, user_id TEXT NOT NULL,
        time REAL NOT NULL, speaker TEXT NOT NULL, text TEXT NOT NULL, intent TEXT NOT NULL,
        confidence REAL, skill TEXT NOT NULL, locale TEXT NOT NULL, channel TEXT NOT NULL,
        handed_over INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS log_by_time ON log (time)",
    "CREATE INDEX IF NOT EXISTS log_by_user ON log (user_id)",
    "CREATE INDEX IF NOT EXISTS log_by_session ON log (session_id)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)


class SqliteStore(Store):
    """Sessions, users and the conversation log in one SQLite file (or ``":memory:"`` for tests)."""

    def __init__(self, path: str | Path, *, clock: Clock = time.time, busy_timeout: float = 10.0) -> None:
        """Open (and if needed create) the database; ``busy_timeout`` is how many seconds a write
        waits for another process's write before it fails."""
        super().__init__(clock=clock)
        self.path = MEMORY if str(path) == MEMORY else Path(path).expanduser()
        self.busy_timeout = busy_timeout
        # One in-memory database means one connection, shared by every thread in turn.
        self._local: Any = SimpleNamespace() if self.path == MEMORY else threading.local()
        self._lock = threading.RLock()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._checkpointer: Checkpointer | None = None
        self._closed = False
        if isinstance(self.path, Path):
            _make_parent(self.path)
        try:
            with self._write() as db:
                _migrate(db, self.path)
        except BaseException:
            self.close()
            raise

    # -- sessions --------------------------------------------------------------------------

    def load(self, session_id: str) -> Session | None:
        with self._read() as db:
            row = db.execute(
                f"{_SELECT_SESSIONS} WHERE id = ? AND expires_at > ?", (session_id, self.clock())
            ).fetchone()
        return None if row is None else _session_from_row(row)

    def load_with_user(self, session_id: str, user_id: str) -> tuple[Session | None, JsonDict]:
        with self._read() as db:
            *row, user = db.execute(_LOAD_WITH_USER, (user_id, session_id, self.clock())).fetchone()
        session = None if row[0] is None else _session_from_row(tuple(row))
        return session, ({} if user is None else dict(_from_json(user)))

    def save(self, session: Session, *, log: Iterable[LogEntry] = ()) -> Session:
        log_rows = [_log_row(entry) for entry in log]
        now = self.clock()
        saved = replace(session, version=session.version + 1, updated_at=now, expires_at=now + session.ttl)
        row = _session_row(saved)
        with self._write() as db:
            if session.version:
                stored = db.execute(_UPDATE_SESSION, (*row[1:], session.id, session.version)).rowcount == 1
            else:
                found = db.execute(_INSERT_SESSION, (*row, now)).fetchone()
                stored = found is not None
                if stored and found[0] != saved.version:  # it replaced an ended or expired session
                    saved = replace(saved, version=found[0])
            if not stored:
                _conflict(db, session, now)
            db.executemany(_INSERT_LOG, log_rows)
        return saved

    def purge_expired(self, now: float | None = None) -> int:
        cutoff = self.clock() if now is None else now
        return self._delete_in_batches("sessions", "id", "expires_at <= ?", cutoff)

    # -- users -----------------------------------------------------------------------------

    def get_user(self, user_id: str) -> JsonDict:
        with self._read() as db:
            row = db.execute("SELECT attributes FROM users WHERE id = ?", (user_id,)).fetchone()
        return {} if row is None else dict(_from_json(row[0]))

    def save_user(self, user_id: str, attributes: Mapping[str, Any]) -> None:
        with self._write() as db:
            self._put_user(db, user_id, attributes)

    def _put_user(self, db: sqlite3.Connection, user_id: str, attributes: Mapping[str, Any]) -> None:
        encoded = _to_json(dict(attributes), f"the attributes of user {user_id}")
        db.execute(
            "INSERT INTO users (id, attributes, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at",
            (user_id, encoded, self.clock()),
        )

    def update_user(self, user_id: str, changes: Mapping[str, Any]) -> JsonDict:
        with self._write() as db:
            row = db.execute("SELECT attributes FROM users WHERE id = ?", (user_id,)).fetchone()
            merged = {**(_from_json(row[0]) if row else {}), **changes}
            self._put_user(db, user_id, merged)
        return merged

    def sessions_of(self, user_id: str) -> tuple[Session, ...]:
        with self._read() as db:
            rows = db.execute(
                f"{_SELECT_SESSIONS} WHERE user_id = ? ORDER BY created_at", (user_id,)
            ).fetchall()
        return tuple(_session_from_row(row) for row in rows)

    def delete_user(self, user_id: str) -> int:
        with self._write() as db:
            return sum(
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (user_id,)).rowcount
                for table, column in (("sessions", "user_id"), ("users", "id"), ("log", "user_id"))
            )

    # -- conversation log ------------------------------------------------------------------

    def log_turn(self, entry: LogEntry) -> None:
        row = _log_row(entry)
        with self._write() as db:
            db.execute(_INSERT_LOG, row)

    def read_log(
        self, *, session_id: str | None = None, user_id: str | None = None, since: float = 0.0
    ) -> tuple[LogEntry, ...]:
        where: list[str] = ["time >= ?"]
        params: list[Any] = [since]
        for column, value in (("session_id", session_id), ("user_id", user_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        query = f"{_SELECT_LOG} WHERE {' AND '.join(where)} ORDER BY seq"
        with self._read() as db:
            rows = db.execute(query, params).fetchall()
        return tuple(_log_entry(row) for row in rows)

    def purge_log(self, retention_days: float, now: float | None = None) -> int:
        cutoff = (self.clock() if now is None else now) - retention_days * 86400
        return self._delete_in_batches("log", "seq", "time < ?", cutoff)

    def _delete_in_batches(self, table: str, key: str, condition: str, value: float) -> int:
        """Delete matching rows a batch per transaction, so turns get the write lock in between."""
        deleted = 0
        while True:
            with self._write() as db:
                found = db.execute(
                    f"DELETE FROM {table} WHERE {key} IN "
                    f"(SELECT {key} FROM {table} WHERE {condition} LIMIT {PURGE_BATCH_ROWS})",
                    (value,),
                ).rowcount
            deleted += found
            if found < PURGE_BATCH_ROWS:
                return deleted

    # -- connections -----------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pid = os.getpid()
            for owner, db in self._connections:
                if owner == pid:  # a parent's connection must not be closed from a forked child
                    db.close()
            self._connections.clear()
            if self._checkpointer is not None and self._checkpointer.pid == pid:
                self._checkpointer.stop()
            self._checkpointer = None

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads; each statement sees one consistent snapshot."""
        with self._connection() as db, self._translated():
            yield db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front, so it never fails half-way on a busy file."""
        with self._connection() as db, self._translated():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            finally:
                if db.in_transaction:  # the body or the COMMIT failed
                    db.execute("ROLLBACK")
        if isinstance(self.path, Path):
            self._process_checkpointer(self.path).written()

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
                yield self._own_connection()
        else:
            yield self._own_connection()

    def _own_connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use (and again after a fork)."""
        if self._closed:
            raise StoreError("the session store was closed; open a new one with open_store.")
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = _connect(self.path, self.busy_timeout)
            self._local.db, self._local.pid = db, os.getpid()
            with self._lock:
                self._connections.append((os.getpid(), db))
        return db

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Turn SQLite's failures into a ``StoreError`` that says what to do."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    f"the session database {self.path} stayed locked for over {self.busy_timeout:g} s; "
                    "another process holds it too long, so try again or raise busy_timeout."
                ) from exc
            raise StoreError(
                f"the session database {self.path} failed: {exc}; check its disk and folder."
            ) from exc
        except sqlite3.Error as exc:
            raise StoreError(
                f"the session database {self.path} failed: {exc}; check that it is a voice-skills store."
            ) from exc


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder of the session database {path}: {exc.strerror}; "
            "choose a path in a writable folder."
        ) from exc


def _connect(path: str | Path, busy_timeout: float) -> sqlite3.Connection:
    """Open a connection in autocommit mode, so that transactions are exactly the ones ``_write`` begins."""
    try:
        # ``timeout`` installs SQLite's busy_timeout handler.
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise _unopenable(path, exc) from exc
    try:
        if path != MEMORY:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                _LOGGER.warning("%s runs in %s mode, not WAL; readers will wait for writers", path, mode)
        # NORMAL is durable across process crashes in WAL mode; FULL would also survive power loss at
        # the cost of an fsync per turn.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(f"PRAGMA wal_autocheckpoint = {SAFETY_NET_PAGES}")  # a Checkpointer does it sooner
    except sqlite3.Error as exc:
        db.close()
        raise _unopenable(path, exc) from exc
    return db


def _unopenable(path: str | Path, exc: sqlite3.Error) -> StoreError:
    return StoreError(
        f"cannot open the session database {path}: {exc}; "
        "check that the path names a file (not a folder) in a writable folder."
    )


def _migrate(db: sqlite3.Connection, path: str | Path) -> None:
    """Create the tables on first use; refuse a file written by a newer version of the program."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the session database {path} has schema version {found}, newer than this program's "
            f"{SCHEMA_VERSION}; upgrade voice-skills or use another file."
        )
    if found < SCHEMA_VERSION:
        for statement in _SCHEMA:
            db.execute(statement)


def _conflict(db: sqlite3.Connection, session: Session, now: float) -> None:
    """Raise the ``ConflictError`` that says why ``session`` could not be saved."""
    stored = db.execute(
        "SELECT version, expires_at, ended FROM sessions WHERE id = ?", (session.id,)
    ).fetchone()
    _next_version(session, stored, now)
    raise ConflictError(f"session {session.id} was saved by another worker; load it again.")


def _next_version(session: Session, stored: tuple[int, float, int] | None, now: float) -> int:
    """The version ``session`` gets when saved over ``stored``, or ``ConflictError``."""
    if stored is None:
        if session.version == 0:
            return 1
        raise ConflictError(f"session {session.id} was deleted after it was loaded; start a new session.")
    version, expires_at, ended = stored
    # Keep counting up when a new session replaces a dead one, so a stale copy of the old one still conflicts.
    if version == session.version or (session.version == 0 and (ended or expires_at <= now)):
        return version + 1
    raise ConflictError(
        f"session {session.id} was saved by another worker (version {version}, this copy {session.version}); "
        "load it again and reapply the change."
    )


_ENCODE = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode
_from_json = json.JSONDecoder().decode


def _to_json(value: Any, what: str) -> str:
    try:
        return _ENCODE(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(
            f"{what} cannot be stored: {exc}; keep them to JSON values (text, numbers, booleans, "
            "None, lists and dicts)."
        ) from exc


def _session_row(session: Session) -> tuple[Any, ...]:
    """The row of ``_SESSION_COLUMNS``."""
    what = f"session {session.id}"
    return (
        session.id,
        session.user_id,
        session.skill,
        session.locale,
        session.channel,
        _to_json(session.attributes, f"the attributes of {what}"),
        _to_json(session.dialog.to_json(), f"the dialog state of {what}"),
        _to_json([turn.to_dict() for turn in session.history], f"the history of {what}"),
        session.created_at,
        session.updated_at,
        session.expires_at,
        session.ttl,
        session.handed_over,
        session.ended,
        session.version,
    )


def _session_from_row(row: tuple[Any, ...]) -> Session:
    (
        id_,
        user_id,
        skill,
        locale,
        channel,
        attributes,
        dialog,
        history,
        *times,
        handed_over,
        ended,
        version,
    ) = row
    created_at, updated_at, expires_at, ttl = times
    return Session(
        id=id_,
        user_id=user_id,
        skill=skill,
        locale=locale,
        channel=channel,
        attributes=dict(_from_json(attributes)),
        dialog=DialogState.from_json(_from_json(dialog)),
        history=tuple(TurnRecord.from_dict(turn) for turn in _from_json(history)),
        created_at=created_at,
        updated_at=updated_at,
        expires_at=expires_at,
        ttl=ttl,
        handed_over=bool(handed_over),
        ended=bool(ended),
        version=version,
    )


def _log_row(entry: LogEntry) -> tuple[Any, ...]:
    return tuple(getattr(entry, column) for column in _LOG_COLUMNS)


def _log_entry(row: tuple[Any, ...]) -> LogEntry:
    data = dict(zip(_LOG_COLUMNS, row, strict=True))
    return LogEntry(**{**data, "speaker": Speaker(data["speaker"]), "handed_over": bool(data["handed_over"])})
