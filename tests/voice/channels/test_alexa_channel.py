"""The Alexa channel through a real Flask test client: envelopes as Amazon sends them, real skills."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from alexa_test_ca import APPLICATION_ID, CERT_URL, FakeFetcher, build_test_pki
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.response_envelope import ResponseEnvelope
from flask.testing import FlaskClient
from serving import Serve, serving
from test_alexa_platform_values import bookable_day, intent_request
from test_dialogflow_channel import SHOPS_INTENTS, shops

from voice import Card, Dialog, Expect, Reply, Router, Skill, Turn, load_skill
from voice.assistant import MEMORY_STORE
from voice.builtins import LAUNCH
from voice.channels import WebRequest
from voice.channels.alexa import CHANNEL_KEY, AlexaChannel
from voice.channels.alexa_render import MAX_RESPONSE_BYTES, MAX_SPEECH_CHARS
from voice.channels.alexa_verify import AlexaVerifier, AlexaVerifyConfig
from voice.errors import ConfigError
from voice.export import alexa_package
from voice.ssml import to_ssml
from voice.store import open_store
from voice.testing_stubs import stubbed_setting

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "requests" / "alexa"
UNVERIFIED = {"ALEXA_VERIFY": False}


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(responder, settings, router=...)``: the app's test client over ``responder``."""
    yield from serving()


@pytest.fixture
def broken_router(tmp_path: Path) -> Router:
    """A router over one skill whose ``OrderStatus`` handler raises (in English and Dutch)."""
    broken = Skill("broken", tmp_path)
    for language in ("en", "nl"):
        folder = tmp_path / "locales" / language
        folder.mkdir(parents=True)
        (folder / "intents.yaml").write_text(
            f"language: {language}\n"
            "intents:\n"
            "  OrderStatus:\n"
            "    data: [{sentences: ['order {order_number}']}]\n"
            "lists:\n"
            "  order_number: {wildcard: true}\n"
        )

    @broken.intent("OrderStatus")
    def order_status(turn: Turn) -> Reply:
        raise ConnectionError("the order API refused the connection")

    return Router([broken])


