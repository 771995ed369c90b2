"""Reading a Dialogflow WebhookRequest: the ``voice-state`` context, the slots, the caller and how
they reached us (typed, spoken, or through a phone gateway), and whether ``queryText`` is an event."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..nlu import SlotValue
from .webhook import identifier

__all__ = [
    "HANDED_OVER",
    "HANGUP_EVENTS",
    "NO_INPUT_EVENTS",
    "STATE_CONTEXT",
    "WELCOME_EVENTS",
    "PlatformState",
    "confidence",
    "hung_up",
    "intent_confidence",
    "is_event",
    "is_withheld",
    "rang_in",
    "slots",
    "state_of",
    "telephony",
    "user_id",
]

STATE_CONTEXT = "voice-state"
NO_INPUT_EVENTS = ("actions_intent_NO_INPUT", "noUserInput")
"""What a gateway sends when the caller says nothing: Dialogflow's own no-input event (Actions on Google
and gateways that follow it) and AudioCodes VoiceAI Connect's."""
HANGUP_EVENTS = ("TELEPHONY_HANGUP", "conversationEnd")
"""What a gateway sends when the call ends: ``TELEPHONY_HANGUP``, the name this webhook defines (Dialogflow's
own phone gateway sends no event at the end of a call; a gateway of our own sends this one), and AudioCodes
VoiceAI Connect's ``conversationEnd`` (with ``sendEventsToBot``). Either is the caller hanging up."""
WELCOME_EVENTS = ("WELCOME", "TELEPHONY_WELCOME")
"""The events that start a conversation: Dialogflow's, and its phone gateway's."""
HANDED_OVER = "voice_handed_over"
"""The ``voice-state`` parameter that says the call was handed to a person."""
_EVENT_NAME = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+")
"""An event's name in ``queryText``: one word joined by underscores, which no caller speaks."""
_WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "withheld", "unavailable"})
"""What a telephony network sends for a caller who withheld the number (as the user part of a SIP URI
too: ``anonymous@anonymous.invalid``): no one caller, so no user id."""

_USER_ID_PATHS = (("user", "userId"), ("userId",), ("telephony", "caller_id"))
"""Where the integrations put the caller in ``originalDetectIntentRequest.payload``."""


@dataclass(frozen=True, slots=True)
class PlatformState:
    """What the response needs of the request: the ``voice-state`` parameters, and whether a telephony
    integration sent it (it reads the TELEPHONY messages)."""

    state: Mapping[str, Any] = field(default_factory=dict)
    telephony: bool = False


def state_of(contexts: list[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of the ``voice-state`` context, which the response sends back; none without it."""
    for context in contexts:
        name = context.get("name")
        if isinstance(name, str) and name.endswith(f"/contexts/{STATE_CONTEXT}"):
            parameters = context.get("parameters")
            return dict(parameters) if isinstance(parameters, dict) else {}
    return {}


def slots(parameters: Mapping[str, Any], contexts: list[dict[str, Any]]) -> dict[str, SlotValue]:
    """Filled parameters; the words as spoken come from Dialogflow's ``<name>.original`` when present.

    A list or object passes as it came: only the slot's type can tell a composite entity's object
    from a malformed value, and the dialog drops what it cannot read (``voice.slot_values.coerce``).
    """
    originals = dict(_originals(contexts))
    return {
        name: SlotValue(text=originals.get(name) or _spoken(value), value=_number(value))
        for name, value in parameters.items()
        if value not in ("", None, [], {})
    }


def _originals(contexts: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    for context in contexts:
        parameters = context.get("parameters")
        for key, value in parameters.items() if isinstance(parameters, dict) else ():
            if isinstance(key, str) and key.endswith(".original") and isinstance(value, str) and value:
                yield key.removesuffix(".original"), value


def _number(value: Any) -> Any:
    """Dialogflow sends every @sys.number as a float; 1234.0 is the integer 1234."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _spoken(value: Any) -> str:
    value = _number(value)
    if isinstance(value, list):
        return " ".join(_spoken(item) for item in value)
    return value if isinstance(value, str) else str(value)


def rang_in(data: Mapping[str, Any]) -> bool:
    """Whether the caller rang in (``Turn.call``): a telephony integration or recognised speech (a
    ``speechRecognitionConfidence``); a chat integration sends typed text and neither."""
    query = data.get("queryResult")
    return telephony(data) or (isinstance(query, dict) and _heard(query) is not None)


def telephony(data: Mapping[str, Any]) -> bool:
    """A telephony integration sent the request: its ``source`` (``GOOGLE_TELEPHONY``) or a ``telephony``
    payload says so. What is not of its type counts as absent."""
    original = data.get("originalDetectIntentRequest")
    request = original if isinstance(original, dict) else {}
    source, payload = request.get("source"), request.get("payload")
    return (isinstance(source, str) and "telephony" in source.lower()) or (
        isinstance(payload, dict) and "telephony" in payload
    )


def is_event(text: str) -> bool:
    """``queryText`` is an event's name (Dialogflow puts it there for an event), not the caller's words."""
    return text in _NAMED_EVENTS or _EVENT_NAME.fullmatch(text) is not None


def hung_up(text: str) -> bool:
    """``queryText`` is an end-of-call event (``HANGUP_EVENTS``): the caller hung up."""
    return text in HANGUP_EVENTS


def confidence(query: Mapping[str, Any]) -> float:
    """The recognition confidence of the turn (``Turn.confidence``): 1.0 for typed text."""
    heard = _heard(query)
    return 1.0 if heard is None else heard


def intent_confidence(query: Mapping[str, Any]) -> float:
    """How sure the agent is of its intent (``intentDetectionConfidence``); 1.0 when it does not say
    (or says something out of range), so a request without it keeps its intent as before."""
    value = query.get("intentDetectionConfidence")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    return 1.0


def _heard(query: Mapping[str, Any]) -> float | None:
    """The recognition confidence of spoken input; None for typed text (or a value out of range)."""
    value = query.get("speechRecognitionConfidence")
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
        else None
    )


def user_id(payload: Mapping[str, Any]) -> str:
    """The caller in the integration's payload (``Turn.user_id``); empty for none or a withheld number."""
    for path in _USER_ID_PATHS:
        node: Any = payload
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and not is_withheld(node):
            return identifier(node, ".".join(("originalDetectIntentRequest.payload", *path)))
    return ""


def is_withheld(caller: str) -> bool:
    """A withheld or unknown caller (``anonymous``, ``sip:anonymous@anonymous.invalid``, ``Restricted``):
    many callers share it, so it must not key one user's record (nor may ``voice data`` take it as one)."""
    user = caller.strip().lower().removeprefix("sip:").removeprefix("sips:").removeprefix("tel:")
    return user.partition("@")[0] in _WITHHELD


_NAMED_EVENTS = frozenset((*WELCOME_EVENTS, *NO_INPUT_EVENTS, *HANGUP_EVENTS))
"""The events named above, gathered once: every Dialogflow request asks ``is_event`` twice."""
