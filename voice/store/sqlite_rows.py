"""The SQLite store's tables, statements and row codec: a session or log entry <-> one row.

``SCHEMA_VERSION`` is kept in ``PRAGMA user_version``; ``voice.store.sqlite`` refuses a newer file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..state import DialogState
from .base import StoreError, from_json
from .records import LogEntry, OutboxItem, Session, Speaker, TurnRecord, TurnStart
from .signals import OPEN_GUESS, SIGNAL_COLUMNS

SCHEMA_VERSION = 5
"""Kept in ``PRAGMA user_version``; a newer file is refused rather than misread."""

SESSION_COLUMNS = (
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
LOG_COLUMNS = (
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

SELECT_SESSIONS = f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions"
SELECT_LOG = f"SELECT {', '.join(LOG_COLUMNS)} FROM log"
UPDATE_SESSION = (
    f"UPDATE sessions SET {', '.join(f'{column} = ?' for column in SESSION_COLUMNS[1:])} "
    "WHERE id = ? AND version = ?"
)
"""Saves a loaded session: no row changes when another worker saved it first."""
UPDATE_TURN = (
    f"UPDATE sessions SET {', '.join(f'{column} = ?' for column in SESSION_COLUMNS[2:])} "
    "WHERE id = ? AND version = ? AND user_id = ?"
)
"""``UPDATE_SESSION`` for a session of the same user, as every turn's is: a column it does not set is an
index SQLite does not rewrite (``sessions_by_user``), one page less per turn; no row changes for another
user, and then ``UPDATE_SESSION`` saves it."""
INSERT_SESSION = (
    f"INSERT INTO sessions ({', '.join(SESSION_COLUMNS)}) VALUES ({', '.join('?' * len(SESSION_COLUMNS))}) "
    f"ON CONFLICT (id) DO UPDATE SET "
    f"{', '.join(f'{column} = excluded.{column}' for column in SESSION_COLUMNS[1:-1])}, "
    "version = sessions.version + 1 WHERE sessions.ended OR sessions.expires_at <= ? RETURNING version"
)
"""Saves a new session, in place of an ended or expired one; no row comes back over a live one."""
LOAD_TURN = (
    f"SELECT {', '.join(f's.{column}' for column in SESSION_COLUMNS)}, "
    "(SELECT attributes FROM users WHERE id = :user), "
    "(SELECT reply FROM answers WHERE request_id = :request AND session_id = :session) "
    "FROM (SELECT 1) LEFT JOIN sessions AS s ON s.id = :session AND s.expires_at > :now"
)
"""A session, its user's attributes and the reply to a repeated request in one statement; always one row."""
INSERT_ANSWER = "INSERT OR REPLACE INTO answers (request_id, session_id, reply, time) VALUES (?, ?, ?, ?)"
INSERT_OUTBOX = "INSERT INTO outbox (id, kind, payload, created_at, next_at) VALUES (?, ?, ?, ?, ?)"
CLAIM_OUTBOX = (
    "UPDATE outbox SET claimed_until = ? WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL "
    "AND next_at <= ? AND claimed_until <= ? ORDER BY created_at LIMIT ?) "
    "RETURNING id, kind, payload, created_at, attempts"
)
"""Claims the due, undelivered items nobody else holds (one statement, so two senders never share one)."""
OUTBOX_DELIVERED = "UPDATE outbox SET delivered_at = ?, claimed_until = 0 WHERE id = ?"
OUTBOX_FAILED = (
    "UPDATE outbox SET attempts = attempts + 1, next_at = ?, claimed_until = 0, last_error = ? WHERE id = ?"
)
OUTBOX_COUNTS = "SELECT COUNT(*) - COUNT(delivered_at), COUNT(delivered_at) FROM outbox"
USER_SESSIONS = (
    "SELECT id FROM sessions WHERE user_id = :user UNION SELECT session_id FROM log WHERE user_id = :user"
)
"""The sessions of a user: those still kept, and those the log remembers."""
DELETE_USER = (
    f"DELETE FROM answers WHERE session_id IN ({USER_SESSIONS})",
    "DELETE FROM outbox WHERE json_extract(payload, '$.user_id') = :user",
    "DELETE FROM sessions WHERE user_id = :user",
    "DELETE FROM users WHERE id = :user",
    "DELETE FROM log WHERE user_id = :user",
    "DELETE FROM signals WHERE user_id = :user",
)
"""Erases a user (in one transaction): the replies and outbox items first, found through the sessions;
the signals of their turns too."""
ANSWERS_OF = (
    f"SELECT request_id, reply FROM answers WHERE session_id IN ({USER_SESSIONS}) ORDER BY time, request_id"
)
OUTBOX_OF = (
    "SELECT id, kind, payload, created_at, attempts FROM outbox "
    "WHERE json_extract(payload, '$.user_id') = :user ORDER BY created_at, id"
)
INSERT_LOG = f"INSERT INTO log ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' * len(LOG_COLUMNS))})"
INSERT_SIGNALS = (
    f"INSERT INTO signals ({', '.join(SIGNAL_COLUMNS)}) VALUES ({', '.join('?' * len(SIGNAL_COLUMNS))})"
)
UPSERT_ROLLUP = (
    "INSERT INTO rollup (day, channel, locale, skill, metric, count) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (day, channel, locale, skill, metric) DO UPDATE SET count = count + excluded.count"
)
"""The statements of every turn, written out once."""
MARK_OVERRUN = (
    "UPDATE signals SET deadline_overrun = 1 WHERE NOT deadline_overrun AND seq = "
    "(SELECT max(seq) FROM signals WHERE session_id = ? AND time = ?)"
)
"""Marks a stored turn's signals row (its session's latest at its time) as a missed deadline."""
_OPEN_GUESS_OF = f"(SELECT max(seq) FROM signals WHERE session_id = ? AND {OPEN_GUESS})"
MISS_GUESS = (
    f"UPDATE signals SET understood = 'none' WHERE seq = {_OPEN_GUESS_OF} "
    "RETURNING time, channel, locale, skill"
)
"""Settles the session's open guess (its latest) as not understood; its words stay for the review."""
TAKE_GUESS = f"UPDATE signals SET text = '' WHERE seq = {_OPEN_GUESS_OF}"
"""Settles the session's open guess (its latest) as taken: understood, so its words go."""
RELOG = (
    "UPDATE log SET text = ? WHERE seq = "
    "(SELECT max(seq) FROM log WHERE session_id = ? AND time = ? AND speaker = 'assistant')"
)
"""Says in a stored turn's assistant row (its session's latest at its time) what the caller heard."""

