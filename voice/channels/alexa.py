"""The Alexa channel: POST ``/alexa`` turns a verified request envelope into a Turn and renders the Reply.

Alexa resolves the intent and its slots itself, so the turn carries them and the router skips
matching. Parsing and rendering use ask-sdk-model's classes; the JSON goes through ask-sdk-core's
``DefaultSerializer`` so the field names are exactly Amazon's.

What the channel adds to Alexa's model:

- AMAZON built-in intents become the framework's (``AMAZON.StopIntent`` -> ``Stop`` ...).
- ``Reply.expect`` becomes a Dialog directive inside an IntentRequest: ``SLOT`` with a slot of the
  intent -> ``Dialog.ElicitSlot``; ``SLOT`` without one while Alexa runs a dialog model ->
  ``Dialog.Delegate``; ``CONFIRMATION`` -> ``Dialog.ConfirmSlot`` / ``Dialog.ConfirmIntent``.
  Alexa answers a confirmation with the same intent and a confirmation status; the channel
  remembers (in ``sessionAttributes["voice.alexa"]``) that it asked, and hands the responder
  a ``Yes`` or ``No`` turn, as every other channel does.
- Alexa's limits: speech at most 8,000 characters (cut at a sentence end), response at most 24 KB.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.canfulfill.can_fulfill_intent import CanFulfillIntent
from ask_sdk_model.canfulfill.can_fulfill_intent_request import CanFulfillIntentRequest
from ask_sdk_model.canfulfill.can_fulfill_intent_values import CanFulfillIntentValues
from ask_sdk_model.canfulfill.can_fulfill_slot import CanFulfillSlot
from ask_sdk_model.canfulfill.can_fulfill_slot_values import CanFulfillSlotValues
from ask_sdk_model.canfulfill.can_understand_slot_values import CanUnderstandSlotValues
from ask_sdk_model.dialog.confirm_intent_directive import ConfirmIntentDirective
from ask_sdk_model.dialog.confirm_slot_directive import ConfirmSlotDirective
from ask_sdk_model.dialog.delegate_directive import DelegateDirective
from ask_sdk_model.dialog.elicit_slot_directive import ElicitSlotDirective
from ask_sdk_model.dialog_state import DialogState
from ask_sdk_model.directive import Directive
from ask_sdk_model.intent import Intent
from ask_sdk_model.intent_confirmation_status import IntentConfirmationStatus
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.interfaces.system.exception_encountered_request import ExceptionEncounteredRequest
from ask_sdk_model.launch_request import LaunchRequest
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.response_envelope import ResponseEnvelope
from ask_sdk_model.session_ended_request import SessionEndedRequest
from ask_sdk_model.slot import Slot
from ask_sdk_model.slot_confirmation_status import SlotConfirmationStatus
from ask_sdk_model.slu.entityresolution.status_code import StatusCode
from ask_sdk_model.ui.reprompt import Reprompt
from ask_sdk_model.ui.simple_card import SimpleCard
from ask_sdk_model.ui.ssml_output_speech import SsmlOutputSpeech
from flask import Blueprint, request
from flask import Response as HttpResponse

from ..nlu import SlotValue
from ..reply import Expect, Reply
from ..turn import Turn
from .alexa_verify import AlexaVerifier
from .base import (
    LAUNCH,
    Assistant,
    RequestError,
    deadline,
    locale,
    require_json,
    shorten,
    to_ssml,
)

__all__ = ["BUILTIN_INTENTS", "AlexaChannel", "blueprint"]

_LOGGER = logging.getLogger(__name__)
_SERIALIZER = DefaultSerializer()

DEADLINE_SECONDS = 8.0
"""Alexa waits about 8 s for the skill."""
MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
_SHORT_SPEECH_CHARS = 2000
"""What is left of the speech when a response must shrink to fit ``MAX_RESPONSE_BYTES``."""
CHANNEL_KEY = "voice.alexa"
"""The channel's own entry in sessionAttributes: the confirmation it asked for."""

