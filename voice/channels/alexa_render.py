"""Rendering a Reply as an Alexa response envelope: speech, reprompt, card, Dialog directives, 24 KB limit.

Amazon's field names are written directly; the tests read every kind of response back through
ask-sdk-model, the schema authority.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..reply import Expect, Reply
from ..ssml import shorten, to_ssml

__all__ = ["MAX_RESPONSE_BYTES", "MAX_SPEECH_CHARS", "asked_confirmation", "directive", "encode", "fitted"]

_LOGGER = logging.getLogger(__name__)

MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
_SHORT_SPEECH_CHARS = 2000
"""What is left of the speech when a response must shrink to fit ``MAX_RESPONSE_BYTES``."""


def slot_map(intent: Mapping[str, Any]) -> Mapping[str, Any]:
    slots = intent.get("slots")
    return slots if isinstance(slots, dict) else {}


def directive(
    reply: Reply, intent: Mapping[str, Any] | None, dialog_state: str | None, *, modelled: bool
) -> dict[str, Any] | None:
    """The Dialog directive that ``reply.expect`` asks for; Alexa allows them only in IntentRequests,
    and only for an intent the exported dialog model carries (``modelled``: a skill's flow). Any other
    (``Question``, the filler ``Wait``, ``Thanks``) gets plain speech: a "Do you mean ...?" after it
    is a question like any other, and the caller's yes or no comes back as AMAZON.YesIntent / NoIntent."""
    if intent is None or not modelled or not reply.expects_answer:
        return None
    has_slot = reply.slot is not None and reply.slot in slot_map(intent)
    if reply.expect is Expect.SLOT and has_slot:
        return {"type": "Dialog.ElicitSlot", "slotToElicit": reply.slot}
    if reply.expect is Expect.SLOT and reply.slot is None and dialog_state in ("STARTED", "IN_PROGRESS"):
        return {"type": "Dialog.Delegate", "updatedIntent": _updated_intent(intent)}
    if reply.expect is Expect.CONFIRMATION and has_slot:
        return {"type": "Dialog.ConfirmSlot", "slotToConfirm": reply.slot}
    if reply.expect is Expect.CONFIRMATION and reply.slot is None:
        return {"type": "Dialog.ConfirmIntent"}
    return None


def _updated_intent(intent: Mapping[str, Any]) -> dict[str, Any]:
    """The request's intent as Alexa takes it back: name, confirmation and the slots' values."""
    slots = {
        name: {
            key: slot[key]
            for key in ("name", "value", "confirmationStatus")
            if isinstance(slot.get(key), str)
        }
        for name, slot in slot_map(intent).items()
        if isinstance(slot, dict)
    }
    status = intent.get("confirmationStatus")
    return {
        "name": intent["name"],
        "confirmationStatus": status if isinstance(status, str) else "NONE",
        "slots": slots,
    }


def asked_confirmation(
    directive: dict[str, Any] | None, intent: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """What the channel must remember to turn Alexa's confirmation status into Yes/No."""
    if (
        intent is None
        or directive is None
        or directive["type"] not in ("Dialog.ConfirmSlot", "Dialog.ConfirmIntent")
    ):
        return None
    return {"intent": intent["name"], "slot": directive.get("slotToConfirm")}


def fitted(reply: Reply, state: dict[str, Any], directive: dict[str, Any] | None) -> bytes:
    """The rendered response, shrunk step by step until it is within Alexa's 24 KB."""
    body = encode(_render(reply, state, directive))
    if len(body) <= MAX_RESPONSE_BYTES:
        return body
    short = shorten(reply.text, _SHORT_SPEECH_CHARS)
    for candidate in (replace(reply, card=None), replace(reply, card=None, speech=short, reprompt=None)):
        body = encode(_render(candidate, state, directive))
        if len(body) <= MAX_RESPONSE_BYTES:
            return body
    _LOGGER.error("session attributes exceed Alexa's 24 KB response limit; dropping them for this turn")
    return encode(_render(replace(reply, card=None, speech=short, reprompt=None), {}, None))


def _render(reply: Reply, state: dict[str, Any], directive: dict[str, Any] | None) -> dict[str, Any]:
    """The response envelope: SSML speech, reprompt and card, end of session, the directive."""
    response: dict[str, Any] = {}
    delegate = directive is not None and directive["type"] == "Dialog.Delegate"  # no speech beside it
    spoken = None if delegate or not reply.speech.strip() else _ssml(reply.speech)
    if spoken is not None:
        response["outputSpeech"] = spoken
        if reply.expects_answer:
            response["reprompt"] = {"outputSpeech": _ssml(reply.reprompt) if reply.reprompt else spoken}
    if reply.card is not None:
        response["card"] = {"type": "Simple", "title": reply.card.title, "content": reply.card.text}
    if directive is not None:
        response["directives"] = [directive]
    if reply.end_session:
        response["shouldEndSession"] = True
    elif reply.expects_answer:
        response["shouldEndSession"] = False  # None (absent) lets the device decide
    envelope: dict[str, Any] = {"version": "1.0", "response": response}
    if state:
        envelope["sessionAttributes"] = state
    return envelope


def _ssml(speech: str) -> dict[str, str]:
    return {"type": "SSML", "ssml": to_ssml(speech, MAX_SPEECH_CHARS)}


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
