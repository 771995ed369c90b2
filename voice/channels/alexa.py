"""The Alexa channel: POST ``/alexa`` turns a verified request envelope into a Turn and renders the Reply.

Alexa resolves the intent and its slots itself, so the turn carries them and the router skips
matching. The body is parsed once, by the verifier, and read as plain JSON; responses are
written with Amazon's field names directly. ask-sdk-model is the schema authority: the tests
read every kind of response back through its classes (``tests/voice/channels``).

What the channel adds to Alexa's model:

- AMAZON built-in intents become the framework's (``AMAZON.StopIntent`` -> ``Stop`` ...,
  ``voice.builtins.ALEXA_INTENTS``).
- ``Question`` (the export's intent for free speech) reaches the dialog with its ``query`` words,
  which it reads as text for the router and the knowledge base.
- ``Reply.expect`` becomes a Dialog directive inside an IntentRequest: ``SLOT`` with a slot of the
  intent -> ``Dialog.ElicitSlot``; ``SLOT`` without one while Alexa runs a dialog model ->
  ``Dialog.Delegate``; ``CONFIRMATION`` -> ``Dialog.ConfirmSlot`` / ``Dialog.ConfirmIntent``.
  Alexa answers a confirmation with the same intent and a confirmation status; the channel
  remembers (in ``sessionAttributes["voice.alexa"]``) that it asked, and hands the dialog
  a ``Yes`` or ``No`` turn, as every other channel does.
- Alexa's limits: speech at most 8,000 characters (cut at a sentence end), response at most 24 KB.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Self

from ..builtins import ALEXA_INTENTS, LAUNCH
from ..config_shapes import Check, is_flag, is_text_list
from ..language import language_of
from ..nlu import SlotValue
from ..platform_contexts import fixed_of
from ..reply import Reply
from ..router import Router
from ..turn import Responder, Turn
from .alexa_render import asked_confirmation, directive, encode, fitted, slot_map
from .alexa_verify import AlexaVerifier, AlexaVerifyConfig
from .webhook import (
    MediaTypeError,
    RequestError,
    WebhookChannel,
    WebRequest,
    WebResponse,
    checked_document,
    deadline,
    finite,
    identifier,
    locale,
)

__all__ = ["CHANNEL_KEY", "AlexaChannel", "verify_config"]

_LOGGER = logging.getLogger(__name__)

DEADLINE_SECONDS = 8.0
"""Alexa waits about 8 s for the skill."""
CHANNEL_KEY = "voice.alexa"
"""The channel's own entry in sessionAttributes: the confirmation it asked for."""

_CONFIRMED = {"CONFIRMED": "Yes", "DENIED": "No"}
_ACKNOWLEDGED = ("SessionEndedRequest", "System.ExceptionEncountered")
_EMPTY_RESPONSE = b'{"version":"1.0","response":{}}'
_USER_PATHS = (("session", "user"), ("context", "System", "user"))
"""Where the caller is: a request outside a session has only the context's."""


@dataclass(frozen=True, slots=True)
class _Request:
    """What rendering needs from the request: its intent, Alexa's dialog state, the session attributes."""

    intent: Mapping[str, Any] | None
    dialog_state: str | None
    attributes: Mapping[str, Any]


