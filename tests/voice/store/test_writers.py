"""The writers of one SQLite file take turns through its lock file, not SQLite's sleeping busy handler.

Across threads and processes every commit lands once; a writer that waits too long gets a ``BusyError``
and writes nothing; a killed writer leaves the database writable.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from voice.store import LogEntry, Speaker, SqliteStore
from voice.store.base import BusyError, StoreError

from .samples import START, in_a_fresh_process, run_forked


def _entry(session_id: str, n: int) -> LogEntry:
    return LogEntry(
        session_id=session_id, user_id="u1", time=START + n, speaker=Speaker.USER, text=f"turn {n}"
    )


def _write_turns(store: SqliteStore, writer: str, turns: int) -> None:
    for n in range(turns):
        store.log_turn(_entry(writer, n))


def _process_writing_turns(path: Path, writer: str, turns: int) -> None:
    with SqliteStore(path) as store:
        _write_turns(store, writer, turns)


def test_threads_and_processes_writing_at_once_keep_every_row(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SqliteStore(path)  # the threads share it, as a server's do
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_process_writing_turns, args=(path, f"p{n}", 200)) for n in range(2)]
    threads = [threading.Thread(target=_write_turns, args=(store, f"t{n}", 200)) for n in range(4)]
    for process in processes:
        process.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for process in processes:
        process.join(60)
    assert all(process.exitcode == 0 for process in processes)
    rows = store.read_log()
    store.close()
    assert len(rows) == 6 * 200
    assert {(row.session_id, row.text) for row in rows} == {
        (writer, f"turn {n}") for writer in ("p0", "p1", "t0", "t1", "t2", "t3") for n in range(200)
    }


@contextmanager
def _held_by_a_thread(lock: AbstractContextManager[object]) -> Iterator[None]:
    """Another thread of this process holds ``lock`` for the block."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


def test_a_thread_writes_after_the_writer_before_it(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "sessions.db")
    asking, written = threading.Event(), threading.Event()
    times: dict[str, float] = {}

    def second_writer() -> None:
        times["asked"] = time.monotonic()
        asking.set()  # however late this thread started, it writes only now
        store.log_turn(_entry("second", 1))
        times["wrote"] = time.monotonic()
        written.set()

    with _held_by_a_thread(store._db.sessions.hold_writer(timeout=5)):  # noqa: SLF001  (a commit in progress)
        second = threading.Thread(target=second_writer)
        second.start()
        assert asking.wait(10)
        assert not written.wait(0.3), "the second writer did not wait for the first"
        released = time.monotonic()
    second.join()
    assert written.is_set() and [row.session_id for row in store.read_log()] == ["second"]
    assert times["asked"] < released <= times["wrote"], "the second writer wrote while the first held it"
    store.close()


def _hold_the_writer(path: Path, ready: object, seconds: float) -> None:
    store = SqliteStore(path)
    with store._db.sessions.hold_writer(timeout=5):  # noqa: SLF001  (what a long commit does)
        ready.set()  # type: ignore[attr-defined]
        time.sleep(seconds)
    store.close()


def _writer_held_elsewhere(path: Path, seconds: float) -> multiprocessing.process.BaseProcess:
    """Another process that holds the writer's turn for ``seconds``, once it holds it."""
    SqliteStore(path).close()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_the_writer, args=(path, ready, seconds))
    holder.start()
    assert ready.wait(30)
    return holder


def test_a_writer_kept_waiting_too_long_is_busy_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    holder = _writer_held_elsewhere(path, 2.0)
    with SqliteStore(path, busy_timeout=0.2) as store:
        with pytest.raises(BusyError, match="other writers held the session database for over 0.2 s"):
            store.log_turn(_entry("s1", 1))
        holder.join(30)
        store.log_turn(_entry("s1", 2))  # free again once the holder is done
        assert [row.text for row in store.read_log()] == ["turn 2"]