def fixture(name: str, **request: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    data["request"].update(request)
    return data


@dataclass
class Recorder:
    """Answers every turn with ``reply`` (or the real dialog's answer) and keeps the turns it saw."""

    reply: Reply | None = None
    dialog: Dialog | None = None
    turns: list[Turn] = field(default_factory=list)

    def respond(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        if self.reply is not None:
            return self.reply
        assert self.dialog is not None
        return self.dialog.respond(turn)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.fixture
def recorder(router: Router, any_store_url: str) -> Iterator[Recorder]:
    store = open_store(any_store_url)  # once on SQLite, once on PostgreSQL
    yield Recorder(dialog=Dialog(router, store))
    store.close()


@pytest.fixture
def client(serve: Serve, router: Router, recorder: Recorder) -> FlaskClient:
    return serve(recorder, UNVERIFIED, router=router)


def post(client: FlaskClient, body: Mapping[str, Any]) -> dict[str, Any]:
    response = client.post("/alexa", json=body)
    assert response.status_code == 200, response.data
    data: dict[str, Any] = response.get_json()
    return data


def ssml(data: Mapping[str, Any]) -> str:
    speech: str = data["response"]["outputSpeech"]["ssml"]
    ET.fromstring(speech)  # well-formed XML, or this raises
    return speech


FakeReplyApp = Callable[[Reply], FlaskClient]


@pytest.fixture
def fake_reply_app(serve: Serve, router: Router) -> FakeReplyApp:
    """An app whose responder answers every turn with the given reply; its skills' flows are the
    exported dialog model the directives are for."""
    return lambda reply: serve(Recorder(reply=reply), UNVERIFIED, router=router)


def test_launch_without_a_launch_handler_is_welcomed_and_listens(client: FlaskClient) -> None:
    data = post(client, fixture("launch"))
    assert "Welcome to Voorbeeld BV! How can I help you?" in ssml(data)  # who answers
    assert data["response"]["shouldEndSession"] is False
    assert data["response"]["reprompt"]["outputSpeech"]["type"] == "SSML"


def test_launch_goes_to_the_responder_as_the_launch_intent(client: FlaskClient, recorder: Recorder) -> None:
    recorder.reply = Reply(speech="Hello from the skill.", expect=Expect.ANSWER)
    assert "Hello from the skill." in ssml(post(client, fixture("launch")))
    assert (recorder.turns[0].intent, recorder.turns[0].slots) == (LAUNCH, {})


def test_intent_with_entity_resolution_reaches_the_skill(client: FlaskClient, recorder: Recorder) -> None:
    data = post(client, fixture("order_status"))
    turn = recorder.turns[0]
    assert (turn.intent, turn.locale, turn.language, turn.channel) == ("OrderStatus", "en-US", "en", "alexa")
    slot = turn.slots["order_number"]
    assert (slot.text, slot.value, slot.id) == ("twelve thirty four", "1234", "ORDER_1234")
    assert turn.session_id.startswith("amzn1.echo-api.session.")
    assert turn.user_id.startswith("amzn1.ask.account.")
    assert turn.deadline is not None and 0 < (turn.remaining() or 0) <= 8
    assert '<sub alias="1 2 3 4">1234</sub> has been shipped' in ssml(data)
    assert "shouldEndSession" not in data["response"]  # an answer: the device decides
    assert "anything else" not in ssml(data) and "reprompt" not in data["response"]  # a speaker is no call


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


def can_fulfill(channel: AlexaChannel, name: str = "can_fulfill") -> str:
    answer = channel.handle(WebRequest(headers={}, body=json.dumps(fixture(name)).encode()))
    verdict: str = json.loads(answer.body)["response"]["canFulfillIntent"]["canFulfill"]
    return verdict


def test_a_responder_with_a_router_lends_its_skills_to_can_fulfill(router: Router) -> None:
    @dataclass
    class Wrapper:
        """Like the Assistant: a responder with a ``router`` attribute."""

        router: Router

        def respond(self, turn: Turn) -> Reply:
            raise AssertionError("CanFulfillIntentRequest is answered without the responder")

    unverified = AlexaVerifier(AlexaVerifyConfig(enabled=False))
    assert can_fulfill(AlexaChannel(Wrapper(router), unverified)) == "YES"
    assert can_fulfill(AlexaChannel(Wrapper(router), unverified), "can_fulfill_unknown") == "NO"
    assert can_fulfill(AlexaChannel(Recorder(), unverified, router)) == "YES"  # the router given
    assert can_fulfill(AlexaChannel(Recorder(), unverified)) == "NO"  # no router: no intent is known


def test_session_attributes_are_echoed(client: FlaskClient) -> None:
    assert post(client, fixture("order_status"))["sessionAttributes"] == {"visits": 2}


def test_session_attributes_are_echoed_unchanged_across_turns(fake_reply_app: FakeReplyApp) -> None:
    """The dialog keeps its state in the store; what Alexa keeps comes back as it was sent."""
    client = fake_reply_app(Reply(speech="Noted.", expect=Expect.ANSWER))
    sent = {"visits": 2, "cart": {"items": ["a", "b"], "total": 12.5}, "note": None, "flag": False}
    body = fixture("order_status")
    body["session"]["attributes"] = sent
    first = post(client, body)
    assert first["sessionAttributes"] == sent
    again = fixture("order_status")
    again["session"]["attributes"] = first["sessionAttributes"]
    assert post(client, again)["sessionAttributes"] == sent
    assert "sessionAttributes" not in post(client, fixture("order_status_empty"))  # none sent, none back


def test_plain_speech_is_escaped_into_valid_ssml(fake_reply_app: FakeReplyApp) -> None:
    client = fake_reply_app(Reply(speech="Marks & Spencer <b> opens at 9 > 8."))
    assert ssml(post(client, fixture("order_status"))) == (
        "<speak>Marks &amp; Spencer &lt;b&gt; opens at 9 &gt; 8.</speak>"
    )


def test_skill_ssml_is_kept_and_broken_ssml_is_spoken_as_text(fake_reply_app: FakeReplyApp) -> None:
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
        ("a\u0007b\u000bc\ufffe\uffffd\u0000", "<speak>a b c  d</speak>", None),
        ("<speak>a <break/>\u0007b</speak>", "<speak>a <break/> b</speak>", None),
    ],
    ids=["broken-escaped", "long-ssml", "quotes", "no-boundary", "not-xml-characters", "not-xml-in-ssml"],
)
def test_to_ssml_edge_cases(speech: str, expected: str, limit: int | None) -> None:
    assert to_ssml(speech, limit) == expected


