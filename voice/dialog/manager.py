"""The dialog: the one responder every channel calls, one turn at a time.

Per turn it loads the session, lets a ``TurnStep`` decide (built-in intents, flows,
the skill's handler within the turn's deadline, the answerer chain for what no intent
matched, handoff triggers), and commits history, log and state in one transaction. It is
the one place where a failure becomes a spoken apology: a caller never meets a crash.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, tzinfo

from ..builtins import builtin_reply, speakers
from ..redaction import Redactor
from ..reply import Expect, Reply
from ..router import Router
from ..skill import Skill
from ..state import DialogState
from ..store import Session, Store, TurnStart
from ..turn import Turn, on_clock
from .answerers import Answerer, Fallback, handoff_reply
from .commit import Recorder, request_answer
from .deadline import run_within
from .handoff import Availability, HandoffPolicy, HandoffSink
from .late import MISSED_TURN, LateTurn, PendingReplies, StoredTurn
from .missed import MissedTurn, MissedTurns
from .outbox import OutboxSender
from .satisfaction import Satisfaction
from .signals import TurnFacts, loading_answerers, still_loading
from .step import TurnStep, hung_up_reply
from .waits import SessionBusy, SessionStuck, SessionWaits

__all__ = ["Dialog", "apology"]

_LOGGER = logging.getLogger(__name__)
HOUSEKEEPING_INTERVAL_S = 3600.0


class Dialog:
    """Multi-turn conversations over a router, with sessions kept in a store."""

    def __init__(
        self,
        router: Router,
        store: Store,
        *,
        policy: HandoffPolicy | None = None,
        sink: HandoffSink | None = None,
        answerers: Sequence[Answerer] = (),
        session_ttl: float = 600.0,
        retention_days: float | None = None,
        redactor: Redactor | None = None,
        satisfaction: str = "off",
        time_zone: tzinfo = UTC,
    ) -> None:
        """``answerers`` answer turns no intent matched, in order, before the fallback policy;
        ``redactor`` takes personal data out of what is stored (all kinds when None); ``satisfaction``
        (``off``, ``yes_no``, ``scale``) asks "Did this help you?" when a conversation ends contained;
        ``time_zone``: the business's clock, on which "vandaag" and "morgen" are read."""
        self.time_zone = time_zone
        self.satisfaction = Satisfaction(satisfaction)
        self.redactor = redactor or Redactor()
        self.router, self.store, self.sink = router, store, sink
        self.sender = OutboxSender(store, sink) if sink is not None else None
        """Delivers the handoff records the turns save in the store's outbox."""
        self.policy = policy or HandoffPolicy()
        self.recorder = Recorder(store, router, self.policy, self.redactor, self.sender)
        self.pending = PendingReplies(store, self._moment, self.recorder.redaction)
        """The replies callers did not hear in time: for the next turn, or the request sent again."""
        self.reachable = sink is not None or bool(self.policy.transfer_to)
        """Whether a person can take a handoff: its record reaches a sink, or a gateway transfers the call."""
        self.answerers: tuple[Answerer, ...] = (
            *answerers,
            Fallback(self.policy, router.skills),  # each turn's step gives it who can take a handoff
        )
        self._loading = loading_answerers(self.answerers)
        self.session_ttl = session_ttl
        self.retention_days = retention_days
        """Conversation-log rows older than this are deleted (hourly, as turns come in); None keeps them."""
        self._next_housekeeping = 0.0
        self._purging: threading.Thread | None = None
        self._housekeeping_lock = threading.Lock()
        self._waits = SessionWaits()
        """The turns that wait for a busy session: one per session, and a few in all."""
        self.missed = MissedTurns(store, self._store_missed)
        """The turns that did not get their session, until it is free and they are stored."""

    def respond(self, turn: Turn) -> Reply:
        """Answer one turn and remember it; never raises, and answers within the turn's deadline.

        The whole turn (waiting for an earlier turn of the session, the store, the handler) has the
        deadline: when it runs out the caller hears "one moment", and the turn goes on; its reply
        is spoken at the next turn. A turn that finds its session busy while another turn of it waits
        for it in this process, or while ``MAX_LOCK_WAITS`` turns wait, hears "one moment" at once
        (``SessionWaits``); it is stored once the session is free (``MissedTurns``), as is a turn that
        waited for its session in vain. A hang-up gets the end of the session in all these cases: its
        caller is gone. A turn without a session id (a one-shot call through the
        Python API) gets a session of its own; the webhook channels refuse a request without one.
        """
        turn = replace(
            turn, session_id=turn.session_id or uuid.uuid4().hex, time=on_clock(turn.time, self.time_zone)
        )
        late = LateTurn(turn, self.pending.keep_late)
        try:
            reply = run_within(lambda: self._respond(turn, late), turn.remaining(), late.keep, late.abandon)
        except SessionBusy as busy:
            _LOGGER.warning(
                'session %s is busy and %s: this turn answered "one moment"', turn.session_id, busy
            )
            self._turned_away(turn, late, busy.waiting)
            return self._one_moment(turn)
        except Exception:
            _LOGGER.exception(
                "the %s turn of session %s could not be answered", turn.channel, turn.session_id
            )
            return apology(turn, self._speakers(turn))
        return reply if reply is not None and not late.abandoned else self._one_moment(turn)

    def _one_moment(self, turn: Turn) -> Reply:
        """What the caller hears when the turn's deadline runs out before its reply is ready (or its
        session is busy); a hang-up's caller is gone, and it gets the end of the session at once."""
        if turn.hung_up:
            return hung_up_reply()
        voices = self._speakers(turn)
        return reprompted(
            builtin_reply(turn, "one_moment", expect=Expect.ANSWER, skills=voices), turn, voices
        )

    def _moment(self, turn: Turn) -> str:
        """What a caller who stopped waiting heard instead of the reply, as text for history and log."""
        return self._one_moment(turn).text

    def _turned_away(self, turn: Turn, late: LateTurn, waiting: LateTurn | None) -> None:
        """Keep a turn turned away from its busy session until it can be stored, as its caller heard it:
        "one moment". Not the same request sent again while its turn waits: that turn is stored. The
        same words said again while it waits are answered by it; other words get a note."""
        if waiting is not None and turn.request_id and waiting.turn.request_id == turn.request_id:
            return
        late.abandon()
        late.park()
        same = waiting is not None and (waiting.turn.text, waiting.turn.intent) == (turn.text, turn.intent)
        self.missed.add(MissedTurn(turn, late, noted=not same, latency_ms=0.0))

    def _respond(self, turn: Turn, late: LateTurn) -> Reply:
        """One turn of the session, alone: another turn of it waits until this one is committed (one
        such turn per process; ``SessionWaits`` turns away the others). A turn that waited for its
        session in vain is kept until it is free (``MissedTurns``): the caller who still waits hears
        the apology, and one who heard "one moment" is told at the next turn to say it again."""
        started = time.perf_counter()
        try:
            with self._waits.hold(self.store, turn.session_id, late):
                # what the caller said is stored in the order it was said
                self.missed.store_held(turn.session_id, before=turn.time.timestamp())
                reply = self._answer(turn, late, started)
                self.missed.store_held(turn.session_id)
        except SessionStuck:
            _LOGGER.warning(
                "session %s stayed busy all the time a turn may wait: the turn is stored, and its caller "
                "told it was not answered, once the session is free",
                turn.session_id,
            )
            late.park()
            latency_ms = (time.perf_counter() - started) * 1000
            self.missed.add(MissedTurn(turn, late, noted=True, latency_ms=latency_ms))
            return hung_up_reply() if turn.hung_up else apology(turn, self._speakers(turn))
        self._housekeeping()
        return reply

    def _answer(self, turn: Turn, late: LateTurn, started: float) -> Reply:
        """The turn's reply, committed with the turn; the caller holds the session."""
        start = self.store.load_turn(turn.session_id, turn.user_id, turn.request_id)
        if start.earlier is not None:  # the platform sent the request again: the same answer, once
            earlier = Reply.from_dict(start.earlier)
            if late.kept_with_turn():  # the first one keeps its own late reply, if any
                return earlier
            return self.pending.told_now(turn, start.session, earlier)
        if turn.hung_up and not _goes_on(turn, start.session):  # after our goodbye: no new conversation
            return hung_up_reply()
        session, turn = self._session(turn, start)
        loading = still_loading(self._loading)  # as the turn starts: passing them asked nothing
        step, reply, failed = self._decided(turn, session.dialog)
        reply = replace(reply, intent=step.turn.intent, context=step.state.context())
        reply = self._transferred(reply, step.state, step.available)
        late.unheard = (reply,) if failed else step.unheard
        # after a crash in a flow, its open question stays the one an answer in between asks again
        said = step.state.last_reply if failed and step.state.flow is not None else reply
        state = replace(step.state, last_reply=said, failed=_failed(step, reply, crashed=failed))
        facts = TurnFacts(
            heard=turn,
            answerer=step.answered_by,
            consulted=tuple(name for name in step.consulted if name not in loading),
            settled=step.settled_by,
            handled=step.handled,
            finished_flow=step.finished_flow,
            handler_error=failed,
            latency_ms=(time.perf_counter() - started) * 1000,
            satisfaction=step.satisfaction_score,
            after_hours=step.available.away,
        )
        stored = self.recorder.commit(
            step.turn, state, reply, session, facts, late, lambda: self._moment(turn)
        )
        if not stored.deadline_overrun:  # stored as heard in time; if "one moment" comes after all,
            # the replies are kept, the signals marked and the log corrected in one write
            late.stored = StoredTurn(stored, turn, request_answer(turn, late.unheard[-1]))
            if late.kept_with_turn():  # "one moment" while the commit waited
                self.pending.keep(turn.session_id, late.unheard, late.stored)  # still this turn's
        return reply

    def _decided(self, turn: Turn, before: DialogState) -> tuple[TurnStep, Reply, bool]:
        """The step that decided the turn, its reply, and whether a handler raised: then the reply is an
        apology (or a handoff, ``_crashed``), and the state the one ``before`` the turn."""
        step = TurnStep(
            self.router,
            self.policy,
            self.answerers,
            turn,
            before,
            satisfaction=self.satisfaction,
            reachable=self.reachable,
        )
        try:
            return step, step.run(), False
        except Exception:
            _LOGGER.exception("skill failed on intent %s (session %s)", step.turn.intent, turn.session_id)
            step.state, reply = self._crashed(step.turn, before, step.available)
            return step, reply, True

    def _store_missed(self, missed: MissedTurn) -> None:
        """Store a turn that did not get its session (the caller holds it now) as its caller heard it:
        "one moment" (or the apology), with what the router makes of its words, a missed deadline in
        its signals and its request's answer. A ``noted`` one also leaves a note for the next turn, or
        the request sent again, that it was not answered and is best said again, and counts as failed:
        its handler is not run late, as the caller may have asked again since (a booking made twice)."""
        start = self.store.load_turn(missed.turn.session_id, missed.turn.user_id, missed.turn.request_id)
        if start.earlier is not None:  # its request, sent again, was answered: that turn is stored
            return
        if missed.turn.hung_up:
            self._store_hang_up(missed, start)
            return
        session, turn = self._session(missed.turn, start)
        state = session.dialog
        step = TurnStep(self.router, self.policy, self.answerers, turn, state, satisfaction=self.satisfaction)
        turn, voices = step.understood(), self._speakers(step.turn)
        note = replace(
            apology(turn, voices, state.open_question, key="missed_turn"), slot=MISSED_TURN, failed=True
        )
        missed.late.unheard = (replace(note, intent=turn.intent),) if missed.noted else ()
        state = replace(state, failed=state.failed or missed.noted)
        facts = TurnFacts(heard=missed.turn, latency_ms=missed.latency_ms)
        said = apology(turn, voices, state.open_question)  # the one who waited without deadline heard it
        self.recorder.commit(turn, state, said, session, facts, missed.late, lambda: self._moment(turn))

    def _store_hang_up(self, missed: MissedTurn, start: TurnStart) -> None:
        """Store a hang-up that did not get its session as one that did: it ends the conversation, its flow
        abandoned at the step it reached (as the turn it waited for left the session). The caller is gone:
        no note for a next turn, no "one moment" kept; after our own goodbye it starts no conversation."""
        if not _goes_on(missed.turn, start.session):
            return
        session, turn = self._session(missed.turn, start)
        step, reply, _ = self._decided(turn, session.dialog)  # a hang-up runs no handler
        state = replace(step.state, last_reply=reply)
        facts = TurnFacts(heard=missed.turn, latency_ms=missed.latency_ms)
        gone = LateTurn(turn, self.pending.keep_late)  # nobody waits for "one moment": the session ends
        self.recorder.commit(step.turn, state, reply, session, facts, gone, lambda: self._moment(turn))

    def _session(self, turn: Turn, start: TurnStart) -> tuple[Session, Turn]:
        """The live session, or a new one that the turn's commit saves; and the turn with what is
        remembered about the caller."""
        if start.user:
            turn = replace(turn, user=start.user)
        if start.session is not None and _goes_on(turn, start.session):
            return start.session, turn
        return Session.new(
            id=turn.session_id,
            user_id=turn.user_id,
            skill="",
            locale=turn.locale,
            channel=turn.channel,
            now=turn.time.timestamp(),  # its KPIs count on the day of its turns (``voice chat --now``)
            ttl=self.session_ttl,
        ), turn

    def _transferred(self, reply: Reply, state: DialogState, available: Availability) -> Reply:
        """A reply of a handed-over conversation names its handoff record (id and reason, for the
        colleague's desktop to match the call) and where a phone gateway puts the call through, when
        ``[handoff] transfer_to`` is set; every turn after the handoff does too, in case the gateway kept
        the caller on the line instead of transferring. When nobody can take the call (outside the team's
        hours, or no sink and no number): no transfer."""
        if not state.handed_over:
            return reply
        return replace(
            reply,
            handoff_id=state.handoff_id,
            handoff_reason=state.handoff_reason,
            transfer_to=self.policy.transfer_to or reply.transfer_to if available.present else "",
        )

    def _crashed(self, turn: Turn, before: DialogState, available: Availability) -> tuple[DialogState, Reply]:
        """After a handler raised: the state before the turn, so that the caller can try again (an API
        that blinked), and the turn counted as one that did not help, so that a handler that keeps
        failing ends at a person after ``max_fallbacks`` in a row instead of an apology at every try
        (``available``: the step's, as the turn found the team)."""
        state = replace(before, fallbacks=before.fallbacks + 1)
        if state.fallbacks >= self.policy.max_fallbacks and not state.handed_over:
            handoff = handoff_reply(turn, self._speakers(turn), available)
            return state.handing_over("fallbacks"), handoff
        return state, apology(turn, self._speakers(turn), before.open_question)

    def _speakers(self, turn: Turn) -> tuple[Skill, ...]:
        """Who says the framework's replies for this turn: its skill's own version (``builtin:``) first."""
        return speakers(self.router.skills, turn.skill)

    def _housekeeping(self) -> None:
        """At most once an hour per process, start dropping expired sessions and log rows past
        retention in a background thread: a big purge must not hold up the turn that started it."""
        if self.retention_days is None or time.monotonic() < self._next_housekeeping:
            return
        with self._housekeeping_lock:  # several handler threads may get here at once: one purge
            if time.monotonic() < self._next_housekeeping:
                return
            self._next_housekeeping = time.monotonic() + HOUSEKEEPING_INTERVAL_S
            self._purging = threading.Thread(
                target=self._purge, args=(self.retention_days,), name="voice-housekeeping", daemon=True
            )
            self._purging.start()

    def close(self) -> None:
        """Store the turns that missed their session (for a few seconds), stop the outbox sender and wait
        for a purge in progress, so the store can be closed."""
        self.missed.close()
        if self.sender is not None:
            self.sender.stop()
        if self._purging is not None:
            self._purging.join()

    def _purge(self, retention_days: float) -> None:
        try:
            self.store.purge_expired()
            self.store.purge_log(retention_days)
        except Exception:  # a background thread has no caller to tell; the next hour tries again
            _LOGGER.exception("housekeeping of the session store failed; it is tried again in an hour")
        finally:
            self.store.release_connection()  # this thread ends: its connection must not be left open


