"""``voice data migrate``: a store written by an older version of the program upgrades without loss.

Each test builds a database at schema version 1 (sessions, users, the log: what the first release
wrote) by hand, fills it, upgrades it with the command, and reads every record back through the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from postgres_server import PostgresServer

from voice.cli import cli
from voice.store import OutboxItem, Session, open_store
from voice.store.postgres_schema import SCHEMA_VERSION as POSTGRES_VERSION
from voice.store.postgres_schema import migrate
from voice.store.sqlite_rows import SCHEMA_VERSION as SQLITE_VERSION

from .samples import START

SQLITE_VERSION_1 = (
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL, skill TEXT NOT NULL, locale TEXT NOT NULL,
        channel TEXT NOT NULL, attributes TEXT NOT NULL CHECK (json_valid(attributes)),
        dialog TEXT NOT NULL CHECK (json_valid(dialog)), history TEXT NOT NULL CHECK (json_valid(history)),
        created_at REAL NOT NULL, updated_at REAL NOT NULL, expires_at REAL NOT NULL, ttl REAL NOT NULL,
        handed_over INTEGER NOT NULL, ended INTEGER NOT NULL, version INTEGER NOT NULL)""",
    "CREATE INDEX sessions_by_user ON sessions (user_id)",
    "CREATE INDEX sessions_by_expiry ON sessions (expires_at)",
    """CREATE TABLE users (
        id TEXT PRIMARY KEY, attributes TEXT NOT NULL CHECK (json_valid(attributes)),
        updated_at REAL NOT NULL)""",
    """CREATE TABLE log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, user_id TEXT NOT NULL,
        time REAL NOT NULL, speaker TEXT NOT NULL, text TEXT NOT NULL, intent TEXT NOT NULL,
        confidence REAL, skill TEXT NOT NULL, locale TEXT NOT NULL, channel TEXT NOT NULL,
        handed_over INTEGER NOT NULL)""",
    "CREATE INDEX log_by_time ON log (time)",
    "CREATE INDEX log_by_user ON log (user_id)",
    "CREATE INDEX log_by_session ON log (session_id)",
    "PRAGMA user_version = 1",
)
HISTORY = [{"time": START, "speaker": "user", "text": "een tafel", "intent": "Book", "slots": {}}]
SESSION = ("s1", "u1", "cs", "nl", "alexa", '{"party": 4}', "{}", json.dumps(HISTORY))
SESSION_TIMES = (START, START, START + 10**9, 10**9 + 0.0, False, False, 3)
LOG = ("s1", "u1", START, "user", "een tafel", "Book", 0.9, "cs", "nl", "alexa", False)