BUILTIN_INTENTS: Mapping[str, str] = {
    "AMAZON.StopIntent": "Stop",
    "AMAZON.CancelIntent": "Cancel",
    "AMAZON.HelpIntent": "Help",
    "AMAZON.FallbackIntent": "Fallback",
    "AMAZON.YesIntent": "Yes",
    "AMAZON.NoIntent": "No",
    "AMAZON.RepeatIntent": "Repeat",
    "AMAZON.StartOverIntent": "StartOver",
    "AMAZON.NavigateHomeIntent": "Stop",
}

_CONFIRMED = {"CONFIRMED": "Yes", "DENIED": "No"}


@dataclass(frozen=True, slots=True)
class AlexaChannel:
    """Verifies, parses, answers and renders one Alexa request; shared by all threads of a worker."""

    assistant: Assistant
    verifier: AlexaVerifier

    def handle(self, headers: Mapping[str, str], body: bytes) -> bytes:
        """The JSON response body for a raw request; ``VoiceError`` (4xx) for a bad or unsigned one."""
        self.verifier.verify(headers, body)
        envelope = _parse(body)
        handler = _HANDLERS.get(type(envelope.request))
        if handler is None:
            kind = getattr(envelope.request, "object_type", None) or type(envelope.request).__name__
            raise RequestError(f"this skill does not serve Alexa {kind} requests.")
        return handler(self, envelope)


def blueprint(channel: AlexaChannel) -> Blueprint:
    """The ``/alexa`` endpoint around ``channel``."""
    alexa = Blueprint("alexa", __name__)

    @alexa.post("/alexa")
    def respond() -> HttpResponse:
        require_json(request)
        return HttpResponse(
            channel.handle(dict(request.headers), request.get_data()), mimetype="application/json"
        )

    return alexa


def _parse(body: bytes) -> RequestEnvelope:
    try:
        envelope = _SERIALIZER.deserialize(body.decode("utf-8"), RequestEnvelope)
    except Exception as exc:  # ask-sdk lets TypeError and friends escape for odd shapes: all bad requests
        raise RequestError("the body is not an Alexa request envelope; check its fields.") from exc
    if not isinstance(envelope, RequestEnvelope) or envelope.request is None:
        raise RequestError("the body is not an Alexa request envelope; it has no request.")
    return envelope


def _launch(channel: AlexaChannel, envelope: RequestEnvelope) -> bytes:
    return _answer(channel, envelope, LAUNCH, {})


def _intent(channel: AlexaChannel, envelope: RequestEnvelope) -> bytes:
    intent, spoken_name = _request_intent(envelope)
    asked = _state(envelope).get(CHANNEL_KEY)
    name = _confirmation(intent, asked) or BUILTIN_INTENTS.get(spoken_name, spoken_name)
    return _answer(channel, envelope, name, _slots(intent), intent)


def _session_ended(channel: AlexaChannel, envelope: RequestEnvelope) -> bytes:
    """Alexa ignores the answer to a SessionEndedRequest or ExceptionEncountered; acknowledge it."""
    error = getattr(envelope.request, "error", None)
    if error is not None:
        _LOGGER.warning("Alexa reports an error for session %s: %s", _session_id(envelope), error)
    return _serialize(ResponseEnvelope(version="1.0", response=Response()))


def _can_fulfill(channel: AlexaChannel, envelope: RequestEnvelope) -> bytes:
    """YES when a loaded skill declares the intent and every slot Alexa names."""
    intent, name = _request_intent(envelope)
    turn = _turn(envelope, BUILTIN_INTENTS.get(name, name), {})
    declared = channel.assistant.catalog.slots(turn.intent or "", turn.language)
    slots = {
        name: _can_fulfill_slot(declared is not None and name in declared) for name in intent.slots or {}
    }
    understood = declared is not None and all(
        s.can_understand is CanUnderstandSlotValues.YES for s in slots.values()
    )
    verdict = CanFulfillIntentValues.YES if understood else CanFulfillIntentValues.NO
    result = CanFulfillIntent(can_fulfill=verdict, slots=slots or None)
    return _serialize(ResponseEnvelope(version="1.0", response=Response(can_fulfill_intent=result)))


