"""No client input gives a 500: property-based requests to both endpoints, in-process.

Each refused input is a 4xx with one JSON sentence. What the channels echo (Alexa's session
attributes, Dialogflow's ``voice-state`` context parameters) is generated nested up to 1,500 levels
deep and with text no UTF-8 answer can hold; deeper than 64 levels, a lone surrogate or a NUL anywhere
in the request, and ``NaN`` or a float overflow in what is echoed, is refused with a 400 at parse time;
anything else is echoed unchanged. Through the real gunicorn: ``test_gunicorn_input.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Response

from voice.assistant import MEMORY_STORE, Assistant, build_assistant
from voice.channels.webhook import MAX_DEPTH
from voice.config import Config
from voice.server import create_app

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = ROOT / "fixtures" / "requests"
ENDPOINTS = ("/alexa", "/dialogflow")
MARK = "__state__"


def _request(channel: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REQUESTS / channel / f"{name}.json").read_text())
    return data


def _with_state_context(document: dict[str, Any]) -> dict[str, Any]:
    state = {"name": f"{document['session']}/contexts/voice-state", "lifespanCount": 5, "parameters": {}}
    document["queryResult"]["outputContexts"].append(state)
    return document


VALID = {
    "/alexa": _request("alexa", "order_status"),
    "/dialogflow": _with_state_context(_request("dialogflow", "order_status_nl")),
}


@pytest.fixture(scope="module")
def assistant() -> Iterator[Assistant]:
    built = build_assistant(Config(skills=("customer_service",)), store=MEMORY_STORE)
    yield built
    built.close()


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> FlaskClient:
    return create_app({"ALEXA_VERIFY": False}, assistant=assistant).test_client()


def echoed_state(endpoint: str, answer: dict[str, Any]) -> Any:
    """What the channel sent back of the state: sessionAttributes, or the voice-state parameters."""
    if endpoint == "/alexa":
        return answer.get("sessionAttributes", {})
    (context,) = [c for c in answer["outputContexts"] if c["name"].endswith("/contexts/voice-state")]
    return context["parameters"]


def with_state(endpoint: str, state_json: str) -> bytes:
    """The valid request of ``endpoint`` with ``state_json`` (JSON text, any depth) as its state."""
    document = json.loads(json.dumps(VALID[endpoint]))
    if endpoint == "/alexa":
        document["session"]["attributes"] = MARK
    else:
        document["queryResult"]["outputContexts"][-1]["parameters"] = MARK
    return json.dumps(document).replace(json.dumps(MARK), state_json).encode()


def assert_never_500(response: Any) -> None:
    assert response.status_code < 500, response.data
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["status"] == response.status_code
        assert error["message"] and "\n" not in error["message"]  # one sentence


def post(client: FlaskClient, endpoint: str, body: bytes) -> Any:
    return client.post(endpoint, data=body, headers={"Content-Type": "application/json"})


# --- generated state: deep, and text that UTF-8 cannot hold -----------------------------------------

ODD_TEXT = st.lists(
    st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "a", "é", "\x00", "\u2028", "😀"]), max_size=4
).map("".join)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ODD_TEXT
)
STATES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(ODD_TEXT, children, max_size=3),
    max_leaves=12,
)


@st.composite
def deep_state(draw: st.DrawFn) -> tuple[str, int]:
    """A state as JSON text nested ``levels`` deep (built as text: json.dumps would recurse)."""
    levels = draw(st.integers(1, 60) | st.integers(60, 70) | st.integers(70, 1500))
    opening, closing = draw(st.sampled_from([('{"a":', "}"), ("[", "]"), ('{"k":[', "]}")]))
    leaf = json.dumps(draw(SCALARS))
    return f'{{"deep": {opening * levels}{leaf}{closing * levels}}}', levels * len(closing) + 1


def has_nul(value: Any) -> bool:
    """A NUL character in a text or name of ``value``: no request may hold one (PostgreSQL cannot)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(child) for key, child in value.items())
    return isinstance(value, list) and any(has_nul(child) for child in value)


def encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(state=STATES)
def test_odd_state_is_echoed_or_refused_never_500(client: FlaskClient, endpoint: str, state: Any) -> None:
    """A lone surrogate or a NUL anywhere in the state is a 400 that says so; any other state comes back."""
    response = post(client, endpoint, with_state(endpoint, json.dumps({"s": state})))
    assert_never_500(response)
    sent = json.loads(json.dumps(state))  # "\ud800" + "\udc00" are one character on the wire
    if encodable(sent) and not has_nul(sent):
        assert response.status_code == 200, response.data
        assert echoed_state(endpoint, response.get_json()) == {"s": sent}
    else:
        assert response.status_code == 400
        message = response.get_json()["error"]["message"]
        assert "lone surrogate" in message if not encodable(sent) else "NUL character" in message


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(deep=deep_state())
def test_deep_state_is_echoed_or_refused_never_500(
    client: FlaskClient, endpoint: str, deep: tuple[str, int]
) -> None:
    """State within the depth limit comes back unchanged; deeper state is a 400 about its depth."""
    state_json, levels = deep
    response = post(client, endpoint, with_state(endpoint, state_json))
    assert_never_500(response)
    state_at = (
        2 if endpoint == "/alexa" else 4
    )  # session.attributes, queryResult.outputContexts[i].parameters
    if state_at + levels > MAX_DEPTH:
        assert response.status_code == 400
        # The verifier's JSON parser gives up at about 1,000 levels, before the depth check.
        assert "levels deep" in response.get_json()["error"]["message"] or endpoint == "/alexa"
    elif encodable(json.loads(state_json)) and not has_nul(json.loads(state_json)):
        assert response.status_code == 200, response.data
        assert echoed_state(endpoint, response.get_json()) == json.loads(state_json)
    else:
        assert response.status_code == 400


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("NaN", "NaN"),
        ("-Infinity", "NaN"),
        ("1e999", "NaN"),
        ("1" * 400 + ".5", "NaN"),
        ('"\\ud800"', "lone surrogate"),
        ('"\\udc00\\ud83d"', "lone surrogate"),
        ('"\\\\ud800"', None),  # an escaped backslash: the text \ud800, which is fine
        ('"\\ud83d\\ude00"', None),  # a surrogate pair: one emoji
        ("1e300", None),
        ("12345678901234567890", None),
    ],
)
def test_numbers_and_escapes_json_cannot_send_back(
    client: FlaskClient, endpoint: str, value: str, words: str | None
) -> None:
    response = post(client, endpoint, with_state(endpoint, f'{{"v": {value}}}'))
    assert_never_500(response)
    if words is None:
        assert response.status_code == 200
        assert echoed_state(endpoint, response.get_json()) == {"v": json.loads(value)}
    else:
        assert response.status_code == 400 and words in response.get_json()["error"]["message"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("encoding", "text", "status"),
    [("utf-8", "\ud800", 400), ("utf-16-le", "\udc00", 400), ("utf-16", "é", 200), ("utf-32", "😀", 200)],
)
def test_surrogates_in_other_encodings_are_refused(
    client: FlaskClient, endpoint: str, encoding: str, text: str, status: int
) -> None:
    """Python's JSON reads UTF-16/32 and UTF-8-encoded surrogates; the text is checked all the same."""
    document = json.loads(with_state(endpoint, json.dumps({"a": text})))
    body = json.dumps(document, ensure_ascii=False).encode(encoding, "surrogatepass")
    response = post(client, endpoint, body)
    assert_never_500(response)
    assert response.status_code == status
    if status == 400:
        assert "lone surrogate" in response.get_json()["error"]["message"]
    else:
        assert echoed_state(endpoint, response.get_json()) == {"a": text}


# --- random and mutated requests --------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into a JSON document, the root included."""
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from paths(child, (*prefix, key))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


@st.composite
def mutated_requests(draw: st.DrawFn, endpoint: str) -> Any:
    """A valid request with one field anywhere in it replaced by arbitrary JSON (odd text included)."""
    valid = VALID[endpoint]
    path = draw(st.sampled_from(list(paths(valid))))
    return replaced(valid, path, draw(JSON | STATES))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(data=st.data())
def test_mutated_requests_never_give_500(client: FlaskClient, endpoint: str, data: st.DataObject) -> None:
    body = json.dumps(data.draw(mutated_requests(endpoint))).encode()
    assert_never_500(post(client, endpoint, body))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(body=JSON)
def test_random_json_never_gives_500(client: FlaskClient, endpoint: str, body: Any) -> None:
    assert_never_500(client.post(endpoint, json=body))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@FUZZ
@given(
    body=st.binary(max_size=200), content_type=st.sampled_from(["application/json", "text/plain", "a/b+json"])
)
def test_random_bytes_never_give_500(
    client: FlaskClient, endpoint: str, body: bytes, content_type: str
) -> None:
    assert_never_500(client.post(endpoint, data=body, headers={"Content-Type": content_type}))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("length", ["\u00b2", "1\u00b2", "\u0663\u0663", "x"])
def test_a_content_length_that_is_not_ascii_digits_is_a_400_json(
    client: FlaskClient, endpoint: str, length: str
) -> None:
    """The WSGI server passes the header on as it came ("²" passes ``str.isdigit``, not ``int``)."""
    environ = EnvironBuilder(
        path=endpoint, method="POST", data=json.dumps(VALID[endpoint]), content_type="application/json"
    ).get_environ()
    environ["CONTENT_LENGTH"] = length
    body, status, headers = run_wsgi_app(client.application, environ)
    response = Response(b"".join(body), status=status, headers=headers)
    assert response.status_code == 400
    assert_never_500(response)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_line_break_the_caller_sent_stays_out_of_the_error_sentence(
    client: FlaskClient, endpoint: str
) -> None:
    """Request text quoted in an error is escaped: the message stays one line (found by the mutation
    test above: a request type of "\\n", and keys with line breaks nested too deep)."""
    deep = "".join('{"a\\nb": ' for _ in range(MAX_DEPTH)) + "1" + "}" * MAX_DEPTH
    bodies = [with_state(endpoint, deep)]
    if endpoint == "/alexa":
        document = json.loads(json.dumps(VALID[endpoint]))
        document["request"]["type"] = "\n"
        bodies.append(json.dumps(document).encode())
    for body in bodies:
        response = post(client, endpoint, body)
        assert response.status_code == 400
        assert_never_500(response)
