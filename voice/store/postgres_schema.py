"""The PostgreSQL store's tables, their versions, and the statements of every turn.

Each version is a list of statements; ``migrate`` applies the pending ones in one transaction
(PostgreSQL's DDL is transactional, so an upgrade is all or nothing) under an advisory lock, so two
workers starting at once do not both apply it, and records each one in ``schema_version``.
Versions 1 and 2 hold the same tables as the SQLite store's ``PRAGMA user_version`` 1 and 2;
version 3 adds the outbox (which SQLite's version 2 already has); version 4 the per-turn signals,
their rollup and the reviews (SQLite's version 3); version 5 keys the replies by session and request
id (SQLite's version 4).

Session state, replies and the log's texts keep their JSON text exactly (``json``); user attributes
are ``jsonb``, so that ``update_user`` merges them in the database with ``||``.
"""

from __future__ import annotations

from typing import Any

import psycopg

from .base import StoreError
from .signals import DAY_S, GUESS_MISSED, OPEN_GUESS, SIGNAL_COLUMNS
from .sqlite_rows import LOG_COLUMNS, SESSION_COLUMNS

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: sessions, users, the conversation log
        """CREATE TABLE sessions (
            id text PRIMARY KEY, user_id text NOT NULL, skill text NOT NULL, locale text NOT NULL,
            channel text NOT NULL, attributes json NOT NULL, dialog json NOT NULL, history json NOT NULL,
            created_at double precision NOT NULL, updated_at double precision NOT NULL,
            expires_at double precision NOT NULL, ttl double precision NOT NULL,
            handed_over boolean NOT NULL, ended boolean NOT NULL, version bigint NOT NULL)""",
        "CREATE INDEX sessions_by_user ON sessions (user_id, created_at)",
        "CREATE INDEX sessions_by_expiry ON sessions (expires_at)",
        """CREATE TABLE users (
            id text PRIMARY KEY, attributes jsonb NOT NULL, updated_at double precision NOT NULL)""",
        """CREATE TABLE log (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, session_id text NOT NULL,
            user_id text NOT NULL, time double precision NOT NULL, speaker text NOT NULL,
            text text NOT NULL, intent text NOT NULL, confidence double precision, skill text NOT NULL,
            locale text NOT NULL, channel text NOT NULL, handed_over boolean NOT NULL)""",
        "CREATE INDEX log_by_time ON log (time)",
        "CREATE INDEX log_by_user ON log (user_id)",
        "CREATE INDEX log_by_session ON log (session_id)",
    ),
    (  # 2: the replies to platform requests, so a repeated request is answered without a second turn
        """CREATE TABLE answers (
            request_id text PRIMARY KEY, session_id text NOT NULL, reply json NOT NULL,
            time double precision NOT NULL)""",
        "CREATE INDEX answers_by_time ON answers (time)",
    ),
    (  # 3: the outbox: messages for other systems (handoff records), saved with the turn
        """CREATE TABLE outbox (
            id text PRIMARY KEY, kind text NOT NULL, payload json NOT NULL,
            created_at double precision NOT NULL, attempts integer NOT NULL DEFAULT 0,
            next_at double precision NOT NULL, claimed_until double precision NOT NULL DEFAULT 0,
            delivered_at double precision, last_error text NOT NULL DEFAULT '',
            seq bigint GENERATED ALWAYS AS IDENTITY)""",
        "CREATE INDEX outbox_due ON outbox (next_at) WHERE delivered_at IS NULL",
        "CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL",
    ),
    (  # 4: per-turn signals, their daily counts, and the reviews of utterances (voice.analytics)
        """CREATE TABLE signals (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, session_id text NOT NULL,
            user_id text NOT NULL, time double precision NOT NULL, channel text NOT NULL,
            locale text NOT NULL, skill text NOT NULL, intent text NOT NULL, understood text NOT NULL,
            confidence double precision, text text NOT NULL, flow text NOT NULL,
            flow_started boolean NOT NULL, flow_step text NOT NULL, flow_completed boolean NOT NULL,
            flow_abandoned boolean NOT NULL, confirmation text NOT NULL, knowledge text NOT NULL,
            handoff text NOT NULL, handoff_reason text NOT NULL, irritation boolean NOT NULL,
            handler_error boolean NOT NULL, deadline_overrun boolean NOT NULL,
            latency_ms double precision NOT NULL, satisfaction double precision, outcome text NOT NULL)""",
        "CREATE INDEX signals_by_time ON signals (time)",
        "CREATE INDEX signals_by_session ON signals (session_id)",
        "CREATE INDEX signals_by_user ON signals (user_id)",
        "CREATE INDEX signals_unmatched ON signals (time) WHERE understood = 'none'",
        "CREATE INDEX signals_handoffs ON signals (time) WHERE handoff <> ''",
        """CREATE TABLE rollup (
            day integer NOT NULL, channel text NOT NULL, locale text NOT NULL, skill text NOT NULL,
            metric text NOT NULL, count bigint NOT NULL,
            PRIMARY KEY (day, channel, locale, skill, metric))""",
        """CREATE TABLE reviews (
            key text PRIMARY KEY, text text NOT NULL, action text NOT NULL, target text NOT NULL,
            skill text NOT NULL, locale text NOT NULL, reviewer text NOT NULL,
            time double precision NOT NULL)""",
        """CREATE TABLE dashboard_users (
            name text PRIMARY KEY, password_hash text NOT NULL, created_at double precision NOT NULL)""",
        """CREATE TABLE dashboard_logins (
            name text PRIMARY KEY, failures integer NOT NULL, locked_until double precision NOT NULL)""",
        "CREATE TABLE dashboard_settings (name text PRIMARY KEY, value text NOT NULL)",
    ),
    (  # 5: the replies keyed as they are looked up: the same request id in another session is another request
        "ALTER TABLE answers DROP CONSTRAINT answers_pkey",
        "ALTER TABLE answers ADD PRIMARY KEY (session_id, request_id)",
    ),
    (  # 6: the hourly purge finds the users not seen since the cutoff without reading every one
        "CREATE INDEX users_by_update ON users (updated_at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
"""The version this program writes; a database with a newer one is refused rather than misread."""

_MIGRATION_LOCK = 0x766F6963655F6462  # "voice_db": one advisory lock for every migration
_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
)


