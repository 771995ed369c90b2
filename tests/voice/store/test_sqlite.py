"""What only the SQLite store has: its file, its URLs, its checkpoints, several processes at once."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import voice.store.base
import voice.store.sqlite
from voice.errors import ConfigError
from voice.store import (
    HISTORY_LIMIT,
    LogEntry,
    Session,
    Speaker,
    SqliteStore,
    Store,
    StoreError,
    TurnRecord,
    open_store,
)
from voice.store.checkpoint import Checkpointer

from .samples import START, FakeClock, in_a_fresh_process, run_forked

ROOT = Path(__file__).resolve().parents[3]
WORKER = Path(__file__).with_name("store_worker.py")


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "state" / "sessions.db", clock=clock) as opened:
        yield opened


def _start(store: Store, session_id: str = "s1", ttl: float = 600) -> Session:
    return store.load_or_start(session_id, user_id="u1", skill="cs", locale="nl", channel="alexa", ttl=ttl)


def test_wal_mode_and_schema_version(store: SqliteStore) -> None:
    db = sqlite3.connect(store.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == voice.store.sqlite.SCHEMA_VERSION == 5
    finally:
        db.close()


def test_a_reopened_file_keeps_everything(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "sessions.db"
    with SqliteStore(path, clock=clock) as store:
        saved = store.record_turn(_start(store).id, TurnRecord(time=START, speaker=Speaker.USER, text="hoi"))
        store.save_user("u1", {"name": "Anneke"})
    with SqliteStore(path, clock=clock) as store:
        assert store.load("s1") == saved and store.get_user("u1") == {"name": "Anneke"}
        assert [e.text for e in store.read_log()] == ["hoi"]


def test_memory_stores_are_private(clock: FakeClock) -> None:
    with open_store("sqlite://:memory:", clock=clock) as first, open_store("sqlite://:memory:") as second:
        _start(first)
        assert second.load("s1") is None


def test_purges_delete_in_batches_until_nothing_is_left(
    store: SqliteStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(voice.store.base, "PURGE_BATCH_ROWS", 3)
    for n in range(10):
        store.log_turn(
            LogEntry(session_id="a", user_id="u1", time=START - 86400, speaker=Speaker.USER, text=f"{n}")
        )
        _start(store, f"s{n}", ttl=60)
    store.log_turn(LogEntry(session_id="b", user_id="u1", time=START, speaker=Speaker.USER, text="recent"))
    assert store.purge_log(retention_days=0.5) == 10
    assert [e.text for e in store.read_log()] == ["recent"]
    clock.advance(120)
    assert store.purge_expired() == 10
    assert store.sessions_of("u1") == ()


def test_a_turns_save_rewrites_no_entry_of_the_users_index(store: SqliteStore) -> None:
    """A saved session keeps its user from turn to turn, so its save leaves ``sessions_by_user`` alone (a
    page less to commit per turn); a session given to another user is found under that user all the same."""
    session = _start(store)
    db = store._db.own_connection()
    index = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sessions_by_user'").fetchone()[0]
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    try:
        session = store.save(session.with_attributes({"n": 1}))
    finally:
        db.set_trace_callback(None)
    updates = [statement for statement in statements if statement.startswith("UPDATE sessions")]
    written = {
        row[3] for update in updates for row in db.execute(f"EXPLAIN {update}") if row[1] == "OpenWrite"
    }
    assert updates and index not in written
    store.update(session.id, lambda loaded: replace(loaded, user_id="u2"))
    assert [found.id for found in store.sessions_of("u2")] == ["s1"] and store.sessions_of("u1") == ()


def test_a_background_thread_checkpoints_the_wal_soon_after_writes(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    before = _checkpoint_threads()  # other tests' stores may still be open
    with SqliteStore(path) as store:
        for n in range(300):  # about 300 pages: well under the turns' own safety-net checkpoint
            session = _start(store, f"s{n}")
            store.save(session.with_attributes({"note": "x" * 1000}))
        deadline = time.monotonic() + 10
        while path.stat().st_size < 300_000 and time.monotonic() < deadline:
            time.sleep(0.05)  # the pages are still only in the write-ahead log
        assert path.stat().st_size >= 300_000, "no checkpoint copied the log into the database file"
        assert len(_checkpoint_threads() - before) == 1
    assert _checkpoint_threads() <= before  # close stops it


def _checkpoint_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == "voice-store-checkpoint"}


def test_closing_the_store_while_a_thread_runs_a_statement_lets_it_finish(tmp_path: Path) -> None:
    """Closing closed every connection of the process, also one a background purge was stepping
    through: the process crashed (a segmentation fault, 2 runs of 3 here). In a fresh process, so that
    a crash fails this test and not the test worker."""
    in_a_fresh_process(_close_while_a_thread_reads, tmp_path)


def _close_while_a_thread_reads(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "sessions.db")
    reading, counted = threading.Event(), []

    def count_long() -> None:
        with store._db.read() as db:  # noqa: SLF001  (a statement that runs long enough to close under)
            reading.set()
            counted.append(db.execute(COUNT_TO_3_MILLION).fetchone()[0])

    reader = threading.Thread(target=count_long)
    reader.start()
    assert reading.wait(10)
    time.sleep(0.05)
    store.close()
    reader.join()
    assert counted == [3_000_000]
    with pytest.raises(StoreError, match="closed"):
        store.read_log()


COUNT_TO_3_MILLION = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT count(*) FROM n"
)


def _open_and_read(path: Path) -> None:
    sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchone()


def test_a_child_forked_while_the_checkpoint_thread_works_can_use_sqlite(tmp_path: Path) -> None:
    """A fork while the thread was inside SQLite left the child waiting forever at its first SQLite call
    (SQLite's mutexes do not survive a fork): without the guard, every run here had such a child. In a
    fresh process: another test's thread inside SQLite at a fork would hang the child as well."""
    in_a_fresh_process(_fork_while_the_checkpoint_thread_works, tmp_path)


def _fork_while_the_checkpoint_thread_works(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    SqliteStore(path).close()
    checkpointer, busy = Checkpointer(path, delay=0), threading.Event()

    def keep_it_checkpointing() -> None:
        while not busy.is_set():
            checkpointer.written()
            time.sleep(0)

    nudger = threading.Thread(target=keep_it_checkpointing)
    nudger.start()
    try:
        for _ in range(60):
            run_forked(
                _open_and_read,
                path,
                hung="the child waited for a lock SQLite held in the parent's checkpoint thread",
            )
    finally:
        busy.set()
        nudger.join()
        checkpointer.stop()


def test_paths_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError, match="cannot create the folder"):
        SqliteStore(tmp_path / "a-file" / "sessions.db")
    with pytest.raises(StoreError, match="cannot open the session database"):
        SqliteStore(tmp_path)


def test_a_file_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(path)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("redis://localhost", "scheme 'redis' is not supported"),
        ("sessions.db", "has no scheme"),
        ("sqlite://", "names no file"),
    ],
    ids=["redis", "no-scheme", "no-path"],
)
def test_bad_urls(url: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as caught:
        open_store(url)
    assert "secret" not in str(caught.value)


def test_urls_that_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(f"sqlite://{tmp_path}/a/b.db") as store:
        assert isinstance(store, SqliteStore) and store.path == tmp_path / "a" / "b.db"
        _start(store)
    assert (tmp_path / "a" / "b.db").exists()
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite://relative/c.db") as store:
        _start(store)
    assert (tmp_path / "relative" / "c.db").exists()
    with open_store("SQLite://:memory:") as store:
        assert isinstance(store, SqliteStore) and store.path == ":memory:"


def test_processes_writing_the_same_file_lose_nothing(tmp_path: Path) -> None:
    """Separate processes append to one session (and each to its own) at the same time."""
    database, go_file, workers, turns = tmp_path / "shared.db", tmp_path / "go", 4, 150
    with SqliteStore(database) as store:
        store.load_or_start("shared", user_id="caller", skill="demo", locale="nl", channel="alexa")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(database), str(w), str(turns), str(go_file)], env=env
        )
        for w in range(workers)
    ]
    go_file.touch()
    assert [child.wait(timeout=60) for child in children] == [0] * workers

    expected = Counter(f"{w}:{n}" for w in range(workers) for n in range(turns))
    with SqliteStore(database) as store:
        shared = store.load("shared")
        logged = [entry.text for entry in store.read_log(session_id="shared")]  # in the order of the commits
        assert shared is not None and shared.version == 1 + workers * turns
        assert Counter(logged) == expected
        assert [turn.text for turn in shared.history] == logged[-HISTORY_LIMIT:]
        writers = [text.split(":")[0] for text in logged]
        switches = sum(a != b for a, b in itertools.pairwise(writers))
        assert switches > workers, "the workers did not write at the same time"
        for w in range(workers):
            own = store.load(f"own-{w}")
            assert own is not None and [t.text for t in own.history] == [
                f"{w}:{n}" for n in range(turns - HISTORY_LIMIT, turns)
            ]


def test_a_version_1_file_is_upgraded_without_loss(tmp_path: Path) -> None:
    """Version 2 adds the replies of platform requests; the sessions, users and log of version 1 stay."""
    path = tmp_path / "old.db"
    with SqliteStore(path) as store:
        store.save(
            Session.new(id="s1", user_id="u1", skill="", locale="nl", channel="alexa", now=1.0, ttl=1e9)
        )
        store.save_user("u1", {"name": "anna"})
    db = sqlite3.connect(path)
    db.execute("DROP TABLE answers")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with SqliteStore(path) as store:
        assert store.load("s1") is not None and store.get_user("u1") == {"name": "anna"}
        assert store.answered("r1", "s1") is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 5
    db.close()
