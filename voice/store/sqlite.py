"""The SQLite store: one database file that every worker process on one machine shares.

The file runs in WAL mode, so readers never wait for the writer, and every write is a
``BEGIN IMMEDIATE`` transaction, so writers queue on SQLite's lock (up to ``busy_timeout``)
instead of failing halfway (the connections, per thread and per process: ``sqlite_connections``;
the statements and row codecs: ``sqlite_rows``; the file's checks and schema: ``sqlite_files``).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

from .base import Answer, Clock, ConflictError, from_json
from .records import JsonDict, LogEntry, OutboxItem, Session, TurnRecord, TurnStart
from .sessions import Store
from .signals import TurnSignals, missed_guess_counts, overrun_count, signal_rows_and_counts
from .sqlite_connections import SqliteConnections
from .sqlite_files import (
    integrity_problems,
    make_parent,
    migrate,
    refuse_damaged,
    refuse_truncated,
    schema_version,
)
from .sqlite_rows import (
    ANSWERS_OF,
    CLAIM_OUTBOX,
    DELETE_USER,
    INSERT_ANSWER,
    INSERT_LOG,
    INSERT_OUTBOX,
    INSERT_SESSION,
    INSERT_SIGNALS,
    LOAD_TURN,
    MARK_OVERRUN,
    MISS_GUESS,
    OUTBOX_COUNTS,
    OUTBOX_DELIVERED,
    OUTBOX_FAILED,
    OUTBOX_OF,
    RELOG,
    SCHEMA_VERSION,
    SELECT_SESSIONS,
    TAKE_GUESS,
    UPDATE_SESSION,
    UPDATE_TURN,
    UPSERT_ROLLUP,
    log_entry,
    log_query,
    log_row,
    outbox_item,
    session_from_row,
    session_row,
    to_json,
    turn_start,
)

_LOGGER = logging.getLogger(__name__)


class SqliteStore(Store):
    """Sessions, users and the conversation log in one SQLite file (or ``":memory:"`` for tests)."""

    def __init__(self, path: str | Path, *, clock: Clock = time.time, busy_timeout: float = 10.0) -> None:
        """Open (and if needed create) the database; ``busy_timeout`` is how many seconds a write
        waits, in all, for the writes of other threads and processes before it fails."""
        super().__init__(clock=clock)
        self._db = SqliteConnections(path, busy_timeout)
        self.path, self.busy_timeout = self._db.path, busy_timeout
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        """Check the file, create or upgrade its schema, and mark it as in use."""
        if isinstance(self.path, Path):
            make_parent(self.path)
            refuse_truncated(self.path)
        with self._db.read() as db:
            version = schema_version(db, self.path)
            if isinstance(self.path, Path) and version:
                refuse_damaged(db, self.path)
        if version < SCHEMA_VERSION:
            with self._db.write() as db:
                migrate(db)
        self._db.sessions.touch()

    def check(self) -> list[str]:
        with self._db.read() as db:
            return integrity_problems(db)

    def release_connection(self) -> None:
        self._db.release()

    # -- sessions --------------------------------------------------------------------------

    def load(self, session_id: str) -> Session | None:
        with self._db.read() as db:
            row = db.execute(
                f"{SELECT_SESSIONS} WHERE id = ? AND expires_at > ?", (session_id, self.clock())
            ).fetchone()
        return None if row is None else session_from_row(row)

    def load_turn(self, session_id: str, user_id: str, request_id: str = "") -> TurnStart:
        parameters = {"user": user_id, "request": request_id, "session": session_id, "now": self.clock()}
        with self._db.read() as db:
            found = db.execute(LOAD_TURN, parameters).fetchone()
        return turn_start(found)

    def lock_session(self, session_id: str, timeout: float) -> AbstractContextManager[None]:
        return self._db.sessions.hold(session_id, timeout)

    def save(
        self,
        session: Session,
        *,
        log: Iterable[LogEntry] = (),
        answer: Answer | None = None,
        outbox: Iterable[OutboxItem] = (),
        signals: Iterable[TurnSignals] = (),
        overrun: TurnSignals | None = None,
        heard: TurnRecord | None = None,
    ) -> Session:
        log_rows = [log_row(entry) for entry in log]
        signals = tuple(signals)
        signal_rows, counts = signal_rows_and_counts(signals)
        now = self.clock()
        saved = replace(session, version=session.version + 1, updated_at=now, expires_at=now + session.ttl)
        row = session_row(saved)
        with self._db.write() as db:
            if session.version:
                stored = _updated(db, row, session.version)
            else:
                found = db.execute(INSERT_SESSION, (*row, now)).fetchone()
                stored = found is not None
                if stored and found[0] != saved.version:  # it replaced an ended or expired session
                    saved = replace(saved, version=found[0])
            if not stored:
                _conflict(db, session, now)
            db.executemany(INSERT_LOG, log_rows)
            if answer is not None:
                request_id, reply = answer
                db.execute(INSERT_ANSWER, (request_id, session.id, to_json(reply, "a reply"), now))
            for item in outbox:
                payload = to_json(item.payload, f"outbox item {item.id}")
                db.execute(INSERT_OUTBOX, (item.id, item.kind, payload, item.created_at, item.created_at))
            for turn in signals:  # before its rows: the session's open guess is an earlier turn's
                _settle_guess(db, turn)
            db.executemany(INSERT_SIGNALS, signal_rows)
            db.executemany(UPSERT_ROLLUP, counts)
            if overrun is not None and db.execute(MARK_OVERRUN, (overrun.session_id, overrun.time)).rowcount:
                db.execute(UPSERT_ROLLUP, overrun_count(overrun))
            if heard is not None:
                db.execute(RELOG, (heard.text, session.id, heard.time))
        return saved

    def select(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._db.read() as db:
            return db.execute(statement, tuple(params)).fetchall()

    def execute(self, statement: str, params: Sequence[Any] = ()) -> int:
        with self._db.write() as db:
            return db.execute(statement, tuple(params)).rowcount

    # -- outbox ----------------------------------------------------------------------------

    def claim_outbox(self, now: float, *, limit: int, lease_s: float) -> tuple[OutboxItem, ...]:
        with self._db.write() as db:
            rows = db.execute(CLAIM_OUTBOX, (now + lease_s, now, now, limit)).fetchall()
        return tuple(sorted(map(outbox_item, rows), key=lambda item: item.created_at))

    def finish_outbox(self, item_id: str, *, delivered: bool, next_at: float = 0.0, error: str = "") -> None:
        with self._db.write() as db:
            if delivered:
                db.execute(OUTBOX_DELIVERED, (self.clock(), item_id))
            else:
                db.execute(OUTBOX_FAILED, (next_at, error[:500], item_id))

    def outbox_counts(self) -> dict[str, int]:
        with self._db.read() as db:
            pending, delivered = db.execute(OUTBOX_COUNTS).fetchone()
        return {"pending": pending, "delivered": delivered}

    # -- users -----------------------------------------------------------------------------

    def get_user(self, user_id: str) -> JsonDict:
        with self._db.read() as db:
            row = db.execute("SELECT attributes FROM users WHERE id = ?", (user_id,)).fetchone()
        return {} if row is None else dict(from_json(row[0]))

    def save_user(self, user_id: str, attributes: Mapping[str, Any]) -> None:
        with self._db.write() as db:
            self._put_user(db, user_id, attributes)

    def _put_user(self, db: sqlite3.Connection, user_id: str, attributes: Mapping[str, Any]) -> None:
        encoded = to_json(dict(attributes), f"the attributes of user {user_id}")
        db.execute(
            "INSERT INTO users (id, attributes, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at",
            (user_id, encoded, self.clock()),
        )

    def update_user(self, user_id: str, changes: Mapping[str, Any]) -> JsonDict:
        with self._db.write() as db:
            row = db.execute("SELECT attributes FROM users WHERE id = ?", (user_id,)).fetchone()
            merged = {**(from_json(row[0]) if row else {}), **changes}
            self._put_user(db, user_id, merged)
        return merged

    def sessions_of(self, user_id: str) -> tuple[Session, ...]:
        with self._db.read() as db:
            rows = db.execute(
                f"{SELECT_SESSIONS} WHERE user_id = ? ORDER BY created_at", (user_id,)
            ).fetchall()
        return tuple(session_from_row(row) for row in rows)

    def outbox_of(self, user_id: str) -> tuple[OutboxItem, ...]:
        with self._db.read() as db:
            return tuple(map(outbox_item, db.execute(OUTBOX_OF, {"user": user_id}).fetchall()))

    def answers_of(self, user_id: str) -> tuple[Answer, ...]:
        with self._db.read() as db:
            rows = db.execute(ANSWERS_OF, {"user": user_id}).fetchall()
        return tuple((request_id, dict(from_json(reply))) for request_id, reply in rows)

    def delete_user(self, user_id: str) -> int:
        with self._db.write() as db:
            return sum(db.execute(statement, {"user": user_id}).rowcount for statement in DELETE_USER)

    # -- conversation log ------------------------------------------------------------------

    def log_turn(self, entry: LogEntry) -> None:
        row = log_row(entry)
        with self._db.write() as db:
            db.execute(INSERT_LOG, row)

    def read_log(
        self, *, session_id: str | None = None, user_id: str | None = None, since: float = 0.0
    ) -> tuple[LogEntry, ...]:
        rows = self.select(*log_query(session_id=session_id, user_id=user_id, since=since))
        return tuple(log_entry(row) for row in rows)

    def close(self) -> None:
        self.closed = True
        self._db.close()


def _settle_guess(db: sqlite3.Connection, turn: TurnSignals) -> None:
    """Settle the guess of an earlier turn of the session that ``turn`` took or found missed: a missed
    one counts as not understood, on its own day and skill."""
    if turn.guess == "accepted":
        db.execute(TAKE_GUESS, (turn.session_id,))
    elif turn.guess == "missed":
        for found in db.execute(MISS_GUESS, (turn.session_id,)).fetchall():
            db.executemany(UPSERT_ROLLUP, missed_guess_counts(*found))


def _updated(db: sqlite3.Connection, row: tuple[Any, ...], version: int) -> bool:
    """Save a stored session's ``session_row`` over the ``version`` it was loaded from."""
    session_id, user_id = row[0], row[1]
    if db.execute(UPDATE_TURN, (*row[2:], session_id, version, user_id)).rowcount == 1:
        return True
    return db.execute(UPDATE_SESSION, (*row[1:], session_id, version)).rowcount == 1


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
