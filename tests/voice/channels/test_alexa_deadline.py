"""Alexa's 8 s run from the moment the request arrives: the time verification takes counts too."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from voice import Reply, Turn
from voice.channels.alexa import AlexaChannel
from voice.channels.alexa_verify import AlexaVerifier, AlexaVerifyConfig
from voice.channels.webhook import WebRequest

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "requests" / "alexa"


class SlowVerifier(AlexaVerifier):
    """A verifier whose certificate download takes a while."""

    def verify(self, headers: Mapping[str, str], body: bytes, now: Any = None) -> dict[str, Any]:
        time.sleep(0.5)
        return super().verify(headers, body, now)


class Clock:
    """Answers and remembers how much time the turn had left."""

    def __init__(self) -> None:
        self.remaining: float | None = None

    def respond(self, turn: Turn) -> Reply:
        self.remaining = turn.remaining()
        return Reply(speech="Okay.")


def test_the_turn_has_what_is_left_of_alexas_eight_seconds() -> None:
    responder = Clock()
    channel = AlexaChannel(responder, SlowVerifier(AlexaVerifyConfig(enabled=False)))
    body = (FIXTURES / "order_status.json").read_bytes()
    response = channel.handle(WebRequest(headers={}, body=body))
    assert response.status == 200 and json.loads(response.body)["response"]["outputSpeech"]
    assert responder.remaining is not None and responder.remaining < 8.0 - 0.4
