"""The Dialogflow ES v2 channel: POST ``/dialogflow`` answers a WebhookRequest with a WebhookResponse.

Dialogflow matches the intent with its own agent (the export writes it from our templates); the
channel maps its ``displayName`` to our intent name and its parameters to slots. When the agent
fell back, matched the caller's words with an ``intentDetectionConfidence`` below
``dialogflow_min_confidence``, or when ``reparse`` is set, the router matches ``queryText`` itself
instead, so the agent can be a thin speech-to-text front for the same templates.

The conversation's state is kept in our store. An output context named ``voice-state`` carries
what the platform itself keeps for the session: its parameters come back unchanged, with a
lifespan, in the response (lifespan 0 ends it). A handoff keeps it alive with ``voice_handed_over``,
so a gateway that keeps the caller on the line gets "a colleague is coming" at the next turn. The
dialog's intent context (the flow, the slot it asks, the previous intent) goes out as contexts of
lifespan 1 (``voice.platform_contexts``), the input contexts of the exported intents of a flow's bare
answers and of follow-ups, whose display names are read back as our intent.

An event is no words of the caller: Dialogflow puts an event's name in ``queryText`` (``TELEPHONY_WELCOME``),
so such a turn has no text; a gateway's no-input event (the exported ``NoInput`` intent, or an event no
intent takes) is silence, which the dialog answers with "are you still there?" and in the end closes. An
end-of-call event (``HANGUP_EVENTS``: ``TELEPHONY_HANGUP``) is the caller hanging up: the conversation
ends with nothing said.

What a phone gateway acts on beyond the text depends on the API version it calls Dialogflow with
(``dialogflow_api_version``): v2beta1 knows ``endInteraction``, ``liveAgentHandoff`` and the TELEPHONY
messages (the spoken SSML, the transfer of a handed-over call); v2 refuses a response that has them, so
there only ``payload`` (``google.expectUserResponse``, ``voice``) says it.

Dialogflow calls the webhook with configured HTTP basic auth and/or extra headers; a shared
token header and basic auth are both compared in constant time.

Reading the request is ``dialogflow_request``, writing the response ``dialogflow_render``, the
``[server]`` keys and their checks ``dialogflow_settings``.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any, Self

from ..nlu.context import Requires
from ..platform_contexts import read_exported
from ..reply import Reply
from ..turn import Turn
from .dialogflow_render import render
from .dialogflow_request import (
    HANDED_OVER,
    NO_INPUT_EVENTS,
    STATE_CONTEXT,
    WELCOME_EVENTS,
    PlatformState,
    confidence,
    hung_up,
    intent_confidence,
    is_event,
    is_withheld,
    rang_in,
    slots,
    state_of,
    telephony,
    user_id,
)
from .dialogflow_settings import (
    FORMS,
    SERVER_SETTINGS,
    TEXT_SETTINGS,
    DialogflowSettings,
    check_intent_map,
    unsent_transfer,
)
from .webhook import (
    AuthenticationError,
    Responder,
    WebhookChannel,
    WebRequest,
    WebResponse,
    deadline,
    header,
    identifier,
    json_body,
    locale,
    lookup,
)

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "FALLBACK_INTENT",
    "NO_INPUT_EVENTS",
    "NO_INPUT_INTENT",
    "STATE_CONTEXT",
    "WELCOME_EVENTS",
    "DialogflowChannel",
    "DialogflowSettings",
    "check_intent_map",
    "is_withheld",
    "unsent_transfer",
]

DEADLINE_SECONDS = 5.0
"""Dialogflow gives a webhook 5 s."""
FALLBACK_INTENT = "Default Fallback Intent"
NO_INPUT_INTENT = "NoInput"
"""The exported intent of the no-input events: a turn of it is silence."""


class DialogflowChannel(WebhookChannel):
    """Authenticates, parses, answers and renders one Dialogflow webhook request."""

    name = "dialogflow"
    path = "/dialogflow"
    deadline_s = DEADLINE_SECONDS
    settings = SERVER_SETTINGS
    text_settings = TEXT_SETTINGS
    forms = FORMS

    def __init__(self, responder: Responder, options: DialogflowSettings | None = None) -> None:
        super().__init__(responder)
        self.options = options or DialogflowSettings()

    @classmethod
    def create(cls, responder: Responder, settings: Mapping[str, Any]) -> Self:
        options = DialogflowSettings.from_server(settings)
        if options.open:
            _LOGGER.warning(
                "the Dialogflow webhook accepts any caller; set dialogflow_token or dialogflow_username"
            )
        return cls(responder, options)

    def authenticate(self, request: WebRequest) -> None:
        """Raise ``AuthenticationError`` unless every configured credential matches."""
        options = self.options
        if options.username is not None and not _basic_auth_matches(
            request, options.username, options.password or ""
        ):
            raise AuthenticationError("the request's basic auth credentials are missing or wrong.")
        if options.token is not None and not _equal(
            header(request.headers, options.token_header), options.token
        ):
            raise AuthenticationError(f"the request's {options.token_header} header is missing or wrong.")

    def to_turn(self, request: WebRequest) -> Turn:
        data = json_body(request)
        # an empty session would give every turn a new one: a conversation could not go on
        session = identifier(lookup(data, "session"), "session", required=True)
        contexts = lookup(data, "queryResult.outputContexts", list, default=[])
        contexts = [context for context in contexts if isinstance(context, dict)]
        display_name = lookup(data, "queryResult.intent.displayName", default="")
        silent = display_name == NO_INPUT_INTENT
        parameters = lookup(data, "queryResult.parameters", dict, default={})
        state = state_of(contexts)
        text = lookup(data, "queryResult.queryText", default="")
        ended = hung_up(text)
        reparse = silent or ended or self._reparse(data, display_name, text)
        intent, said_in, said_with = (None, (), "") if reparse else self._read(display_name)
        return Turn(
            text="" if silent or is_event(text) else text,
            intent=intent,
            slots={} if reparse else slots(parameters, contexts),
            said_in=said_in,
            said_with=said_with,
            locale=locale(lookup(data, "queryResult.languageCode"), "queryResult.languageCode"),
            channel=self.name,
            call=rang_in(data),
            session_id=session,
            user_id=user_id(lookup(data, "originalDetectIntentRequest.payload", dict, default={})),
            confidence=confidence(lookup(data, "queryResult", dict)),
            deadline=deadline(self.deadline_s),
            request_id=identifier(lookup(data, "responseId", default=""), "responseId"),
            # the end of a handed-over call is the colleague's: it joins no conversation of ours
            handed_over=state.get(HANDED_OVER) is True and not ended,
            hung_up=ended,
            platform=PlatformState(state=state, telephony=telephony(data)),
        )

    def _read(self, display_name: str) -> tuple[str, Requires, str]:
        """Our intent for the agent's, with the intent context and the fixed slots' tag (``fixed_tag``) of
        the block an exported intent's name says it was matched in, whose values the dialog fills
        (``read_exported``: ``OrderCake - dialog OrderCake``, ``SpeakLanguage - with language_nl``). A name
        ``dialogflow_intent_map`` maps is its intent, said anywhere."""
        if display_name in self.options.intent_map:
            return self.options.intent_map[display_name] or read_exported(display_name)[0], (), ""
        return read_exported(display_name)

    def _reparse(self, data: Mapping[str, Any], display_name: str, text: str) -> bool:
        """Whether the router matches ``queryText`` instead of the agent's intent: always
        (``reparse``), when the agent fell back, or when it matched the caller's words only weakly
        (below ``min_confidence``). An event's intent is no guess at words: it stands."""
        fell_back = lookup(data, "queryResult.intent.isFallback", bool, default=False)
        if self.options.reparse or fell_back or display_name in ("", FALLBACK_INTENT):
            return True
        weak = intent_confidence(lookup(data, "queryResult", dict)) < self.options.min_confidence
        return weak and not is_event(text)

    def to_response(self, reply: Reply, turn: Turn) -> WebResponse:
        asked = turn.platform if isinstance(turn.platform, PlatformState) else PlatformState()
        body = render(reply, asked, turn.session_id, self.options, call=turn.call)
        return WebResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


def _basic_auth_matches(request: WebRequest, username: str, password: str) -> bool:
    scheme, _, encoded = header(request.headers, "Authorization").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given_user, _, given_password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    # Compare both parts every time, so the answer's timing says nothing about which was wrong.
    return _equal(given_user, username) & _equal(given_password, password)


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )
