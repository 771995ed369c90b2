"""The Alexa channel through a real Flask test client: envelopes as Amazon sends them, real skills."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from alexa_test_ca import APPLICATION_ID, CERT_URL, FakeFetcher, build_test_pki
from flask.testing import FlaskClient

from voice import Expect, Reply, Router, Turn, load_skill
from voice.channels.alexa import CHANNEL_KEY, MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS
from voice.channels.alexa_verify import AlexaVerifier, AlexaVerifyConfig
from voice.channels.base import SkillCatalog, to_ssml
from voice.server import create_app

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "requests" / "alexa"
UNVERIFIED = {"ALEXA_VERIFY": False}


def fixture(name: str, **request: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    data["request"].update(request)
    return data


@dataclass
class Recorder:
    """Answers every turn with ``reply`` (or the router's answer) and keeps the turns it saw."""

    reply: Reply | None = None
    router: Router | None = None
    turns: list[Turn] = field(default_factory=list)

    def respond(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        if self.reply is not None:
            return self.reply
        assert self.router is not None
        return self.router.respond(turn)


@dataclass
class StateAdder:
    """A session-aware responder, like the dialog layer: counts turns in the session state."""

    def respond(self, turn: Turn) -> Reply:
        raise AssertionError("the channel must call respond_in_session")

    def respond_in_session(self, turn: Turn, state: Mapping[str, Any]) -> tuple[Reply, Mapping[str, Any]]:
        return Reply(speech="Noted.", expect=Expect.ANSWER), {**state, "turns": state.get("turns", 0) + 1}


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.fixture
def recorder(router: Router) -> Recorder:
    return Recorder(router=router)


@pytest.fixture
def client(router: Router, recorder: Recorder) -> FlaskClient:
    catalog = SkillCatalog(tuple(router.skills.values()))
    return create_app(UNVERIFIED, responder=recorder, catalog=catalog).test_client()


def post(client: FlaskClient, body: Mapping[str, Any]) -> dict[str, Any]:
    response = client.post("/alexa", json=body)
    assert response.status_code == 200, response.data
    data: dict[str, Any] = response.get_json()
    return data


def ssml(data: Mapping[str, Any]) -> str:
    speech: str = data["response"]["outputSpeech"]["ssml"]
    ET.fromstring(speech)  # well-formed XML, or this raises
    return speech


class LaunchCatalog:
    """Declares only ``Launch``, so launch requests reach the responder."""

    def slots(self, intent: str, language: str) -> frozenset[str] | None:
        return frozenset() if intent == "Launch" else None


def fake_reply_app(reply: Reply) -> FlaskClient:
    return create_app(UNVERIFIED, responder=Recorder(reply=reply), catalog=LaunchCatalog()).test_client()


def test_launch_without_a_launch_handler_is_welcomed_and_listens(client: FlaskClient) -> None:
    data = post(client, fixture("launch"))
    assert "Welcome" in ssml(data)
    assert data["response"]["shouldEndSession"] is False
    assert data["response"]["reprompt"]["outputSpeech"]["type"] == "SSML"


def test_launch_goes_to_the_responder_when_a_skill_declares_it(recorder: Recorder) -> None:
    recorder.reply = Reply(speech="Hello from the skill.", expect=Expect.ANSWER)
    client = create_app(UNVERIFIED, responder=recorder, catalog=LaunchCatalog()).test_client()
    assert "Hello from the skill." in ssml(post(client, fixture("launch")))
    assert recorder.turns[0].intent == "Launch"


def test_intent_with_entity_resolution_reaches_the_skill(client: FlaskClient, recorder: Recorder) -> None:
    data = post(client, fixture("order_status"))
    turn = recorder.turns[0]
    assert (turn.intent, turn.locale, turn.language, turn.channel) == ("OrderStatus", "en-US", "en", "alexa")
    slot = turn.slots["order_number"]
    assert (slot.text, slot.value, slot.id) == ("twelve thirty four", "1234", "ORDER_1234")
    assert turn.session_id.startswith("amzn1.echo-api.session.")
    assert turn.user_id.startswith("amzn1.ask.account.")
    assert turn.deadline is not None and 0 < (turn.remaining() or 0) <= 8
    assert "1 2 3 4 has been shipped" in ssml(data)
    assert "shouldEndSession" not in data["response"]  # an answer: the device decides


def test_resolved_list_value_is_the_canonical_value(client: FlaskClient, recorder: Recorder) -> None:
    post(client, fixture("opening_hours_day"))
    slot = recorder.turns[0].slots["day"]
    assert (slot.text, slot.value, slot.id) == ("mondays", "monday", "MONDAY")


def test_unresolved_slot_keeps_the_spoken_value(client: FlaskClient, recorder: Recorder) -> None:
    post(client, fixture("order_status_no_match"))
    slot = recorder.turns[0].slots["order_number"]
    assert (slot.text, slot.value, slot.id) == ("banana", "banana", None)


@pytest.mark.parametrize(
    ("amazon", "ours"),
    [
        ("AMAZON.StopIntent", "Stop"),
        ("AMAZON.CancelIntent", "Cancel"),
        ("AMAZON.HelpIntent", "Help"),
        ("AMAZON.FallbackIntent", "Fallback"),
        ("AMAZON.YesIntent", "Yes"),
        ("AMAZON.NoIntent", "No"),
        ("AMAZON.RepeatIntent", "Repeat"),
        ("AMAZON.StartOverIntent", "StartOver"),
        ("AMAZON.NavigateHomeIntent", "Stop"),
    ],
    ids=lambda name: name,
)
def test_amazon_builtins_map_to_ours(client: FlaskClient, recorder: Recorder, amazon: str, ours: str) -> None:
    body = fixture("stop", intent={"name": amazon, "confirmationStatus": "NONE"})
    post(client, body)
    assert recorder.turns[0].intent == ours


def test_session_ended_is_acknowledged_without_asking_the_responder(
    client: FlaskClient, recorder: Recorder
) -> None:
    for name in ("session_ended", "session_ended_error"):
        data = post(client, fixture(name))
        assert data == {"version": "1.0", "response": {}}
    assert recorder.turns == []


@pytest.mark.parametrize(
    ("name", "verdict", "slots"),
    [
        ("can_fulfill", "YES", {"order_number": {"canUnderstand": "YES", "canFulfill": "YES"}}),
        ("can_fulfill_unknown", "NO", {"city": {"canUnderstand": "NO", "canFulfill": "NO"}}),
    ],
    ids=["declared", "unknown"],
)
def test_can_fulfill_intent(
    client: FlaskClient, recorder: Recorder, name: str, verdict: str, slots: Any
) -> None:
    data = post(client, fixture(name))
    assert data["response"]["canFulfillIntent"] == {"canFulfill": verdict, "slots": slots}
    assert recorder.turns == []


def test_a_responder_wrapping_a_router_lends_its_skills_to_can_fulfill(router: Router) -> None:
    @dataclass
    class Wrapper:
        """Like the dialog layer: a responder around a router."""

        router: Router

        def respond(self, turn: Turn) -> Reply:
            return self.router.respond(turn)

    client = create_app(UNVERIFIED, responder=Wrapper(router)).test_client()
    assert post(client, fixture("can_fulfill"))["response"]["canFulfillIntent"]["canFulfill"] == "YES"


def test_session_attributes_are_echoed(client: FlaskClient) -> None:
    assert post(client, fixture("order_status"))["sessionAttributes"] == {"visits": 2}


def test_session_responder_updates_the_attributes() -> None:
    client = create_app(UNVERIFIED, responder=StateAdder()).test_client()
    first = post(client, fixture("order_status"))
    assert first["sessionAttributes"] == {"visits": 2, "turns": 1}
    again = fixture("order_status")
    again["session"]["attributes"] = first["sessionAttributes"]
    assert post(client, again)["sessionAttributes"] == {"visits": 2, "turns": 2}


def test_plain_speech_is_escaped_into_valid_ssml() -> None:
    client = fake_reply_app(Reply(speech="Marks & Spencer <b> opens at 9 > 8."))
    assert ssml(post(client, fixture("order_status"))) == (
        "<speak>Marks &amp; Spencer &lt;b&gt; opens at 9 &gt; 8.</speak>"
    )


def test_skill_ssml_is_kept_and_broken_ssml_is_spoken_as_text() -> None:
    good = "<speak>Hello <break time='300ms'/> there.</speak>"
    assert ssml(post(fake_reply_app(Reply(speech=good)), fixture("stop"))) == good
    broken = ssml(post(fake_reply_app(Reply(speech="<speak>Fish & chips</speak>")), fixture("stop")))
    assert broken == "<speak>Fish &amp; chips</speak>"


@pytest.mark.parametrize(
    ("speech", "expected", "limit"),
    [
        ("<speak>Fish &amp; chips <b></speak>", "<speak>Fish &amp; chips</speak>", None),
        ("<speak>One &amp; two. Three.</speak>", "<speak>One &amp; two.</speak>", 30),
        ('Tom\'s "quote"', '<speak>Tom\'s "quote"</speak>', None),
        ("abcdefghij", "<speak>abcde</speak>", 20),
    ],
    ids=["broken-escaped", "long-ssml", "quotes", "no-boundary"],
)
def test_to_ssml_edge_cases(speech: str, expected: str, limit: int | None) -> None:
    assert to_ssml(speech, limit) == expected


def test_speech_is_cut_at_a_sentence_end_within_8000_characters() -> None:
    long = " ".join(f"Sentence number {i} is here & there." for i in range(600))
    speech = ssml(post(fake_reply_app(Reply(speech=long)), fixture("stop")))
    assert len(speech) <= MAX_SPEECH_CHARS
    assert speech.endswith("there.</speak>")


def test_response_stays_within_24_kb() -> None:
    huge = "Prijs €5 & 日本語. " * 2000  # 3-byte characters: 8,000 of them are 24 KB on their own
    client = fake_reply_app(Reply(speech=huge, expect=Expect.ANSWER, reprompt=huge))
    response = client.post("/alexa", json=fixture("order_status"))
    assert response.status_code == 200
    assert len(response.data) <= MAX_RESPONSE_BYTES
    speech = ssml(response.get_json())
    assert 1000 < len(speech) < MAX_SPEECH_CHARS and speech.endswith(".</speak>")


def test_card_and_end_of_session() -> None:
    from voice import Card

    reply = Reply(speech="Goodbye.", card=Card(title="Contact", text="Call 020 123"), end_session=True)
    data = post(fake_reply_app(reply), fixture("stop"))
    assert data["response"]["card"] == {"type": "Simple", "title": "Contact", "content": "Call 020 123"}
    assert data["response"]["shouldEndSession"] is True
    assert "reprompt" not in data["response"]


@pytest.mark.parametrize(
    ("reply", "fixture_name", "directive"),
    [
        (
            Reply(speech="Which order?", expect=Expect.SLOT, slot="order_number"),
            "order_status_empty",
            {"type": "Dialog.ElicitSlot", "slotToElicit": "order_number"},
        ),
        (
            Reply(speech="Order 1234, right?", expect=Expect.CONFIRMATION, slot="order_number"),
            "order_status",
            {"type": "Dialog.ConfirmSlot", "slotToConfirm": "order_number"},
        ),
        (
            Reply(speech="Shall I look it up?", expect=Expect.CONFIRMATION),
            "order_status",
            {"type": "Dialog.ConfirmIntent"},
        ),
    ],
    ids=["elicit", "confirm-slot", "confirm-intent"],
)
def test_dialog_directives(reply: Reply, fixture_name: str, directive: dict[str, str]) -> None:
    data = post(fake_reply_app(reply), fixture(fixture_name))
    assert data["response"]["directives"] == [directive]
    assert data["response"]["shouldEndSession"] is False
    assert reply.speech in ssml(data)


def test_delegate_when_alexa_runs_the_dialog_and_no_slot_is_named() -> None:
    data = post(
        fake_reply_app(Reply(speech="Which order?", expect=Expect.SLOT)), fixture("order_status_empty")
    )
    (directive,) = data["response"]["directives"]
    assert directive["type"] == "Dialog.Delegate"
    assert directive["updatedIntent"]["name"] == "OrderStatus"
    assert "outputSpeech" not in data["response"]


def test_no_directive_outside_an_intent_request_or_for_a_foreign_slot() -> None:
    asking = Reply(speech="Which order?", expect=Expect.SLOT, slot="order_number")
    launched = post(fake_reply_app(asking), fixture("launch"))
    assert "Which order?" in ssml(launched)
    assert "directives" not in launched["response"]
    foreign = Reply(speech="Which day?", expect=Expect.SLOT, slot="day")
    assert "directives" not in post(fake_reply_app(foreign), fixture("order_status"))["response"]


@pytest.mark.parametrize(("status", "answer"), [("CONFIRMED", "Yes"), ("DENIED", "No")])
def test_confirmation_status_becomes_yes_or_no(recorder: Recorder, status: str, answer: str) -> None:
    recorder.reply = Reply(speech="Shall I look it up?", expect=Expect.CONFIRMATION)
    client = create_app(UNVERIFIED, responder=recorder).test_client()
    asked = post(client, fixture("order_status"))
    assert asked["sessionAttributes"][CHANNEL_KEY] == {"intent": "OrderStatus", "slot": None}
    follow_up = fixture("order_status")
    follow_up["request"]["intent"]["confirmationStatus"] = status
    follow_up["session"]["attributes"] = asked["sessionAttributes"]
    recorder.reply = Reply(speech="Done.")
    data = post(client, follow_up)
    assert recorder.turns[-1].intent == answer
    assert recorder.turns[-1].slots["order_number"].value == "1234"
    assert CHANNEL_KEY not in data["sessionAttributes"]


def test_unsupported_request_type_is_a_400_json(client: FlaskClient) -> None:
    response = client.post("/alexa", json=fixture("playback_started"))
    assert response.status_code == 400
    assert "AudioPlayer.PlaybackStarted" in response.get_json()["error"]["message"]


def test_a_raising_responder_gets_a_spoken_apology() -> None:
    class Broken:
        def respond(self, turn: Turn) -> Reply:
            raise RuntimeError("database down")

    data = post(create_app(UNVERIFIED, responder=Broken()).test_client(), fixture("order_status"))
    assert "went wrong" in ssml(data)
    assert data["response"]["shouldEndSession"] is False
    assert data["sessionAttributes"] == {"visits": 2}


# --- verification (on by default) ---------------------------------------------------------------


def signed(name: str) -> tuple[bytes, dict[str, str]]:
    """A fixture with a fresh timestamp and this PKI's application id, signed like Alexa signs it."""
    body = fixture(name, timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    body["session"]["application"]["applicationId"] = APPLICATION_ID
    body["context"]["System"]["application"]["applicationId"] = APPLICATION_ID
    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", **build_test_pki().valid.headers(raw)}


def test_verification_is_on_by_default(recorder: Recorder) -> None:
    client = create_app({}, responder=recorder).test_client()
    response = client.post("/alexa", json=fixture("order_status"))
    assert response.status_code == 400
    assert "Signature-256" in response.get_json()["error"]["message"]
    assert recorder.turns == []


def test_verification_setting_must_be_a_boolean(recorder: Recorder) -> None:
    from voice.errors import ConfigError

    with pytest.raises(ConfigError, match="ALEXA_VERIFY must be true or false"):
        create_app({"ALEXA_VERIFY": "no"}, responder=recorder)


def test_signed_request_is_answered_and_tampering_is_refused(recorder: Recorder) -> None:
    pki = build_test_pki()
    config = AlexaVerifyConfig(
        trusted_roots=(pki.root,),
        fetcher=FakeFetcher({CERT_URL: pki.valid.pem}),
        application_ids=frozenset({APPLICATION_ID}),
    )
    client = create_app({}, responder=recorder, verifier=AlexaVerifier(config)).test_client()
    raw, headers = signed("order_status")
    response = client.post("/alexa", data=raw, headers=headers)
    assert response.status_code == 200
    assert "has been shipped" in response.get_json()["response"]["outputSpeech"]["ssml"]
    tampered = client.post("/alexa", data=raw.replace(b"1234", b"5678"), headers=headers)
    assert tampered.status_code == 400
    assert tampered.get_json()["error"]["status"] == 400
    assert len(recorder.turns) == 1