class AlexaChannel(WebhookChannel):
    """Verifies, parses, answers and renders one Alexa request; shared by all threads of a worker."""

    name = "alexa"
    path = "/alexa"
    deadline_s = DEADLINE_SECONDS
    settings: ClassVar[Mapping[str, Any]] = MappingProxyType(
        {
            "alexa_verify": True,
            "alexa_application_ids": [],
            "alexa_accept_any_skill": False,
            "alexa_verifier": None,
        }
    )
    forms: ClassVar[Mapping[str, Check]] = MappingProxyType(
        {
            "alexa_verify": (is_flag, "true or false, like alexa_verify = true, so no typo turns it off"),
            "alexa_application_ids": (
                is_text_list,
                'a list of skill ids, like alexa_application_ids = ["amzn1.ask.skill.…"]',
            ),
            "alexa_accept_any_skill": (is_flag, "true or false, like alexa_accept_any_skill = false"),
            "alexa_verifier": (
                lambda value: value is None or isinstance(value, AlexaVerifier),
                "an AlexaVerifier, set in code, not in the config file",
            ),
        }
    )

    def __init__(self, responder: Responder, verifier: AlexaVerifier, router: Router | None = None) -> None:
        """``router`` says which intents exist (CanFulfillIntentRequest); by default the responder's."""
        super().__init__(responder)
        self.verifier = verifier
        self.router = router if router is not None else getattr(responder, "router", None)

    @classmethod
    def create(cls, responder: Responder, settings: Mapping[str, Any]) -> Self:
        """``alexa_verifier`` (programmatic only) replaces the verifier built from the other keys.

        With verification on, an empty ``alexa_application_ids`` stops the start (``ConfigError``)
        unless ``alexa_accept_any_skill`` is true; a given verifier was checked when it was built.
        """
        verifier = settings["alexa_verifier"] or AlexaVerifier(verify_config(settings))
        return cls(responder, verifier)

    def handle(self, request: WebRequest) -> WebResponse:
        answer_by = deadline(self.deadline_s)  # Alexa's clock runs from here: verification counts too
        if not request.is_json:
            raise MediaTypeError(
                f"the request's Content-Type is {request.content_type or 'missing'!r}; send application/json."
            )
        envelope = self._envelope(request)
        kind = _request(envelope).get("type")
        if kind in _ACKNOWLEDGED:
            return self._acknowledge(envelope)
        if kind == "CanFulfillIntentRequest":
            return self._can_fulfill(envelope)
        turn = self._turn(envelope, answer_by)
        return self.to_response(self.responder.respond(turn), turn)

    def to_turn(self, request: WebRequest) -> Turn:
        """The ``Channel`` protocol's step on its own (``handle`` does it without verifying twice)."""
        return self._turn(self._envelope(request), deadline(self.deadline_s))

    def _envelope(self, request: WebRequest) -> Mapping[str, Any]:
        """The verified envelope; refused if it could not be sent back (``checked_document``)."""
        envelope = self.verifier.verify(request.headers, request.body)
        checked_document(request.body, envelope)
        return envelope

    def to_response(self, reply: Reply, turn: Turn) -> WebResponse:
        asked: _Request = turn.platform
        modelled = (  # only a reply that expects an answer can get a directive
            asked.intent is not None
            and reply.expects_answer
            and self._modelled(asked.intent["name"], turn.language)
        )
        dialog_directive = directive(reply, asked.intent, asked.dialog_state, modelled=modelled)
        confirming = asked_confirmation(dialog_directive, asked.intent)
        state = dict(asked.attributes)
        if confirming:
            state[CHANNEL_KEY] = confirming
        return WebResponse(fitted(reply, state, dialog_directive))

    def _modelled(self, name: str, language: str) -> bool:
        """Whether the exported dialog model carries Alexa's intent ``name``: it holds the flows of the
        skills that declare it (``voice.export.alexa_dialog``). Without a router nothing says so."""
        ours = fixed_of(name)[0]
        owners = self.router.owners(ours, language) if self.router is not None else []
        return any(ours in skill.flows for skill in owners)

    def _turn(self, envelope: Mapping[str, Any], answer_by: float) -> Turn:
        request = _request(envelope)
        kind = request.get("type")
        attributes = _attributes(envelope)
        if kind == "LaunchRequest":
            intent: Mapping[str, Any] | None = None
            name, slots, said_with = LAUNCH, {}, ""
        elif kind == "IntentRequest":
            intent = _intent(request)
            confirmed = _confirmation(intent, attributes.get(CHANNEL_KEY))
            name = confirmed or _our_name(intent["name"])
            said_with = "" if confirmed else fixed_of(intent["name"])[1]
            slots = _slots(intent)
        else:
            raise RequestError(f"this skill does not serve Alexa {str(kind)[:60]!r} requests.")
        own = {key: value for key, value in attributes.items() if key != CHANNEL_KEY}
        dialog_state = request.get("dialogState")
        return Turn(
            intent=name,
            slots=slots,
            said_in=None,  # Alexa has no contexts: its intent was matched wherever the caller was
            said_with=said_with,
            locale=locale(request.get("locale"), "request.locale"),
            channel=self.name,
            session_id=identifier(_session_id(envelope), "session.sessionId", required=True),
            user_id=_user_id(envelope),
            deadline=answer_by,
            request_id=identifier(_text(request.get("requestId")), "request.requestId"),
            platform=_Request(intent, dialog_state if isinstance(dialog_state, str) else None, own),
        )

    def _acknowledge(self, envelope: Mapping[str, Any]) -> WebResponse:
        """Alexa ignores the answer to a SessionEndedRequest or ExceptionEncountered; acknowledge it."""
        error = _request(envelope).get("error")
        if error is not None:
            _LOGGER.warning("Alexa reports an error for session %s: %s", _session_id(envelope), error)
        return WebResponse(_EMPTY_RESPONSE)

    def _can_fulfill(self, envelope: Mapping[str, Any]) -> WebResponse:
        """YES when a loaded skill declares the intent and every slot Alexa names."""
        request = _request(envelope)
        intent = _intent(request)
        language = locale(request.get("locale"), "request.locale")
        name = _our_name(intent["name"])
        declared = self.router.intent_slots(name, language_of(language)) if self.router else None
        slots = {
            slot: _can_fulfill_slot(declared is not None and slot in declared) for slot in slot_map(intent)
        }
        understood = declared is not None and all(s["canUnderstand"] == "YES" for s in slots.values())
        verdict: dict[str, Any] = {"canFulfill": "YES" if understood else "NO"}
        if slots:
            verdict["slots"] = slots
        return WebResponse(encode({"version": "1.0", "response": {"canFulfillIntent": verdict}}))


