"""The store's part in "one turn at a time per session, and each platform request once" (issue 12).

Contract tests, run against every store of ``STORE_URLS``; the test across processes needs a store
that several processes share (a file), so it runs on the stores whose URL names one.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest

from voice.store import Session, Store, open_store
from voice.store.base import REQUEST_MEMORY_S, BusyError

from .samples import START, FakeClock


def _hold_in_turn(store: Store, session_id: str, seconds: float, inside: list[int], peak: list[int]) -> None:
    with store.lock_session(session_id, timeout=10):
        inside.append(1)
        peak.append(len(inside))
        time.sleep(seconds)
        inside.pop()


def test_turns_of_one_session_take_turns(store: Store) -> None:
    inside: list[int] = []
    peak: list[int] = []
    threads = [
        threading.Thread(target=_hold_in_turn, args=(store, "s1", 0.02, inside, peak)) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(peak) == 8 and max(peak) == 1


def test_different_sessions_do_not_wait_for_each_other(store: Store) -> None:
    with store.lock_session("s1", timeout=1):
        started = time.monotonic()
        with store.lock_session("s2", timeout=1):
            pass
        assert time.monotonic() - started < 0.9  # below the 1 s timeout: s2 did not wait for s1


def test_a_free_session_is_taken_at_the_first_try(store: Store) -> None:
    """Even as the store's first use: a try (``timeout`` 0) waits for a connection, not for the session."""
    with store.lock_session("s1", timeout=0):
        pass


def test_a_session_held_too_long_is_busy(store: Store) -> None:
    release = threading.Event()
    held = threading.Event()

    def holder() -> None:
        with store.lock_session("s1", timeout=1):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    for timeout in (0.1, 0.0):  # 0: one try, as the dialog's before it waits
        with pytest.raises(BusyError, match="session s1 stayed busy"), store.lock_session("s1", timeout):
            pass
    release.set()
    thread.join()
    with store.lock_session("s1", timeout=0):  # free again: taken at the first try
        pass


def test_a_reply_saved_with_its_request_is_found_again(store: Store, clock: FakeClock) -> None:
    session = Session.new(id="s1", user_id="u1", skill="", locale="en", channel="alexa", now=START, ttl=600)
    store.save(session, answer=("req-1", {"speech": "Done!"}))
    assert store.answered("req-1", "s1") == {"speech": "Done!"} and store.answered("req-2", "s1") is None
    assert store.answered("req-1", "another session") is None, "a reply is only given back to its own session"
    clock.advance(REQUEST_MEMORY_S + 1)
    store.purge_expired()
    assert store.answered("req-1", "s1") is None


def test_the_same_request_id_in_two_sessions_keeps_both_replies(store: Store, clock: FakeClock) -> None:
    """Request ids are the platform's: another session sending one again does not take the first
    session's reply, so a retry there is still answered without a second turn; each is purged on its own."""
    for session_id in ("s1", "s2"):
        session = Session.new(
            id=session_id, user_id="u1", skill="", locale="en", channel="alexa", now=clock(), ttl=600
        )
        store.save(session, answer=("req-1", {"speech": session_id}))
        clock.advance(REQUEST_MEMORY_S / 2)
    assert store.answered("req-1", "s1") == {"speech": "s1"}
    assert store.answered("req-1", "s2") == {"speech": "s2"}
    clock.advance(1)
    store.purge_expired()
    assert store.answered("req-1", "s1") is None and store.answered("req-1", "s2") == {"speech": "s2"}


def _other_process(url: str, session_id: str, log: object) -> None:
    store = open_store(url)
    log.put(("asking", time.monotonic()))  # type: ignore[attr-defined]
    with store.lock_session(session_id, timeout=10):
        log.put(("entered", time.monotonic()))  # type: ignore[attr-defined]
    store.close()


def test_processes_sharing_a_file_take_turns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    context = multiprocessing.get_context("spawn")
    log = context.Queue()
    with open_store(url) as store:
        with store.lock_session("s1", timeout=1):
            other = context.Process(target=_other_process, args=(url, "s1", log))
            other.start()
            # The other process says when it asks for s1 (however slowly it started), so it surely
            # asked while this one holds it; then a moment for it to be waiting inside the lock.
            what, asked = log.get(timeout=30)
            assert what == "asking"
            time.sleep(0.3)
            released = time.monotonic()
        what, entered = log.get(timeout=30)
        assert what == "entered"
        other.join(30)
    assert asked < released <= entered, "the other process got s1 while this one held it"
    assert other.exitcode == 0


def test_a_killed_process_leaves_no_session_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_forever, args=(url, ready))
    holder.start()
    assert ready.wait(30)
    holder.kill()
    holder.join(30)
    with open_store(url) as store, store.lock_session("s1", timeout=5):
        pass


def _hold_forever(url: str, ready: object) -> None:
    store = open_store(url)
    with store.lock_session("s1", timeout=10):
        ready.set()  # type: ignore[attr-defined]
        time.sleep(60)
