"""The dialog's memory of one session: typed while the dialog works, JSON only in the store.

The dialog changes a ``DialogState`` turn by turn (frozen: every change is a ``replace``);
the store calls ``to_json`` when it saves the session and ``from_json`` when it loads it.
``from_json`` also reads what earlier versions wrote (``confirming`` as a plain string).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType
from typing import Any

from .nlu import SlotValue
from .reply import Reply
from .slot_values import slot_from_json, slot_to_json
from .ssml import joined_all

__all__ = ["ASKED", "ActiveFlow", "Confirming", "DialogState", "Offer"]

_NO_SLOTS: Mapping[str, SlotValue] = MappingProxyType({})


class Confirming(Enum):
    """What a flow waits for a yes or no about."""

    NOTHING = "nothing"
    SLOT = "slot"
    """The value of ``ActiveFlow.confirming_slot``."""
    INTENT = "intent"
    """The whole intent, before its handler runs."""
    DONE = "done"
    """The caller confirmed the intent; the handler may run."""


ASKED = (Confirming.SLOT, Confirming.INTENT)
"""The states in which a yes or no question is open."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ActiveFlow:
    """An intent being filled in: its slots so far and what was asked last."""

    intent: str
    skill: str
    slots: Mapping[str, SlotValue] = field(default_factory=lambda: _NO_SLOTS)
    asking: str | None = None
    """The slot whose value was asked for."""
    confirming: Confirming = Confirming.NOTHING
    confirming_slot: str | None = None
    """The slot whose value awaits a yes or no, with ``Confirming.SLOT``."""
    confirmed: tuple[str, ...] = ()
    """Slots whose value the caller confirmed."""
    checks: tuple[str, ...] = ()
    """Slots whose value the flow asked the caller to confirm ("Zei u tien uur?"), until the value changes:
    without a yes (``confirmed``) the check is asked again, also one asked only because the value was heard
    badly, when the caller changed another slot at it ("nee, op woensdag")."""
    refused: str | None = None
    """The slot whose values the flow refused at its latest turns, ``refusals`` times in a row (by its
    validator, or by the caller at its check: a no, another value)."""
    refusals: int = 0
    checked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Per slot whose value its validator passed, the other slots the validator read (``*``: it looked at
    them all): the value is validated again only when one of those changes, so a validator that asks a
    booking or order service is not asked again about a value it already passed."""

    @property
    def slot_to_check(self) -> str | None:
        """The slot whose value awaits a yes or no ("Heb ik uw naam goed verstaan: Dan?"), or None."""
        return self.confirming_slot if self.confirming is Confirming.SLOT else None

    def refusing(self, slot: str) -> ActiveFlow:
        """This flow after refusing a value of ``slot``: one more in a row, or the first of that slot."""
        count = self.refusals + 1 if self.refused == slot else 1
        return replace(self, refused=slot, refusals=count)

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "skill": self.skill,
            "slots": _slots_to_json(self.slots),
            "asking": self.asking,
            "confirming": self.confirming.value,
            "confirming_slot": self.confirming_slot,
            "confirmed": list(self.confirmed),
            "checks": list(self.checks),
            "refused": self.refused,
            "refusals": self.refusals,
            "checked": {name: list(read) for name, read in self.checked.items()},
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ActiveFlow:
        confirming, slot = _confirming(raw.get("confirming"), raw.get("confirming_slot"))
        return cls(
            intent=str(raw["intent"]),
            skill=str(raw["skill"]),
            slots=_slots_from_json(raw.get("slots")),
            asking=raw.get("asking"),
            confirming=confirming,
            confirming_slot=slot,
            confirmed=tuple(raw.get("confirmed") or ()),
            checks=tuple(raw.get("checks") or ()),
            refused=raw.get("refused"),
            refusals=int(raw.get("refusals") or 0),
            checked={str(name): tuple(read) for name, read in (raw.get("checked") or {}).items()},
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer:
    """Answers offered to the caller ("Do you mean ...?"), best first: yes takes the first, no the next."""

    by: str
    """The answerer that made the offer and settles it."""
    source: str
    """Where the answers come from (the skill whose content it is)."""
    candidates: tuple[str, ...]
    resume: Reply | None = None
    """The question of a flow in progress, asked again once the offer is settled."""

    def to_json(self) -> dict[str, Any]:
        resume = self.resume.to_dict() if self.resume else None
        return {"by": self.by, "source": self.source, "candidates": list(self.candidates), "resume": resume}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Offer:
        resume = raw.get("resume")
        return cls(
            by=str(raw["by"]),
            source=str(raw["source"]),
            candidates=tuple(raw["candidates"]),
            resume=Reply.from_dict(resume) if resume else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DialogState:
    """Everything the dialog needs from earlier turns of a session."""

    flow: ActiveFlow | None = None
    previous_intent: str | None = None
    """The last answered intent, for follow-ups ("en morgen?")."""
    previous_slots: Mapping[str, SlotValue] = field(default_factory=lambda: _NO_SLOTS)
    last_reply: Reply | None = None
    fallbacks: int = 0
    """Misunderstood turns in a row."""
    low_confidence: int = 0
    """Turns in a row whose recognition confidence was low."""
    no_input: int = 0
    """Silent turns in a row."""
    pending_replies: tuple[Reply, ...] = ()
    """Replies that arrived after their turn's deadline, oldest first: the next turn speaks them as one
    (``pending_reply``), and so does a request sent again whose reply is one of them."""
    handed_over: bool = False
    handoff_reason: str = ""
    """Why the conversation went to a person (``asked``, ``fallbacks``, ...); empty before."""
    handoff_id: str = ""
    """The id of the handoff record (``HandoffRecord.id``), chosen as the conversation is handed over: the
    replies name it to a phone gateway, so the colleague's desktop can match the call it transfers."""
    offer: Offer | None = None
    """Answers the last reply offered for a yes or no."""
    outcome: str = ""
    """The conversation's outcome as the latest turn's signals recorded it (``voice.store.Outcome``):
    the next turn moves its count from exactly this one. Empty before the first turn was stored."""
    failed: bool = False
    """A handler reported a failure (``Reply.failed``) earlier in the conversation: it stays a conversation
    whose request failed to its end, whatever polite turns ("thanks", "no") follow it."""
    satisfaction_asked: bool = False
    """The end-of-conversation question (``voice.dialog.satisfaction``) was asked: once per conversation."""
    withheld_as: str = ""
    """Set at a handoff in a conversation with a sensitive slot (``voice.dialog.commit``): the slot whose
    placeholder stores what the caller says after it, words nobody reads (and the flow's words, which
    a repeat of its value would be known by, go when the handoff ends the session: ``closed``)."""

    def closed(self) -> DialogState:
        """What an ended conversation keeps: how it ended (its KPIs, and a turn a phone gateway still sends
        after a handoff), none of the caller's words (a flow's slots, replies that repeat them), which
        would otherwise stay in the store until the session is purged (docs/sessions.md)."""
        return DialogState(
            handed_over=self.handed_over,
            handoff_reason=self.handoff_reason,
            handoff_id=self.handoff_id,
            outcome=self.outcome,
            failed=self.failed,
            withheld_as=self.withheld_as,
        )

    @property
    def awaits_yes_or_no(self) -> bool:
        """Whether the last reply asked a yes/no question: an offer, or a flow's confirmation."""
        return self.offer is not None or (self.flow is not None and self.flow.confirming in ASKED)

    @property
    def slot_to_confirm(self) -> str | None:
        """The slot whose value awaits a yes or no ("Heb ik uw naam goed verstaan: Anna?"), or None."""
        return self.flow.slot_to_check if self.flow is not None else None

    def context(self) -> dict[str, Any]:
        """The intent context for the matcher: the flow in progress, or the previous intent."""
        context: dict[str, Any] = {}
        if self.flow is not None:
            context["dialog"] = self.flow.intent
            if self.flow.asking:
                context["asking"] = self.flow.asking
        if self.previous_intent:
            context["previous"] = self.previous_intent
        return context

    @property
    def open_question(self) -> str | None:
        """The question a flow in progress asked last (to ask again), or None."""
        if self.flow is None or self.last_reply is None:
            return None
        return self.last_reply.reprompt or self.last_reply.speech or None

    @property
    def pending_reply(self) -> Reply | None:
        """The pending replies as the caller hears them: their speech in order (``pending_speeches``), with
        the latest's other fields, ending the session or handing over if any of them does (a goodbye or
        handoff not heard yet); None when there is none."""
        if len(self.pending_replies) < 2:
            return self.pending_replies[0] if self.pending_replies else None
        return replace(
            self.pending_replies[-1],
            speech=joined_all(*self.pending_speeches()),
            end_session=any(r.end_session for r in self.pending_replies),
            handoff=any(r.handoff for r in self.pending_replies),
        )

    def pending_speeches(self, besides: str = "") -> tuple[str, ...]:
        """The speech of the pending replies in order, each once (by its words), without the one whose
        words are ``besides`` (the reply they are told with): a caller who said "hello" three times during
        a stall hears its answer once. Speech, not words: a spelled-out number stays spelled out."""
        speeches: dict[str, str] = {}
        for pending in self.pending_replies:
            speeches.setdefault(pending.text, pending.speech)
        return tuple(speech for text, speech in speeches.items() if text != besides)

    def with_pending(self, *replies: Reply) -> DialogState:
        """This state with ``replies`` pending too, after those pending already."""
        return replace(self, pending_replies=(*self.pending_replies, *replies))

    def handing_over(self, reason: str) -> DialogState:
        """This state, handed over to a person for ``reason``, with the id its handoff record will have."""
        return replace(self, handed_over=True, handoff_reason=reason, handoff_id=uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        """The state as JSON values, for the store."""
        return {
            "flow": self.flow.to_json() if self.flow else None,
            "previous_intent": self.previous_intent,
            "previous_slots": _slots_to_json(self.previous_slots),
            "last_reply": self.last_reply.to_dict() if self.last_reply else None,
            "fallbacks": self.fallbacks,
            "low_confidence": self.low_confidence,
            "no_input": self.no_input,
            "pending_replies": [reply.to_dict() for reply in self.pending_replies],
            "handed_over": self.handed_over,
            "handoff_reason": self.handoff_reason,
            "handoff_id": self.handoff_id,
            "offer": self.offer.to_json() if self.offer else None,
            "outcome": self.outcome,
            "failed": self.failed,
            "satisfaction_asked": self.satisfaction_asked,
            "withheld_as": self.withheld_as,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> DialogState:
        """Read what ``to_json`` (or an earlier version) wrote; an empty value is a fresh state."""
        if not raw:
            return cls()
        flow, last, pending = raw.get("flow"), raw.get("last_reply"), raw.get("pending_replies")
        if pending is None and raw.get("pending_reply"):  # written before several could wait
            pending = [raw["pending_reply"]]
        return cls(
            flow=ActiveFlow.from_json(flow) if flow else None,
            previous_intent=raw.get("previous_intent"),
            previous_slots=_slots_from_json(raw.get("previous_slots")),
            last_reply=Reply.from_dict(last) if last else None,
            fallbacks=int(raw.get("fallbacks", 0)),
            low_confidence=int(raw.get("low_confidence", 0)),
            no_input=int(raw.get("no_input", 0)),
            pending_replies=tuple(Reply.from_dict(reply) for reply in pending or ()),
            handed_over=bool(raw.get("handed_over", False)),
            handoff_reason=str(raw.get("handoff_reason") or ""),
            handoff_id=str(raw.get("handoff_id") or ""),
            offer=Offer.from_json(raw["offer"]) if raw.get("offer") else None,
            outcome=str(raw.get("outcome") or ""),
            # a state stored before ``failed`` was kept: its last reply is all that shows a failure
            failed=bool(raw.get("failed", bool(last and last.get("failed")))),
            satisfaction_asked=bool(raw.get("satisfaction_asked", False)),
            withheld_as=str(raw.get("withheld_as") or ""),
        )


def _slots_to_json(slots: Mapping[str, SlotValue]) -> dict[str, Any]:
    return {name: slot_to_json(value) for name, value in slots.items()}


def _slots_from_json(raw: Any) -> Mapping[str, SlotValue]:
    if not raw:
        return _NO_SLOTS
    return MappingProxyType({name: slot_from_json(value) for name, value in raw.items()})


def _confirming(raw: Any, slot: Any) -> tuple[Confirming, str | None]:
    """The enum and slot; before the enum, a slot name stood in ``confirming`` itself."""
    if raw is None:
        return Confirming.NOTHING, None
    try:
        return Confirming(raw), slot
    except ValueError:
        return Confirming.SLOT, str(raw)
