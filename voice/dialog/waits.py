"""Which turns may wait for a busy session, so that a stuck session costs its own callers only.

A session is held by the turn that answers it, normally for milliseconds. A host that hangs (stopped,
a stuck VM) keeps the locks of the sessions it was answering for as long as its connection lives, and
their callers' turns come to the healthy hosts. There a turn that waited for its session would take one
of the process's ``MAX_WORKERS`` threads for up to ``TURN_WAIT_S``: enough of them and no thread is left
for anyone else. So a turn that finds its session busy waits only when no other turn of that session
waits in the process, and fewer than ``MAX_LOCK_WAITS`` turns wait in all; else it is turned away
(``SessionBusy``) and its caller hears "one moment" at once. A turn that waited ``TURN_WAIT_S`` in vain
gives up (``SessionStuck``). Neither holds its session, so neither is stored yet: ``voice.dialog.missed``
keeps them until the session is free.

A turn turned away while another turn of its session waits is usually the platform sending that turn's
request again, or the caller speaking again, and the platform may be listening to it rather than to the
waiting one; so the waiting turn then counts as heard late (``LateTurn.abandon``): its caller hears "one
moment" too and its reply is kept for the next turn, or for the request sent again. Told once, never lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from ..store import Store
from ..store.base import BusyError
from .deadline import MAX_WORKERS
from .late import TURN_WAIT_S, LateTurn

__all__ = ["MAX_LOCK_WAITS", "SessionBusy", "SessionStuck", "SessionWaits"]

MAX_LOCK_WAITS = MAX_WORKERS // 2
"""Turns of one dialog (one per worker process) that may wait for a busy session at once; the other
threads stay free for sessions that are not busy (and PostgreSQL's pool keeps connections for them)."""


class SessionBusy(Exception):
    """The turn may not wait for its busy session: another turn of it waits, or too many turns wait."""

    def __init__(self, reason: str, waiting: LateTurn | None = None) -> None:
        super().__init__(reason)
        self.waiting = waiting
        """The turn of the session that waits for it and answers for the caller; None: too many wait."""


class SessionStuck(Exception):
    """The turn waited ``TURN_WAIT_S`` for its session in vain: what holds it hangs."""


class SessionWaits:
    """The turns of this dialog that wait for their session: one per session, at most ``limit``."""

    def __init__(self, limit: int = MAX_LOCK_WAITS) -> None:
        self.limit = limit
        self._mutex = threading.Lock()
        self._waiting: dict[str, LateTurn] = {}
        """Session id -> the turn that waits for it."""

    @contextmanager
    def hold(self, store: Store, session_id: str, late: LateTurn) -> Iterator[None]:
        """Hold the session for the block (``Store.lock_session``): at once when it is free, after a wait
        for it when this turn may wait; else ``SessionBusy``, or ``SessionStuck`` after a wait in vain
        (``late`` is the turn's, for another one turned away while it waits)."""
        with ExitStack() as held:
            try:
                held.enter_context(store.lock_session(session_id, 0.0))
            except BusyError:
                self._start(session_id, late)
                try:
                    held.enter_context(store.lock_session(session_id, TURN_WAIT_S))
                except BusyError as stuck:
                    raise SessionStuck(str(stuck)) from stuck
                finally:
                    self._stop(session_id)
            yield

    def _start(self, session_id: str, late: LateTurn) -> None:
        with self._mutex:
            waiting = self._waiting.get(session_id)
            if waiting is not None:
                waiting.abandon()  # it has not loaded the session yet: its commit keeps its reply
                raise SessionBusy("another of its turns waits for it", waiting)
            if len(self._waiting) >= self.limit:
                raise SessionBusy(f"{self.limit} turns wait for their sessions already")
            self._waiting[session_id] = late

    def _stop(self, session_id: str) -> None:
        with self._mutex:
            del self._waiting[session_id]