def test_a_killed_writer_leaves_the_database_writable(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    holder = _writer_held_elsewhere(path, 60.0)
    holder.kill()
    holder.join(30)
    with SqliteStore(path, busy_timeout=5) as store:
        store.log_turn(_entry("s1", 1))
        assert len(store.read_log()) == 1


def _write_one(store: SqliteStore, report: Connection) -> None:
    report.send(("asking", time.monotonic()))
    store.log_turn(_entry("child", 1))
    report.send(("wrote", time.monotonic()))


def test_a_child_forked_while_a_thread_writes_can_write(tmp_path: Path) -> None:
    in_a_fresh_process(_fork_while_a_thread_writes, tmp_path)  # no other test's thread in SQLite at the fork


def _fork_while_a_thread_writes(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "sessions.db", busy_timeout=5)
    context = multiprocessing.get_context("fork")
    reports, report = context.Pipe(duplex=False)
    with _held_by_a_thread(store._db.sessions.hold_writer(timeout=5)):  # noqa: SLF001  (a commit in progress)
        child = context.Process(target=_write_one, args=(store, report))
        child.start()
        # The child says when it asks (however slowly it started), so it surely asks while this
        # process's thread holds the writer; then a moment for it to wait for the writer byte.
        assert reports.poll(30)
        what, asked = reports.recv()
        assert what == "asking"
        time.sleep(0.3)
        released = time.monotonic()
    child.join(30)
    assert child.exitcode == 0, "the child inherited the parent's held writer lock"
    assert reports.poll(5)
    what, wrote = reports.recv()
    assert what == "wrote"
    assert asked < released <= wrote, "the child wrote while this process's thread held the writer"
    assert [row.session_id for row in store.read_log()] == ["child"]
    store.close()


def _hold_sqlite_lock(path: Path, ready: object, seconds: float) -> None:
    """A process that does not take turns through the lock file (a backup tool, the sqlite3 shell)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    ready.set()  # type: ignore[attr-defined]
    time.sleep(seconds)
    db.execute("ROLLBACK")
    db.close()


def test_waiting_for_the_turns_and_for_sqlite_share_one_timeout(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    store = SqliteStore(path, busy_timeout=1.0)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    outsider = context.Process(target=_hold_sqlite_lock, args=(path, ready, 5.0))
    outsider.start()
    assert ready.wait(30)
    waited: dict[str, float] = {}

    def write(name: str) -> None:
        started = time.monotonic()
        with pytest.raises(BusyError):
            store.log_turn(_entry(name, 1))
        waited[name] = time.monotonic() - started

    first = threading.Thread(target=write, args=("first",))
    first.start()
    time.sleep(0.2)  # the first writer waits inside SQLite now, holding the turn of this file's writers
    write("second")
    first.join()
    outsider.join(30)
    assert waited["second"] < 1.6, f"the second writer waited {waited['second']:.2f} s for a 1 s timeout"
    store.log_turn(_entry("after", 1))
    assert [row.session_id for row in store.read_log()] == ["after"]
    store.close()


def test_a_lock_file_that_cannot_be_opened_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def refusing(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".locks"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refusing)
    started = time.monotonic()
    with pytest.raises(
        StoreError, match=r"cannot open the lock file .*sessions\.db\.locks .*Permission denied"
    ):
        SqliteStore(tmp_path / "sessions.db", busy_timeout=5)
    assert time.monotonic() - started < 2, "it waited for a lock it could never take"


def _take_a_session_and_write(store: SqliteStore) -> None:
    with store.lock_session("s1", timeout=5):
        store.log_turn(_entry("child", 1))


def test_a_child_forked_while_a_thread_held_the_locks_table_can_take_turns(tmp_path: Path) -> None:
    in_a_fresh_process(_fork_while_a_thread_holds_the_locks_table, tmp_path)  # as above


def _fork_while_a_thread_holds_the_locks_table(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "sessions.db")
    with _held_by_a_thread(store._db.sessions._mutex):  # noqa: SLF001  (between two lock-table updates)
        run_forked(
            _take_a_session_and_write,
            store,
            hung="the child waited forever for a lock its parent's thread held at the fork",
        )
    assert [row.session_id for row in store.read_log()] == ["child"]
    store.close()
