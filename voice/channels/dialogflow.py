"""The Dialogflow ES v2 channel: POST ``/dialogflow`` answers a WebhookRequest with a WebhookResponse.

Dialogflow matches the intent with its own agent (the export writes it from our templates); the
channel maps its ``displayName`` to our intent name and its parameters to slots. When the agent
fell back, or when ``reparse`` is set, the router matches ``queryText`` itself instead, so the
agent can be a thin speech-to-text front for the same templates.

Session state travels in an output context named ``voice-state``: its parameters go to a
``SessionResponder`` and come back, with a lifespan, in the response (lifespan 0 ends it).

Dialogflow calls the webhook with configured HTTP basic auth and/or extra headers; a shared
token header and basic auth are both compared in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flask import Blueprint, Request, jsonify, request
from flask import Response as HttpResponse

from ..nlu import SlotValue
from ..reply import Reply
from ..turn import Turn
from .base import (
    LAUNCH,
    Assistant,
    AuthenticationError,
    deadline,
    json_object,
    locale,
    lookup,
    to_ssml,
)

__all__ = ["FALLBACK_INTENT", "STATE_CONTEXT", "DialogflowChannel", "DialogflowSettings", "blueprint"]

DEADLINE_SECONDS = 5.0
"""Dialogflow gives a webhook 5 s."""
STATE_CONTEXT = "voice-state"
FALLBACK_INTENT = "Default Fallback Intent"
DEFAULT_INTENT_MAP: Mapping[str, str] = MappingProxyType({"Default Welcome Intent": LAUNCH})

_USER_ID_PATHS = (("user", "userId"), ("userId",), ("telephony", "caller_id"))
"""Where the integrations put the caller in ``originalDetectIntentRequest.payload``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DialogflowSettings:
    """How the channel reads requests and who may call it."""

    intent_map: Mapping[str, str] = field(default_factory=lambda: DEFAULT_INTENT_MAP)
    """Dialogflow displayName -> our intent; names not listed are used as they are."""
    reparse: bool = False
    """Match ``queryText`` with the router instead of trusting the agent's intent."""
    username: str | None = None
    password: str | None = None
    token_header: str = "X-Voice-Token"
    token: str | None = None
    state_lifespan: int = 50
    """Turns the ``voice-state`` context lives after the last webhook answer."""

    @property
    def open(self) -> bool:
        """True when no credentials are configured: anyone may call the webhook."""
        return self.token is None and self.username is None


@dataclass(frozen=True, slots=True)
class DialogflowChannel:
    """Authenticates, parses, answers and renders one Dialogflow webhook request."""

    assistant: Assistant
    settings: DialogflowSettings = DialogflowSettings()

    def authenticate(self, http: Request) -> None:
        """Raise ``AuthenticationError`` unless every configured credential matches."""
        settings = self.settings
        if settings.username is not None and not _basic_auth_matches(
            http, settings.username, settings.password or ""
        ):
            raise AuthenticationError("the request's basic auth credentials are missing or wrong.")
        if settings.token is not None and not _equal(
            http.headers.get(settings.token_header, ""), settings.token
        ):
            raise AuthenticationError(f"the request's {settings.token_header} header is missing or wrong.")

    def handle(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The WebhookResponse for a WebhookRequest; ``RequestError`` for missing fields."""
        session = lookup(data, "session")
        contexts = lookup(data, "queryResult.outputContexts", list, default=[])
        contexts = [context for context in contexts if isinstance(context, dict)]
        reply, state = self.assistant.answer(self._turn(data, contexts), _state(contexts))
        return _render(reply, state, session, self.settings.state_lifespan)

    def _turn(self, data: Mapping[str, Any], contexts: list[dict[str, Any]]) -> Turn:
        display_name = lookup(data, "queryResult.intent.displayName", default="")
        fell_back = lookup(data, "queryResult.intent.isFallback", bool, default=False)
        reparse = self.settings.reparse or fell_back or display_name in ("", FALLBACK_INTENT)
        parameters = lookup(data, "queryResult.parameters", dict, default={})
        return Turn(
            text=lookup(data, "queryResult.queryText", default=""),
            intent=None if reparse else self.settings.intent_map.get(display_name, display_name),
            slots={} if reparse else _slots(parameters, contexts),
            locale=locale(lookup(data, "queryResult.languageCode"), "queryResult.languageCode"),
            channel="dialogflow",
            session_id=lookup(data, "session"),
            user_id=_user_id(lookup(data, "originalDetectIntentRequest.payload", dict, default={})),
            confidence=_confidence(lookup(data, "queryResult", dict)),
            deadline=deadline(DEADLINE_SECONDS),
        )


def blueprint(channel: DialogflowChannel) -> Blueprint:
    """The ``/dialogflow`` endpoint around ``channel``; credentials are checked before the body is read."""
    dialogflow = Blueprint("dialogflow", __name__)

    @dialogflow.post("/dialogflow")
    def respond() -> HttpResponse:
        channel.authenticate(request)
        return jsonify(channel.handle(json_object(request)))

    return dialogflow


def _basic_auth_matches(http: Request, username: str, password: str) -> bool:
    auth = http.authorization
    if auth is None or auth.type != "basic":
        return False
    # Compare both parts every time, so the answer's timing says nothing about which was wrong.
    return _equal(auth.username or "", username) & _equal(auth.password or "", password)


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


def _state(contexts: list[dict[str, Any]]) -> dict[str, Any]:
    for context in contexts:
        name = context.get("name")
        if isinstance(name, str) and name.endswith(f"/contexts/{STATE_CONTEXT}"):
            parameters = context.get("parameters")
            return dict(parameters) if isinstance(parameters, dict) else {}
    return {}


def _slots(parameters: Mapping[str, Any], contexts: list[dict[str, Any]]) -> dict[str, SlotValue]:
    """Filled parameters; the words as spoken come from Dialogflow's ``<name>.original`` when present."""
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


def _confidence(query: Mapping[str, Any]) -> float:
    value = query.get("speechRecognitionConfidence")
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
        else 1.0
    )


def _user_id(payload: Mapping[str, Any]) -> str:
    for path in _USER_ID_PATHS:
        node: Any = payload
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and node:
            return node
    return ""


def _render(reply: Reply, state: Mapping[str, Any], session: str, lifespan: int) -> dict[str, Any]:
    """WebhookResponse: text for chat and phone, payload.google for Assistant-shaped clients, the state."""
    text = reply.text
    simple = {"ssml": to_ssml(reply.speech)} if reply.is_ssml else {"textToSpeech": text}
    messages: list[dict[str, Any]] = [{"text": {"text": [text]}}]
    if reply.card is not None:
        messages.append({"card": {"title": reply.card.title, "subtitle": reply.card.text}})
    google = {
        "expectUserResponse": reply.expects_answer,
        "richResponse": {"items": [{"simpleResponse": {**simple, "displayText": text}}]},
    }
    context = {
        "name": f"{session}/contexts/{STATE_CONTEXT}",
        "lifespanCount": 0 if reply.end_session else lifespan,
        "parameters": dict(state),
    }
    return {
        "fulfillmentText": text,
        "fulfillmentMessages": messages,
        # "voice" carries the whole Reply (expect, slot, handoff) for gateways that act on it.
        "payload": {"google": google, "voice": reply.to_dict()},
        "outputContexts": [context],
    }
