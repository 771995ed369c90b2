"""What happens to a turn the caller stopped waiting for, and to a commit that meets a busy database.

Both serve one promise: a reply the caller was told "one moment" about is neither lost nor told twice:
``PendingReplies`` keeps it for the next turn, or tells it to the request sent again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..redaction import TurnRedaction
from ..reply import Reply
from ..ssml import joined_all
from ..state import DialogState
from ..store import Session, Speaker, Store, TurnRecord
from ..store.base import Answer, BusyError, StoreError
from ..store.signals import TurnSignals
from ..turn import Turn

__all__ = [
    "MISSED_TURN",
    "TURN_WAIT_S",
    "LateTurn",
    "PendingReplies",
    "StoredTurn",
    "told_first",
    "while_busy",
]

_LOGGER = logging.getLogger(__name__)

MISSED_TURN = "voice:missed_turn"
"""The ``slot`` of the note that an earlier turn was not answered (``Dialog._store_missed``): told among
the late replies, it is no answer, so it gets no "Here is the answer to your earlier question"."""


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
"""Keeps late replies for the next turn and corrects their turn as stored (``PendingReplies.keep_late``)."""
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


def told_first(reply: Reply, state: DialogState, intro: Callable[[], str]) -> tuple[Reply, DialogState]:
    """``reply`` after the replies that missed earlier deadlines, and ``state`` without them: after one
    introduction (``intro``; none when all of them are notes of turns not answered), each once, and not
    one that says what this one says."""
    late = state.pending_reply
    if late is None:
        return reply, state
    earlier = state.pending_speeches(besides=reply.text)
    answers = any(pending.slot != MISSED_TURN for pending in state.pending_replies)
    told = replace(
        reply,
        end_session=reply.end_session or late.end_session,  # a goodbye or handoff not heard yet
        handoff=reply.handoff or late.handoff,
    )
    state = replace(state, pending_replies=())
    if not earlier:
        return told, state
    said = (intro(),) if answers else ()
    return replace(told, speech=joined_all(*said, *earlier, reply.speech)), state


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


Redaction = Callable[[Turn, DialogState, Session], TurnRedaction]
"""What a turn's stored words must not hold (``Recorder.redaction``)."""


class PendingReplies:
    """The replies a caller did not hear because their turn missed its deadline: kept in the session for
    the next turn, or told to the request sent again."""

    def __init__(self, store: Store, one_moment: Callable[[Turn], str], redaction: Redaction) -> None:
        """``one_moment``: what the caller heard instead (the text of ``Dialog._one_moment``)."""
        self.store, self._one_moment, self._redaction = store, one_moment, redaction

    def keep_late(
        self, session_id: str, replies: tuple[Reply, ...], stored: StoredTurn | None = None
    ) -> None:
        """Store the replies a turn's caller did not hear because it missed its deadline (its own, and
        the late ones it told); the next turn speaks them. ``stored`` is the turn when it was stored as
        heard in time: it is corrected in the same write. It holds the session like a turn, so the
        caller's next turn waits for it instead of racing it."""
        with self.store.lock_session(session_id, TURN_WAIT_S):
            self.keep(session_id, replies, stored)

    def keep(self, session_id: str, replies: tuple[Reply, ...], stored: StoredTurn | None) -> None:
        """Keep ``replies`` for the next turn, and correct the ``stored`` turn with it (the caller holds
        the session): its signals count the missed deadline, its assistant turn says "one moment" in
        history and log, and its request's answer is its own reply (``told_now`` finds it)."""
        heard = None
        if stored is not None:
            moment = self._one_moment(stored.turn)
            heard = TurnRecord(time=stored.turn.time.timestamp(), speaker=Speaker.ASSISTANT, text=moment)

        def change(session: Session) -> Session:
            # two late replies in a row: both are told; and the turn may have ended the session in the
            # moment before the caller heard "one moment"
            kept = replace(session.with_dialog(session.dialog.with_pending(*replies)), ended=False)
            return kept if heard is None else kept.with_heard(heard)

        overrun, answer = (stored.signals, stored.answer) if stored is not None else (None, None)
        while_busy(
            session_id,
            lambda: self.store.update(session_id, change, overrun=overrun, answer=answer, heard=heard),
        )

    def told_now(self, turn: Turn, session: Session | None, reply: Reply) -> Reply:
        """What a request sent again is answered with: its turn's ``reply``. If the first sending only
        got "one moment", that reply waits among the pending ones: then all of them are told now (the
        caller heard none of them), so not again at the next turn (and a goodbye or handoff now ends
        the session); they become the request's answer, so a third sending hears them too, and what the
        latest turn's caller heard in the history and log (where it said "one moment"). If the store
        cannot take that now, the next turn tells them again: twice rather than never."""
        session_id = turn.session_id
        if session is None or reply not in session.dialog.pending_replies:
            return reply
        pending = session.dialog.pending_replies
        told = session.dialog.pending_reply
        assert told is not None
        said = next((t for t in reversed(session.history) if t.speaker is Speaker.ASSISTANT), None)
        hide = self._redaction(turn, session.dialog, session)
        heard = None if said is None else replace(said, text=hide.text(told.text))

        def change(stored: Session) -> Session:
            if stored.dialog.pending_replies != pending:
                return stored
            dialog = replace(stored.dialog, pending_replies=())
            cleared = stored.after_turn(dialog, ended=stored.ended or told.end_session)
            return cleared if heard is None else cleared.with_heard(heard)

        try:
            self.store.update(session_id, change, answer=(turn.request_id, told.to_dict()), heard=heard)
        except StoreError:
            _LOGGER.warning("session %s: replies told to a request sent again stay pending", session_id)
        return told
