"""What happens to a turn the caller stopped waiting for, and to a commit that meets a busy database.

Both serve one promise: a reply the caller was told "one moment" about is neither lost nor told twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..reply import Reply
from ..store.base import Answer, BusyError
from ..store.signals import TurnSignals
from ..turn import Turn

__all__ = ["TURN_WAIT_S", "LateTurn", "StoredTurn", "while_busy"]

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredTurn:
    """A turn committed as heard in time: what to correct when its caller heard "one moment" after all."""

    signals: TurnSignals
    """Its signals as stored; marked as a missed deadline."""
    turn: Turn
    """The turn: its time finds its assistant row, which is then the "one moment" it heard."""
    answer: Answer | None
    """Its request's answer as it must be then: its own reply, which waits among the pending ones."""


KeepLateReply = Callable[[str, tuple[Reply, ...], StoredTurn | None], None]
"""Keeps late replies for the next turn and corrects their turn as stored (``Dialog.keep_late_reply``)."""
TURN_WAIT_S = 30.0
"""How long a turn waits for an earlier turn of its session, and keeps trying to commit while another
writer holds the database; the caller hears "one moment" sooner."""


def while_busy(session_id: str, write: Callable[[], object]) -> None:
    """Run ``write``; while another writer holds the database, try again for up to ``TURN_WAIT_S``."""
    give_up = time.monotonic() + TURN_WAIT_S
    while True:
        try:
            write()
            return
        except BusyError:
            if time.monotonic() >= give_up:
                raise
            _LOGGER.warning("the store stayed busy for session %s; trying again", session_id)


class LateTurn:
    """Whether the caller stopped waiting for a turn, and where its reply goes then.

    Abandoned before its commit, the turn saves its reply as a pending one itself (and its signals
    count the missed deadline, its log row says "one moment"); abandoned after it, ``keep`` stores it
    separately and corrects the stored turn (``StoredTurn``). A turn that never got its session is
    ``parked``: it is stored once the session is free (``voice.dialog.missed``), and ``keep`` leaves it.
    """

    def __init__(self, turn: Turn, keep_late_reply: KeepLateReply) -> None:
        self.turn, self.session_id, self._keep_late_reply = turn, turn.session_id, keep_late_reply
        self._guard = threading.Lock()
        self._abandoned = self._kept = self._parked = False
        self.unheard: tuple[Reply, ...] = ()
        """What is kept when the reply comes late (``TurnStep.unheard``); else the reply itself."""
        self.stored: StoredTurn | None = None
        """The turn as committed, when it was stored as heard in time."""

    def abandon(self) -> None:
        with self._guard:
            self._abandoned = True

    @property
    def abandoned(self) -> bool:
        """Whether the caller heard "one moment" (its deadline passed, or a request of the session sent
        while this turn waited for it was told so): then the turn's reply waits for the next turn."""
        with self._guard:
            return self._abandoned

    def kept_with_turn(self) -> bool:
        with self._guard:
            self._kept = self._abandoned
            return self._kept

    def park(self) -> None:
        """The turn goes unanswered and waits to be stored with its session: nothing for ``keep`` to do."""
        with self._guard:
            self._parked = True

    def keep(self, reply: Reply) -> None:
        with self._guard:
            if self._kept or self._parked:
                return
        self._keep_late_reply(self.session_id, self.unheard or (reply,), self.stored)
