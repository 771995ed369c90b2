"""Ids and text the store cannot hold or key on: a 400 that names the field, on SQLite and PostgreSQL.

PostgreSQL refuses a NUL in text and an index row over 2,704 bytes; before these checks such a request
got a spoken apology (HTTP 200) at every turn of its session, and the turn was neither logged nor
counted. An empty Dialogflow session gave every turn a new session.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import new_store_url
from flask.testing import FlaskClient

from voice.assistant import Assistant, build_assistant
from voice.channels.webhook import MAX_ID_BYTES
from voice.config import Config
from voice.server import create_app

REQUESTS = Path(__file__).resolve().parents[2] / "fixtures" / "requests"
LONG = "x" * 3000
"""Longer than a PostgreSQL index row may be."""
Change = Callable[[dict[str, Any]], None]


def _request(endpoint: str) -> dict[str, Any]:
    name = "alexa/order_status" if endpoint == "/alexa" else "dialogflow/order_status_nl"
    data: dict[str, Any] = json.loads((REQUESTS / f"{name}.json").read_text())
    return data


def _set(path: str, value: Any) -> Change:
    """A change that sets the field at ``path`` (``a.b.c``) of a request."""

    def change(body: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = body
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    return change


def _alexa_user_in_context_only(body: dict[str, Any]) -> None:
    del body["session"]["user"]
    body["context"]["System"]["user"]["userId"] = LONG


@pytest.fixture(scope="module")
def assistant(store_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The production assistant of the customer_service skill, once on SQLite and once on PostgreSQL."""
    built = build_assistant(
        Config(skills=("customer_service",)), store=new_store_url(store_kind, tmp_path_factory.mktemp("s"))
    )
    yield built
    built.close()


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> FlaskClient:
    return create_app({"ALEXA_VERIFY": False}, assistant=assistant).test_client()


REFUSED: dict[str, tuple[str, Change, str]] = {
    "df-query-nul": ("/dialogflow", _set("queryResult.queryText", "hello\u0000"), "queryResult.queryText"),
    "df-session-nul": ("/dialogflow", _set("session", "projects/p/agent/sessions/s\u0000"), "session"),
    "df-user-nul": (
        "/dialogflow",
        _set("originalDetectIntentRequest.payload.user.userId", "u\u0000"),
        "originalDetectIntentRequest.payload.user.userId",
    ),
    "df-parameter-nul": (
        "/dialogflow",
        _set("queryResult.parameters.order_number", "1\u00002"),
        "queryResult.parameters.order_number",
    ),
    "df-session-long": ("/dialogflow", _set("session", LONG), "session"),
    "df-response-long": ("/dialogflow", _set("responseId", LONG), "responseId"),
    "df-user-long": (
        "/dialogflow",
        _set("originalDetectIntentRequest.payload.telephony.caller_id", LONG),
        "originalDetectIntentRequest.payload.telephony.caller_id",
    ),
    "df-session-empty": ("/dialogflow", _set("session", ""), "session"),
    "df-session-blank": ("/dialogflow", _set("session", "  "), "session"),
    "alexa-session-nul": ("/alexa", _set("session.sessionId", "amzn1\u0000"), "session.sessionId"),
    "alexa-session-long": ("/alexa", _set("session.sessionId", LONG), "session.sessionId"),
    "alexa-session-empty": ("/alexa", _set("session.sessionId", ""), "session.sessionId"),
    "alexa-request-long": ("/alexa", _set("request.requestId", LONG), "request.requestId"),
    "alexa-user-nul": ("/alexa", _set("session.user.userId", "amzn1\u0000"), "session.user.userId"),
    "alexa-user-long": ("/alexa", _set("session.user.userId", LONG), "session.user.userId"),
    "alexa-context-user-long": ("/alexa", _alexa_user_in_context_only, "context.System.user.userId"),
    "alexa-slot-nul": (
        "/alexa",
        _set("request.intent.slots.order_number.value", "twelve\u0000"),
        "request.intent.slots.order_number.value",
    ),
}


@pytest.mark.parametrize(("endpoint", "change", "field"), REFUSED.values(), ids=REFUSED.keys())
def test_what_the_store_cannot_hold_is_a_400_naming_the_field(
    client: FlaskClient, assistant: Assistant, endpoint: str, change: Change, field: str
) -> None:
    body = _request(endpoint)
    change(body)
    logged = len(assistant.store.read_log())
    response = client.post(endpoint, json=body)
    assert response.status_code == 400, response.data
    message = response.get_json()["error"]["message"]
    assert f"request's {field} field" in message and "\n" not in message, message
    assert len(assistant.store.read_log()) == logged


def test_ids_up_to_the_limit_are_answered_and_stored(client: FlaskClient, assistant: Assistant) -> None:
    """The limit is in bytes, so that a session and a request id of four-byte characters still make a
    key PostgreSQL can index together."""
    session = "projects/p/agent/sessions/"
    session += "😀" * ((MAX_ID_BYTES - len(session)) // 4)
    body = _request("/dialogflow")
    body.update(session=session, responseId="😀" * (MAX_ID_BYTES // 4))
    body["originalDetectIntentRequest"]["payload"]["telephony"]["caller_id"] = "😀" * (MAX_ID_BYTES // 4)
    response = client.post("/dialogflow", json=body)
    assert response.status_code == 200, response.data
    assert response.get_json()["fulfillmentText"].startswith("Bestelling")
    assert len(assistant.store.read_log(session_id=session)) == 2  # the caller's words and the answer
    body["session"] += "x" * 4  # one character more: past the limit
    assert client.post("/dialogflow", json=body).status_code == 400
