"""The PostgreSQL store: one database that the workers of several hosts share.

    store = PostgresStore("postgresql://voice@db.internal:5432/voice?pool_size=10")

Each process keeps its own pool of connections (psycopg_pool), opened on first use: a gunicorn
worker forked from a master that used the store opens a fresh pool instead of sharing the
master's sockets. Every write is one statement or one transaction, so a turn's session, log rows
and answer are stored together or not at all. One turn at a time per session is a PostgreSQL
advisory lock on a 64-bit hash of the session id, held on the turn's connection (see
``voice.store.postgres_lock``); the server drops it when that connection dies.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any

import psycopg

from .base import Answer, Clock, ConflictError, StoreError, from_json
from .postgres_lock import PostgresConnections
from .postgres_schema import (
    ANSWERS_OF,
    CLAIM_OUTBOX,
    DELETE_USER,
    LOAD_TURN,
    MARK_OVERRUN,
    MERGE_USER,
    MISS_GUESS,
    OUTBOX_COUNTS,
    OUTBOX_DELIVERED,
    OUTBOX_FAILED,
    OUTBOX_OF,
    PUT_USER,
    RELOG,
    SAVE_LOADED,
    SAVE_NEW,
    SELECT_SESSIONS,
    TAKE_GUESS,
)
from .records import JsonDict, LogEntry, OutboxItem, Session, TurnRecord, TurnStart
from .sessions import Store
from .signals import SIGNAL_COLUMNS, TurnSignals, overrun_count, signal_rows_and_counts
from .sqlite_rows import (
    LOG_COLUMNS,
    SESSION_COLUMNS,
    log_entry,
    log_query,
    log_row,
    outbox_item,
    session_from_row,
    session_row,
    to_json,
    turn_start,
)

__all__ = ["PostgresStore"]


class PostgresStore(Store):
    """Sessions, users and the conversation log in a PostgreSQL database.

    ``url`` is a libpq URL (``postgresql://user:password@host:port/database?sslmode=require``) that
    may also carry ``pool_size`` (connections per process, default 10) and ``pool_timeout`` (seconds
    a caller waits for a free connection, default 2).
    """

    def __init__(self, url: str, *, clock: Clock = time.time) -> None:
        super().__init__(clock=clock)
        self._db = PostgresConnections(url)
        self._db.migrate()

    @property
    def where(self) -> str:
        """host:port/database, without user or password (for messages)."""
        return self._db.where

    # -- sessions --------------------------------------------------------------------------

    def load(self, session_id: str) -> Session | None:
        with self._db.connection() as db:
            row = db.execute(
                f"{SELECT_SESSIONS} WHERE id = %s AND expires_at > %s", (session_id, self.clock())
            ).fetchone()
        return None if row is None else session_from_row(row)

    def load_turn(self, session_id: str, user_id: str, request_id: str = "") -> TurnStart:
        parameters = {"user": user_id, "request": request_id, "session": session_id, "now": self.clock()}
        with self._db.connection() as db:
            found = db.execute(LOAD_TURN, parameters).fetchone()
        assert found is not None  # the statement always gives one row
        return turn_start(found)

    def lock_session(self, session_id: str, timeout: float) -> AbstractContextManager[None]:
        return self._db.hold(session_id, timeout)

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
        now = self.clock()
        saved = replace(session, version=session.version + 1, updated_at=now, expires_at=now + session.ttl)
        params = _save_params(saved, session.version, log, answer, now)
        params.update(_outbox_params(outbox))
        signals = tuple(signals)
        params.update(_signal_params(signals))
        guesses = _guess_statements(signals)
        alone = overrun is None and heard is None and not guesses  # else one transaction of several
        with self._db.connection() as db, nullcontext() if alone else db.transaction():
            for statement, guess_params in guesses:  # before the turn's rows: the open guess is older
                db.execute(statement, guess_params)
            found = db.execute(SAVE_LOADED if session.version else SAVE_NEW, params).fetchone()
            if found is None:
                raise _conflict(db, session)
            if overrun is not None:
                db.execute(MARK_OVERRUN, _overrun_params(overrun))
            if heard is not None:
                db.execute(RELOG, (heard.text, session.id, heard.time))
        if found[0] != saved.version:  # it replaced an ended or expired session
            saved = replace(saved, version=found[0])
        return saved

    def select(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._db.connection() as db:
            return db.execute(_placeholders(statement), tuple(params)).fetchall()

    def execute(self, statement: str, params: Sequence[Any] = ()) -> int:
        with self._db.connection() as db:
            return db.execute(_placeholders(statement), tuple(params)).rowcount

    # -- outbox ----------------------------------------------------------------------------

    def claim_outbox(self, now: float, *, limit: int, lease_s: float) -> tuple[OutboxItem, ...]:
        with self._db.connection() as db:
            rows = db.execute(CLAIM_OUTBOX, {"until": now + lease_s, "now": now, "limit": limit}).fetchall()
        return tuple(outbox_item(row[2:]) for row in sorted(rows, key=lambda row: row[:2]))

    def finish_outbox(self, item_id: str, *, delivered: bool, next_at: float = 0.0, error: str = "") -> None:
        with self._db.connection() as db:
            if delivered:
                db.execute(OUTBOX_DELIVERED, (self.clock(), item_id))
            else:
                db.execute(OUTBOX_FAILED, (next_at, error[:500].replace("\x00", "\ufffd"), item_id))

    def outbox_counts(self) -> dict[str, int]:
        with self._db.connection() as db:
            row = db.execute(OUTBOX_COUNTS).fetchone()
        assert row is not None
        return {"pending": int(row[0]), "delivered": int(row[1])}

    # -- users -----------------------------------------------------------------------------

    def get_user(self, user_id: str) -> JsonDict:
        with self._db.connection() as db:
            row = db.execute("SELECT attributes FROM users WHERE id = %s", (user_id,)).fetchone()
        return {} if row is None else dict(from_json(row[0]))

    def save_user(self, user_id: str, attributes: Mapping[str, Any]) -> None:
        encoded = _jsonb(dict(attributes), f"the attributes of user {user_id}")
        with self._db.connection() as db:
            db.execute(PUT_USER, (user_id, encoded, self.clock()))

    def update_user(self, user_id: str, changes: Mapping[str, Any]) -> JsonDict:
        encoded = _jsonb(dict(changes), f"the attributes of user {user_id}")
        with self._db.connection() as db:
            row = db.execute(MERGE_USER, (user_id, encoded, self.clock())).fetchone()
        assert row is not None
        return dict(from_json(row[0]))

    def sessions_of(self, user_id: str) -> tuple[Session, ...]:
        with self._db.connection() as db:
            rows = db.execute(
                f"{SELECT_SESSIONS} WHERE user_id = %s ORDER BY created_at, id", (user_id,)
            ).fetchall()
        return tuple(session_from_row(row) for row in rows)

    def outbox_of(self, user_id: str) -> tuple[OutboxItem, ...]:
        with self._db.connection() as db:
            return tuple(map(outbox_item, db.execute(OUTBOX_OF, {"user": user_id}).fetchall()))

    def answers_of(self, user_id: str) -> tuple[Answer, ...]:
        with self._db.connection() as db:
            rows = db.execute(ANSWERS_OF, {"user": user_id}).fetchall()
        return tuple((request_id, dict(from_json(reply))) for request_id, reply in rows)

    def delete_user(self, user_id: str) -> int:
        with self._db.connection() as db:
            row = db.execute(DELETE_USER, {"user": user_id}).fetchone()
        return int(row[0]) if row else 0

    # -- conversation log ------------------------------------------------------------------

    def log_turn(self, entry: LogEntry) -> None:
        row = log_row(entry)
        columns = ", ".join(LOG_COLUMNS)
        with self._db.connection() as db:
            db.execute(
                f"INSERT INTO log ({columns}) VALUES ({', '.join(['%s'] * len(LOG_COLUMNS))})",
                row,
            )

    def read_log(
        self, *, session_id: str | None = None, user_id: str | None = None, since: float = 0.0
    ) -> tuple[LogEntry, ...]:
        rows = self.select(*log_query(session_id=session_id, user_id=user_id, since=since))
        return tuple(log_entry(row) for row in rows)

    # -- connections -----------------------------------------------------------------------

    def close(self) -> None:
        self.closed = True
        self._db.close()


def _jsonb(value: Any, what: str) -> str:
    """``to_json`` for a jsonb column, which cannot hold the character U+0000."""
    encoded = to_json(value, what)
    if "\\u0000" in encoded:
        raise StoreError(
            f"{what} cannot be stored: PostgreSQL's jsonb holds no NUL character (\\u0000); "
            "keep them to JSON values (text, numbers, booleans, None, lists and dicts) without it."
        )
    return encoded


def _save_params(
    saved: Session, loaded: int, log: Iterable[LogEntry], answer: Answer | None, now: float
) -> dict[str, Any]:
    params: dict[str, Any] = dict(zip(SESSION_COLUMNS, session_row(saved), strict=True))
    rows = [log_row(entry) for entry in log]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(LOG_COLUMNS)
    params.update(
        {f"log_{column}": list(values) for column, values in zip(LOG_COLUMNS, columns, strict=True)}
    )
    request_id, reply = answer if answer is not None else (None, None)
    encoded = None if answer is None else to_json(reply, "a reply")
    params.update(loaded=loaded, now=now, request_id=request_id, reply=encoded)
    return params


def _outbox_params(outbox: Iterable[OutboxItem]) -> dict[str, list[Any]]:
    items = list(outbox)
    return {
        "outbox_id": [item.id for item in items],
        "outbox_kind": [item.kind for item in items],
        "outbox_payload": [to_json(item.payload, f"outbox item {item.id}") for item in items],
        "outbox_created_at": [item.created_at for item in items],
    }


_ROLLUP_COLUMNS = ("day", "channel", "locale", "skill", "metric", "count")


def _signal_params(signals: Iterable[TurnSignals]) -> dict[str, list[Any]]:
    rows, counts = signal_rows_and_counts(signals)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(SIGNAL_COLUMNS)
    params = {
        f"signal_{column}": list(values) for column, values in zip(SIGNAL_COLUMNS, columns, strict=True)
    }
    totals = list(zip(*counts, strict=True)) if counts else [()] * len(_ROLLUP_COLUMNS)
    params.update(
        {f"rollup_{name}": list(values) for name, values in zip(_ROLLUP_COLUMNS, totals, strict=True)}
    )
    return params


def _guess_statements(signals: Sequence[TurnSignals]) -> list[tuple[str, dict[str, Any]]]:
    """The statements that settle the open guess of an earlier turn that these turns took or missed."""
    settle = {"accepted": TAKE_GUESS, "missed": MISS_GUESS}
    return [(settle[turn.guess], {"session": turn.session_id}) for turn in signals if turn.guess]


def _overrun_params(overrun: TurnSignals) -> dict[str, Any]:
    count = dict(zip(_ROLLUP_COLUMNS, overrun_count(overrun), strict=True))
    return {"session": overrun.session_id, "time": overrun.time, **count}


def _placeholders(statement: str) -> str:
    """A statement written with ``?`` placeholders in psycopg's style."""
    return statement.replace("%", "%%").replace("?", "%s")


def _conflict(db: psycopg.Connection[Any], session: Session) -> ConflictError:
    """The ``ConflictError`` that says why ``session`` could not be saved."""
    stored = db.execute(
        "SELECT version, expires_at, ended FROM sessions WHERE id = %s", (session.id,)
    ).fetchone()
    if stored is None:
        if session.version:
            raise ConflictError(f"session {session.id} was deleted after it was loaded; start a new session.")
        raise ConflictError(f"session {session.id} was saved by another worker; load it again.")
    raise ConflictError(
        f"session {session.id} was saved by another worker (version {stored[0]}, this copy "
        f"{session.version}); load it again and reapply the change."
    )
