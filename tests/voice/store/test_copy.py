"""``voice data copy``: SQLite to PostgreSQL and back, resumable, verified (voice/store/copy.py).

The suite copies a 10,000-turn store; ``bench/data_copy.py`` does the same with 100,000 turns.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from postgres_server import PostgresServer
from store_bulk import fill_sqlite

from voice.cli import cli
from voice.store import open_store
from voice.store.copy import copy_store

TURNS = 10_000


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 10,000-turn SQLite store, written once for the module (the tests only read it)."""
    path = tmp_path_factory.mktemp("copy") / "source.db"
    fill_sqlite(path, TURNS)
    return path


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of an SQLite store, by primary key; user attributes parsed (the
    copy through PostgreSQL's jsonb keeps their values, not their spacing and key order)."""
    with closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall()) for table in tables}
    found["users"] = [(id_, json.loads(attributes), at) for id_, attributes, at in found["users"]]
    return found


def test_a_store_copied_to_postgresql_and_back_is_the_same(
    filled: Path, postgres: PostgresServer, tmp_path: Path
) -> None:
    target = postgres.new_database()
    there = copy_store(f"sqlite:///{filled}", target)
    back = copy_store(target, f"sqlite:///{tmp_path / 'back.db'}")
    assert there.ok and back.ok
    counts = {result.table: result.target.rows for result in there.tables}
    assert counts["log"] == TURNS and counts["sessions"] == TURNS // 10 and counts["answers"] == TURNS // 2
    assert counts["outbox"] == TURNS // 200 and counts["users"] == TURNS // 20
    assert [r.source for r in there.tables] == [r.target for r in back.tables]  # checksums, both ways
    assert _rows(filled) == _rows(tmp_path / "back.db")
    with open_store(target) as store:  # the copy is a working store: readable, and it numbers on
        assert len(store.read_log(session_id="session-7")) == 10
        assert store.outbox_counts() == {"pending": TURNS // 200 - TURNS // 400, "delivered": TURNS // 400}
        assert store.sessions_of("user-0")[1].history[0].text == "café ’t Hoekje, 'quoted' \"twice\""
        store.log_turn(store.read_log(session_id="session-7")[0])
        assert len(store.read_log()) == TURNS + 1


def test_an_interrupted_copy_continues_where_it_stopped(filled: Path, postgres: PostgresServer) -> None:
    whole, target = postgres.new_database(), postgres.new_database()
    reference = copy_store(f"sqlite:///{filled}", whole)
    stopped = copy_store(f"sqlite:///{filled}", target, batch_rows=1000, stop_after=9)
    assert not stopped.complete and not stopped.ok
    resumed = copy_store(f"sqlite:///{filled}", target, batch_rows=1000)
    assert resumed.ok
    assert [r.target for r in resumed.tables] == [r.target for r in reference.tables]
    total = sum(result.source.rows for result in resumed.tables)
    assert sum(result.copied for result in resumed.tables) == total - 9000  # nothing written twice
    again = copy_store(f"sqlite:///{filled}", target, restart=True)  # everything again: no duplicates
    assert again.ok and [r.target for r in again.tables] == [r.target for r in reference.tables]
    assert sum(result.copied for result in again.tables) == total


def test_a_table_a_later_schema_adds_is_copied_too(postgres: PostgresServer, tmp_path: Path) -> None:
    source, target = tmp_path / "source.db", postgres.new_database()
    open_store(f"sqlite:///{source}").close()
    open_store(target).close()
    with closing(sqlite3.connect(source)) as db, db:
        db.execute(
            "CREATE TABLE extra (day INTEGER, name TEXT, flag INTEGER NOT NULL, doc TEXT, "
            "PRIMARY KEY (day, name))"
        )
        db.executemany(
            "INSERT INTO extra VALUES (?, ?, ?, ?)",
            [(d, f"n{d % 7}é", d % 2, '{"b": 1, "a": [2]}') for d in range(2500)],
        )
    with psycopg.connect(target) as server:
        server.execute(
            "CREATE TABLE extra (day integer, name text, flag boolean NOT NULL, doc jsonb, "
            "PRIMARY KEY (day, name))"
        )
    report = copy_store(f"sqlite:///{source}", target, batch_rows=1000)
    assert report.ok and {r.table: r.copied for r in report.tables}["extra"] == 2500
    back = tmp_path / "back.db"
    open_store(f"sqlite:///{back}").close()
    with closing(sqlite3.connect(back)) as db, db:
        db.execute(
            "CREATE TABLE extra (day INTEGER, name TEXT, flag INTEGER, doc TEXT, PRIMARY KEY (day, name))"
        )
    assert copy_store(target, f"sqlite:///{back}", batch_rows=700).ok
    with closing(sqlite3.connect(back)) as db:
        assert db.execute("SELECT * FROM extra WHERE day = 3").fetchone() == (
            3,
            "n3é",
            1,
            '{"a": [2], "b": 1}',
        )


def test_voice_data_copy_prints_the_checks_and_fails_on_a_difference(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    source, target = tmp_path / "source.db", postgres.new_database()
    fill_sqlite(source, 200)
    done = CliRunner().invoke(cli, ["data", "copy", f"sqlite:///{source}", target])
    assert done.exit_code == 0, done.output
    assert "copied and verified" in done.output and "DIFFERENT" not in done.output
    assert any(line.split()[:4] == ["log", "200", "200", "200"] for line in done.output.splitlines())
    with psycopg.connect(target) as db:
        db.execute("UPDATE log SET text = 'changed' WHERE seq = 5")
    differs = CliRunner().invoke(cli, ["data", "copy", f"sqlite:///{source}", target])
    assert differs.exit_code == 1
    assert any(line.startswith("log ") and line.endswith("DIFFERENT") for line in differs.output.splitlines())
    same = CliRunner().invoke(cli, ["data", "copy", target, target])
    assert same.exit_code != 0 and "the same store" in same.output


def test_voice_data_copy_aligns_its_table_and_counts_one_row_as_one(tmp_path: Path) -> None:
    """'dashboard_settings' ran into the next column, and a table of one row said '1 rows copied'."""
    source, target = tmp_path / "source.db", tmp_path / "target.db"
    with open_store(f"sqlite:///{source}") as store:
        store.save_user("u1", {"name": "Anneke"})
    missing = {
        "VOICE_CONFIG": str(tmp_path / "moved.toml")
    }  # the copy reads the config for its language only
    done = CliRunner(env=missing).invoke(cli, ["data", "copy", f"sqlite:///{source}", f"sqlite:///{target}"])
    assert done.exit_code == 0, done.output
    assert done.stderr == "users: 1 row copied\n"
    header, *rows, verdict = done.stdout.splitlines()
    end = header.index("copied") + len("copied")  # where the right-aligned numbers of that column end
    assert {row.split()[0] for row in rows} >= {"dashboard_settings", "users"}
    assert all(re.fullmatch(r"\S+ +\d+", row[:end]) and row[end] == " " for row in rows), done.stdout
    assert verdict == f"copied and verified {len(rows)} tables"