def _failed(step: TurnStep, reply: Reply, *, crashed: bool) -> bool:
    """Whether the conversation's request failed: at this turn (``Reply.failed``), or earlier and not
    since put right. Polite turns after a failure ("thanks", "no") do not undo it; a flow whose handler
    succeeds later (the second booking went through) does: the caller got what they called for."""
    put_right = step.finished_flow is not None and not crashed
    return reply.failed or (step.state.failed and not put_right)


def _goes_on(turn: Turn, session: Session | None) -> bool:
    """Whether the turn belongs to a conversation under way: a live session, or one still handed over."""
    return session is not None and (not session.ended or _still_handed_over(turn, session))


def _still_handed_over(turn: Turn, session: Session) -> bool:
    """The session ended by a handoff and the platform says the call goes on (``Turn.handed_over``): the
    caller is still waiting for the colleague, so the turn joins that session rather than starting anew."""
    return turn.handed_over and session.dialog.handed_over


def apology(
    turn: Turn, skills: tuple[Skill, ...] = (), question: str | None = None, key: str = "error"
) -> Reply:
    """The framework's spoken error reply (``key``) in the turn's language (``skills``' own version
    first); it keeps the session open, with ``question`` (a flow's open one) as its reprompt."""
    return reprompted(builtin_reply(turn, key, expect=Expect.ANSWER, skills=skills), turn, skills, question)


def reprompted(reply: Reply, turn: Turn, skills: tuple[Skill, ...], question: str | None = None) -> Reply:
    """``reply`` with a short reprompt for a platform's own timeout: ``question``, else "how can I help?"."""
    return replace(reply, reprompt=question or builtin_reply(turn, "ask_what", skills=skills).text)
