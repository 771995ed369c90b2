"""Turns that never got their session: kept until it is free, then stored as their callers heard them.

A turn that waited ``TURN_WAIT_S`` for its session in vain (the host that holds it hangs), or was turned
away at once (``SessionBusy``), does not hold its session, and writing the session without holding it
would undo the turn of the host that does, when that one commits. So such a turn waits here, in memory
and without a thread of its own: the next turn of its session in this process stores it first, as it
holds the session; else one thread per process tries the sessions every ``POLL_S`` and stores it as
soon as one is free (the next turn went to another process, or never came). Its caller's words reach
the history and the log, its signals count a missed deadline, and a turn nobody answers for leaves a
pending note (``Dialog._store_missed``). A worker that stops waits for them a little (``close``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..store import Store
from ..store.base import BusyError, StoreError
from ..turn import Turn
from .late import LateTurn

__all__ = ["POLL_S", "MissedTurn", "MissedTurns"]

_LOGGER = logging.getLogger(__name__)

POLL_S = 1.0
"""How often the thread tries the sessions of the turns that wait here."""


@dataclass(frozen=True, slots=True)
class MissedTurn:
    """A turn that did not get its session, and what its caller was told."""

    turn: Turn
    late: LateTurn
    """Whether its caller heard "one moment" (else the apology, at the end of a wait without deadline)."""
    noted: bool
    """Nobody answers for it: the caller is told at the next turn that it was not answered, and the
    conversation counts as failed. False for a turn turned away while another turn of its session with
    the same words waited (the platform, or the caller, said them again): that one answers them."""
    latency_ms: float
    """How long the turn took until it gave up."""


class MissedTurns:
    """The turns of this dialog that wait for their session to be stored (``store_missed`` stores one)."""

    def __init__(
        self, store: Store, store_missed: Callable[[MissedTurn], None], *, poll_s: float = POLL_S
    ) -> None:
        self.store, self.poll_s, self._store_missed = store, poll_s, store_missed
        self._changed = threading.Condition()
        self._waiting: dict[str, list[MissedTurn]] = {}
        """Session id -> its turns that wait, oldest first."""
        self._storing = 0
        """Calls of ``store_held`` storing turns now."""
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def add(self, missed: MissedTurn) -> None:
        """Keep ``missed`` until its session is free (starting the thread that tries it if needed)."""
        self._forget_parent()
        with self._changed:
            self._waiting.setdefault(missed.turn.session_id, []).append(missed)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="voice-missed-turns", daemon=True)
                self._thread.start()

    def store_held(self, session_id: str, before: float | None = None) -> None:
        """Store the session's waiting turns (those said before ``before``, a time stamp, if given), oldest
        first; the caller holds the session. When the store cannot take one now, it waits again with
        those after it."""
        self._forget_parent()
        if session_id not in self._waiting:  # every turn asks, few find one: no lock, no wake-up (a turn
            return  # kept a moment later waits for the thread, as one kept just after the lock would)
        with self._changed:
            waiting = self._waiting.pop(session_id, [])
            later = [m for m in waiting if before is not None and m.turn.time.timestamp() >= before]
            if later:
                self._waiting[session_id] = later
            waiting = [m for m in waiting if m not in later]
            storing = bool(waiting)
            self._storing += storing
        try:
            self._store(session_id, waiting)
        finally:
            with self._changed:
                self._storing -= storing
                self._changed.notify_all()

    def _store(self, session_id: str, waiting: list[MissedTurn]) -> None:
        while waiting:
            try:
                self._store_missed(waiting[0])
            except StoreError:
                _LOGGER.warning("session %s: %d missed turns wait to be stored", session_id, len(waiting))
                with self._changed:
                    self._waiting[session_id] = [*waiting, *self._waiting.get(session_id, ())]
                return
            except Exception:  # a turn that cannot be stored at all must not keep the others out
                _LOGGER.exception("a missed turn of session %s could not be stored", session_id)
            waiting.pop(0)

    def wait(self, timeout: float) -> bool:
        """Wait until every turn kept here is stored; False after ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and not self._storing, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Give the turns kept here ``timeout`` seconds to be stored (a worker that stops); those whose
        session stays busy are named in the log, as their words are not stored."""
        if not self.wait(timeout):
            with self._changed:
                lost, self._waiting = self._waiting, {}
            for session_id, turns in lost.items():
                _LOGGER.error(
                    "%d turns of session %s are not stored: the session stayed busy until the worker stopped",
                    len(turns),
                    session_id,
                )

    def _try(self, session_id: str) -> None:
        try:
            with self.store.lock_session(session_id, 0.0):
                self.store_held(session_id)
        except BusyError:  # still held: the next round tries again
            pass

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: not self._waiting, self.poll_s)
                if not self._waiting or self.store.closed:
                    self._thread = None
                    break
                sessions = list(self._waiting)
            for session_id in sessions:
                try:
                    self._try(session_id)
                except Exception:  # the store failed: the next round tries again
                    _LOGGER.exception("session %s could not be tried for its missed turns", session_id)
        self.store.release_connection()  # this thread ends: its connection must not be left open

    def _forget_parent(self) -> None:
        """In a forked child, start afresh: the parent's turns are the parent's to store."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._changed = threading.Condition()
            self._waiting, self._thread, self._storing = {}, None, 0
