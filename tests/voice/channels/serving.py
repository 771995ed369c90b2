"""The app over a stand-in dialog that test_alexa_channel and test_dialogflow_channel share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask.testing import FlaskClient

from voice.assistant import MEMORY_STORE, Assistant
from voice.config import Config
from voice.router import Router
from voice.server import create_app
from voice.store import open_store
from voice.turn import Responder

Serve = Callable[..., FlaskClient]


def serving(defaults: Mapping[str, Any] | None = None) -> Iterator[Serve]:
    """A fixture body: ``serve(responder, settings, router=...)`` gives the app's test client over
    ``responder``, with ``defaults`` under ``settings``; the assistants are closed afterwards.

    The responder stands where the dialog is (``Assistant.dialog``); ``router`` is what the
    channels ask which intents exist (CanFulfillIntentRequest), by default one without skills.
    """
    assistants: list[Assistant] = []

    def make(
        responder: Responder, settings: Mapping[str, Any] | None = None, *, router: Router | None = None
    ) -> FlaskClient:
        assistant = Assistant(
            config=Config(),
            router=router if router is not None else Router([]),
            dialog=responder,
            store=open_store(MEMORY_STORE),
        )
        assistants.append(assistant)
        return create_app({**(defaults or {}), **(settings or {})}, assistant=assistant).test_client()

    yield make
    for assistant in assistants:
        assistant.close()