def test_speech_is_cut_at_a_sentence_end_within_8000_characters(fake_reply_app: FakeReplyApp) -> None:
    long = " ".join(f"Sentence number {i} is here & there." for i in range(600))
    speech = ssml(post(fake_reply_app(Reply(speech=long)), fixture("stop")))
    assert len(speech) <= MAX_SPEECH_CHARS
    assert speech.endswith("there.</speak>")


def test_response_stays_within_24_kb(fake_reply_app: FakeReplyApp) -> None:
    huge = "Prijs €5 & 日本語. " * 2000  # 3-byte characters: 8,000 of them are 24 KB on their own
    client = fake_reply_app(Reply(speech=huge, expect=Expect.ANSWER, reprompt=huge))
    response = client.post("/alexa", json=fixture("order_status"))
    assert response.status_code == 200
    assert len(response.data) <= MAX_RESPONSE_BYTES
    speech = ssml(response.get_json())
    assert 1000 < len(speech) < MAX_SPEECH_CHARS and speech.endswith(".</speak>")


def test_card_and_end_of_session(fake_reply_app: FakeReplyApp) -> None:
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
def test_dialog_directives(
    fake_reply_app: FakeReplyApp, reply: Reply, fixture_name: str, directive: dict[str, str]
) -> None:
    data = post(fake_reply_app(reply), fixture(fixture_name))
    assert data["response"]["directives"] == [directive]
    assert data["response"]["shouldEndSession"] is False
    assert reply.speech in ssml(data)


def test_delegate_when_alexa_runs_the_dialog_and_no_slot_is_named(fake_reply_app: FakeReplyApp) -> None:
    data = post(
        fake_reply_app(Reply(speech="Which order?", expect=Expect.SLOT)), fixture("order_status_empty")
    )
    (directive,) = data["response"]["directives"]
    assert directive["type"] == "Dialog.Delegate"
    assert directive["updatedIntent"]["name"] == "OrderStatus"
    assert "outputSpeech" not in data["response"]


def test_no_directive_outside_an_intent_request_or_for_a_foreign_slot(fake_reply_app: FakeReplyApp) -> None:
    asking = Reply(speech="Which order?", expect=Expect.SLOT, slot="order_number")
    launched = post(fake_reply_app(asking), fixture("launch"))
    assert "Which order?" in ssml(launched)
    assert "directives" not in launched["response"]
    foreign = Reply(speech="Which day?", expect=Expect.SLOT, slot="day")
    assert "directives" not in post(fake_reply_app(foreign), fixture("order_status"))["response"]


@pytest.mark.parametrize("locale", ["en-US", "nl-NL"])
def test_a_directive_goes_only_with_an_intent_the_exported_dialog_model_carries(
    fake_reply_app: FakeReplyApp, router: Router, locale: str
) -> None:
    """Filler to "Do you mean ...?" ("uhm": the custom ``Wait`` intent) keeps the offer's question, and
    it got ``Dialog.ConfirmIntent``, which Alexa refuses on an intent without a dialog model; only
    ``Question`` was spared. Every intent the export leaves out of the dialog model now gets plain
    speech, and the caller's yes comes back as AMAZON.YesIntent."""
    model = alexa_package(router.skills["customer_service"], locale).interaction_model["interactionModel"]
    modelled = {intent["name"] for intent in model["dialog"]["intents"]}
    assert modelled == {"OrderStatus", "BookAppointment"}
    app = fake_reply_app(Reply(speech="Do you mean: how do I send an item back?", expect=Expect.CONFIRMATION))
    for name in (intent["name"] for intent in model["languageModel"]["intents"]):
        data = post(app, intent_request(name, {}, locale=locale))
        expected = [{"type": "Dialog.ConfirmIntent"}] if name in modelled else None
        assert data["response"].get("directives") == expected, name
        assert data["response"]["shouldEndSession"] is False and "Do you mean" in ssml(data)


