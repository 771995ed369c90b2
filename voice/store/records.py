"""What the store keeps: sessions, the turns of their history, and conversation-log rows.

Times are seconds since the epoch (UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from voice.state import DialogState

__all__ = [
    "DEFAULT_TTL",
    "HISTORY_LIMIT",
    "JsonDict",
    "LogEntry",
    "OutboxItem",
    "Session",
    "Speaker",
    "TurnRecord",
]

JsonDict = dict[str, Any]
"""A dict of JSON values: str, int, float, bool, None, lists and dicts of them."""

DEFAULT_TTL = 1800.0
"""Seconds a session lives after its last save; Alexa and Dialogflow sessions are shorter."""
HISTORY_LIMIT = 50
"""Turns a session keeps (the latest): every turn reads and rewrites the whole history, so an unbounded
one makes a long conversation slower with each turn (1 ms a turn at 200 turns, 5.5 ms at 1,000, measured);
the conversation log keeps every turn."""


class Speaker(StrEnum):
    """Who said a turn."""

    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True, kw_only=True)
class TurnRecord:
    """One utterance in a session's history: what was said, by whom, and what it meant."""

    time: float
    """Seconds since the epoch."""
    speaker: Speaker
    text: str
    intent: str = ""
    """The recognised intent; empty for assistant turns and for no match."""
    slots: JsonDict = field(default_factory=dict)
    """Slot name -> canonical value."""
    confidence: float | None = None
    """Recognition confidence from 0 to 1, when the channel reports one."""

    def to_dict(self) -> JsonDict:
        """A JSON-ready dict; ``from_dict`` reads it back."""
        return {
            "time": self.time,
            "speaker": self.speaker.value,
            "text": self.text,
            "intent": self.intent,
            "slots": self.slots,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TurnRecord:
        """Read a dict written by ``to_dict``."""
        return cls(
            time=data["time"],
            speaker=Speaker(data["speaker"]),
            text=data["text"],
            intent=data.get("intent", ""),
            slots=dict(data.get("slots", {})),
            confidence=data.get("confidence"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """One conversation's state; change it with the ``with_*`` methods and hand it to ``Store.save``."""

    id: str
    user_id: str
    skill: str
    locale: str
    channel: str
    attributes: JsonDict = field(default_factory=dict)
    """The skill's session attributes."""
    dialog: DialogState = field(default_factory=DialogState)
    """The dialog layer's state: active intent, slots gathered, what is expected next, fallbacks."""
    history: tuple[TurnRecord, ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0
    expires_at: float = 0.0
    """Seconds since the epoch; every save moves it to ``updated_at + ttl``."""
    ttl: float = DEFAULT_TTL
    """Seconds the session lives after its last save."""
    handed_over: bool = False
    ended: bool = False
    version: int = 0
    """The stored version this copy was loaded from; 0 for a session that was never saved."""

    @classmethod
    def new(
        cls, *, id: str, user_id: str, skill: str, locale: str, channel: str, now: float, ttl: float
    ) -> Session:
        """A fresh, unsaved session that starts now."""
        return cls(
            id=id,
            user_id=user_id,
            skill=skill,
            locale=locale,
            channel=channel,
            created_at=now,
            updated_at=now,
            expires_at=now + ttl,
            ttl=ttl,
        )

    def with_turn(self, turn: TurnRecord) -> Session:
        """A copy with ``turn`` appended to the history (of which it keeps the last ``HISTORY_LIMIT``)."""
        return self.with_turns((turn,))

    def with_turns(self, turns: Sequence[TurnRecord]) -> Session:
        """A copy with ``turns`` appended to the history (of which it keeps the last ``HISTORY_LIMIT``)."""
        return replace(self, history=(*self.history, *turns)[-HISTORY_LIMIT:]) if turns else self

    def with_heard(self, said: TurnRecord) -> Session:
        """A copy whose latest turn of the assistant at ``said.time`` says ``said.text``: what the caller
        heard instead ("one moment" for a reply that came late); unchanged when the history has none."""
        for index in range(len(self.history) - 1, -1, -1):
            turn = self.history[index]
            if turn.speaker is Speaker.ASSISTANT and turn.time == said.time:
                history = (*self.history[:index], replace(turn, text=said.text), *self.history[index + 1 :])
                return replace(self, history=history)
        return self

    def with_attributes(self, changes: Mapping[str, Any]) -> Session:
        """A copy whose session attributes are updated with ``changes`` (other keys stay)."""
        return replace(self, attributes={**self.attributes, **changes})

    def with_dialog(self, state: DialogState) -> Session:
        """A copy whose dialog state is replaced by ``state``; the dialog layer owns all of it."""
        return replace(self, dialog=state)

    def after_turn(self, state: DialogState, *, ended: bool) -> Session:
        """A copy with the dialog ``state`` a turn left, ended or not: an ended one keeps only how it
        ended (``DialogState.closed``), none of the caller's words."""
        return replace(self, dialog=state.closed() if ended else state, ended=ended)

    def handed_over_to_human(self) -> Session:
        """A copy marked as handed over to a person."""
        return replace(self, handed_over=True)

    def ended_now(self) -> Session:
        """A copy marked as ended; ``Store.load_or_start`` starts a new session in its place."""
        return replace(self, ended=True)

    def to_dict(self) -> JsonDict:
        """A JSON-ready dict with every field; ``from_dict`` reads it back."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "skill": self.skill,
            "locale": self.locale,
            "channel": self.channel,
            "attributes": self.attributes,
            "dialog": self.dialog.to_json(),
            "history": [turn.to_dict() for turn in self.history],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "expires_at": self.expires_at,
            "ttl": self.ttl,
            "handed_over": self.handed_over,
            "ended": self.ended,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        """Read a dict written by ``to_dict``."""
        fields = dict(data)
        fields["attributes"] = dict(fields.get("attributes", {}))
        fields["dialog"] = DialogState.from_json(fields.get("dialog"))
        fields["history"] = tuple(TurnRecord.from_dict(turn) for turn in fields.get("history", ()))
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class TurnStart:
    """What a turn starts from, read at once (``Store.load_turn``)."""

    session: Session | None
    """The live session, or None when there is none or it expired."""
    user: JsonDict
    """What is remembered about the caller (empty without a user id)."""
    earlier: JsonDict | None = None
    """The reply already given to the turn's platform request: the platform sent it again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    """One row of the conversation log, the raw material of the KPIs (containment, handoff rate)."""

    session_id: str
    user_id: str
    time: float
    speaker: Speaker
    text: str
    intent: str = ""
    confidence: float | None = None
    skill: str = ""
    locale: str = ""
    channel: str = ""
    handed_over: bool = False

    @classmethod
    def from_turn(cls, session: Session, turn: TurnRecord) -> LogEntry:
        """The log row for ``turn`` in ``session``."""
        return cls(
            session_id=session.id,
            user_id=session.user_id,
            time=turn.time,
            speaker=turn.speaker,
            text=turn.text,
            intent=turn.intent,
            confidence=turn.confidence,
            skill=session.skill,
            locale=session.locale,
            channel=session.channel,
            handed_over=session.handed_over,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxItem:
    """A message for another system (a handoff record), saved with the turn that decided it.

    A background sender delivers it after the commit and retries until the receiver takes it;
    ``id`` goes along as the idempotency key, so a receiver that honours it takes it once.
    """

    id: str
    kind: str
    """What it is, e.g. ``handoff``."""
    payload: JsonDict
    created_at: float
    attempts: int = 0
    """Deliveries tried so far."""
