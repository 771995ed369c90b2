"""The Dialogflow ES v2 channel: POST ``/dialogflow`` answers a WebhookRequest with a WebhookResponse.

Dialogflow matches the intent with its own agent (the export writes it from our templates); the
channel maps its ``displayName`` to our intent name and its parameters to slots. When the agent
fell back, or when ``reparse`` is set, the router matches ``queryText`` itself instead, so the
agent can be a thin speech-to-text front for the same templates.

The conversation's state is kept in our store. An output context named ``voice-state`` carries
what the platform itself keeps for the session: its parameters come back unchanged, with a
lifespan, in the response (lifespan 0 ends it). A handoff keeps it alive with ``voice_handed_over``,
so a gateway that keeps the caller on the line gets "a colleague is coming" at the next turn.

An event is no words of the caller: Dialogflow puts an event's name in ``queryText`` (``TELEPHONY_WELCOME``),
so such a turn has no text; a gateway's no-input event (the exported ``NoInput`` intent, or an event no
intent takes) is silence, which the dialog answers with "are you still there?" and in the end closes.

What a phone gateway acts on beyond the text depends on the API version it calls Dialogflow with
(``dialogflow_api_version``): v2beta1 knows ``endInteraction``, ``liveAgentHandoff`` and the TELEPHONY
messages (the spoken SSML, the transfer of a handed-over call); v2 refuses a response that has them, so
there only ``payload`` (``google.expectUserResponse``, ``voice``) says it.

Dialogflow calls the webhook with configured HTTP basic auth and/or extra headers; a shared
token header and basic auth are both compared in constant time.
"""

from __future__ import annotations

import base64
import difflib
import hmac
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Self

from ..builtins import LAUNCH, builtin_intents, builtin_languages
from ..config_shapes import Check, is_count, is_flag, is_text, is_text_table
from ..errors import ConfigError
from ..nlu import SlotValue
from ..reply import Reply
from ..ssml import to_ssml
from ..turn import Turn
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

if TYPE_CHECKING:
    from ..router import Router

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "FALLBACK_INTENT",
    "NO_INPUT_EVENTS",
    "NO_INPUT_INTENT",
    "STATE_CONTEXT",
    "WELCOME_EVENTS",
    "DialogflowChannel",
    "DialogflowSettings",
    "is_withheld",
]

DEADLINE_SECONDS = 5.0
"""Dialogflow gives a webhook 5 s."""
STATE_CONTEXT = "voice-state"
FALLBACK_INTENT = "Default Fallback Intent"
NO_INPUT_INTENT = "NoInput"
"""The exported intent of the no-input events: a turn of it is silence."""
NO_INPUT_EVENTS = ("actions_intent_NO_INPUT", "noUserInput")
"""What a gateway sends when the caller says nothing: Dialogflow's own no-input event (Actions on Google
and gateways that follow it) and AudioCodes VoiceAI Connect's."""
WELCOME_EVENTS = ("WELCOME", "TELEPHONY_WELCOME")
"""The events that start a conversation: Dialogflow's, and its phone gateway's."""
HANDED_OVER = "voice_handed_over"
"""The ``voice-state`` parameter that says the call was handed to a person."""
API_VERSIONS = ("v2", "v2beta1")
_EVENT_NAME = re.compile(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+")
"""An event's name in ``queryText``: one word joined by underscores, which no caller speaks."""
_WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "withheld", "unavailable"})
"""What a telephony network sends for a caller who withheld the number (as the user part of a SIP URI
too: ``anonymous@anonymous.invalid``): no one caller, so no user id."""
DEFAULT_INTENT_MAP: Mapping[str, str] = MappingProxyType({"Default Welcome Intent": LAUNCH})

_USER_ID_PATHS = (("user", "userId"), ("userId",), ("telephony", "caller_id"))
"""Where the integrations put the caller in ``originalDetectIntentRequest.payload``."""


def _unset_or_text(value: Any) -> bool:
    """A credential: unset (``None``, the default) or text."""
    return value is None or isinstance(value, str)


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
    api_version: str = "v2"
    """The Dialogflow API version the gateway calls: ``v2beta1`` adds the fields v2 refuses."""

    @property
    def beta(self) -> bool:
        """v2beta1: ``endInteraction``, ``liveAgentHandoff`` and TELEPHONY messages are valid."""
        return self.api_version == "v2beta1"

    @property
    def open(self) -> bool:
        """True when no credentials are configured: anyone may call the webhook."""
        return self.token is None and self.username is None

    @classmethod
    def from_server(cls, settings: Mapping[str, Any]) -> DialogflowSettings:
        """The ``dialogflow_*`` keys of ``[server]``, each of its form (``DialogflowChannel.forms``); a
        password without a username is a ``ConfigError``."""
        if settings["dialogflow_password"] is not None and settings["dialogflow_username"] is None:
            raise ConfigError(
                "dialogflow_password is set without dialogflow_username; set both for basic auth."
            )
        return cls(
            intent_map={**DEFAULT_INTENT_MAP, **settings["dialogflow_intent_map"]},
            reparse=settings["dialogflow_reparse"],
            username=settings["dialogflow_username"],
            password=settings["dialogflow_password"],
            token_header=settings["dialogflow_token_header"],
            token=settings["dialogflow_token"],
            state_lifespan=settings["dialogflow_state_lifespan"],
            api_version=settings["dialogflow_api_version"],
        )