@pytest.mark.parametrize(("status", "answer"), [("CONFIRMED", "Yes"), ("DENIED", "No")])
def test_confirmation_status_becomes_yes_or_no(
    client: FlaskClient, recorder: Recorder, status: str, answer: str
) -> None:
    recorder.reply = Reply(speech="Shall I look it up?", expect=Expect.CONFIRMATION)
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


@pytest.mark.parametrize(
    "slot", [["order_number"], {"name": "order_number"}, 5], ids=["list", "object", "number"]
)
def test_a_malformed_confirmation_entry_counts_as_absent(serve: Serve, slot: Any) -> None:
    """Session attributes come back from the device: an entry the channel did not write is no answer."""
    recorder = Recorder(reply=Reply(speech="Done."))
    body = fixture("order_status")
    body["request"]["intent"]["confirmationStatus"] = "CONFIRMED"
    body["session"]["attributes"] = {CHANNEL_KEY: {"intent": "OrderStatus", "slot": slot}}
    post(serve(recorder, UNVERIFIED), body)
    assert recorder.turns[-1].intent == "OrderStatus"


def test_unsupported_request_type_is_a_400_json(client: FlaskClient) -> None:
    response = client.post("/alexa", json=fixture("playback_started"))
    assert response.status_code == 400
    assert "AudioPlayer.PlaybackStarted" in response.get_json()["error"]["message"]


def test_a_raising_handler_gets_a_spoken_apology(serve: Serve, broken_router: Router) -> None:
    """The dialog turns the skill's failure into an apology; the channel renders it like any reply."""
    store = open_store(MEMORY_STORE)
    client = serve(Dialog(broken_router, store), UNVERIFIED, router=broken_router)
    data = post(client, fixture("order_status"))
    store.close()
    assert "went wrong" in ssml(data)
    assert data["response"]["shouldEndSession"] is False
    assert data["sessionAttributes"] == {"visits": 2}


# --- ask-sdk-model is the schema authority -------------------------------------------------------

HUGE = "Prijs €5 & 日本語. " * 2000
ROUND_TRIPS = {
    # case: (request fixture, the reply (None: the real dialog answers), what the response must show)
    "plain-speech": ("stop", Reply(speech="Marks & Spencer."), '"type":"SSML"'),
    "ssml": ("stop", Reply(speech="<speak>Hi <break time='300ms'/> there.</speak>"), "<break"),
    "reprompt": (
        "order_status",
        Reply(speech="Anything else?", expect=Expect.ANSWER, reprompt="Say a question."),
        '"reprompt":{"outputSpeech"',
    ),
    "card": ("stop", Reply(speech="Call us.", card=Card(title="Contact", text="020 123")), '"card"'),
    "elicit-slot": (
        "order_status_empty",
        Reply(speech="Which order?", expect=Expect.SLOT, slot="order_number"),
        "Dialog.ElicitSlot",
    ),
    "delegate": ("order_status_empty", Reply(speech="Which order?", expect=Expect.SLOT), "Dialog.Delegate"),
    "confirm-slot": (
        "order_status",
        Reply(speech="1234, right?", expect=Expect.CONFIRMATION, slot="order_number"),
        "Dialog.ConfirmSlot",
    ),
    "confirm-intent": (
        "order_status",
        Reply(speech="Shall I?", expect=Expect.CONFIRMATION),
        "Dialog.ConfirmIntent",
    ),
    "end-of-session": ("stop", Reply(speech="Goodbye.", end_session=True), '"shouldEndSession":true'),
    "welcome": ("launch", None, '"shouldEndSession":false'),
    "can-fulfill": ("can_fulfill", None, '"canFulfill":"YES"'),
    "cannot-fulfill": ("can_fulfill_unknown", None, '"canFulfill":"NO"'),
    "session-ended": ("session_ended", None, '"response":{}'),
    "session-attributes": ("order_status", Reply(speech="Noted."), '"sessionAttributes":{"visits":2}'),
    "shrunk-24-kb": (
        "order_status",
        Reply(speech=HUGE, expect=Expect.ANSWER, reprompt=HUGE, card=Card(title="Long", text=HUGE)),
        '"reprompt"',
    ),
}


