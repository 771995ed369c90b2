"""The benchmark's reference: the customer_service answers written the usual way, with plain ask-sdk-core.

A ``SkillBuilder`` with one handler per request the benchmark sends (launch, opening hours with
and without a day, stop), served by a bare Flask app the way flask-ask-sdk would do it: deserialize
the envelope, ``skill.invoke``, serialize the response. No verification, no session store, no
templates: the least a hand-written skill does, so the comparison flatters the reference.

    gunicorn -w 2 -b 127.0.0.1:8001 'bench.reference_alexa_app:create_app()'
"""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import get_slot_value, is_intent_name, is_request_type
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from flask import Flask, request
from flask import Response as HttpResponse

WELCOME = "Welcome to Voorbeeld BV! How can I help you?"
HOURS = (
    "We are open Monday to Friday from 9:00 to 17:30, on Thursday until 21:00, "
    "and on Saturday from 10:00 to 16:00. On Sunday we are closed."
)
DAYS = {
    "monday": "On Monday we are open from 9:00 to 17:30.",
    "saturday": "On Saturday we are open from 10:00 to 16:00.",
    "sunday": "On Sunday we are closed.",
}
GOODBYE = "Goodbye, and thank you."


class Launch(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(WELCOME).ask(WELCOME).response


class OpeningHours(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("OpeningHours")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        day = get_slot_value(handler_input, "day")
        spoken = DAYS.get(str(day), HOURS) if day else HOURS
        return handler_input.response_builder.speak(spoken).response


class Stop(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.StopIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.speak(GOODBYE).set_should_end_session(True).response


def create_app() -> Flask:
    """The reference skill behind POST /alexa (verification off, like ours in the main comparison)."""
    builder = SkillBuilder()
    for handler in (Launch(), OpeningHours(), Stop()):
        builder.add_request_handler(handler)
    skill = builder.create()
    serializer = DefaultSerializer()
    app = Flask(__name__)

    @app.post("/alexa")
    def alexa() -> HttpResponse:
        envelope = serializer.deserialize(request.get_data(as_text=True), RequestEnvelope)
        answer: Any = serializer.serialize(skill.invoke(request_envelope=envelope, context=None))
        return HttpResponse(json.dumps(answer), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
