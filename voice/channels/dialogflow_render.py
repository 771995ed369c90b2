"""Writing a Dialogflow WebhookResponse: the text, ``payload`` for Assistant-shaped clients and
gateways, the ``voice-state`` context and the dialog's intent contexts, and on v2beta1 the end and
handoff flags and the TELEPHONY messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..platform_contexts import context_names
from ..reply import Reply
from ..ssml import to_ssml
from .dialogflow_request import HANDED_OVER, STATE_CONTEXT, PlatformState
from .dialogflow_settings import DialogflowSettings

__all__ = ["render"]


def render(
    reply: Reply, asked: PlatformState, session: str, options: DialogflowSettings, *, call: bool
) -> dict[str, Any]:
    """WebhookResponse: text for chat and phone, payload.google for Assistant-shaped clients, the state;
    on v2beta1 the end and handoff flags, and the TELEPHONY messages for a telephony integration.

    Speech goes out as it is said ("B 4 2"), display text as a screen shows it ("B42"); the text message
    and ``fulfillmentText`` are what a gateway without TELEPHONY messages speaks on a ``call``, and what
    a chat integration shows otherwise."""
    ssml = to_ssml(reply.speech) if reply.is_ssml else None
    simple = {"textToSpeech": reply.text} if ssml is None else {"ssml": ssml}
    text = reply.text if call else reply.display
    messages: list[dict[str, Any]] = [{"text": {"text": [text]}}]
    if reply.card is not None:
        messages.append({"card": {"title": reply.card.title, "subtitle": reply.card.text}})
    if options.beta and asked.telephony:
        messages += _telephony_messages(reply, ssml)
    google = {
        "expectUserResponse": not reply.end_session,  # False hangs up an Assistant-shaped client
        "richResponse": {"items": [{"simpleResponse": {**simple, "displayText": reply.display}}]},
    }
    body: dict[str, Any] = {
        "fulfillmentText": text,
        "fulfillmentMessages": messages,
        "payload": {"google": google, "voice": _voice(reply)},
        "outputContexts": [
            _state_context(reply, asked.state, session, options.state_lifespan),
            *_intent_contexts(reply, session),
        ],
    }
    if options.beta and reply.end_session:
        body["endInteraction"] = True
    if options.beta and reply.handoff:
        body["liveAgentHandoff"] = True
    return body


def _voice(reply: Reply) -> dict[str, Any]:
    """``payload.voice``: the fields of the Reply a gateway acts on, none of the internal ones. A handoff
    is no hang-up: ``end_session`` is false when ``handoff`` is true, so a gateway that hangs up on
    ``end_session`` never drops a caller who is waiting for a person."""
    voice = reply.to_platform_dict()
    voice["end_session"] = reply.end_session and not reply.handoff
    return voice


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


def _intent_contexts(reply: Reply, session: str) -> list[dict[str, Any]]:
    """The dialog's intent context after the turn (``voice.platform_contexts``), so the exported intents
    of a flow's bare answers and of follow-ups match at the next turn. Lifespan 1: Dialogflow drops a
    context one request after it was last sent, so those of a flow that ended (or of a conversation that
    ended or went to a person, which sends none) are gone by themselves."""
    if reply.end_session or reply.handoff:
        return []
    return [
        {"name": f"{session}/contexts/{name}", "lifespanCount": 1} for name in context_names(reply.context)
    ]
