"""The dialog manager: the responder every channel calls, one turn at a time.

Per turn it loads the session, matches the words in the dialog's context, applies the
built-in intents (help, stop, cancel, repeat, start over, yes/no, a person), fills and
validates the slots of a flow, asks for confirmation, runs the handler within the turn's
deadline, decides on a handoff, and commits history, log and state in one transaction.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import replace
from functools import cache
from typing import Any

from ..nlu import IntentMatch, IntentSet
from ..reply import Expect, Reply
from ..router import BUILTIN_LOCALES, Router
from ..skill import Skill
from ..slot_values import coerce, slot_from_json, slot_to_json, to_json
from ..store import Session, Speaker, Store, TurnRecord
from ..turn import Turn
from .deadline import run_within
from .flow import Flow
from .handoff import HandoffPolicy, HandoffRecord, HandoffSink
from .state import ActiveFlow, DialogState

_LOGGER = logging.getLogger(__name__)
BUILTIN = "builtin"
HOUSEKEEPING_INTERVAL_S = 3600.0


@cache
def builtin_intents(language: str) -> IntentSet:
    """The built-in intents (yes, no, help, stop, ...) for ``language`` (read once)."""
    return IntentSet.from_file(BUILTIN_LOCALES / language / "intents.yaml", skill=BUILTIN)


class Dialog:
    """Multi-turn conversations over a router, with sessions kept in a store."""

    def __init__(
        self,
        router: Router,
        store: Store,
        *,
        policy: HandoffPolicy | None = None,
        sink: HandoffSink | None = None,
        session_ttl: float = 600.0,
        retention_days: float | None = None,
    ) -> None:
        self.router, self.store, self.sink = router, store, sink
        self.policy = policy or HandoffPolicy()
        self.session_ttl = session_ttl
        self.retention_days = retention_days
        """Conversation-log rows older than this are deleted (hourly, as turns come in); None keeps them."""
        self._next_housekeeping = 0.0
        for language in router.languages:
            if (BUILTIN_LOCALES / language / "intents.yaml").is_file():
                router.add_intents(language, builtin_intents(language))

    def respond(self, turn: Turn) -> Reply:
        """Answer one turn and remember it."""
        if not turn.session_id:
            turn = replace(turn, session_id=uuid.uuid4().hex)
        session = self.store.load_or_start(
            turn.session_id,
            user_id=turn.user_id,
            skill="",
            locale=turn.locale,
            channel=turn.channel,
            ttl=self.session_ttl,
        )
        state = DialogState.from_dict(session.dialog)
        if turn.user_id:
            turn = replace(turn, user=self.store.get_user(turn.user_id))
        step = _Step(self, turn, state, session)
        reply = replace(step.run(), intent=step.turn.intent)
        self._commit(step, reply)
        self._housekeeping()
        return reply

    def _housekeeping(self) -> None:
        """At most once an hour per process, start dropping expired sessions and log rows past
        retention in a background thread: a big purge must not hold up the turn that started it."""
        if self.retention_days is None or time.monotonic() < self._next_housekeeping:
            return
        self._next_housekeeping = time.monotonic() + HOUSEKEEPING_INTERVAL_S
        threading.Thread(
            target=self._purge, args=(self.retention_days,), name="voice-housekeeping", daemon=True
        ).start()

    def _purge(self, retention_days: float) -> None:
        try:
            self.store.purge_expired()
            self.store.purge_log(retention_days)
        except Exception:  # a background thread has no caller to tell; the next hour tries again
            _LOGGER.exception("housekeeping of the session store failed; it is tried again in an hour")

    def _commit(self, step: _Step, reply: Reply) -> None:
        turn, state = step.turn, replace(step.state, last_reply=reply.to_dict())
        now = turn.time.timestamp()
        heard = TurnRecord(
            time=now,
            speaker=Speaker.USER,
            text=turn.text,
            intent=turn.intent or "",
            slots={name: to_json(slot.value) for name, slot in turn.slots.items()},
            confidence=turn.confidence,
        )
        said = TurnRecord(time=now, speaker=Speaker.ASSISTANT, text=reply.text)

        def change(session: Session) -> Session:
            changed = session.with_dialog(state.to_dict())
            changed = changed.handed_over_to_human() if state.handed_over else changed
            return changed.ended_now() if reply.end_session else changed

        saved = self.store.record_exchange(turn.session_id, (heard, said), change, loaded=step.session)
        if reply.remember and turn.user_id:
            self.store.update_user(turn.user_id, reply.remember)
        if step.handoff_reason:
            self._hand_over(step, state, saved)

    def _hand_over(self, step: _Step, state: DialogState, session: Session) -> None:
        if self.sink is None:
            _LOGGER.warning(
                "session %s needs a person (%s) but no handoff sink is set",
                step.turn.session_id,
                step.handoff_reason,
            )
            return
        record = HandoffRecord(
            reason=step.handoff_reason or "",
            session_id=session.id,
            user_id=session.user_id,
            skill=state.flow.skill if state.flow else step.turn.skill,
            locale=step.turn.locale,
            channel=step.turn.channel,
            time=step.turn.time,
            transcript=tuple(
                {"speaker": t.speaker.value, "text": t.text, "intent": t.intent} for t in session.history
            ),
            slots={k: v.get("value") for k, v in (state.flow.slots if state.flow else {}).items()},
        )
        self.sink.deliver(record)

    def keep_late_reply(self, session_id: str, reply: Reply) -> None:
        """Store a reply that missed its deadline; the next turn speaks it."""

        def change(session: Session) -> Session:
            state = DialogState.from_dict(session.dialog)
            return session.with_dialog(replace(state, pending_reply=reply.to_dict()).to_dict())

        self.store.update(session_id, change)


class _Step:
    """One turn's decisions; ``run`` returns the reply and leaves the new state in ``state``."""

    def __init__(self, dialog: Dialog, turn: Turn, state: DialogState, session: Session) -> None:
        self.dialog, self.router, self.policy = dialog, dialog.router, dialog.policy
        self.turn, self.state, self.session = turn, state, session
        self.handoff_reason: str | None = None

    def run(self) -> Reply:
        if self.state.handed_over:
            return self._builtin("handed_over", end_session=True)
        if self.turn.language not in self.router.languages:
            return self._builtin("unsupported_language", end_session=True)
        if not self.turn.text.strip() and self.turn.intent is None:
            return self._silence()
        self.state = replace(self.state, no_input=0)
        match = self._match()
        if match is not None:
            self.turn = self.turn.matched(match)
        reason = self._handoff_trigger(match)
        if reason:
            return self._hand_over(reason)
        if match is None:
            return self._not_understood()
        self.state = replace(self.state, fallbacks=0)
        reply = self._builtin_intent(match.intent) if match.skill == BUILTIN else self._intent(match)
        return self._with_late_reply(reply)

    # -- understanding --------------------------------------------------------------------------

    def _match(self) -> IntentMatch | None:
        if self.turn.intent is not None:  # resolved by the platform: its values become ours
            name = self.turn.skill or self._owner()
            skill = self.router.skills.get(name)
            kinds = skill.slot_kinds(self.turn.intent, self.turn.language) if skill else {}
            return IntentMatch(intent=self.turn.intent, slots=coerce(self.turn.slots, kinds), skill=name)
        return self.router.parse(self.turn.text, self.turn.language, self.state.context(), now=self.turn.time)

    def _owner(self) -> str:
        """The skill that declares the channel's intent, the active flow's first; else the built-ins."""
        owners = [skill.name for skill in self.router.owners(self.turn.intent, self.turn.language)]
        flow_skill = self.state.flow.skill if self.state.flow else None
        return flow_skill if flow_skill in owners else (owners[0] if owners else BUILTIN)

    def _handoff_trigger(self, match: IntentMatch | None) -> str | None:
        if match is not None and match.intent == "TalkToAgent":
            return "asked"
        if self.turn.text and self.policy.irritated(self.turn.text, self.turn.language):
            return "irritation"
        low = self.turn.confidence < self.policy.low_confidence_below
        self.state = replace(self.state, low_confidence=self.state.low_confidence + 1 if low else 0)
        if self.state.low_confidence >= self.policy.max_low_confidence:
            return "low_confidence"
        if match is None and self.state.fallbacks + 1 >= self.policy.max_fallbacks:
            return "fallbacks"
        return None

    def _hand_over(self, reason: str) -> Reply:
        self.handoff_reason = reason
        self.state = replace(self.state, handed_over=True)
        reply = self._builtin("handoff")
        return replace(reply, handoff=True, end_session=True)

    def _not_understood(self) -> Reply:
        self.state = replace(self.state, fallbacks=self.state.fallbacks + 1)
        question = self._pending_question()
        if question:
            return self._with_question("not_understood_in_flow", question)
        return self._builtin("fallback", expect=Expect.ANSWER)

    def _silence(self) -> Reply:
        count = self.state.no_input + 1
        self.state = replace(self.state, no_input=count)
        if count > self.policy.max_no_input:
            return self._builtin("closing", end_session=True)
        last = Reply.from_dict(self.state.last_reply) if self.state.last_reply else None
        question = (last.reprompt or last.text) if last else self._help().text
        return self._with_question("no_input", question)

    # -- built-in intents -----------------------------------------------------------------------

    def _builtin_intent(self, intent: str) -> Reply:
        flow = self.state.flow
        if intent in ("Yes", "No") and flow is not None and flow.confirming:
            return self._confirmed(flow) if intent == "Yes" else self._denied(flow)
        if intent == "Stop":
            self.state = replace(self.state, flow=None)
            return self._builtin("goodbye", end_session=True)
        if intent == "Cancel":
            self.state = replace(self.state, flow=None)
            return self._builtin("cancelled" if flow else "nothing_to_cancel", expect=Expect.ANSWER)
        if intent == "StartOver":
            self.state = replace(self.state, flow=None, previous_intent=None, previous_slots={})
            return self._builtin("start_over", expect=Expect.ANSWER)
        if intent == "Repeat":
            return (
                Reply.from_dict(self.state.last_reply)
                if self.state.last_reply
                else self._builtin("nothing_to_repeat", expect=Expect.ANSWER)
            )
        if intent == "Help":
            question = self._pending_question()
            help_reply = self._help()
            return replace(help_reply, speech=f"{help_reply.text} {question}") if question else help_reply
        if intent in ("Greeting", "Thanks"):  # politeness; in a flow, back to the question asked
            question = self._pending_question()
            if question:
                return self._with_question(f"{intent.lower()}_in_flow", question)
            return self._builtin(intent.lower(), expect=Expect.ANSWER)
        return self._not_understood()  # a stray yes or no

    def _help(self) -> Reply:
        """The skills know what they can do: their ``Help`` response (the active flow's skill first),
        else the framework's general one."""
        language = self.turn.language
        first = [self.state.flow.skill] if self.state.flow else []
        for name in dict.fromkeys([*first, *self.router.skills]):
            skill = self.router.skills.get(name)
            if skill and language in skill.languages and "Help" in skill.responses(language):
                return skill.reply(self.turn, "Help", expect=Expect.ANSWER)
        return self._builtin("help", expect=Expect.ANSWER)

    def _pending_question(self) -> str | None:
        last = self.state.last_reply
        if self.state.flow is None or not last:
            return None
        return str(last.get("reprompt") or last.get("speech") or "") or None

    # -- intents and flows ----------------------------------------------------------------------

    def _intent(self, match: IntentMatch) -> Reply:
        skill = self.router.skills.get(match.skill)
        if skill is None:
            return self._not_understood()
        flow_spec = skill.flows.get(match.intent)
        if flow_spec is None:
            return self._answer(skill)
        active = self.state.flow
        if active is None or active.intent != match.intent:
            active = ActiveFlow(intent=match.intent, skill=skill.name)
        slots = {**active.slots, **{name: slot_to_json(value) for name, value in match.slots.items()}}
        changed = [name for name in match.slots if active.slots.get(name) != slots[name]]
        confirming = None if changed else active.confirming
        confirmed = tuple(name for name in active.confirmed if name not in changed)
        self.state = replace(
            self.state,
            flow=replace(active, slots=slots, confirming=confirming, confirmed=confirmed, asking=None),
        )
        return self._advance(skill, flow_spec, changed)

    def _advance(self, skill: Skill, spec: Flow, changed: list[str]) -> Reply:
        """Validate what changed, ask for what is missing, confirm, then run the handler."""
        flow = self.state.flow
        assert flow is not None
        turn = self._flow_turn(flow)
        for name in changed:
            slot = spec.slot(name)
            problem = slot.validate(turn.value(name), turn) if slot and slot.validate else None
            if problem and slot:
                slots = {k: v for k, v in flow.slots.items() if k != name}
                self.state = replace(self.state, flow=replace(flow, slots=slots, asking=name))
                values = spec.values(turn)
                prompt = skill.say(turn, slot.prompt, **values)
                return Reply(
                    speech=f"{skill.say(turn, problem, **values)} {prompt}",
                    reprompt=prompt,
                    expect=Expect.SLOT,
                    slot=name,
                )
        for slot in (spec.slot(name) for name in changed):
            if slot is not None and slot.confirm:
                self.state = replace(self.state, flow=replace(flow, confirming=slot.name))
                question = skill.say(turn, slot.confirm, **spec.values(turn))
                return _asking(question, Expect.CONFIRMATION, slot.name)
        missing = next((s for s in spec.slots if s.name not in flow.slots), None)
        if missing is not None:
            self.state = replace(self.state, flow=replace(flow, asking=missing.name))
            prompt = skill.say(turn, missing.prompt, **spec.values(turn))
            return _asking(prompt, Expect.SLOT, missing.name)
        if spec.confirm and flow.confirming != "done":
            self.state = replace(self.state, flow=replace(flow, confirming="intent"))
            question = skill.say(turn, spec.confirm, **spec.values(turn))
            return _asking(question, Expect.CONFIRMATION)
        return self._finish_flow(skill, turn)

    def _confirmed(self, flow: ActiveFlow) -> Reply:
        skill = self.router.skills[flow.skill]
        if flow.confirming == "intent":
            flow = replace(flow, confirming="done")
        else:
            flow = replace(flow, confirming=None, confirmed=(*flow.confirmed, str(flow.confirming)))
        self.state = replace(self.state, flow=flow)
        return self._advance(skill, skill.flows[flow.intent], [])

    def _denied(self, flow: ActiveFlow) -> Reply:
        if flow.confirming == "intent":
            self.state = replace(self.state, flow=replace(flow, confirming=None))
            return self._builtin("deny_confirmation", expect=Expect.ANSWER)
        skill = self.router.skills[flow.skill]
        spec = skill.flows[flow.intent]
        name = str(flow.confirming)
        slots = {k: v for k, v in flow.slots.items() if k != name}
        flow = replace(flow, slots=slots, confirming=None, asking=name)
        self.state = replace(self.state, flow=flow)
        turn = self._flow_turn(flow)
        slot = spec.slot(name)
        prompt = skill.say(turn, slot.prompt, **spec.values(turn)) if slot else ""
        return _asking(prompt, Expect.SLOT, name)

    def _finish_flow(self, skill: Skill, turn: Turn) -> Reply:
        self.state = replace(self.state, flow=None)
        return self._answer(skill, turn)

    def _flow_turn(self, flow: ActiveFlow) -> Turn:
        slots = {name: slot_from_json(v) for name, v in flow.slots.items()}
        return replace(self.turn, intent=flow.intent, skill=flow.skill, slots=slots)

    def _answer(self, skill: Skill, turn: Turn | None = None) -> Reply:
        """Run the skill's handler within the deadline; an exception becomes an apology."""
        turn = turn or self.turn
        session_id = turn.session_id
        try:
            reply = run_within(
                lambda: skill.answer(turn),
                turn.remaining(),
                lambda late: self.dialog.keep_late_reply(session_id, late),
            )
        except Exception:
            _LOGGER.exception(
                "skill %s failed on intent %s (session %s)", skill.name, turn.intent, session_id
            )
            return self._builtin("error", expect=Expect.ANSWER)
        if reply is None:
            return self._builtin("one_moment", expect=Expect.ANSWER)
        self.state = replace(
            self.state,
            previous_intent=turn.intent,
            previous_slots={k: slot_to_json(v) for k, v in turn.slots.items()},
        )
        return reply

    def _with_late_reply(self, reply: Reply) -> Reply:
        """Put a reply that missed an earlier deadline in front of this one."""
        pending = self.state.pending_reply
        if not pending:
            return reply
        self.state = replace(self.state, pending_reply=None)
        late = Reply.from_dict(pending)
        intro = self._builtin("late_result").text
        return replace(reply, speech=f"{intro} {late.text} {reply.text}")

    def _with_question(self, key: str, question: str) -> Reply:
        """A built-in reply that ends with the question still open, which is also its reprompt."""
        return replace(self._builtin(key, expect=Expect.ANSWER, question=question), reprompt=question)

    def _builtin(
        self, key: str, *, expect: Expect = Expect.NOTHING, end_session: bool = False, **values: Any
    ) -> Reply:
        return self.router.builtin(self.turn, key, expect=expect, end_session=end_session, **values)


def _asking(question: str, expect: Expect, slot: str | None = None) -> Reply:
    """A question for the caller, repeated as the reprompt."""
    return Reply(speech=question, reprompt=question, expect=expect, slot=slot)