def verify_config(settings: Mapping[str, Any]) -> AlexaVerifyConfig:
    """How the channel verifies requests, from its ``[server]`` settings (``voice check`` reads it too)."""
    return AlexaVerifyConfig(
        enabled=settings["alexa_verify"],
        application_ids=frozenset(settings["alexa_application_ids"]),
        accept_any_skill=settings["alexa_accept_any_skill"],
    )


def _can_fulfill_slot(known: bool) -> dict[str, str]:
    answer = "YES" if known else "NO"
    return {"canUnderstand": answer, "canFulfill": answer}


def _request(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    request = envelope.get("request")
    if not isinstance(request, dict):
        raise RequestError("the body is not an Alexa request envelope; it has no request.")
    return request


def _intent(request: Mapping[str, Any]) -> Mapping[str, Any]:
    """The request's intent, checked: it must have a name, and its slots must be an object."""
    intent = request.get("intent")
    if not isinstance(intent, dict) or not isinstance(intent.get("name"), str) or not intent["name"]:
        raise RequestError("the Alexa request has no request.intent.name.")
    if intent.get("slots") is not None and not isinstance(intent["slots"], dict):
        raise RequestError("the Alexa request's intent slots are not an object.")
    return intent


def _our_name(name: str) -> str:
    """Our intent for Alexa's: a built-in's, or the exported intent of a block with fixed slots
    (``SpeakLanguage__language_nl`` is ``SpeakLanguage``, ``voice.platform_contexts``)."""
    return ALEXA_INTENTS.get(name) or fixed_of(name)[0]


def _slots(intent: Mapping[str, Any]) -> dict[str, SlotValue]:
    """Filled slots; entity resolution gives the canonical value and id, as our lists do (without it, the
    dialog reads the words through the list: ``voice.slot_values.coerce``)."""
    found: dict[str, SlotValue] = {}
    for name, slot in slot_map(intent).items():
        value = slot.get("value") if isinstance(slot, dict) else None
        if isinstance(value, str) and value:
            resolved_name, resolved_id = _resolution(slot)
            found[name] = SlotValue(text=value, value=resolved_name or value, id=resolved_id)
    return found


def _resolution(slot: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The first successful authority's best value; every field is checked, nothing is trusted."""
    resolutions = slot.get("resolutions")
    authorities = resolutions.get("resolutionsPerAuthority") if isinstance(resolutions, dict) else None
    for authority in authorities if isinstance(authorities, list) else ():
        if not isinstance(authority, dict):
            continue
        status = authority.get("status")
        values = authority.get("values")
        first = values[0] if isinstance(values, list) and values and isinstance(values[0], dict) else {}
        value = first.get("value")
        if isinstance(status, dict) and status.get("code") == "ER_SUCCESS_MATCH" and isinstance(value, dict):
            return _text(value.get("name")) or None, _text(value.get("id")) or None
    return None, None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _confirmation(intent: Mapping[str, Any], asked: Any) -> str | None:
    """``Yes``/``No`` when this request answers the ConfirmSlot/ConfirmIntent the channel sent.

    The entry comes back from the device and may hold anything: one not shaped as
    ``asked_confirmation`` writes it (a slot name or None) counts as absent.
    """
    if not isinstance(asked, dict) or asked.get("intent") != intent["name"]:
        return None
    name = asked.get("slot")
    if name is not None and not isinstance(name, str):
        return None
    slot = slot_map(intent).get(name or "")
    status = slot.get("confirmationStatus") if isinstance(slot, dict) else intent.get("confirmationStatus")
    return _CONFIRMED.get(status) if isinstance(status, str) else None


def _attributes(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    """The session attributes, which go back as they came: refused if they hold NaN or Infinity."""
    session = envelope.get("session")
    attributes = session.get("attributes") if isinstance(session, dict) else None
    if not isinstance(attributes, dict):
        return {}
    finite(attributes)
    return attributes


def _session_id(envelope: Mapping[str, Any]) -> str:
    session = envelope.get("session")
    return _text(session.get("sessionId")) if isinstance(session, dict) else ""


def _user_id(envelope: Mapping[str, Any]) -> str:
    """The caller: ``session.user``, else ``context.System.user``; an id the store can key on."""
    for path in _USER_PATHS:
        node: Any = envelope
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return identifier(_text(node.get("userId")), ".".join((*path, "userId")))
    return ""