def unsent_transfer(settings: Mapping[str, Any], handoff: Mapping[str, Any]) -> str:
    """A warning when ``[handoff] transfer_to`` is set but the webhook answers in v2, which has no transfer
    message: the phone gateway would never put a call through (empty when there is nothing to say)."""
    if not handoff.get("transfer_to") or settings["dialogflow_api_version"] != "v2":
        return ""
    return (
        "[handoff] transfer_to is set, but Dialogflow's v2 webhook responses have no transfer message, "
        'so no call is put through; set [server] dialogflow_api_version = "v2beta1" if your gateway '
        "calls v2beta1."
    )


def check_intent_map(settings: Mapping[str, Any], router: Router, source: str) -> None:
    """Refuse a ``dialogflow_intent_map`` entry whose intent no loaded skill (nor the framework) has:
    every request of that Dialogflow intent would get the fallback."""
    known = {LAUNCH} | {name for lang in builtin_languages() for name in builtin_intents(lang).intents}
    for skill in router.skills.values():
        known |= {name for language in skill.languages for name in skill.intents(language).intents}
    for display_name, intent in settings["dialogflow_intent_map"].items():
        if intent not in known:
            nearest = difflib.get_close_matches(intent, sorted(known), n=1)
            hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
            raise ConfigError(
                f"{source}: [server] dialogflow_intent_map maps {display_name!r} to {intent!r}, which "
                f"no loaded skill defines{hint}, so those requests would get the fallback; fix the "
                "intent's name."
            )


class DialogflowChannel(WebhookChannel):
    """Authenticates, parses, answers and renders one Dialogflow webhook request."""

    name = "dialogflow"
    path = "/dialogflow"
    deadline_s = DEADLINE_SECONDS
    settings: ClassVar[Mapping[str, Any]] = MappingProxyType(
        {
            "dialogflow_reparse": False,
            "dialogflow_intent_map": {},
            "dialogflow_username": None,
            "dialogflow_password": None,
            "dialogflow_token_header": "X-Voice-Token",
            "dialogflow_token": None,
            "dialogflow_state_lifespan": 50,
            "dialogflow_api_version": "v2",
        }
    )
    text_settings: ClassVar[frozenset[str]] = frozenset(
        {"dialogflow_username", "dialogflow_password", "dialogflow_token_header", "dialogflow_token"}
    )
    forms: ClassVar[Mapping[str, Check]] = MappingProxyType(
        {
            "dialogflow_reparse": (is_flag, "true or false, like dialogflow_reparse = false"),
            "dialogflow_intent_map": (
                is_text_table,
                "a table of Dialogflow intent name = our intent name, like "
                'dialogflow_intent_map = { "opening.hours" = "OpeningHours" }',
            ),
            **{
                key: (
                    is_text if key == "dialogflow_token_header" else _unset_or_text,
                    f'text; quote it, as in {key} = "123456"',
                )
                for key in sorted(text_settings)
            },
            "dialogflow_state_lifespan": (
                is_count,
                "the turns the voice-state context lives, a whole number above 0, "
                "like dialogflow_state_lifespan = 50",
            ),
            "dialogflow_api_version": (
                lambda value: value in API_VERSIONS,
                'the Dialogflow API version the gateway calls, "v2" or "v2beta1", like '
                'dialogflow_api_version = "v2beta1"',
            ),
        }
    )

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
        fell_back = lookup(data, "queryResult.intent.isFallback", bool, default=False)
        silent = display_name == NO_INPUT_INTENT
        reparse = silent or self.options.reparse or fell_back or display_name in ("", FALLBACK_INTENT)
        parameters = lookup(data, "queryResult.parameters", dict, default={})
        state = _state(contexts)
        text = lookup(data, "queryResult.queryText", default="")
        return Turn(
            text="" if silent or _is_event(text) else text,
            intent=None if reparse else self.options.intent_map.get(display_name, display_name),
            slots={} if reparse else _slots(parameters, contexts),
            locale=locale(lookup(data, "queryResult.languageCode"), "queryResult.languageCode"),
            channel=self.name,
            call=_rang_in(data),
            session_id=session,
            user_id=_user_id(lookup(data, "originalDetectIntentRequest.payload", dict, default={})),
            confidence=_confidence(lookup(data, "queryResult", dict)),
            deadline=deadline(self.deadline_s),
            request_id=identifier(lookup(data, "responseId", default=""), "responseId"),
            handed_over=state.get(HANDED_OVER) is True,
            platform=_Request(state=state, telephony=_telephony(data)),
        )

    def to_response(self, reply: Reply, turn: Turn) -> WebResponse:
        asked = turn.platform if isinstance(turn.platform, _Request) else _Request()
        body = _render(reply, asked, turn.session_id, self.options)
        return WebResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


