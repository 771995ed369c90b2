"""Storing a turn: what the caller said and heard, the dialog state, the turn's signals and a handoff
record, in one transaction, without the personal data the stored words must not hold.

The dialog decides a turn (``TurnStep``); ``Recorder.commit`` stores it as its caller heard it: the reply,
or "one moment" when the deadline passed as it was saved (``LateTurn``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from ..hesitations import read_in_full
from ..redaction import Kind, Redactor, TurnRedaction
from ..reply import Reply
from ..router import Router
from ..slot_values import to_json
from ..state import ActiveFlow, Confirming, DialogState
from ..store import OutboxItem, Session, Speaker, Store, TurnRecord
from ..store.base import Answer
from ..store.signals import TurnSignals
from ..turn import Turn
from .flows import free_text
from .handoff import HandoffPolicy, HandoffRecord
from .late import LateTurn, while_busy
from .outbox import OutboxSender
from .signals import TurnFacts, turn_signals

__all__ = ["Recorder", "request_answer"]

_LOGGER = logging.getLogger(__name__)
Told = tuple[tuple[TurnRecord, ...], Answer | None]
"""A turn's records as its caller heard it (their words, then the reply or "one moment"), and the answer to
its platform request."""


class Recorder:
    """Commits the turns of a dialog to its store, and hands their handoff records to the sender."""

    def __init__(
        self,
        store: Store,
        router: Router,
        policy: HandoffPolicy,
        redactor: Redactor,
        sender: OutboxSender | None,
    ) -> None:
        """``sender``: delivers the handoff records saved in the outbox; None without a handoff sink."""
        self.store, self.router, self.policy = store, router, policy
        self.redactor, self.sender = redactor, sender

    def commit(
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
        a busy database past the deadline learns it after: the dialog then corrects what it stored.)"""
        hide = self.redaction(turn, state, loaded)
        heard, said = _exchange(turn, reply, hide)
        handing_over = state.handed_over and not loaded.dialog.handed_over
        if handing_over:
            state = replace(state, withheld_as=self._withheld_as(turn, state, loaded, facts))
        signals = turn_signals(
            facts, turn, loaded, state, text=heard.text, skills=self.router.skills, policy=self.policy
        )
        if state.outcome != signals.outcome.value:  # the next turn moves its count from it
            state = replace(state, outcome=signals.outcome.value)

        def change(session: Session, unheard: bool) -> Session:
            return _session_after(session, state, reply, late, signals, unheard)

        def told(unheard: bool) -> Told:
            """What the caller heard, and the request's answer: the reply; or "one moment", and the turn's
            own reply, which waits among the pending ones for the next turn or the request sent again."""
            if not unheard:
                return (heard, said), request_answer(turn, reply)
            kept = request_answer(turn, late.unheard[-1]) if late.unheard else None
            return (heard, replace(said, text=moment())), kept

        def outbox(heard_turns: tuple[TurnRecord, ...]) -> tuple[OutboxItem, ...]:
            """The handoff record, its transcript ending as the caller heard the turn."""
            return (
                (self._handoff(turn, state, loaded, heard_turns, facts, signals, hide),)
                if handing_over
                else ()
            )

        stored = self._record(turn.session_id, told, change, late.kept_with_turn, loaded, outbox, signals)
        if reply.remember and turn.user_id:
            self.store.update_user(turn.user_id, reply.remember)
        if handing_over and self.sender is not None:
            self.sender.notify()
        return stored

    def redaction(self, turn: Turn, state: DialogState, loaded: Session) -> TurnRedaction:
        """What the turn's stored words must not hold: personal data, and the words of the sensitive
        slots of its intent and of the flow it is in (the assistant may repeat them)."""
        flows = [flow for flow in (loaded.dialog.flow, state.flow) if flow is not None]
        slots = {  # the turn's values first, then those the flow had before it, then after it
            **{name: value for flow in reversed(flows) for name, value in flow.slots.items()},
            **turn.slots,
        }
        sensitive = self._sensitive_in(turn, flows)
        asked = self._birth_date_asked(loaded.dialog.flow)
        unfilled = self._unfilled_answer(turn, loaded.dialog)
        return self.redactor.for_turn(slots, sensitive, birth_date_asked=asked, unfilled=unfilled)

    def _intent_sensitive(self, turn: Turn) -> frozenset[str]:
        """The sensitive slots of the turn's intent: its skill's, or, for an intent a platform resolved
        that the dialog did not match (a turn after a handoff), those of every skill that declares it."""
        if turn.skill or turn.intent is None:
            return self._sensitive(turn.skill, turn.intent)
        owners = self.router.owners(turn.intent, turn.language)
        return frozenset().union(*(self._sensitive(skill.name, turn.intent) for skill in owners))

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

    def _unfilled_answer(self, turn: Turn, before: DialogState) -> str | None:
        """The sensitive slot the turn answers a question about (``_asked``) without filling it, if any:
        which of its words would have been the value is unknown, so none is stored. After a handoff
        in a conversation with a sensitive slot, every turn stands for it (``DialogState.withheld_as``).
        Words a template read in full with no slot that takes any words ("ja", "stop", "nee, om elf
        uur") are the skill's own and the values of typed slots: they stay. A slot a platform sent after
        the handoff fills nothing (the assistant reads none of it): its words stand for the slot too."""
        asked = self._asked(before.flow) if before.flow is not None else None
        if asked and asked in turn.slots:
            return None
        slot = asked or before.withheld_as
        return None if not slot or self._read_in_full(turn) else slot

    def _withheld_as(self, turn: Turn, state: DialogState, loaded: Session, facts: TurnFacts) -> str:
        """The sensitive slot whose placeholder stores the caller's words after this turn's handoff: the
        one a flow asked about, else one of the flows' or the intent's; none without such a slot. The
        assistant reads no word said after a handoff, so none fills a slot, and the flow's values, by
        which a normal turn's repeat of them is found, go when the session ends."""
        flows = [flow for flow in (loaded.dialog.flow, state.flow, facts.finished_flow) if flow is not None]
        asked = next((slot for slot in map(self._asked, flows) if slot), None)
        return asked or min(self._sensitive_in(turn, flows), default="")

    def _sensitive_in(self, turn: Turn, flows: list[ActiveFlow]) -> frozenset[str]:
        """The sensitive slots of the turn's intent and of ``flows``."""
        return self._intent_sensitive(turn).union(
            *(self._sensitive(flow.skill, flow.intent) for flow in flows)
        )

    def _asked(self, flow: ActiveFlow) -> str | None:
        """The sensitive slot the flow asks the caller about: by its prompt, by the check of its value
        ("Nee, het is Piet de Vries"), or by the confirmation of the whole intent, which reads its value
        back ("... voor Piet de Boer. Zal ik hem boeken?" "Nee, het moet Klaas de Boer zijn")."""
        sensitive = self._sensitive(flow.skill, flow.intent)
        asked = flow.asking or flow.confirming_slot
        if asked is None and flow.confirming is Confirming.INTENT:
            asked = next((name for name in flow.slots if name in sensitive), None)
        return asked if asked in sensitive else None

    def _read_in_full(self, turn: Turn) -> bool:
        """Whether a template (not the fuzzy pass) read every word of the turn, and none of the slots it
        filled takes any words (a date, a time, a value of a list do not): no word of it can be a name."""
        match = turn.match
        if match is None or not match.template or match.is_fuzzy:
            return False
        if not read_in_full(turn.text, match.text, turn.language):
            return False
        skill = self.router.skills.get(match.skill)
        kinds = skill.slot_kinds(match.intent, turn.language) if skill is not None else {}
        return not any(name not in kinds or free_text(kinds[name]) for name in match.slots)

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
            stored = (
                signals if signals.deadline_overrun == unheard else replace(signals, deadline_overrun=unheard)
            )
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
        hide: TurnRedaction,
    ) -> OutboxItem:
        """The handoff record for the outbox, saved with the turn; the sender delivers it afterwards.
        Without a sink it waits there (the caller heard that nobody can be put through now, unless a
        gateway transfers the call): the first start with a ``[handoff]`` sink delivers it. Its skill is
        the flow's, else the one the signals count the turn under (the intent's, an offer's, the only one
        loaded), else the conversation's: a colleague's queue can be chosen by it even when the caller's
        words matched no skill's intent."""
        if self.sender is None:
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
            slots=hide.slots(
                {name: to_json(slot.value) for name, slot in (flow.slots if flow else {}).items()}
            ),
            after_hours=facts.after_hours,
        )
        return OutboxItem(
            id=record.id, kind="handoff", payload=record.to_dict(), created_at=self.store.clock()
        )


