"""One user turn as every channel hands it to the dialog and the skills."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from types import MappingProxyType
from typing import Any, Protocol

from .language import language_of
from .nlu import IntentMatch, SlotValue
from .nlu.context import Requires
from .reply import Reply

_NO_SLOTS: Mapping[str, SlotValue] = MappingProxyType({})
_NO_USER: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """What the caller said (or what the platform resolved), with who, where and until when."""

    text: str = ""
    """The utterance; empty when the channel resolved the intent itself (Alexa)."""
    intent: str | None = None
    slots: Mapping[str, SlotValue] = field(default_factory=lambda: _NO_SLOTS)
    locale: str = "en"
    channel: str = "text"
    call: bool = False
    """The caller rang in on a phone line (the channel knows); False on a smart speaker, at a local
    microphone or in a chat. The framework's goodbye thanks a caller for calling only then ("bedankt
    voor uw telefoontje" is wrong on an Echo)."""
    session_id: str = ""
    user_id: str = ""
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    deadline: float | None = None
    """``time.monotonic()`` by which the reply must be ready; None for no limit."""
    request_id: str = ""
    """The platform's id of this request (Alexa ``requestId``, Dialogflow ``responseId``): a request
    sent again gets the turn's answer again, without a second turn (if the first sending only heard
    "one moment", the answer is told to the retry and not again at the next turn)."""
    handed_over: bool = False
    """The platform says this call was handed to a person already (Dialogflow's ``voice-state`` context):
    a gateway that kept the line after the handoff sends the caller's next words, and the caller hears that
    a colleague is coming instead of a new conversation. Other channels start a new session instead."""
    hung_up: bool = False
    """The caller hung up (a phone gateway's end-of-call event): no words, and nobody hears a reply; the
    conversation ends, and its log and KPIs say the caller hung up rather than fell silent."""
    confidence: float = 1.0
    """Recognition confidence of ``text`` (1.0 for typed text)."""
    said_in: Requires | None = ()
    """The intent context the platform matched ``intent`` in (a Dialogflow intent the export wrote for a
    block's ``requires_context``, read from its display name): the dialog copies that block's ``slot:``
    values from its own context, as the router's match gets them. Empty: matched anywhere. None: the
    platform has no contexts (Alexa), so a block's fixed slots (``said_with``) name it in any."""
    said_with: str = ""
    """The fixed ``slots:`` of the template block the platform's intent was exported for, as its name
    carries them (``voice.platform_contexts.fixed_tag``): the dialog adds that block's values, as the
    router's match has them. Empty: a block without fixed slots."""
    skill: str = ""
    match: IntentMatch | None = None
    user: Mapping[str, Any] = field(default_factory=lambda: _NO_USER)
    """What is remembered about the caller across sessions (``Reply.remember`` adds to it)."""
    platform: Any = None
    """What the channel keeps from the request to render the reply; the dialog never reads it."""

    @property
    def language(self) -> str:
        """``nl`` for ``nl-NL``."""
        return language_of(self.locale)

    def value(self, slot: str, default: Any = None) -> Any:
        """The canonical value of a slot, or ``default``."""
        found = self.slots.get(slot)
        return default if found is None else found.value

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), or None without one."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def matched(self, match: IntentMatch) -> Turn:
        """This turn with the router's match filled in."""
        return replace(self, intent=match.intent, slots=match.slots, skill=match.skill, match=match)


class Responder(Protocol):
    """Anything that answers a turn: the dialog, or a test's stand-in for it."""

    def respond(self, turn: Turn) -> Reply: ...


def on_clock(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` on the business's clock (``time_zone`` of the config): "morgen" said at 00:30 in
    Amsterdam is the day after that date there, not after the UTC date. A moment without a zone is
    a reading of that clock already (``voice chat --now 2026-11-27T23:30``, a script's ``now``)."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
