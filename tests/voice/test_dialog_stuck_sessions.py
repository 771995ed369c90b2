"""A hung host keeps its sessions locked: their callers' turns must not take every thread of a healthy one.

A host stopped with SIGSTOP (or a stuck VM) keeps its store connection, and with it the locks of the
sessions it was answering. Before, each turn of those sessions that reached a healthy host waited for
its lock (up to ``TURN_WAIT_S``) in one of the process's ``MAX_WORKERS`` threads: with enough of them,
every thread waited and an unrelated caller heard "one moment" instead of an answer. Now one turn per
session, and ``MAX_LOCK_WAITS`` in all, wait for a busy session; the others hear "one moment" at once,
and are stored once the session is free (before, they were neither stored nor logged).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import ExitStack
from multiprocessing.process import BaseProcess

import pytest

from voice import Router, Turn, load_skill
from voice.dialog import Dialog
from voice.dialog.deadline import wait_for_turns
from voice.dialog.waits import MAX_LOCK_WAITS
from voice.store import Speaker, Store, open_store

HOURS, CONTACT = "what are your opening hours", "how can i contact you"
OPEN = "We are open Monday"
MOMENT = "One moment please"
LATE = "Here is the answer to your earlier question."
NOTE = "Sorry, I wasn't able to answer what you said before"
STUCK = tuple(f"stuck-{n}" for n in range(MAX_LOCK_WAITS + 2))
"""The sessions the hung host holds: more than may wait at once."""
TRIES = 3
"""Turns of each stuck session that reach the healthy host (its caller, and the platform, try again)."""


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    with open_store(any_store_url) as opened:
        yield opened


@pytest.fixture
def dialog(store: Store) -> Iterator[Dialog]:
    made = Dialog(Router([load_skill("customer_service")]), store)
    yield made
    assert wait_for_turns(30)  # no turn of this test runs on into the next one


@pytest.fixture
def hung_host(any_store_url: str) -> Iterator[BaseProcess]:
    """Another process that holds the ``STUCK`` sessions and is then stopped with SIGSTOP."""
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    host = context.Process(target=_hold, args=(any_store_url, STUCK, ready), daemon=True)
    host.start()
    try:
        assert ready.wait(60)
        os.kill(host.pid or 0, signal.SIGSTOP)
        yield host
    finally:
        host.kill()
        host.join(30)


def _hold(url: str, sessions: Sequence[str], ready: object) -> None:
    store = open_store(url)
    with ExitStack() as held:
        for session_id in sessions:
            held.enter_context(store.lock_session(session_id, timeout=10))
        ready.set()  # type: ignore[attr-defined]
        time.sleep(120)


def _turn(session_id: str, request_id: str, text: str = HOURS, seconds: float | None = None) -> Turn:
    deadline = None if seconds is None else time.monotonic() + seconds
    return Turn(text=text, locale="en", session_id=session_id, request_id=request_id, deadline=deadline)


def _logged(store: Store, session_id: str, *rows: tuple[Speaker, str]) -> None:
    """Assert that the session's conversation log is ``rows``, each a speaker and how its text starts."""
    found = [(row.speaker, row.text) for row in store.read_log(session_id=session_id)]
    starts = [(speaker, text[: len(start)]) for (speaker, text), (_, start) in zip(found, rows, strict=False)]
    assert len(found) == len(rows) and starts == list(rows), found


def test_the_turns_of_stuck_sessions_leave_threads_for_other_callers(
    dialog: Dialog, store: Store, hung_host: BaseProcess
) -> None:
    tries = [(session_id, f"{session_id}-r{k}") for session_id in STUCK for k in range(TRIES)]
    with ThreadPoolExecutor(len(tries)) as callers:  # gunicorn's request threads
        heard = list(callers.map(lambda t: dialog.respond(_turn(*t, seconds=1.0)).text, tries))
    assert all(text.startswith(MOMENT) for text in heard), heard

    # The waiting turns still wait for the hung host; an unrelated caller gets a thread and an answer.
    other = dialog.respond(_turn("other", "other-r0", seconds=5.0))
    assert other.text.startswith(OPEN), other.text

    hung_host.kill()  # the server (or the kernel) drops a dead host's locks
    hung_host.join(30)
    assert wait_for_turns(30) and dialog.missed.wait(30)
    answers = {s: [store.answered(r, s) for t, r in tries if t == s] for s in STUCK}
    waited = [s for s in STUCK if any(a is not None and a["speech"].startswith(OPEN) for a in answers[s])]
    assert len(waited) == MAX_LOCK_WAITS  # one turn per session waited, as many as may wait
    for session_id in STUCK:
        # every turn is stored once, as its caller heard it: "one moment"
        _logged(store, session_id, *[(Speaker.USER, HOURS), (Speaker.ASSISTANT, MOMENT)] * TRIES)
        if session_id in waited:  # the turn that waited answers; those turned away meanwhile are logged
            assert sorted(a["speech"][: len(OPEN)] for a in answers[session_id] if a) == [OPEN]
        else:  # nobody waited: each request, sent again, hears that it was not answered
            assert all(a is not None and a["speech"].startswith(NOTE) for a in answers[session_id]), (
                session_id
            )
        # its caller asks again: the late answer, or the note, is told once, and the question answered
        again = dialog.respond(_turn(session_id, f"{session_id}-next", CONTACT)).text
        told = f"{LATE} {OPEN}" if session_id in waited else NOTE
        assert again.startswith(told) and again.count(told) == 1 and "You can call" in again, again
        assert dialog.respond(_turn(session_id, f"{session_id}-last", CONTACT)).text.startswith("You can")


def test_a_request_sent_again_while_its_turn_waits_takes_no_thread_and_loses_nothing(
    dialog: Dialog, store: Store
) -> None:
    """The platform sends a request again while its turn waits for the session: one of the two waits,
    the other is turned away at once. Both callers' connections hear "one moment" (either may be the
    one the platform listens to), and the answer is told once: to the request sent a third time."""
    with ThreadPoolExecutor(2) as callers:
        with store.lock_session("s1", timeout=10):  # an earlier turn of the session holds it
            sent = [callers.submit(dialog.respond, _turn("s1", "r1", seconds=8.0)) for _ in range(2)]
            done, _ = wait(sent, timeout=5.0, return_when=FIRST_COMPLETED)
            assert len(done) == 1  # turned away without waiting for the session
        heard = [future.result().text for future in sent]
    assert all(text.startswith(MOMENT) for text in heard), heard
    assert wait_for_turns(30)
    assert dialog.respond(_turn("s1", "r1")).text.startswith(OPEN)
    assert dialog.respond(_turn("s1", "r2", CONTACT)).text.startswith("You can")
    _logged(
        store,
        "s1",
        (Speaker.USER, HOURS),
        (Speaker.ASSISTANT, OPEN),
        (Speaker.USER, CONTACT),
        (Speaker.ASSISTANT, "You can call"),
    )
