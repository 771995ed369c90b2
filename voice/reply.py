"""What a skill answers: speech for every channel, and what it expects next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .ssml import display_text, looks_like_ssml, spoken_text

PLATFORM_FIELDS = (
    "speech",
    "reprompt",
    "card",
    "expect",
    "slot",
    "end_session",
    "handoff",
    "transfer_to",
    "handoff_id",
    "handoff_reason",
    "intent",
)
"""What of a reply a channel may send a platform (Dialogflow's ``payload.voice``): not ``failed`` (for
the KPIs) nor ``remember`` (for the store, and it may hold personal data); ``context`` a channel renders in
its platform's own way (Dialogflow's output contexts)."""


class Expect(Enum):
    """What the assistant waits for after it has spoken."""

    NOTHING = "nothing"
    """No answer needed; the local loop goes back to the wake word."""
    ANSWER = "answer"
    """A free follow-up: the reply asked a question."""
    SLOT = "slot"
    """The value of ``Reply.slot``."""
    CONFIRMATION = "confirmation"
    """Yes or no."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    """A short text for screens (the Alexa app, a chat window)."""

    title: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """One answer of the assistant, independent of the channel that renders it."""

    speech: str
    """Plain text, or SSML wrapped in ``<speak>``."""
    reprompt: str | None = None
    """Said when the caller stays silent; channels that listen again use it."""
    card: Card | None = None
    expect: Expect = Expect.NOTHING
    slot: str | None = None
    """The slot being elicited or confirmed, with ``Expect.SLOT`` / ``Expect.CONFIRMATION``."""
    end_session: bool = False
    handoff: bool = False
    """True when the conversation goes (or went) to a human who can take it; false when nobody can (no
    sink and no number, or outside the team's hours), though the dialog still counts the handoff."""
    transfer_to: str = ""
    """The phone number (E.164) a phone gateway puts the handed-over call through to (``[handoff]
    transfer_to``); empty when none is set or the conversation is not handed over."""
    handoff_id: str = ""
    """The id of the handoff record (``HandoffRecord.id``) of a handed-over conversation: a gateway passes
    it on with the transferred call, so the colleague's desktop shows that conversation; else empty."""
    handoff_reason: str = ""
    """Why it was handed over (``asked``, ``fallbacks``, ...: ``HandoffRecord.reason``); else empty."""
    intent: str | None = None
    """The intent this reply answers; the dialog layer fills it in, for logs and local feedback."""
    context: Mapping[str, Any] = field(default_factory=dict)
    """The dialog's intent context after this turn (``DialogState.context``: the flow, the slot it asks,
    the previous intent); the dialog layer fills it in for platforms that match intents themselves:
    Dialogflow's exported bare answers match only while their input contexts are set."""
    remember: Mapping[str, Any] = field(default_factory=dict)
    """Attributes to keep for this caller across sessions (merged into ``Turn.user`` next time)."""
    failed: bool = False
    """The handler could not do what was asked (a booking the booking system refused) and says so:
    the KPIs count its flow not completed and the conversation not contained."""
    no_person: str = field(default="", compare=False)
    """What a reply that asks for a person (``handoff``) says instead when nobody can take the conversation
    (no handoff sink, no number to transfer to): its words without the promise of a colleague. Empty: the
    dialog says the framework's ``no_person`` after it. ``Skill.reply`` fills it from the response
    ``<key>_no_person``; the dialog resolves it before the reply is stored or sent, so it is not in
    ``to_dict``."""

    @property
    def is_ssml(self) -> bool:
        return looks_like_ssml(self.speech)

    @property
    def text(self) -> str:
        """The speech as plain text, as it is said (a spelled-out value "B 4 2"): for logs, for a voice
        that takes no SSML, and for speech made of other speech."""
        return spoken_text(self.speech)

    @property
    def display(self) -> str:
        """The speech as plain text, as a screen shows it (a spelled-out value as written, "B42"): for
        typed chat, display text and cards."""
        return display_text(self.speech)

    @property
    def expects_answer(self) -> bool:
        return self.expect is not Expect.NOTHING and not self.end_session

    def to_dict(self) -> dict[str, Any]:
        return {
            "speech": self.speech,
            "reprompt": self.reprompt,
            "card": {"title": self.card.title, "text": self.card.text} if self.card else None,
            "expect": self.expect.value,
            "slot": self.slot,
            "end_session": self.end_session,
            "handoff": self.handoff,
            "transfer_to": self.transfer_to,
            "handoff_id": self.handoff_id,
            "handoff_reason": self.handoff_reason,
            "intent": self.intent,
            "context": dict(self.context),
            "remember": dict(self.remember),
            "failed": self.failed,
        }

    def to_platform_dict(self) -> dict[str, Any]:
        """``to_dict`` with only the ``PLATFORM_FIELDS``: what a gateway acts on, nothing internal."""
        full = self.to_dict()
        return {name: full[name] for name in PLATFORM_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        card = data.get("card")
        return cls(
            speech=data["speech"],
            reprompt=data.get("reprompt"),
            card=Card(title=card["title"], text=card["text"]) if card else None,
            expect=Expect(data.get("expect", "nothing")),
            slot=data.get("slot"),
            end_session=bool(data.get("end_session", False)),
            handoff=bool(data.get("handoff", False)),
            transfer_to=str(data.get("transfer_to") or ""),
            handoff_id=str(data.get("handoff_id") or ""),
            handoff_reason=str(data.get("handoff_reason") or ""),
            intent=data.get("intent"),
            context=dict(data.get("context") or {}),
            remember=dict(data.get("remember") or {}),
            failed=bool(data.get("failed", False)),
        )
