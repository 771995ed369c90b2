"""A turn outlasts another process's write lock held longer than the store's busy_timeout (issue 12).

Before, the turn's commit gave up at the store's first busy_timeout: with a 10 s lock and a 10 s
busy_timeout, turns whose callers had heard "one moment" were lost (3 of 4 through gunicorn).
Now the turn tries its commit again while it may still wait (``TURN_WAIT_S``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice import Router, Turn, load_skill
from voice.analytics.kpis import read_totals
from voice.analytics.period import Filters
from voice.dialog import Dialog, HandoffPolicy
from voice.dialog.deadline import wait_for_turns
from voice.store import Speaker, SqliteStore

HOURS = "We are open Monday"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "sessions.db", busy_timeout=0.2) as found:
        yield found


def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another connection holds SQLite's write lock for ``seconds`` (returns once it holds it)."""
    held = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        db.execute("COMMIT")
        db.close()

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    return thread


def test_a_turn_commits_after_a_lock_longer_than_busy_timeout(store: SqliteStore) -> None:
    dialog = Dialog(Router([load_skill("customer_service")]), store)
    assert isinstance(store.path, Path)
    holder = _hold_write_lock(store.path, 0.7)  # three and a half busy_timeouts
    reply = dialog.respond(Turn(text="what are your opening hours", locale="en", session_id="s1"))
    holder.join()
    assert reply.text.startswith(HOURS)
    saved = store.load("s1")
    assert saved is not None
    # The retried commit keeps the whole turn, once: in the history and in the conversation log.
    turn = [(Speaker.USER, "what are your opening hours"), (Speaker.ASSISTANT, reply.text)]
    assert [(said.speaker, said.text) for said in saved.history] == turn
    assert [(row.speaker, row.text) for row in store.read_log(session_id="s1")] == turn


def test_a_late_turn_under_a_long_lock_is_told_at_the_next_turn(store: SqliteStore) -> None:
    dialog = Dialog(Router([load_skill("customer_service")]), store)
    assert isinstance(store.path, Path)
    holder = _hold_write_lock(store.path, 0.9)
    late = dialog.respond(
        Turn(
            text="what are your opening hours", locale="en", session_id="s2", deadline=time.monotonic() + 0.5
        )
    )
    holder.join()
    assert wait_for_turns(10)  # the late turn committed once the lock was gone
    assert late.text.startswith("One moment")
    nxt = dialog.respond(Turn(text="how can i contact you", locale="en", session_id="s2"))
    assert nxt.text.startswith(f"Here is the answer to your earlier question. {HOURS}"), nxt.text
    saved = store.load("s2")
    assert saved is not None
    # Both turns once each, as the caller heard them, in the history and in the log (whose text is
    # redacted: the contact details are not spelled out): "one moment", then the answer with the next.
    for kept in (saved.history, store.read_log(session_id="s2")):
        assert [row.speaker for row in kept] == [Speaker.USER, Speaker.ASSISTANT] * 2, kept
        assert kept[0].text == "what are your opening hours" and kept[1].text.startswith("One moment"), kept
        assert kept[2].text == "how can i contact you", kept
        assert kept[3].text.startswith(f"Here is the answer to your earlier question. {HOURS}"), kept


@pytest.mark.parametrize("busy_timeout", [0.2, 5.0], ids=["commit-tried-again", "one-long-wait"])
def test_a_handoff_whose_commit_outlasts_the_deadline_is_told_and_kept(
    tmp_path: Path, busy_timeout: float
) -> None:
    """The turn decided a handoff (a reply that ends the call) before its deadline, and its commit waited
    for the lock past it: the caller heard "one moment". The session must not end on a reply nobody
    heard: the next turn tells it, in the same handed-over session, and its record is in the outbox
    once (no sink is set: it waits there). The commit learns of the deadline when it tries again, or
    (one wait longer than the deadline) right after it, while the turn still holds its session."""
    store = SqliteStore(tmp_path / "sessions.db", busy_timeout=busy_timeout)
    # a gateway puts the call through (``transfer_to``): a person is reachable, and no sink is set
    policy = HandoffPolicy(transfer_to="+31201234567")
    dialog = Dialog(Router([load_skill("customer_service")]), store, policy=policy)
    assert isinstance(store.path, Path)
    holder = _hold_write_lock(store.path, 0.9)
    late = dialog.respond(
        Turn(text="i want to talk to a person", locale="en", session_id="s3", deadline=time.monotonic() + 0.5)
    )
    holder.join()
    assert wait_for_turns(10)
    assert late.text.startswith("One moment")
    nxt = dialog.respond(Turn(text="hello?", locale="en", session_id="s3"))
    assert nxt.text.startswith("Here is the answer to your earlier question. I'll put you through"), nxt.text
    assert nxt.end_session and nxt.handoff
    saved = store.load("s3")
    assert saved is not None and saved.handed_over and saved.dialog.pending_reply is None
    assert [row.text for row in saved.history][::2] == ["i want to talk to a person", "hello?"]
    assert [item.kind for item in store.claim_outbox(time.time() + 1, limit=10, lease_s=1)] == ["handoff"]
    store.close()


@pytest.mark.parametrize("busy_timeout", [0.2, 5.0], ids=["commit-tried-again", "one-long-wait"])
def test_a_turn_whose_commit_outlasts_the_deadline_counts_as_an_overrun(
    tmp_path: Path, busy_timeout: float
) -> None:
    """The turn was answered in time, but its commit waited for the lock past the deadline: the caller
    heard "one moment", and the turn's signals row and the KPI counts say so, whether the commit learns
    it as it tries again or after its one long wait."""
    store = SqliteStore(tmp_path / "sessions.db", busy_timeout=busy_timeout)
    # a gateway puts the call through (``transfer_to``): a person is reachable, and no sink is set
    policy = HandoffPolicy(transfer_to="+31201234567")
    dialog = Dialog(Router([load_skill("customer_service")]), store, policy=policy)
    assert isinstance(store.path, Path)
    holder = _hold_write_lock(store.path, 0.9)
    deadline = time.monotonic() + 0.5
    late = dialog.respond(
        Turn(text="what are your opening hours", locale="en", session_id="s4", deadline=deadline)
    )
    holder.join()
    assert wait_for_turns(10)
    assert late.text.startswith("One moment")
    dialog.respond(Turn(text="how can i contact you", locale="en", session_id="s4"))
    rows = store.select("SELECT intent, deadline_overrun FROM signals ORDER BY seq")
    assert [bool(overrun) for _, overrun in rows] == [True, False], rows
    totals = read_totals(store, Filters.last_days(2))
    assert (totals["turns"], totals.get("overrun")) == (2, 1)
    store.close()