def schema_version(conn: psycopg.Connection[tuple[Any, ...]]) -> int:
    """The version of the database's tables; 0 for an empty database."""
    found = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection[tuple[Any, ...]], target: int = SCHEMA_VERSION) -> tuple[int, int]:
    """Apply the versions after the database's up to ``target``; return (version before, version after)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(_VERSION_TABLE)
        found = schema_version(conn)
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"the session database has schema version {found}, newer than this program's "
                f"{SCHEMA_VERSION}; upgrade voice-skills or use another database."
            )
        for version in range(found + 1, target + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
    return found, max(found, target)


# -- the statements of every turn -------------------------------------------------------------------

_JSON = {"attributes", "dialog", "history"}


def _value(column: str) -> str:
    return f"%({column})s::json" if column in _JSON else f"%({column})s"


SELECT_SESSIONS = f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions"
LOAD_TURN = (
    f"SELECT {', '.join(f's.{column}' for column in SESSION_COLUMNS)}, "
    "(SELECT attributes FROM users WHERE id = %(user)s), "
    "(SELECT reply FROM answers WHERE request_id = %(request)s AND session_id = %(session)s) "
    "FROM (SELECT 1) AS one LEFT JOIN sessions AS s ON s.id = %(session)s AND s.expires_at > %(now)s"
)
"""A session, its user's attributes and the reply to a repeated request in one statement; always one row."""