def _can_fulfill_slot(known: bool) -> CanFulfillSlot:
    return CanFulfillSlot(
        can_understand=CanUnderstandSlotValues.YES if known else CanUnderstandSlotValues.NO,
        can_fulfill=CanFulfillSlotValues.YES if known else CanFulfillSlotValues.NO,
    )


_HANDLERS: Mapping[type, Callable[[AlexaChannel, RequestEnvelope], bytes]] = {
    LaunchRequest: _launch,
    IntentRequest: _intent,
    SessionEndedRequest: _session_ended,
    ExceptionEncounteredRequest: _session_ended,
    CanFulfillIntentRequest: _can_fulfill,
}


def _answer(
    channel: AlexaChannel,
    envelope: RequestEnvelope,
    intent: str,
    slots: Mapping[str, SlotValue],
    request_intent: Intent | None = None,
) -> bytes:
    """Ask the responder and render its reply with the session state it returns."""
    state = {key: value for key, value in _state(envelope).items() if key != CHANNEL_KEY}
    reply, new_state = channel.assistant.answer(_turn(envelope, intent, slots), state)
    dialog_state = getattr(envelope.request, "dialog_state", None)
    directive = _directive(reply, request_intent, dialog_state)
    asked = _asked(directive, request_intent)
    return _fitted(reply, {**new_state, CHANNEL_KEY: asked} if asked else dict(new_state), directive)


def _turn(envelope: RequestEnvelope, intent: str, slots: Mapping[str, SlotValue]) -> Turn:
    return Turn(
        intent=intent,
        slots=slots,
        locale=locale(getattr(envelope.request, "locale", None), "request.locale"),
        channel="alexa",
        session_id=_session_id(envelope),
        user_id=_user_id(envelope),
        deadline=deadline(DEADLINE_SECONDS),
    )


def _request_intent(envelope: RequestEnvelope) -> tuple[Intent, str]:
    """The request's intent and its name, checked: ask-sdk-model accepts any shape."""
    intent = getattr(envelope.request, "intent", None)
    if not isinstance(intent, Intent) or not isinstance(intent.name, str) or not intent.name:
        raise RequestError("the Alexa request has no request.intent.name.")
    if intent.slots is not None and not isinstance(intent.slots, dict):
        raise RequestError("the Alexa request's intent slots are not an object.")
    return intent, intent.name


def _slots(intent: Intent) -> dict[str, SlotValue]:
    """Filled slots; entity resolution gives the canonical value and id, as our lists do."""
    found: dict[str, SlotValue] = {}
    for name, slot in (intent.slots or {}).items():
        if isinstance(slot, Slot) and isinstance(slot.value, str) and slot.value:
            resolved_name, resolved_id = _resolution(slot)
            value = resolved_name or slot.value
            found[name] = SlotValue(text=slot.value, value=value, id=resolved_id)
    return found


def _resolution(slot: Slot) -> tuple[str | None, str | None]:
    """The first successful authority's best value; ask-sdk checks no types, so neither may we trust them."""
    for authority in _list(getattr(slot.resolutions, "resolutions_per_authority", None)):
        status = getattr(getattr(authority, "status", None), "code", None)
        values = _list(getattr(authority, "values", None))
        value = getattr(values[0], "value", None) if values else None
        if status is StatusCode.ER_SUCCESS_MATCH and value is not None:
            return _text(getattr(value, "name", None)) or None, _text(getattr(value, "id", None)) or None
    return None, None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _confirmation(intent: Intent, asked: Any) -> str | None:
    """``Yes``/``No`` when this request answers the ConfirmSlot/ConfirmIntent the channel sent."""
    if not isinstance(asked, dict) or asked.get("intent") != intent.name:
        return None
    slot = (intent.slots or {}).get(asked.get("slot") or "")
    status = slot.confirmation_status if isinstance(slot, Slot) else intent.confirmation_status
    if isinstance(status, SlotConfirmationStatus | IntentConfirmationStatus):
        return _CONFIRMED.get(status.value)
    return None