@dataclass(frozen=True, slots=True)
class _Request:
    """What the response needs of the request: the ``voice-state`` parameters, and whether a telephony
    integration sent it (it reads the TELEPHONY messages)."""

    state: Mapping[str, Any] = field(default_factory=dict)
    telephony: bool = False


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


def _state(contexts: list[dict[str, Any]]) -> dict[str, Any]:
    for context in contexts:
        name = context.get("name")
        if isinstance(name, str) and name.endswith(f"/contexts/{STATE_CONTEXT}"):
            parameters = context.get("parameters")
            return dict(parameters) if isinstance(parameters, dict) else {}
    return {}


def _slots(parameters: Mapping[str, Any], contexts: list[dict[str, Any]]) -> dict[str, SlotValue]:
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


def _rang_in(data: Mapping[str, Any]) -> bool:
    """Whether the caller rang in (``Turn.call``): a telephony integration or recognised speech (a
    ``speechRecognitionConfidence``); a chat integration sends typed text and neither."""
    query = data.get("queryResult")
    return _telephony(data) or (isinstance(query, dict) and _heard(query) is not None)


def _telephony(data: Mapping[str, Any]) -> bool:
    """A telephony integration sent the request: its ``source`` (``GOOGLE_TELEPHONY``) or a ``telephony``
    payload says so. What is not of its type counts as absent."""
    original = data.get("originalDetectIntentRequest")
    request = original if isinstance(original, dict) else {}
    source, payload = request.get("source"), request.get("payload")
    return (isinstance(source, str) and "telephony" in source.lower()) or (
        isinstance(payload, dict) and "telephony" in payload
    )


def _is_event(text: str) -> bool:
    """``queryText`` is an event's name (Dialogflow puts it there for an event), not the caller's words."""
    return text in WELCOME_EVENTS or text in NO_INPUT_EVENTS or _EVENT_NAME.fullmatch(text) is not None


def _confidence(query: Mapping[str, Any]) -> float:
    heard = _heard(query)
    return 1.0 if heard is None else heard


def _heard(query: Mapping[str, Any]) -> float | None:
    """The recognition confidence of spoken input; None for typed text (or a value out of range)."""
    value = query.get("speechRecognitionConfidence")
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1
        else None
    )


def _user_id(payload: Mapping[str, Any]) -> str:
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


def _render(reply: Reply, asked: _Request, session: str, options: DialogflowSettings) -> dict[str, Any]:
    """WebhookResponse: text for chat and phone, payload.google for Assistant-shaped clients, the state;
    on v2beta1 the end and handoff flags, and the TELEPHONY messages for a telephony integration."""
    text = reply.text
    ssml = to_ssml(reply.speech) if reply.is_ssml else None
    simple = {"textToSpeech": text} if ssml is None else {"ssml": ssml}
    messages: list[dict[str, Any]] = [{"text": {"text": [text]}}]
    if reply.card is not None:
        messages.append({"card": {"title": reply.card.title, "subtitle": reply.card.text}})
    if options.beta and asked.telephony:
        messages += _telephony_messages(reply, ssml)
    google = {
        "expectUserResponse": not reply.end_session,  # False hangs up an Assistant-shaped client
        "richResponse": {"items": [{"simpleResponse": {**simple, "displayText": text}}]},
    }
    body: dict[str, Any] = {
        "fulfillmentText": text,
        "fulfillmentMessages": messages,
        # "voice": the fields of the Reply a gateway acts on (expect, handoff), none of the internal ones
        "payload": {"google": google, "voice": reply.to_platform_dict()},
        "outputContexts": [_state_context(reply, asked.state, session, options.state_lifespan)],
    }
    if options.beta and reply.end_session:
        body["endInteraction"] = True
    if options.beta and reply.handoff:
        body["liveAgentHandoff"] = True
    return body


def _telephony_messages(reply: Reply, ssml: str | None) -> list[dict[str, Any]]:
    """What the phone gateway says and does (v2beta1): the speech, SSML kept, then the transfer of a
    handed-over call, so the caller hears "I'll put you through" before the line moves."""
    speech = {"text": reply.text} if ssml is None else {"ssml": ssml}
    messages = [{"platform": "TELEPHONY", "telephonySynthesizeSpeech": speech}]
    if reply.handoff and reply.transfer_to:
        messages.append(
            {"platform": "TELEPHONY", "telephonyTransferCall": {"phoneNumber": reply.transfer_to}}
        )
    return messages


def _state_context(reply: Reply, state: Mapping[str, Any], session: str, lifespan: int) -> dict[str, Any]:
    """The ``voice-state`` context: its parameters as they came; ended with the session (lifespan 0),
    except after a handoff, which it marks, so the call's next turn hears that a colleague is coming."""
    alive = reply.handoff or not reply.end_session
    return {
        "name": f"{session}/contexts/{STATE_CONTEXT}",
        "lifespanCount": lifespan if alive else 0,
        "parameters": {**state, HANDED_OVER: True} if reply.handoff else dict(state),
    }