_UPDATE = (
    f"UPDATE sessions SET {', '.join(f'{c} = {_value(c)}' for c in SESSION_COLUMNS[1:])} "
    "WHERE id = %(id)s AND version = %(loaded)s RETURNING version"
)
_INSERT = (
    f"INSERT INTO sessions ({', '.join(SESSION_COLUMNS)}) "
    f"VALUES ({', '.join(_value(c) for c in SESSION_COLUMNS)}) ON CONFLICT (id) DO UPDATE SET "
    f"{', '.join(f'{c} = excluded.{c}' for c in SESSION_COLUMNS[1:-1])}, version = sessions.version + 1 "
    "WHERE sessions.ended OR sessions.expires_at <= %(now)s RETURNING version"
)
_LOG_TYPES = ("text", "text", "float8", "text", "text", "text", "float8", "text", "text", "text", "bool")
_LOG_ARRAYS = ", ".join(f"%(log_{c})s::{t}[]" for c, t in zip(LOG_COLUMNS, _LOG_TYPES, strict=True))
_SIGNAL_TYPES = dict.fromkeys(SIGNAL_COLUMNS, "text") | {
    "time": "float8",
    "confidence": "float8",
    "latency_ms": "float8",
    "satisfaction": "float8",
    **dict.fromkeys(
        (
            "flow_started",
            "flow_completed",
            "flow_abandoned",
            "irritation",
            "handler_error",
            "deadline_overrun",
        ),
        "bool",
    ),
}
_SIGNAL_ARRAYS = ", ".join(f"%(signal_{c})s::{_SIGNAL_TYPES[c]}[]" for c in SIGNAL_COLUMNS)
_WITH_LOG_AND_ANSWER = (
    f"logged AS (INSERT INTO log ({', '.join(LOG_COLUMNS)}) "
    f"SELECT {', '.join(f'r.{c}' for c in LOG_COLUMNS)} FROM saved, unnest({_LOG_ARRAYS}) "
    f"WITH ORDINALITY AS r({', '.join(LOG_COLUMNS)}, n) ORDER BY r.n), "
    "answered AS (INSERT INTO answers (request_id, session_id, reply, time) "
    "SELECT %(request_id)s, %(id)s, %(reply)s::json, %(now)s FROM saved "
    "WHERE %(request_id)s::text IS NOT NULL "
    "ON CONFLICT (session_id, request_id) DO UPDATE SET reply = excluded.reply, time = excluded.time), "
    "queued AS (INSERT INTO outbox (id, kind, payload, created_at, next_at) "
    "SELECT o.id, o.kind, o.payload::json, o.created_at, o.created_at FROM saved, "
    "unnest(%(outbox_id)s::text[], %(outbox_kind)s::text[], %(outbox_payload)s::text[], "
    "%(outbox_created_at)s::float8[]) AS o(id, kind, payload, created_at)), "
    f"signalled AS (INSERT INTO signals ({', '.join(SIGNAL_COLUMNS)}) "
    f"SELECT {', '.join(f'g.{c}' for c in SIGNAL_COLUMNS)} FROM saved, unnest({_SIGNAL_ARRAYS}) "
    f"WITH ORDINALITY AS g({', '.join(SIGNAL_COLUMNS)}, n) ORDER BY g.n), "
    "counted AS (INSERT INTO rollup (day, channel, locale, skill, metric, count) "
    "SELECT c.day, c.channel, c.locale, c.skill, c.metric, c.count FROM saved, "
    "unnest(%(rollup_day)s::int[], %(rollup_channel)s::text[], %(rollup_locale)s::text[], "
    "%(rollup_skill)s::text[], %(rollup_metric)s::text[], "
    "%(rollup_count)s::bigint[]) WITH ORDINALITY AS c(day, channel, locale, skill, metric, count, n) "
    "ORDER BY c.n ON CONFLICT (day, channel, locale, skill, metric) "
    "DO UPDATE SET count = rollup.count + excluded.count) "
    "SELECT version FROM saved"
)
SAVE_LOADED = f"WITH saved AS ({_UPDATE}), {_WITH_LOG_AND_ANSWER}"
"""Saves a loaded session with its log rows and answer in one statement; no row when it conflicts."""
SAVE_NEW = f"WITH saved AS ({_INSERT}), {_WITH_LOG_AND_ANSWER}"
"""Saves a new session, in place of an ended or expired one; no row over a live one."""
MARK_OVERRUN = (
    "WITH marked AS (UPDATE signals SET deadline_overrun = true WHERE NOT deadline_overrun AND seq = "
    "(SELECT max(seq) FROM signals WHERE session_id = %(session)s AND time = %(time)s) RETURNING 1) "
    "INSERT INTO rollup (day, channel, locale, skill, metric, count) "
    "SELECT %(day)s, %(channel)s, %(locale)s, %(skill)s, %(metric)s, %(count)s FROM marked "
    "ON CONFLICT (day, channel, locale, skill, metric) DO UPDATE SET count = rollup.count + excluded.count"
)
"""Marks a stored turn's signals row (its session's latest at its time) as a missed deadline, and
counts it; nothing for a row marked already."""
_OPEN_GUESS_OF = f"(SELECT max(seq) FROM signals WHERE session_id = %(session)s AND {OPEN_GUESS})"
_MOVED = ", ".join(f"('{metric}', {delta})" for metric, delta in GUESS_MISSED)
MISS_GUESS = (
    f"WITH missed AS (UPDATE signals SET understood = 'none' WHERE seq = {_OPEN_GUESS_OF} "
    "RETURNING time, channel, locale, skill) "
    "INSERT INTO rollup (day, channel, locale, skill, metric, count) "
    f"SELECT floor(m.time / {DAY_S})::int, m.channel, m.locale, m.skill, c.metric, c.count "
    f"FROM missed AS m, (VALUES {_MOVED}) AS c(metric, count) "
    "ON CONFLICT (day, channel, locale, skill, metric) DO UPDATE SET count = rollup.count + excluded.count"
)
"""Settles the session's open guess (its latest) as not understood, and moves its count to ``none``
on its own day and skill; its words stay for the review."""
TAKE_GUESS = f"UPDATE signals SET text = '' WHERE seq = {_OPEN_GUESS_OF}"
"""Settles the session's open guess (its latest) as taken: understood, so its words go."""
RELOG = (
    "UPDATE log SET text = %s WHERE seq = "
    "(SELECT max(seq) FROM log WHERE session_id = %s AND time = %s AND speaker = 'assistant')"
)
"""Says in a stored turn's assistant row (its session's latest at its time) what the caller heard."""

