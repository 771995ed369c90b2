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
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..builtins import builtin_reply, speakers
from ..redaction import Kind, Redactor, TurnRedaction
from ..reply import Expect, Reply
from ..router import Router
from ..skill import Skill
from ..slot_values import to_json
from ..state import ActiveFlow, DialogState
from ..store import OutboxItem, Session, Speaker, Store, TurnRecord, TurnStart
from ..store.base import Answer, StoreError
from ..store.signals import TurnSignals
from ..turn import Turn
from .answerers import Answerer, Fallback, handoff_reply
from .deadline import run_within
from .handoff import HandoffPolicy, HandoffRecord, HandoffSink
from .late import TURN_WAIT_S, LateTurn, StoredTurn, while_busy
from .missed import MissedTurn, MissedTurns
from .outbox import OutboxSender
from .satisfaction import Satisfaction
from .signals import TurnFacts, loading_answerers, still_loading, turn_signals
from .step import MISSED_TURN, TurnStep, hung_up_reply
from .waits import SessionBusy, SessionStuck, SessionWaits

__all__ = ["Dialog", "apology"]

_LOGGER = logging.getLogger(__name__)
HOUSEKEEPING_INTERVAL_S = 3600.0
Told = tuple[tuple[TurnRecord, ...], Answer | None]
"""A turn's records as its caller heard it (their words, then the reply or "one moment"), and the answer to
its platform request."""


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
    ) -> None:
        """``answerers`` answer turns no intent matched, in order, before the fallback policy;
        ``redactor`` takes personal data out of what is stored (all kinds when None); ``satisfaction``
        (``off``, ``yes_no``, ``scale``) asks "Did this help you?" when a conversation ends contained."""
        self.satisfaction = Satisfaction(satisfaction)
        self.redactor = redactor or Redactor()
        self.router, self.store, self.sink = router, store, sink
        self.sender = OutboxSender(store, sink) if sink is not None else None
        """Delivers the handoff records the turns save in the store's outbox."""
        self.policy = policy or HandoffPolicy()
        self.reachable = sink is not None or bool(self.policy.transfer_to)
        """Whether a person can take a handoff: its record reaches a sink, or a gateway transfers the call."""
        self.answerers: tuple[Answerer, ...] = (
            *answerers,
            Fallback(self.policy, router.skills, self.reachable),
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
        waited for its session in vain. A turn without a session id (a one-shot call through the
        Python API) gets a session of its own; the webhook channels refuse a request without one.
        """
        if not turn.session_id:
            turn = replace(turn, session_id=uuid.uuid4().hex)
        late = LateTurn(turn, self.keep_late_reply)
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
        """What the caller hears when the turn's deadline runs out before its reply is ready."""
        voices = self._speakers(turn)
        return reprompted(
            builtin_reply(turn, "one_moment", expect=Expect.ANSWER, skills=voices), turn, voices
        )

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
            return apology(turn, self._speakers(turn))
        self._housekeeping()
        return reply

    def _answer(self, turn: Turn, late: LateTurn, started: float) -> Reply:
        """The turn's reply, committed with the turn; the caller holds the session."""
        start = self.store.load_turn(turn.session_id, turn.user_id, turn.request_id)
        if start.earlier is not None:  # the platform sent the request again: the same answer, once
            earlier = Reply.from_dict(start.earlier)
            if late.kept_with_turn():  # the first one keeps its own late reply, if any
                return earlier
            return self._told_now(turn, start.session, earlier)
        if turn.hung_up and not _goes_on(turn, start.session):  # after our goodbye: no new conversation
            return hung_up_reply()
        session, turn = self._session(turn, start)
        loading = still_loading(self._loading)  # as the turn starts: passing them asked nothing
        step = TurnStep(
            self.router,
            self.policy,
            self.answerers,
            turn,
            session.dialog,
            satisfaction=self.satisfaction,
            reachable=self.reachable,
        )
        failed = False
        try:
            reply = step.run()
        except Exception:
            _LOGGER.exception("skill failed on intent %s (session %s)", step.turn.intent, turn.session_id)
            (step.state, reply), failed = self._crashed(step.turn, session.dialog), True
        reply = self._transferred(replace(reply, intent=step.turn.intent), step.state)
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
        )
        stored = self._commit(
            step.turn, state, reply, session, facts, late, lambda: self._one_moment(turn).text
        )
        if not stored.deadline_overrun:  # stored as heard in time; if "one moment" comes after all,
            # the replies are kept, the signals marked and the log corrected in one write
            late.stored = StoredTurn(stored, turn, _answer(turn, late.unheard[-1]))
            if late.kept_with_turn():  # "one moment" while the commit waited
                self._keep_pending(turn.session_id, late.unheard, late.stored)  # still this turn's
        return reply

    def _store_missed(self, missed: MissedTurn) -> None:
        """Store a turn that did not get its session (the caller holds it now) as its caller heard it:
        "one moment" (or the apology), with what the router makes of its words, a missed deadline in
        its signals and its request's answer. A ``noted`` one also leaves a note for the next turn, or
        the request sent again, that it was not answered and is best said again, and counts as failed:
        its handler is not run late, as the caller may have asked again since (a booking made twice)."""
        start = self.store.load_turn(missed.turn.session_id, missed.turn.user_id, missed.turn.request_id)
        if start.earlier is not None:  # its request, sent again, was answered: that turn is stored
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
        self._commit(turn, state, said, session, facts, missed.late, lambda: self._one_moment(turn).text)

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

    def _commit(
        self,
        turn: Turn,
        state: DialogState,
        reply: Reply,
        loaded: Session,
        facts: TurnFacts,
        late: LateTurn,
        moment: Callable[[], str],
    ) -> TurnSignals:
        """Store the turn; return its signals as stored. ``late`` says, as the session is saved, whether
        the caller heard "one moment" (``moment``) instead of this reply: then the log says so, the
        replies the caller has not heard (``late.unheard``) are kept for the next turn, a reply that ends
        the session does not end it, and the signals count a missed deadline. (A commit that waits for
        a busy database past the deadline learns it after: ``_respond`` then corrects what it stored.)"""
        now, hide = turn.time.timestamp(), self._redaction(turn, state, loaded)
        heard = TurnRecord(
            time=now,
            speaker=Speaker.USER,
            text=hide.text(turn.text),
            intent=turn.intent or "",
            slots=hide.slots({name: to_json(slot.value) for name, slot in turn.slots.items()}),
            confidence=turn.confidence,
        )
        said = TurnRecord(time=now, speaker=Speaker.ASSISTANT, text=hide.text(reply.text))
        handing_over = state.handed_over and not loaded.dialog.handed_over
        signals = turn_signals(
            facts, turn, loaded, state, text=heard.text, skills=self.router.skills, policy=self.policy
        )
        state = replace(state, outcome=signals.outcome.value)  # the next turn moves its count from it

        def change(session: Session, unheard: bool) -> Session:
            # a reply the caller has not heard ("one moment") keeps the session for the next turn
            ended = session.ended or (reply.end_session and not unheard)
            dialog = state.with_pending(*late.unheard) if unheard else state
            return replace(
                _with_dialog(session, dialog, ended=ended),
                skill=session.skill or signals.conversation_skill,
                handed_over=session.handed_over or state.handed_over,
            )

        def told(unheard: bool) -> Told:
            """What the caller heard, and the request's answer: the reply; or "one moment", and the turn's
            own reply, which waits among the pending ones for the next turn or the request sent again."""
            if not unheard:
                return (heard, said), _answer(turn, reply)
            kept = _answer(turn, late.unheard[-1]) if late.unheard else None
            return (heard, replace(said, text=moment())), kept

        def outbox(heard_turns: tuple[TurnRecord, ...]) -> tuple[OutboxItem, ...]:
            """The handoff record, its transcript ending as the caller heard the turn."""
            return (self._handoff(turn, state, loaded, heard_turns, facts, signals),) if handing_over else ()

        stored = self._record(turn.session_id, told, change, late.kept_with_turn, loaded, outbox, signals)
        if reply.remember and turn.user_id:
            self.store.update_user(turn.user_id, reply.remember)
        if handing_over and self.sender is not None:
            self.sender.notify()
        return stored

    def _redaction(self, turn: Turn, state: DialogState, loaded: Session) -> TurnRedaction:
        """What the turn's stored words must not hold: personal data, and the words of the sensitive
        slots of its intent and of the flow it is in (the assistant may repeat them)."""
        slots, sensitive = dict(turn.slots), set(self._sensitive(turn.skill, turn.intent))
        for flow in (loaded.dialog.flow, state.flow):
            if flow is not None:
                slots = {**flow.slots, **slots}
                sensitive |= self._sensitive(flow.skill, flow.intent)
        asked = self._birth_date_asked(loaded.dialog.flow)
        return self.redactor.for_turn(slots, sensitive, birth_date_asked=asked)

    def _sensitive(self, skill_name: str, intent: str | None) -> frozenset[str]:
        """The slots stored redacted: those the skill marks, and those holding a date of birth while
        that kind is redacted (``Skill.birth_date_slots``)."""
        skill = self.router.skills.get(skill_name)
        if skill is None:
            return frozenset()
        if Kind.BIRTHDATE not in self.redactor.settings.kinds:
            return skill.sensitive_slots(intent)
        return skill.sensitive_slots(intent) | skill.birth_date_slots(intent)

    def _birth_date_asked(self, flow: ActiveFlow | None) -> bool:
        """The turn answers the flow's question for a date of birth, or its check of one ("Klopt 12
        maart 1980?" "Nee, 13 maart"): the answer says no "geboren" before its date."""
        skill = self.router.skills.get(flow.skill) if flow is not None else None
        if flow is None or skill is None:
            return False
        return bool({flow.asking, flow.confirming_slot} & skill.birth_date_slots(flow.intent))

    def _record(
        self,
        session_id: str,
        told: Callable[[bool], Told],
        change: Callable[[Session, bool], Session],
        heard_late: Callable[[], bool],
        loaded: Session,
        outbox: Callable[[tuple[TurnRecord, ...]], tuple[OutboxItem, ...]],
        signals: TurnSignals,
    ) -> TurnSignals:
        """Commit the turn and return its signals as stored; while another writer holds the database,
        try again for up to ``TURN_WAIT_S``.

        Each try asks ``heard_late`` once, as it saves: the session's ``change``, what was ``told``, the
        ``outbox`` made from it (a handoff record's transcript) and the signals' ``deadline_overrun``
        follow that one answer, so the log, the colleague and the KPIs see what the caller heard. A
        ``BusyError`` wrote nothing, and the turn still holds its session, so trying again is safe; giving
        up at the store's first ``busy_timeout`` would lose a turn whose caller already heard "one moment".
        No retry on a conflict: the session is held for this turn, so a conflict means its state is not
        the one the turn was decided on; reapplying it would undo another turn.
        """
        stored = signals

        def write() -> None:
            nonlocal stored
            unheard = heard_late()
            stored = replace(signals, deadline_overrun=unheard)
            turns, answer = told(unheard)
            self.store.record_exchange(
                session_id,
                turns,
                lambda session: change(session, unheard),
                loaded=loaded,
                answer=answer,
                outbox=outbox(turns),
                signals=(stored,),
                retries=0,
            )

        while_busy(session_id, write)
        return stored

    def _handoff(
        self,
        turn: Turn,
        state: DialogState,
        loaded: Session,
        said: tuple[TurnRecord, ...],
        facts: TurnFacts,
        signals: TurnSignals,
    ) -> OutboxItem:
        """The handoff record for the outbox, saved with the turn; the sender delivers it afterwards.
        Without a sink it waits there (the caller heard that nobody can be put through now, unless a
        gateway transfers the call): the first start with a ``[handoff]`` sink delivers it. Its skill is
        the flow's, else the one the signals count the turn under (the intent's, an offer's, the only one
        loaded), else the conversation's: a colleague's queue can be chosen by it even when the caller's
        words matched no skill's intent."""
        if self.sink is None:
            _LOGGER.warning(
                "session %s needs a person (%s) but no handoff sink is set: its record waits in the "
                "store's outbox until [handoff] names one",
                turn.session_id,
                state.handoff_reason,
            )
        flow = state.flow or facts.finished_flow
        record = HandoffRecord(
            id=state.handoff_id,
            reason=state.handoff_reason,
            session_id=turn.session_id,
            user_id=turn.user_id or loaded.user_id,
            skill=flow.skill if flow else (signals.skill or signals.conversation_skill),
            locale=turn.locale,
            channel=turn.channel,
            time=turn.time,
            transcript=tuple(
                {"speaker": t.speaker.value, "text": t.text, "intent": t.intent}
                for t in (*loaded.history, *said)
            ),
            slots=self._redaction(turn, state, loaded).slots(
                {name: to_json(slot.value) for name, slot in (flow.slots if flow else {}).items()}
            ),
        )
        return OutboxItem(
            id=record.id, kind="handoff", payload=record.to_dict(), created_at=self.store.clock()
        )

    def _transferred(self, reply: Reply, state: DialogState) -> Reply:
        """A reply of a handed-over conversation names its handoff record (id and reason, for the
        colleague's desktop to match the call) and where a phone gateway puts the call through, when
        ``[handoff] transfer_to`` is set; every turn after the handoff does too, in case the gateway kept
        the caller on the line instead of transferring."""
        if not state.handed_over:
            return reply
        return replace(
            reply,
            handoff_id=state.handoff_id,
            handoff_reason=state.handoff_reason,
            transfer_to=self.policy.transfer_to or reply.transfer_to,
        )

    def _crashed(self, turn: Turn, before: DialogState) -> tuple[DialogState, Reply]:
        """After a handler raised: the state before the turn, so that the caller can try again (an API
        that blinked), and the turn counted as one that did not help, so that a handler that keeps
        failing ends at a person after ``max_fallbacks`` in a row instead of an apology at every try."""
        state = replace(before, fallbacks=before.fallbacks + 1)
        if state.fallbacks >= self.policy.max_fallbacks and not state.handed_over:
            handoff = handoff_reply(turn, self._speakers(turn), reachable=self.reachable)
            return state.handing_over("fallbacks"), handoff
        return state, apology(turn, self._speakers(turn), before.open_question)

    def _speakers(self, turn: Turn) -> tuple[Skill, ...]:
        """Who says the framework's replies for this turn: its skill's own version (``builtin:``) first."""
        return speakers(self.router.skills, turn.skill)

    def keep_late_reply(
        self, session_id: str, replies: tuple[Reply, ...], stored: StoredTurn | None = None
    ) -> None:
        """Store the replies a turn's caller did not hear because it missed its deadline (its own, and
        the late ones it told); the next turn speaks them. ``stored`` is the turn when it was stored as
        heard in time: it is corrected in the same write. It holds the session like a turn, so the
        caller's next turn waits for it instead of racing it."""
        with self.store.lock_session(session_id, TURN_WAIT_S):
            self._keep_pending(session_id, replies, stored)

    def _keep_pending(self, session_id: str, replies: tuple[Reply, ...], stored: StoredTurn | None) -> None:
        """Keep ``replies`` for the next turn, and correct the ``stored`` turn with it (the caller holds
        the session): its signals count the missed deadline, its assistant turn says "one moment" in
        history and log, and its request's answer is its own reply (``Dialog._told_now`` finds it)."""
        heard = None
        if stored is not None:
            moment = self._one_moment(stored.turn).text
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

    def _told_now(self, turn: Turn, session: Session | None, reply: Reply) -> Reply:
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
            cleared = _with_dialog(stored, dialog, ended=stored.ended or told.end_session)
            return cleared if heard is None else cleared.with_heard(heard)

        try:
            self.store.update(session_id, change, answer=(turn.request_id, told.to_dict()), heard=heard)
        except StoreError:
            _LOGGER.warning("session %s: replies told to a request sent again stay pending", session_id)
        return told

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


def _with_dialog(session: Session, dialog: DialogState, *, ended: bool) -> Session:
    """``session`` with ``dialog``, and ended or not: an ended one keeps only how it ended
    (``DialogState.closed``), none of the caller's words."""
    return replace(session, dialog=dialog.closed() if ended else dialog, ended=ended)


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


def _answer(turn: Turn, reply: Reply) -> Answer | None:
    """``reply`` as the answer to the turn's platform request; None without a request id."""
    return (turn.request_id, reply.to_dict()) if turn.request_id else None


def apology(
    turn: Turn, skills: tuple[Skill, ...] = (), question: str | None = None, key: str = "error"
) -> Reply:
    """The framework's spoken error reply (``key``) in the turn's language (``skills``' own version
    first); it keeps the session open, with ``question`` (a flow's open one) as its reprompt."""
    return reprompted(builtin_reply(turn, key, expect=Expect.ANSWER, skills=skills), turn, skills, question)


def reprompted(reply: Reply, turn: Turn, skills: tuple[Skill, ...], question: str | None = None) -> Reply:
    """``reply`` with a short reprompt for a platform's own timeout: ``question``, else "how can I help?"."""
    return replace(reply, reprompt=question or builtin_reply(turn, "ask_what", skills=skills).text)