def _migrate(tmp_path: Path, url: str) -> str:
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "{url}"\n')
    result = CliRunner().invoke(cli, ["data", "migrate", "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.output


def _check_kept_and_usable(url: str) -> None:
    with open_store(url, clock=lambda: START) as store:
        session = store.load("s1")
        assert session is not None and session.version == 3 and session.attributes == {"party": 4}
        assert [turn.text for turn in session.history] == ["een tafel"]
        assert store.get_user("u1") == {"name": "Anneke"}
        assert [(e.text, e.confidence) for e in store.read_log(user_id="u1")] == [("een tafel", 0.9)]
        # what the newer versions added works on the upgraded database
        fresh = Session.new(
            id="s2", user_id="u1", skill="cs", locale="nl", channel="alexa", now=START, ttl=60
        )
        item = OutboxItem(id="h1", kind="handoff", payload={"n": 1}, created_at=START)
        store.save(fresh, answer=("req-1", {"speech": "ok"}), outbox=(item,))
        assert store.answered("req-1", "s2") == {"speech": "ok"}
        assert [i.id for i in store.claim_outbox(START, limit=5, lease_s=5)] == ["h1"]


def test_a_version_1_sqlite_file_upgrades_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    db = sqlite3.connect(path)
    for statement in SQLITE_VERSION_1:
        db.execute(statement)
    db.execute(f"INSERT INTO sessions VALUES ({', '.join('?' * 15)})", (*SESSION, *SESSION_TIMES))
    db.execute("INSERT INTO users VALUES ('u1', '{\"name\": \"Anneke\"}', 0)")
    db.execute(
        "INSERT INTO log (session_id, user_id, time, speaker, text, intent, confidence, skill, locale, "
        "channel, handed_over) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        LOG,
    )
    url = _closed_and_upgraded(db, tmp_path, path, 1)
    assert "already; nothing to do" in _migrate(tmp_path, url)
    _check_kept_and_usable(url)


def test_a_version_1_postgresql_database_upgrades_without_loss(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    with _postgres_at(postgres, 1) as (url, conn):
        columns = "id, user_id, skill, locale, channel, attributes, dialog, history"
        conn.execute(
            f"INSERT INTO sessions ({columns}, created_at, updated_at, expires_at, ttl, handed_over, "
            f"ended, version) VALUES ({', '.join(['%s'] * 15)})",
            (*SESSION, *SESSION_TIMES),
        )
        conn.execute("INSERT INTO users VALUES ('u1', '{\"name\": \"Anneke\"}', 0)")
        conn.execute(
            "INSERT INTO log (session_id, user_id, time, speaker, text, intent, confidence, skill, "
            "locale, channel, handed_over) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            LOG,
        )
    output = _migrate(tmp_path, url)
    assert output.strip() == f"upgraded the store from schema version 1 to {POSTGRES_VERSION}"
    assert "already; nothing to do" in _migrate(tmp_path, url)
    with psycopg.connect(url) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, POSTGRES_VERSION + 1))
    _check_kept_and_usable(url)


ANSWERS_BY_REQUEST = (
    "CREATE TABLE answers (request_id text PRIMARY KEY, session_id text NOT NULL, reply text NOT NULL, "
    "time double precision NOT NULL)"
)
"""The replies as SQLite's version 2 and 3 and PostgreSQL's version 2 to 4 keyed them: by request id alone."""


def _check_replies_keyed_by_session(url: str) -> None:
    """The reply kept before the upgrade stays; the same request id in another session is another reply."""
    with open_store(url, clock=lambda: START) as store:
        assert store.answered("req-1", "s1") == {"speech": "kept"}
        other = Session.new(
            id="s2", user_id="u2", skill="cs", locale="nl", channel="alexa", now=START, ttl=60
        )
        store.save(other, answer=("req-1", {"speech": "other"}))
        assert store.answered("req-1", "s1") == {"speech": "kept"}
        assert store.answered("req-1", "s2") == {"speech": "other"}


def test_a_version_3_sqlite_file_keys_its_replies_by_session(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    open_store(f"sqlite:///{path}").close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE answers")
    db.execute(ANSWERS_BY_REQUEST)
    db.execute("INSERT INTO answers VALUES ('req-1', 's1', '{\"speech\": \"kept\"}', ?)", (START,))
    db.execute("PRAGMA user_version = 3")
    _check_replies_keyed_by_session(_closed_and_upgraded(db, tmp_path, path, 3))


def test_a_version_4_postgresql_database_keys_its_replies_by_session(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    with _postgres_at(postgres, 4) as (url, conn):
        conn.execute("INSERT INTO answers VALUES ('req-1', 's1', '{\"speech\": \"kept\"}', %s)", (START,))
    output = _migrate(tmp_path, url)
    assert output.strip() == f"upgraded the store from schema version 4 to {POSTGRES_VERSION}"
    _check_replies_keyed_by_session(url)


def test_a_version_4_sqlite_file_gets_the_index_of_the_users_purge_on_open(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    open_store(f"sqlite:///{path}").close()
    db = sqlite3.connect(path)
    db.execute("DROP INDEX users_by_update")
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    with open_store(f"sqlite:///{path}") as store:
        found = store.select("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'")
    assert ("users_by_update",) in found


def test_a_version_5_postgresql_database_gets_the_index_of_the_users_purge_on_open(
    postgres: PostgresServer,
) -> None:
    with _postgres_at(postgres, 5) as (url, _):
        pass
    with open_store(url) as store:
        found = store.select("SELECT indexname FROM pg_indexes WHERE tablename = 'users'")
    assert ("users_by_update",) in found


def test_a_newer_postgresql_database_is_refused(postgres: PostgresServer) -> None:
    url = postgres.new_database()
    with open_store(url):
        pass
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(Exception, match="schema version 99"):
        open_store(url)


def _closed_and_upgraded(db: sqlite3.Connection, tmp_path: Path, path: Path, version: int) -> str:
    """Commit and close the old file written by hand, upgrade it with ``voice data migrate``; its URL."""
    db.commit()
    db.close()
    url = f"sqlite:///{path}"
    upgraded = f"upgraded the store from schema version {version} to {SQLITE_VERSION}"
    assert _migrate(tmp_path, url).strip() == upgraded
    return url


@contextmanager
def _postgres_at(postgres: PostgresServer, version: int) -> Iterator[tuple[str, psycopg.Connection[Any]]]:
    """A new database at schema ``version``, and a connection to write its old rows by hand."""
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        assert migrate(conn, target=version) == (0, version)
        yield url, conn