CLAIM_OUTBOX = (
    "UPDATE outbox SET claimed_until = %(until)s WHERE id IN (SELECT id FROM outbox "
    "WHERE delivered_at IS NULL AND next_at <= %(now)s AND claimed_until <= %(now)s "
    "ORDER BY created_at, seq LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
    "RETURNING created_at, seq, id, kind, payload, created_at, attempts"
)
"""Claims the due, undelivered items nobody else holds; SKIP LOCKED: two senders never share one.
Each row starts with its order (time, then the order of saving), since RETURNING keeps none."""
OUTBOX_DELIVERED = "UPDATE outbox SET delivered_at = %s, claimed_until = 0 WHERE id = %s"
OUTBOX_FAILED = (
    "UPDATE outbox SET attempts = attempts + 1, next_at = %s, claimed_until = 0, last_error = %s "
    "WHERE id = %s"
)
OUTBOX_COUNTS = "SELECT count(*) - count(delivered_at), count(delivered_at) FROM outbox"

_USER_SESSIONS = (
    "SELECT id FROM sessions WHERE user_id = %(user)s "
    "UNION SELECT session_id FROM log WHERE user_id = %(user)s"
)
"""The sessions of a user: those still kept, and those the log remembers."""
DELETE_USER = (
    f"WITH a AS (DELETE FROM answers WHERE session_id IN ({_USER_SESSIONS}) RETURNING 1), "
    "o AS (DELETE FROM outbox WHERE payload->>'user_id' = %(user)s RETURNING 1), "
    "s AS (DELETE FROM sessions WHERE user_id = %(user)s RETURNING 1), "
    "u AS (DELETE FROM users WHERE id = %(user)s RETURNING 1), "
    "l AS (DELETE FROM log WHERE user_id = %(user)s RETURNING 1), "
    "g AS (DELETE FROM signals WHERE user_id = %(user)s RETURNING 1) "
    "SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM o) + (SELECT count(*) FROM s) "
    "+ (SELECT count(*) FROM u) + (SELECT count(*) FROM l) + (SELECT count(*) FROM g)"
)
"""Erases a user in one statement, so it happens completely or not at all (every part of it reads
the database as it was before, so the replies are found through the sessions it deletes)."""
ANSWERS_OF = (
    f"SELECT request_id, reply FROM answers WHERE session_id IN ({_USER_SESSIONS}) ORDER BY time, request_id"
)
OUTBOX_OF = (
    "SELECT id, kind, payload, created_at, attempts FROM outbox "
    "WHERE payload->>'user_id' = %(user)s ORDER BY created_at, seq"
)
MERGE_USER = (
    "INSERT INTO users (id, attributes, updated_at) VALUES (%s, %s::jsonb, %s) ON CONFLICT (id) "
    "DO UPDATE SET attributes = users.attributes || excluded.attributes, updated_at = excluded.updated_at "
    "RETURNING attributes"
)
PUT_USER = (
    "INSERT INTO users (id, attributes, updated_at) VALUES (%s, %s::jsonb, %s) ON CONFLICT (id) "
    "DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at"
)