def _directive(reply: Reply, intent: Intent | None, dialog_state: DialogState | None) -> Directive | None:
    """The Dialog directive that ``reply.expect`` asks for; Alexa allows them only in IntentRequests."""
    if intent is None or not reply.expects_answer:
        return None
    has_slot = reply.slot is not None and reply.slot in (intent.slots or {})
    if reply.expect is Expect.SLOT and has_slot:
        return ElicitSlotDirective(slot_to_elicit=reply.slot)
    if (
        reply.expect is Expect.SLOT
        and reply.slot is None
        and dialog_state
        in (
            DialogState.STARTED,
            DialogState.IN_PROGRESS,
        )
    ):
        return DelegateDirective(updated_intent=intent)
    if reply.expect is Expect.CONFIRMATION and has_slot:
        return ConfirmSlotDirective(slot_to_confirm=reply.slot)
    if reply.expect is Expect.CONFIRMATION and reply.slot is None:
        return ConfirmIntentDirective()
    return None


def _fitted(reply: Reply, state: dict[str, Any], directive: Directive | None) -> bytes:
    """The rendered response, shrunk step by step until it is within Alexa's 24 KB."""
    body = _serialize(_render(reply, state, directive))
    if len(body) <= MAX_RESPONSE_BYTES:
        return body
    short = shorten(reply.text, _SHORT_SPEECH_CHARS)
    for candidate in (replace(reply, card=None), replace(reply, card=None, speech=short, reprompt=None)):
        body = _serialize(_render(candidate, state, directive))
        if len(body) <= MAX_RESPONSE_BYTES:
            return body
    _LOGGER.error("session attributes exceed Alexa's 24 KB response limit; dropping them for this turn")
    return _serialize(_render(replace(reply, card=None, speech=short, reprompt=None), {}, None))


def _render(reply: Reply, state: dict[str, Any], directive: Directive | None) -> ResponseEnvelope:
    """The response envelope: SSML speech, reprompt and card, end of session, the directive."""
    delegate = isinstance(directive, DelegateDirective)  # Alexa refuses speech next to Delegate
    spoken = None if delegate else _ssml(reply.speech)
    speech = spoken if reply.speech.strip() else None
    reprompt = None
    if reply.expects_answer and spoken is not None:
        reprompt = Reprompt(output_speech=_ssml(reply.reprompt) if reply.reprompt else spoken)
    card = SimpleCard(title=reply.card.title, content=reply.card.text) if reply.card else None
    response = Response(
        output_speech=speech,
        reprompt=reprompt,
        card=card,
        directives=[directive] if directive else None,
        should_end_session=_should_end_session(reply),
    )
    return ResponseEnvelope(version="1.0", session_attributes=state or None, response=response)


def _should_end_session(reply: Reply) -> bool | None:
    """True ends the session; False keeps the microphone open; None lets the device decide."""
    if reply.end_session:
        return True
    return False if reply.expects_answer else None


def _asked(directive: Directive | None, intent: Intent | None) -> dict[str, str | None] | None:
    """What the channel must remember to turn Alexa's confirmation status into Yes/No."""
    if intent is None or not isinstance(directive, ConfirmSlotDirective | ConfirmIntentDirective):
        return None
    return {"intent": intent.name, "slot": getattr(directive, "slot_to_confirm", None)}


def _ssml(speech: str) -> SsmlOutputSpeech:
    return SsmlOutputSpeech(ssml=to_ssml(speech, MAX_SPEECH_CHARS))


def _serialize(envelope: ResponseEnvelope) -> bytes:
    return json.dumps(_SERIALIZER.serialize(envelope), ensure_ascii=False, separators=(",", ":")).encode()


def _state(envelope: RequestEnvelope) -> dict[str, Any]:
    attributes = getattr(envelope.session, "attributes", None)
    return attributes if isinstance(attributes, dict) else {}


def _session_id(envelope: RequestEnvelope) -> str:
    return _text(getattr(envelope.session, "session_id", None))


def _user_id(envelope: RequestEnvelope) -> str:
    user = getattr(envelope.session, "user", None) or getattr(
        getattr(envelope.context, "system", None), "user", None
    )
    return _text(getattr(user, "user_id", None))
