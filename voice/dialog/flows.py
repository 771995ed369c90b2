"""Filling a flow: validate what changed, confirm, ask for what is missing, then run the handler.

``FlowFilling`` is the part of a turn's decisions (``voice.dialog.step.TurnStep``) that deals
with multi-turn intents; it works on the step's ``turn`` and ``state``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from ..builtins import builtin_reply
from ..flow import Flow, Slot
from ..hesitations import corrected
from ..names import NameCheck, without_carrier
from ..nlu import IntentMatch, SlotValue, find_slot_type
from ..nlu.slots import WILDCARD_KIND
from ..reply import Expect, Reply
from ..skill import Skill
from ..ssml import joined
from ..state import ActiveFlow, Confirming, DialogState
from ..turn import Turn
from .handoff import HandoffPolicy


class FlowFilling:
    """Slot filling and confirmation; mixed into the turn step, which provides these attributes."""

    turn: Turn
    state: DialogState
    policy: HandoffPolicy
    finished_flow: ActiveFlow | None

    def _answer(self, skill: Skill, turn: Turn | None = None) -> Reply:
        raise NotImplementedError

    def _aside(self, words: str) -> Reply | None:
        """An answerer's sure answer to the turn's words (``words`` when it has none), or None (the turn
        step asks its chain)."""
        raise NotImplementedError

    def _missed(self) -> None:
        """Count the turn as one that did not help the caller."""
        raise NotImplementedError

    def _flow_intent(self, skill: Skill, spec: Flow, match: IntentMatch) -> Reply:
        """A turn that starts or continues ``spec``: merge its slots, then advance."""
        active = self.state.flow
        if active is None or active.intent != match.intent:
            active = ActiveFlow(intent=match.intent, skill=skill.name)
        said = {name: self._heard(spec, name, plain(value)) for name, value in match.slots.items()}
        changed = [name for name, value in said.items() if active.slots.get(name) != value]
        if not changed and active.confirming is Confirming.SLOT and active.confirming_slot in said:
            return self._said_again(skill, active)
        keep = active if not changed else replace(active, confirming=Confirming.NOTHING, confirming_slot=None)
        flow = replace(
            keep,
            slots={**active.slots, **said},
            confirmed=tuple(name for name in active.confirmed if name not in changed),
            checks=tuple(name for name in active.checks if name not in changed),
            asking=None,
        )
        before, self.state = self.state, replace(self.state, flow=flow)
        reply = self._advance(skill, spec, changed, answering=active.asking)
        if self._no_other_value(active, said):
            self.state = before  # the check stands: the words go to the answerers, as words no one reads
            return self._unmatched()
        self._check_failed(active, changed)
        asked = active.asking or active.slot_to_check
        instead = asked is not None and asked not in said  # not the answer asked for, nor its check's
        return self._noted(skill, spec, changed if instead else [], reply)

    def _check_failed(self, active: ActiveFlow, changed: list[str]) -> None:
        """Count another value said at the check of a slot ("nee, Daan" to "... verstaan: Dan?") that is
        checked in turn as one more answer refused for that slot: with the caller's no ("nee") and the same
        value said with one ("nee, mijn naam is Daan"), the ``max_refusals``-th in a row hands over, so a
        caller who cannot get a name across reaches a person (a no resets the miss count). A value the
        validator refused was counted by it."""
        checking, flow = active.slot_to_check, self.state.flow
        if checking in changed and flow is not None and flow.slot_to_check == checking:
            self._set_flow(flow.refusing(checking))

    def _no_other_value(self, active: ActiveFlow, said: Mapping[str, SlotValue]) -> bool:
        """Whether the turn was bare words at the check of a slot that takes any words, which the router
        read as another value ("Daan" to "... verstaan: Dan?"), and the slot's validator refused them
        ("wat kost verzenden naar belgië"): no value, so the check of the value heard stands."""
        checking, flow = active.slot_to_check, self.state.flow
        if checking is None or set(said) != {checking} or flow is None or checking in flow.slots:
            return False
        return bool(self.turn.text.strip()) and corrected(self.turn.text, self.turn.language) is None

    def _unmatched(self) -> Reply:
        """The answerer chain's reply to the turn (the turn step's)."""
        raise NotImplementedError

    def _noted(self, skill: Skill, spec: Flow, others: list[str], reply: Reply) -> Reply:
        """``reply`` after the framework's ``correction_noted`` ("Goed, om 11:00.") when the turn changed
        ``others`` instead of answering the question asked ("nee, om elf uur" to "En wat is uw naam?", or
        to "Heb ik uw naam goed verstaan: Daan?") and the flow kept them, and the reply asks about another
        slot: the question alone sounds as if the caller was not heard. A refused value has its own answer
        ("Op die dag zijn we gesloten"); its own check or the confirmation reads it back itself."""
        flow = self.state.flow
        kept = [name for name in others if flow is not None and name in flow.slots]
        asks_another = reply.expect in (Expect.SLOT, Expect.CONFIRMATION) and reply.slot not in (None, *kept)
        if not kept or flow is None or not asks_another:
            return reply
        turn = self._flow_turn(flow)
        values = spec.values(turn)
        noted = [str(values.get(name) or flow.slots[name].text) for name in kept]
        slots = {name: slot.value for name, slot in turn.slots.items()}
        said = builtin_reply(
            turn, "correction_noted", skills=[skill], **{**slots, **values}, changed=kept, noted=noted
        ).speech
        return replace(reply, speech=joined(said, reply.speech))

    def _heard(self, spec: Flow, name: str, value: SlotValue) -> SlotValue:
        """The slot as the flow keeps it: a name without the words said before it ("het is Daan" is
        Daan), before it is checked or compared with the name already heard."""
        slot = spec.slot(name)
        check = slot.validate if slot is not None else None
        if not isinstance(check, NameCheck) or not isinstance(value.value, str):
            return value
        name_said = without_carrier(value.text, self.turn.language)
        return value if name_said == value.text else replace(value, text=name_said, value=name_said)

    def _advance(
        self, skill: Skill, spec: Flow, changed: list[str], *, answering: str | None = None
    ) -> Reply:
        """Validate what changed, ask for what is missing, confirm, then run the handler.
        ``answering``: the slot the turn answers (the flow's open question). After a change the values
        kept whose validator read a slot that changed are validated again: a time said first is checked
        against the day said next, and the time is asked again, not the day. The others keep their
        verdict, so a validator that asks an order service is not asked again about the same number."""
        flow = self.state.flow
        assert flow is not None
        turn = self._flow_turn(flow)
        kept = [name for name in flow.slots if changed and name not in changed and stale(flow, name, changed)]
        refused = self._validate(spec, [*changed, *kept], turn)
        if refused is not None:
            wrong, problem = refused
            return self._refused(skill, spec, wrong, problem, answered=wrong.name == answering)
        flow = self.state.flow
        assert flow is not None
        checks = (
            (slot, self._slot_check(skill, spec, slot, turn)) for slot in map(spec.slot, changed) if slot
        )
        slot, check = next(((slot, check) for slot, check in checks if check), (None, None))
        if slot is None and (slot := unchecked(spec, flow)) is not None:
            check = self._slot_check(skill, spec, slot, turn, again=True)
        if flow.refusals and (slot is None or slot.name != flow.refused):
            # every value passed: the refusals in a row end, unless the caller still has to confirm it
            flow = replace(flow, refused=None, refusals=0)
            self._set_flow(flow)
        if slot is not None and check:
            asked = tuple(dict.fromkeys((*flow.checks, slot.name)))
            self._set_flow(replace(flow, confirming=Confirming.SLOT, confirming_slot=slot.name, checks=asked))
            return asking(check, Expect.CONFIRMATION, slot.name)
        missing = next((s for s in spec.slots if s.name not in flow.slots and not s.optional), None)
        if missing is not None:
            self._set_flow(replace(flow, asking=missing.name))
            return asking(skill.say(turn, missing.prompt, **spec.values(turn)), Expect.SLOT, missing.name)
        if spec.confirm and flow.confirming is not Confirming.DONE:
            self._set_flow(replace(flow, confirming=Confirming.INTENT))
            return asking(skill.say(turn, spec.confirm, **spec.values(turn)), Expect.CONFIRMATION)
        self.state = replace(self.state, flow=None)
        self.finished_flow = flow
        return self._answer(skill, turn)

    def _validate(self, spec: Flow, names: list[str], turn: Turn) -> tuple[Slot, str] | None:
        """Run the validators of ``names`` in order, up to the first that refuses (returned with its
        response key); the flow notes which slots each passing one read (``ActiveFlow.checked``)."""
        flow = self.state.flow
        assert flow is not None
        checked, refused = dict(flow.checked), None
        for slot in (found for found in map(spec.slot, names) if found is not None and found.validate):
            assert slot.validate is not None
            reading = Reading(flow.slots)
            problem = slot.validate(turn.value(slot.name), replace(turn, slots=reading))
            if problem:
                refused = (slot, problem)
                break
            checked[slot.name] = tuple(sorted(reading.read - {slot.name}))
        self._set_flow(replace(flow, checked={name: checked[name] for name in checked if name in flow.slots}))
        return refused

    def _slot_check(
        self, skill: Skill, spec: Flow, slot: Slot, turn: Turn, *, again: bool = False
    ) -> str | None:
        """The question that confirms the slot's new value before it is acted on, or None: the slot's
        own ``confirm``; else, for a value heard badly (below ``low_confidence_below``), its
        ``confirm_unclear`` or the framework's "Zei u ...?" with the words as heard. ``again``: a check
        left open is asked again, however well this turn was heard (the value was heard at an earlier one)."""
        values = spec.values(turn)
        if slot.confirm:
            return skill.say(turn, slot.confirm, **values)
        if not again and turn.confidence >= self.policy.low_confidence_below:
            return None
        if slot.confirm_unclear:
            return skill.say(turn, slot.confirm_unclear, **values)
        words = turn.slots[slot.name].text or str(turn.value(slot.name))
        return builtin_reply(turn, "confirm_slot", skills=[skill], value=words).text

    def _refused(self, skill: Skill, spec: Flow, slot: Slot, problem: str, *, answered: bool) -> Reply:
        """A value the slot's validator refused is asked for again; the turn is a miss unless the value
        was understood (``understood``: a day we are closed on is no misunderstanding).

        Any words fill a free-text slot, so a refused answer to its question (``answered``) may be another
        question asked in between ("wat zijn de verzendkosten"): an answerer's sure answer takes it, and the
        slot's question follows. An unsure guess does not: an answer to the open question ("geen idee")
        is likelier than a new question. The answerers hear the refused words when the turn has no text of
        its own (Alexa sends only the slots)."""
        flow = self.state.flow
        assert flow is not None
        turn = self._flow_turn(flow)
        words = flow.slots[slot.name].text
        self._set_flow(
            replace(flow, slots=_without(flow.slots, slot.name), asking=slot.name).refusing(slot.name)
        )
        if answered and free_text(skill.slot_kinds(spec.intent, turn.language).get(slot.name, "")):
            aside = self._aside(words)
            if aside is not None:
                return aside
        if not understood(flow.slots[slot.name].value):
            self._missed()
        values = spec.values(turn)
        prompt = skill.say(turn, slot.prompt, **values)
        speech = joined(skill.say(turn, problem, **values), prompt)
        return Reply(speech=speech, reprompt=prompt, expect=Expect.SLOT, slot=slot.name)

    def _confirmed(self, skill: Skill, flow: ActiveFlow) -> Reply:
        if flow.confirming is Confirming.INTENT:
            flow = replace(flow, confirming=Confirming.DONE)
        else:
            confirmed = (*flow.confirmed, str(flow.confirming_slot))
            flow = replace(flow, confirming=Confirming.NOTHING, confirming_slot=None, confirmed=confirmed)
        self._set_flow(flow)
        return self._advance(skill, skill.flows[flow.intent], [])

    def _said_again(self, skill: Skill, flow: ActiveFlow) -> Reply:
        """The value being confirmed, said again. Alone ("Daan" to "Heb ik uw naam goed verstaan: Daan?")
        it confirms it. After a no ("nee, mijn naam is Daan") it does not: a no is never a yes, and the
        value is no correction either, so the caller is asked once more to say yes or no to what was heard
        ("Ik versta opnieuw Daan; klopt dat, ja of nee?"). Either answer moves on (a plain no asks the
        slot's question); the turn is a miss and a failed check (``_check_failed``), so a caller who cannot
        get the value across reaches a person."""
        if corrected(self.turn.text, self.turn.language) is None:
            return self._confirmed(skill, flow)
        self._missed()
        self._set_flow(flow.refusing(str(flow.confirming_slot)))
        words = flow.slots[str(flow.confirming_slot)].text
        question = builtin_reply(self.turn, "confirm_same", skills=[skill], value=words).text
        return asking(question, Expect.CONFIRMATION, flow.confirming_slot)

    def _denied(self, skill: Skill, flow: ActiveFlow) -> Reply:
        """A no: to the confirmation, what to change; to a slot's check, its question again (a failed
        check, counted with the slot's refusals: ``_check_failed``)."""
        if flow.confirming is Confirming.INTENT:
            self._set_flow(replace(flow, confirming=Confirming.NOTHING))
            return builtin_reply(self.turn, "deny_confirmation", expect=Expect.ANSWER, skills=[skill])
        spec = skill.flows[flow.intent]
        name = str(flow.confirming_slot)
        flow = replace(
            flow,
            slots=_without(flow.slots, name),
            confirming=Confirming.NOTHING,
            confirming_slot=None,
            asking=name,
        )
        self._set_flow(flow.refusing(name))
        turn = self._flow_turn(flow)
        slot = spec.slot(name)
        prompt = skill.say(turn, slot.prompt, **spec.values(turn)) if slot else ""
        return asking(prompt, Expect.SLOT, name)

    def _flow_turn(self, flow: ActiveFlow) -> Turn:
        return replace(self.turn, intent=flow.intent, skill=flow.skill, slots=flow.slots)

    def _set_flow(self, flow: ActiveFlow) -> None:
        self.state = replace(self.state, flow=flow)


EVERY_SLOT = "*"
"""In ``ActiveFlow.checked``: the validator looked at every slot (it went through them all)."""


class Reading(Mapping[str, SlotValue]):
    """A flow's slots that note which of them a validator reads: its verdict holds until one changes."""

    def __init__(self, slots: Mapping[str, SlotValue]) -> None:
        self._slots = slots
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> SlotValue:
        self.read.add(name)  # also a slot not given (``get``, ``in``): given later, it is a change
        return self._slots[name]

    def __iter__(self) -> Iterator[str]:
        self.read.add(EVERY_SLOT)
        return iter(self._slots)

    def __len__(self) -> int:
        self.read.add(EVERY_SLOT)
        return len(self._slots)


def stale(flow: ActiveFlow, name: str, changed: list[str]) -> bool:
    """Whether the kept value of ``name`` must be validated again now that ``changed`` changed: its
    validator never passed it, or read one of them."""
    read = flow.checked.get(name)
    return read is None or EVERY_SLOT in read or any(other in changed for other in read)


def unchecked(spec: Flow, flow: ActiveFlow) -> Slot | None:
    """The first slot that holds a value the caller has not said yes to, though it always asks to confirm
    its value (``Slot.confirm``) or its check was asked (a value heard badly: "Zei u tien uur?"): the check
    was left open by a turn that changed another slot ("nee, om elf uur" to "Heb ik uw naam goed verstaan:
    Daan?"), and is asked again before anything else, so no value is taken without its yes."""
    return next(
        (
            slot
            for slot in spec.slots
            if (slot.confirm or slot.name in flow.checks)
            and slot.name in flow.slots
            and slot.name not in flow.confirmed
        ),
        None,
    )


def free_text(kind: str) -> bool:
    """Whether some channel fills a slot of this kind with any words the caller says: a wildcard list
    everywhere, a slot type the platforms carry as free speech (Alexa and Dialogflow do not check a
    pattern's code, as the router does) on Alexa and Dialogflow."""
    found = find_slot_type(kind)
    return kind == WILDCARD_KIND or (found is not None and found.takes_any_words)


def understood(value: object) -> bool:
    """Whether a slot's value was read as more than words (a date, a time, a range of days): refused, it
    was still understood ("Op die dag zijn we gesloten"), so the turn is no miss; words that are no
    value ("Sorry, ik hoorde geen nummer") are."""
    return not isinstance(value, str)


def asking(question: str, expect: Expect, slot: str | None = None) -> Reply:
    """A question for the caller, repeated as the reprompt."""
    return Reply(speech=question, reprompt=question, expect=expect, slot=slot)


def plain(value: SlotValue) -> SlotValue:
    """The slot without its position in the utterance: the same value said elsewhere is no change."""
    return value if value.span is None else replace(value, span=None)


def _without(slots: Mapping[str, SlotValue], name: str) -> dict[str, SlotValue]:
    return {key: value for key, value in slots.items() if key != name}