ANSWERS_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
    request_id TEXT NOT NULL, session_id TEXT NOT NULL, reply TEXT NOT NULL CHECK (json_valid(reply)),
    time REAL NOT NULL, PRIMARY KEY (session_id, request_id))"""
"""The replies' table under a given name: version 4 builds it beside the old one, then renames it."""
SCHEMA = (
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
    # version 2: the replies to platform requests, so a repeated request is answered without a second turn
    ANSWERS_TABLE.format(name="answers"),
    "CREATE INDEX IF NOT EXISTS answers_by_time ON answers (time)",
    # and the outbox: messages for other systems (handoff records), saved with the turn
    """CREATE TABLE IF NOT EXISTS outbox (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL CHECK (json_valid(payload)),
        created_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL,
        claimed_until REAL NOT NULL DEFAULT 0, delivered_at REAL, last_error TEXT NOT NULL DEFAULT '')""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, next_at)",
    # version 3: per-turn signals, their daily counts, and the reviews of utterances (voice.analytics)
    """CREATE TABLE IF NOT EXISTS signals (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, user_id TEXT NOT NULL,
        time REAL NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, skill TEXT NOT NULL,
        intent TEXT NOT NULL, understood TEXT NOT NULL, confidence REAL, text TEXT NOT NULL,
        flow TEXT NOT NULL, flow_started INTEGER NOT NULL, flow_step TEXT NOT NULL,
        flow_completed INTEGER NOT NULL, flow_abandoned INTEGER NOT NULL, confirmation TEXT NOT NULL,
        knowledge TEXT NOT NULL, handoff TEXT NOT NULL, handoff_reason TEXT NOT NULL,
        irritation INTEGER NOT NULL, handler_error INTEGER NOT NULL, deadline_overrun INTEGER NOT NULL,
        latency_ms REAL NOT NULL, satisfaction REAL, outcome TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS signals_by_time ON signals (time)",
    "CREATE INDEX IF NOT EXISTS signals_by_session ON signals (session_id)",
    "CREATE INDEX IF NOT EXISTS signals_by_user ON signals (user_id)",
    "CREATE INDEX IF NOT EXISTS signals_unmatched ON signals (time) WHERE understood = 'none'",
    "CREATE INDEX IF NOT EXISTS signals_handoffs ON signals (time) WHERE handoff <> ''",
    """CREATE TABLE IF NOT EXISTS rollup (
        day INTEGER NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, skill TEXT NOT NULL,
        metric TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (day, channel, locale, skill, metric)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS reviews (
        key TEXT PRIMARY KEY, text TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
        skill TEXT NOT NULL, locale TEXT NOT NULL, reviewer TEXT NOT NULL, time REAL NOT NULL)""",
    # and the dashboard's users, failed logins and settings (its session secret)
    """CREATE TABLE IF NOT EXISTS dashboard_users (
        name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at REAL NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS dashboard_logins (
        name TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until REAL NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS dashboard_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # version 4: the replies keyed by session and request id, as they are looked up: the same id in
    # another session is another request. SQLite cannot change a primary key, so the table is built
    # again (in a file just created, an empty one).
    ANSWERS_TABLE.format(name="answers_by_session"),
    "INSERT INTO answers_by_session (request_id, session_id, reply, time) "
    "SELECT request_id, session_id, reply, time FROM answers",
    "DROP TABLE answers",
    "ALTER TABLE answers_by_session RENAME TO answers",
    "CREATE INDEX IF NOT EXISTS answers_by_time ON answers (time)",
    # version 5: the hourly purge finds the users not seen since the cutoff without reading every one
    "CREATE INDEX IF NOT EXISTS users_by_update ON users (updated_at)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)


ENCODE = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode


def to_json(value: Any, what: str) -> str:
    try:
        return ENCODE(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(
            f"{what} cannot be stored: {exc}; keep them to JSON values (text, numbers, booleans, "
            "None, lists and dicts)."
        ) from exc


def session_row(session: Session) -> tuple[Any, ...]:
    """The row of ``SESSION_COLUMNS``."""
    what = f"session {session.id}"
    return (
        session.id,
        session.user_id,
        session.skill,
        session.locale,
        session.channel,
        to_json(session.attributes, f"the attributes of {what}"),
        to_json(session.dialog.to_json(), f"the dialog state of {what}"),
        to_json([turn.to_dict() for turn in session.history], f"the history of {what}"),
        session.created_at,
        session.updated_at,
        session.expires_at,
        session.ttl,
        session.handed_over,
        session.ended,
        session.version,
    )


def session_from_row(row: tuple[Any, ...]) -> Session:
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
        attributes=dict(from_json(attributes)),
        dialog=DialogState.from_json(from_json(dialog)),
        history=tuple(TurnRecord.from_dict(turn) for turn in from_json(history)),
        created_at=created_at,
        updated_at=updated_at,
        expires_at=expires_at,
        ttl=ttl,
        handed_over=bool(handed_over),
        ended=bool(ended),
        version=version,
    )


def turn_start(row: Sequence[Any]) -> TurnStart:
    """``LOAD_TURN``'s one row: the session's columns (all None without a live one), then the user's
    attributes and the earlier reply (JSON texts or None)."""
    *columns, user, earlier = row
    return TurnStart(
        None if columns[0] is None else session_from_row(tuple(columns)),
        {} if user is None else dict(from_json(user)),
        None if earlier is None else dict(from_json(earlier)),
    )


def log_row(entry: LogEntry) -> tuple[Any, ...]:
    return tuple(getattr(entry, column) for column in LOG_COLUMNS)


def log_query(*, session_id: str | None, user_id: str | None, since: float) -> tuple[str, list[Any]]:
    """``read_log``'s statement (``?`` placeholders) and parameters, for either store."""
    where: list[str] = ["time >= ?"]
    params: list[Any] = [since]
    for column, value in (("session_id", session_id), ("user_id", user_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return f"{SELECT_LOG} WHERE {' AND '.join(where)} ORDER BY seq", params


def log_entry(row: tuple[Any, ...]) -> LogEntry:
    data = dict(zip(LOG_COLUMNS, row, strict=True))
    return LogEntry(**{**data, "speaker": Speaker(data["speaker"]), "handed_over": bool(data["handed_over"])})


def outbox_item(row: tuple[Any, ...]) -> OutboxItem:
    item_id, kind, payload, created_at, attempts = row
    return OutboxItem(
        id=item_id, kind=kind, payload=dict(from_json(payload)), created_at=created_at, attempts=attempts
    )