@pytest.mark.parametrize(("name", "reply", "shows"), ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_every_response_round_trips_through_ask_sdk_model(
    serve: Serve, router: Router, recorder: Recorder, name: str, reply: Reply | None, shows: str
) -> None:
    recorder.reply = reply
    response = serve(recorder, UNVERIFIED, router=router).post("/alexa", json=fixture(name))
    assert response.status_code == 200, response.data
    raw = response.get_data(as_text=True)
    assert shows in raw
    assert len(response.data) <= MAX_RESPONSE_BYTES
    serializer = DefaultSerializer()
    envelope = serializer.deserialize(raw, ResponseEnvelope)
    assert isinstance(envelope, ResponseEnvelope)
    assert serializer.serialize(envelope) == json.loads(raw)


def test_the_card_shows_the_booking_number_as_written_and_the_speech_spells_it_out(
    client: FlaskClient, router: Router
) -> None:
    """The Alexa app's card showed the booking number as it is said for a voice: "B 4 2"."""
    slots = {"date": bookable_day().isoformat(), "time": "10:00", "name": "Anna Smith", "topic": "return"}
    booking = intent_request("BookAppointment", slots)
    session = booking["session"]["sessionId"]
    with stubbed_setting(router, "booking_url", {"status": 201, "json": {"id": "B42"}}):
        post(client, booking)  # the name is confirmed, then the booking
        post(client, intent_request("AMAZON.YesIntent", {}, session=session))
        response = client.post("/alexa", json=intent_request("AMAZON.YesIntent", {}, session=session))
    raw = response.get_data(as_text=True)
    data = json.loads(raw)
    assert 'Your booking number is <sub alias="B 4 2">B42</sub>.</speak>' in ssml(data)
    card = data["response"]["card"]
    assert (card["title"], card["content"][-27:]) == ("Your appointment", "Your booking number is B42.")
    serializer = DefaultSerializer()
    assert serializer.serialize(serializer.deserialize(raw, ResponseEnvelope)) == data


def test_a_smart_speaker_is_no_call_the_goodbye_thanks_for(client: FlaskClient, recorder: Recorder) -> None:
    """ "Bedankt voor uw telefoontje" was said on a Dutch Echo."""
    data = post(client, fixture("stop"))
    assert not recorder.turns[0].call and recorder.turns[0].intent == "Stop"
    assert ssml(data) == "<speak>Goodbye, and thank you.</speak>"
    assert data["response"]["shouldEndSession"] is True


def test_a_failed_reply_keeps_its_internal_fields_out_of_the_response(
    serve: Serve, router: Router, recorder: Recorder
) -> None:
    """``failed`` (for the KPIs) and ``remember`` (kept about the caller) are the dialog's own."""
    recorder.reply = Reply(
        speech="Sorry, I could not book the appointment.", remember={"name": "Els de Vries"}, failed=True
    )
    response = serve(recorder, UNVERIFIED, router=router).post("/alexa", json=fixture("order_status"))
    raw = response.get_data(as_text=True)
    serializer = DefaultSerializer()
    assert serializer.serialize(serializer.deserialize(raw, ResponseEnvelope)) == json.loads(raw)
    assert "failed" not in raw and "Els de Vries" not in raw


def test_the_round_trip_catches_a_field_ask_sdk_model_does_not_know() -> None:
    """The check above can fail: a misspelt field is dropped by the model, so the JSON differs."""
    raw = json.dumps({"version": "1.0", "response": {"shouldEndSesion": True}})
    serializer = DefaultSerializer()
    assert serializer.serialize(serializer.deserialize(raw, ResponseEnvelope)) != json.loads(raw)


# --- verification (on by default) ---------------------------------------------------------------


def signed(name: str) -> tuple[bytes, dict[str, str]]:
    """A fixture with a fresh timestamp and this PKI's application id, signed like Alexa signs it."""
    body = fixture(name, timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    body["session"]["application"]["applicationId"] = APPLICATION_ID
    body["context"]["System"]["application"]["applicationId"] = APPLICATION_ID
    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", **build_test_pki().valid.headers(raw)}


def test_verification_is_on_by_default(serve: Serve, recorder: Recorder) -> None:
    client = serve(recorder, {"alexa_application_ids": [APPLICATION_ID]})
    response = client.post("/alexa", json=fixture("order_status"))
    assert response.status_code == 400
    assert "Signature-256" in response.get_json()["error"]["message"]
    assert recorder.turns == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ALEXA_VERIFY": "no"}, "alexa_verify = 'no'; it must be true or false"),
        ({"alexa_verify": 0}, "alexa_verify = 0; it must be true or false"),
        ({"alexa_application_ids": "amzn1.ask.skill.1"}, "it must be a list of skill ids"),
        ({"alexa_verifier": AlexaVerifyConfig()}, "it must be an AlexaVerifier"),
        ({"alexa_accept_any_skill": "yes"}, "alexa_accept_any_skill = 'yes'; it must be true or"),
    ],
    ids=["verify-string", "verify-number", "ids-string", "verifier-config", "any-skill-string"],
)
def test_alexa_settings_of_the_wrong_shape_are_refused(
    serve: Serve, recorder: Recorder, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        serve(recorder, settings)


def test_signed_request_is_answered_and_tampering_is_refused(
    serve: Serve, router: Router, recorder: Recorder
) -> None:
    pki = build_test_pki()
    config = AlexaVerifyConfig(
        trusted_roots=(pki.root,),
        fetcher=FakeFetcher({CERT_URL: pki.valid.pem}),
        application_ids=frozenset({APPLICATION_ID}),
    )
    client = serve(recorder, {"alexa_verifier": AlexaVerifier(config)}, router=router)
    raw, headers = signed("order_status")
    response = client.post("/alexa", data=raw, headers=headers)
    assert response.status_code == 200
    assert "has been shipped" in response.get_json()["response"]["outputSpeech"]["ssml"]
    tampered = client.post("/alexa", data=raw.replace(b"1234", b"5678"), headers=headers)
    assert tampered.status_code == 400
    assert tampered.get_json()["error"]["status"] == 400
    assert len(recorder.turns) == 1


def test_verification_without_skill_ids_refuses_to_start(serve: Serve, recorder: Recorder) -> None:
    refused_settings: list[dict[str, Any]] = [
        {},
        {"alexa_application_ids": []},
        {"ALEXA_ACCEPT_ANY_SKILL": False},
    ]
    for settings in refused_settings:
        with pytest.raises(ConfigError) as refused:
            serve(recorder, settings)
        message = refused.value.message
        assert message.startswith("alexa_application_ids is empty while Alexa verification is on")
        assert "alexa_accept_any_skill = true" in message and "\n" not in message


def test_accepting_any_skill_is_explicit_and_warned_about(
    serve: Serve, router: Router, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    pki = build_test_pki()
    verifier = AlexaVerifier(
        AlexaVerifyConfig(
            trusted_roots=(pki.root,), fetcher=FakeFetcher({CERT_URL: pki.valid.pem}), accept_any_skill=True
        )
    )
    caplog.set_level("WARNING", logger="voice.channels.alexa_verify")
    client = serve(recorder, {"alexa_verifier": verifier}, router=router)
    assert "ANY Alexa skill is accepted" in caplog.text
    body = fixture("order_status", timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    body["session"]["application"]["applicationId"] = "amzn1.ask.skill.another-skill"
    body["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.another-skill"
    raw = json.dumps(body).encode()
    response = client.post(
        "/alexa", data=raw, headers={"Content-Type": "application/json", **pki.valid.headers(raw)}
    )
    assert response.status_code == 200
    caplog.clear()
    serve(recorder, {"alexa_accept_any_skill": True})  # the setting builds the same kind of verifier
    assert "ANY Alexa skill is accepted" in caplog.text


def test_a_verifier_without_skill_ids_cannot_be_built() -> None:
    with pytest.raises(ConfigError, match="alexa_application_ids is empty"):
        AlexaVerifier(AlexaVerifyConfig(trusted_roots=(build_test_pki().root,)))


def test_without_verification_no_skill_id_is_needed(serve: Serve, recorder: Recorder) -> None:
    client = serve(recorder, {"alexa_verify": False, "alexa_application_ids": []})
    assert client.post("/alexa", json=fixture("order_status")).status_code == 200


def shop_talk(serve: Serve, skill: Skill, *matched: tuple[str, dict[str, Any]]) -> list[str]:
    """The speech of one Alexa session's turns, each an intent Alexa matched with its slots."""
    session = "amzn1.echo-api.session.shops"
    with open_store("sqlite://:memory:") as store:
        client = serve(Dialog(Router([skill]), store), UNVERIFIED, router=Router([skill]))
        return [ssml(post(client, intent_request(name, slots, session=session))) for name, slots in matched]


def test_an_alexa_intent_of_a_block_with_fixed_slots_gets_them(serve: Serve, tmp_path: Path) -> None:
    """ "weekend hours" is Saturday to the router (its block's ``slots: {day: saturday}``); Alexa cannot
    send a value nobody said, so the block is an intent of its own, read back as ShopHours."""
    skill = shops(tmp_path)
    model = alexa_package(skill, "en-US").interaction_model["interactionModel"]["languageModel"]
    weekend = next(i for i in model["intents"] if i["name"] == "ShopHours__day_saturday")
    assert set(weekend["samples"]) == {"weekend hours", "weekend hours in {shop}"}
    said = shop_talk(serve, skill, ("ShopHours__day_saturday", {"shop": "utrecht"}))
    assert said == ["<speak>utrecht on saturday, after nothing.</speak>"]


def test_an_alexa_intent_of_a_follow_up_block_with_fixed_slots_gets_them(
    serve: Serve, tmp_path: Path
) -> None:
    """ "and at the weekend" after the hours in Utrecht: its block is a follow-up (``previous:
    ShopHours``) with ``day: sunday`` fixed. Alexa has no contexts, so the turn named none and the block
    was never found: the day was lost. Its fixed tag names it wherever it is said."""
    skill = shops(tmp_path)
    follow_up = '      - requires_context: {previous: ShopHours}\n        sentences: ["and at the weekend"]\n'
    intents = skill.root / "locales" / "en" / "intents.yaml"
    intents.write_text(SHOPS_INTENTS.replace("lists:", f"{follow_up}        slots: {{day: sunday}}\nlists:"))
    skill = load_skill(skill.root)
    model = alexa_package(skill, "en-US").interaction_model["interactionModel"]["languageModel"]
    assert (
        "and at the weekend"
        in next(i for i in model["intents"] if i["name"] == "ShopHours__day_sunday")["samples"]
    )
    said = shop_talk(serve, skill, ("ShopHours", {"shop": "utrecht"}), ("ShopHours__day_sunday", {}))
    assert said[1] == "<speak>utrecht on sunday, after nothing.</speak>"


def test_an_alexa_follow_up_is_the_question_asked_anew(serve: Serve, tmp_path: Path) -> None:
    """Alexa has no contexts: "and on sunday" is a sample of ShopHours itself, which nothing tells from
    "opening hours on sunday", so it keeps no shop (docs/exports.md; Dialogflow's follow-up intent does)."""
    said = shop_talk(
        serve, shops(tmp_path), ("ShopHours", {"shop": "den bosch"}), ("ShopHours", {"day": "sunday"})
    )
    assert said[1] == "<speak>Which shop? on sunday, after nothing.</speak>"