def _exchange(turn: Turn, reply: Reply, hide: TurnRedaction) -> tuple[TurnRecord, TurnRecord]:
    """The turn's records as stored: the caller's words, then the reply, without what ``hide`` hides."""
    now = turn.time.timestamp()
    heard = TurnRecord(
        time=now,
        speaker=Speaker.USER,
        text=hide.said(turn.text),
        intent=turn.intent or "",
        slots=hide.slots({name: to_json(slot.value) for name, slot in turn.slots.items()}),
        confidence=turn.confidence,
    )
    return heard, TurnRecord(time=now, speaker=Speaker.ASSISTANT, text=hide.text(reply.text))


def request_answer(turn: Turn, reply: Reply) -> Answer | None:
    """``reply`` as the answer to the turn's platform request; None without a request id."""
    return (turn.request_id, reply.to_dict()) if turn.request_id else None


def _session_after(
    session: Session, state: DialogState, reply: Reply, late: LateTurn, signals: TurnSignals, unheard: bool
) -> Session:
    """The session as the turn leaves it. A reply the caller has not heard ("one moment") keeps the
    session for the next turn, with the replies still to tell."""
    ended = session.ended or (reply.end_session and not unheard)
    dialog = state.with_pending(*late.unheard) if unheard else state
    after = session.after_turn(dialog, ended=ended)
    skill = session.skill or signals.conversation_skill
    handed_over = session.handed_over or state.handed_over
    if (skill, handed_over) == (session.skill, session.handed_over):  # as on most turns: no replace
        return after
    return replace(after, skill=skill, handed_over=handed_over)
