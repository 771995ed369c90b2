"""The Dialogflow ES v2 channel through a real Flask test client, with requests in Google's shapes."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask.testing import FlaskClient
from serving import Serve, serving
from test_alexa_platform_values import bookable_day

from voice import Card, Dialog, Expect, Reply, Router, Skill, Turn, load_skill
from voice.errors import ConfigError
from voice.export import dialogflow_agent
from voice.store import open_store

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "requests" / "dialogflow"
SESSION_STATE = "/contexts/voice-state"
FALLBACK = "Default Fallback Intent"

ALEXA_IDS = {"alexa_application_ids": ["amzn1.ask.skill.dialogflow-tests"]}
"""The Alexa channel is served too, and with verification on it needs a skill id to start."""
ClientFor = Callable[..., FlaskClient]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(responder, settings, router=...)``: the app's test client over ``responder``."""
    yield from serving(ALEXA_IDS)


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


@dataclass
class Recorder:
    """Passes turns to the real dialog (or answers ``reply``) and keeps them."""

    dialog: Dialog
    reply: Reply | None = None
    turns: list[Turn] = field(default_factory=list)

    def respond(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        return self.reply if self.reply is not None else self.dialog.respond(turn)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.fixture
def recorder(router: Router, any_store_url: str) -> Iterator[Recorder]:
    store = open_store(any_store_url)  # once on SQLite, once on PostgreSQL
    yield Recorder(Dialog(router, store))
    store.close()


@pytest.fixture
def client_for(serve: Serve, router: Router) -> ClientFor:
    """``client_for(recorder, **settings)``: an app over the recorder with those settings."""
    return lambda recorder, **settings: serve(recorder, settings, router=router)


def post(client: FlaskClient, body: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
    response = client.post("/dialogflow", json=body, **kwargs)
    assert response.status_code == 200, response.data
    data: dict[str, Any] = response.get_json()
    return data


def state_context(data: Mapping[str, Any]) -> dict[str, Any]:
    (context,) = [c for c in data["outputContexts"] if c["name"].endswith(SESSION_STATE)]
    return dict(context)


def test_english_request_in_google_shape(client_for: ClientFor, recorder: Recorder) -> None:
    data = post(client_for(recorder), fixture("order_status_en"))
    turn = recorder.turns[0]
    assert (turn.intent, turn.locale, turn.language, turn.channel) == (
        "OrderStatus",
        "en-us",
        "en",
        "dialogflow",
    )
    assert turn.session_id == "projects/voice-skills-demo/agent/sessions/7f3e9a1c-2b4d-4c6e-8f0a-1b2c3d4e5f60"
    assert turn.user_id == "ABwppHG14A1ZYzE2MjM0NTY3ODkwYWJjZGVm"
    assert (turn.slots["order_number"].text, turn.slots["order_number"].value) == ("1234", 1234)
    assert turn.deadline is not None and (turn.remaining() or 0) <= 5
    assert "Order 1234 has been shipped" in data["fulfillmentText"]  # typed: shown, not said
    assert data["fulfillmentMessages"] == [{"text": {"text": [data["fulfillmentText"]]}}]


def test_dutch_phone_request(client_for: ClientFor, recorder: Recorder) -> None:
    data = post(client_for(recorder), fixture("order_status_nl"))
    turn = recorder.turns[0]
    assert (turn.language, turn.user_id, turn.confidence) == ("nl", "+31201234567", 0.86)
    assert turn.slots["order_number"].text == "een twee drie vier"
    assert data["fulfillmentText"].startswith("Bestelling 1 2 3 4 is verzonden")


def test_payload_google_simple_response(client_for: ClientFor, recorder: Recorder) -> None:
    data = post(client_for(recorder), fixture("order_status_en"))
    google = data["payload"]["google"]
    # the order status expects nothing in particular, but the conversation goes on: a client that reads
    # expectUserResponse false hangs up
    assert google["expectUserResponse"] is True and data["payload"]["voice"]["end_session"] is False
    (item,) = google["richResponse"]["items"]
    assert item["simpleResponse"] == {
        "ssml": data["payload"]["voice"]["speech"],
        "displayText": data["fulfillmentText"],
    }
    assert data["payload"]["voice"]["expect"] == "nothing"


def test_the_number_is_spelled_out_in_speech_and_shown_as_written(
    client_for: ClientFor, recorder: Recorder
) -> None:
    """A chat gateway showed "Order 1 2 3 4", spaced for a voice; a phone gateway must still say it so."""
    typed = post(client_for(recorder), fixture("order_status_en"))
    (item,) = typed["payload"]["google"]["richResponse"]["items"]
    assert '<sub alias="1 2 3 4">1234</sub> has been shipped' in item["simpleResponse"]["ssml"]
    assert item["simpleResponse"]["displayText"].startswith("Order 1234 has been shipped")
    assert typed["fulfillmentMessages"][0]["text"]["text"] == [item["simpleResponse"]["displayText"]]
    assert typed["fulfillmentText"] == item["simpleResponse"]["displayText"]

    called = post(client_for(recorder), fixture("order_status_nl"))  # a phone gateway speaks the text
    (item,) = called["payload"]["google"]["richResponse"]["items"]
    assert called["fulfillmentText"].startswith("Bestelling 1 2 3 4 is verzonden")
    assert called["fulfillmentMessages"][0]["text"]["text"] == [called["fulfillmentText"]]
    assert '<sub alias="1 2 3 4">1234</sub> is verzonden' in item["simpleResponse"]["ssml"]
    assert item["simpleResponse"]["displayText"].startswith("Bestelling 1234 is verzonden")


def test_ssml_card_and_expectation_are_rendered(client_for: ClientFor, recorder: Recorder) -> None:
    recorder.reply = Reply(
        speech="<speak>Call us <break time='200ms'/> &amp; ask.</speak>",
        card=Card(title="Contact", text="020 123"),
        expect=Expect.SLOT,
        slot="order_number",
    )
    data = post(client_for(recorder), fixture("order_status_en"))
    simple = data["payload"]["google"]["richResponse"]["items"][0]["simpleResponse"]
    assert simple == {"ssml": recorder.reply.speech, "displayText": "Call us & ask."}
    assert data["payload"]["google"]["expectUserResponse"] is True
    assert {"card": {"title": "Contact", "subtitle": "020 123"}} in data["fulfillmentMessages"]
    assert Reply.from_dict(data["payload"]["voice"]) == recorder.reply


def _documented_voice_fields() -> set[str]:
    """The fields docs/channels.md says ``payload.voice`` carries."""
    docs = (Path(__file__).resolve().parents[3] / "docs" / "channels.md").read_text(encoding="utf-8")
    sentence = re.search(r"`payload\.voice` carries (.*?);", docs, re.DOTALL)
    assert sentence is not None, "docs/channels.md no longer says what payload.voice carries"
    return set(re.findall(r"`(\w+)`", sentence[1]))


def test_the_response_carries_only_documented_fields(client_for: ClientFor, recorder: Recorder) -> None:
    """A failed booking's reply: ``failed`` (for the KPIs) and ``remember`` (kept about the caller)
    are the dialog's own, and reached the gateway in ``payload.voice``."""
    recorder.reply = Reply(
        speech="Sorry, I could not book the appointment.",
        expect=Expect.ANSWER,
        intent="BookAppointment",
        remember={"name": "Els de Vries"},
        failed=True,
    )
    data = post(client_for(recorder), fixture("order_status_en"))
    assert set(data) == {"fulfillmentText", "fulfillmentMessages", "payload", "outputContexts"}
    assert set(data["payload"]) == {"google", "voice"}
    assert set(data["payload"]["voice"]) == _documented_voice_fields()
    assert data["payload"]["voice"]["intent"] == "BookAppointment"
    assert "failed" not in json.dumps(data) and "Els de Vries" not in json.dumps(data)


def _goodbye(body: dict[str, Any], words: str, **original: Any) -> dict[str, Any]:
    """``body`` with the caller saying ``words`` (read by our router), from ``original`` when given."""
    body["queryResult"].update(queryText=words, parameters={}, intent={"displayName": FALLBACK})
    if original:
        body["originalDetectIntentRequest"] = original
        body["queryResult"].pop("speechRecognitionConfidence", None)
    return body


@pytest.mark.parametrize(
    ("body", "call", "goodbye"),
    [
        (
            _goodbye(fixture("order_status_nl"), "tot ziens"),
            True,
            "Tot ziens, en bedankt voor uw telefoontje.",
        ),
        (
            _goodbye(fixture("order_status_nl"), "tot ziens", source="telegram", payload={}),
            False,
            "Tot ziens, en dank u wel.",
        ),
        (_goodbye(fixture("order_status_en"), "bye"), False, "Goodbye, and thank you."),
        (
            _goodbye(fixture("order_status_en"), "bye", source="telephony", payload={}),
            True,
            "Goodbye, and thanks for calling.",
        ),
    ],
    ids=["nl-phone-gateway", "nl-chat", "en-assistant-typed", "en-telephony"],
)
def test_the_goodbye_thanks_a_caller_for_calling_only_on_the_phone(
    client_for: ClientFor, recorder: Recorder, body: dict[str, Any], call: bool, goodbye: str
) -> None:
    """Dialogflow serves phone gateways and chats: "thanks for calling" was said in a chat too."""
    data = post(client_for(recorder), body)
    assert recorder.turns[0].call is call
    assert data["fulfillmentText"] == goodbye


def test_ssml_with_a_character_xml_forbids_keeps_its_markup(
    client_for: ClientFor, recorder: Recorder
) -> None:
    """A slot value put into an SSML template can bring a control character; no escape makes it legal."""
    recorder.reply = Reply(speech="<speak>Hello <break time='200ms'/> jan \u0007\ufffe.</speak>")
    data = post(client_for(recorder), fixture("order_status_en"))
    simple = data["payload"]["google"]["richResponse"]["items"][0]["simpleResponse"]
    assert ET.fromstring(simple["ssml"]).find("break") is not None


@pytest.mark.parametrize("topic", [["returns", "repair"], {"name": "returns"}], ids=["list", "object"])
def test_a_list_or_object_for_a_list_slot_counts_as_not_given(
    client_for: ClientFor, recorder: Recorder, topic: Any
) -> None:
    """The export makes no "is list" parameter: such a value is malformed, and the flow asks on."""
    body = fixture("order_status_en")
    body["queryResult"]["intent"]["displayName"] = "BookAppointment"
    body["queryResult"]["parameters"] = {"topic": topic}
    assert post(client_for(recorder), body)["fulfillmentText"] == "On which day would you like to come?"


def test_intent_mapping_is_configurable(client_for: ClientFor, recorder: Recorder) -> None:
    client = client_for(recorder, DIALOGFLOW_INTENT_MAP={"opening.hours": "OpeningHours"})
    data = post(client, fixture("opening_hours_mapped_en"))
    turn = recorder.turns[0]
    assert (turn.intent, turn.locale) == ("OpeningHours", "en-GB")
    assert (turn.slots["day"].text, turn.slots["day"].value) == ("Monday", "monday")
    assert "monday" in data["fulfillmentText"].lower()


BOOKING = "BookAppointment"
ASKING_NAME = "BookAppointment - dialog BookAppointment asking name"
"""The exported intent of the booking's bare answer to "what is your name?"."""


@pytest.fixture(scope="module")
def exported_contexts() -> dict[str, set[str]]:
    """The input contexts of each intent of the shipped skill's exported agent, by display name."""
    files = dialogflow_agent(load_skill("customer_service")).files.values()
    return {f["name"]: set(f["contexts"]) for f in files if isinstance(f, dict) and "contexts" in f}


def _agent_matched(turn: int, display_name: str, **parameters: Any) -> dict[str, Any]:
    """Turn ``turn`` of one conversation, in which the agent matched ``display_name`` with ``parameters``."""
    body = fixture("order_status_en")
    body["responseId"] = f"booking-turn-{turn}"  # the same id again would be the same request sent again
    body["queryResult"].update(intent={"displayName": display_name}, parameters=parameters)
    return body


def _intent_contexts(data: Mapping[str, Any]) -> dict[str, int]:
    """The response's contexts besides ``voice-state``: their lifespans by name, under the session."""
    contexts = [c for c in data["outputContexts"] if not c["name"].endswith(SESSION_STATE)]
    session = fixture("order_status_en")["session"]
    assert all(c["name"].startswith(f"{session}/contexts/") for c in contexts), contexts
    return {c["name"].rpartition("/")[2]: c["lifespanCount"] for c in contexts}


def _asking_name(client: FlaskClient) -> dict[str, Any]:
    """A booking whose day and time are given: the flow asks the caller's name."""
    day = bookable_day().isoformat()
    body = _agent_matched(1, BOOKING, date=f"{day}T12:00:00+01:00", time=f"{day}T10:00:00+01:00")
    data = post(client, body)
    assert data["fulfillmentText"] == "And what is your name?"
    return data


def test_a_flow_turn_sets_the_contexts_of_its_exported_bare_answers(
    client_for: ClientFor, recorder: Recorder, exported_contexts: dict[str, set[str]]
) -> None:
    """The export puts a flow's bare answers ("Els de Vries") into intents with input contexts: Dialogflow
    matches them only while the webhook keeps those contexts set (lifespan 1, every turn), and each key's
    own (``voice-dialog``) for a block that takes any value of it."""
    sent = _intent_contexts(_asking_name(client_for(recorder)))
    assert exported_contexts[ASKING_NAME] == {"voice-dialog-bookappointment", "voice-asking-name"}
    assert set(sent) == {*exported_contexts[ASKING_NAME], "voice-dialog", "voice-asking"}
    assert set(sent.values()) == {1}
    assert exported_contexts["BookAppointment - dialog BookAppointment"] <= set(sent)


def test_the_exported_bare_answer_intent_fills_the_flows_slot(
    client_for: ClientFor, recorder: Recorder
) -> None:
    """``BookAppointment - dialog BookAppointment asking name`` is the booking, with its parameter."""
    client = client_for(recorder)
    _asking_name(client)
    data = post(client, _agent_matched(2, ASKING_NAME, name="Els de Vries"))
    turn = recorder.turns[-1]
    assert (turn.intent, turn.slots["name"].text) == (BOOKING, "Els de Vries")
    assert data["fulfillmentText"] == "Did I get your name right: Els de Vries?"


SHOPS_CODE = """
from voice import Reply, Skill, Turn

skill = Skill("shops", __file__)


@skill.intent("ShopHours")
def shop_hours(turn: Turn) -> Reply:
    shop, day, previous = (turn.value(name, default) for name, default in SHOPS_DEFAULTS)
    return Reply(speech=f"{shop} on {day}, after {previous}.")


SHOPS_DEFAULTS = (("shop", "Which shop?"), ("day", "any day"), ("previous", "nothing"))
"""
SHOPS_INTENTS = """
language: en
intents:
  ShopHours:
    data:
      - sentences: ["opening hours [in {shop}] [on {day}]"]
      - requires_context: {previous: {value: ShopHours, slot: true}}
        sentences: ["and [on] {day}"]
      - sentences: ["weekend hours [in {shop}]"]
        slots: {day: saturday}
lists:
  shop:
    values: [den bosch, utrecht]
  day:
    values: [saturday, sunday]
"""
FOLLOW_UP = "ShopHours - previous ShopHours"


def shops(tmp_path: Path) -> Skill:
    """A skill with opening hours per shop and day, and the follow-up "and on sunday"."""
    folder = tmp_path / "shops"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "__init__.py").write_text(SHOPS_CODE)
    (folder / "locales" / "en" / "intents.yaml").write_text(SHOPS_INTENTS)
    return load_skill(folder)


def converse(serve: Serve, skill: Skill, *matched: tuple[str, dict[str, Any]]) -> list[str]:
    """What the webhook answers to one conversation's turns, each an intent the agent matched with its
    parameters."""
    with open_store("sqlite://:memory:") as store:
        client = serve(Recorder(Dialog(Router([skill]), store)), router=Router([skill]))
        return [
            post(client, _agent_matched(turn, name, **parameters))["fulfillmentText"]
            for turn, (name, parameters) in enumerate(matched, start=1)
        ]


def test_an_exported_context_intent_gets_the_slot_its_block_copies_from_the_context(
    serve: Serve, tmp_path: Path
) -> None:
    """The follow-up "and on sunday" arrives as the exported intent with only the day: the slot that
    ``{value: ShopHours, slot: true}`` copies from the context is the dialog's, as the router's has it."""
    skill = shops(tmp_path)
    assert f"intents/{FOLLOW_UP}.json" in dialogflow_agent(skill).files
    said = converse(serve, skill, ("ShopHours", {"day": "saturday"}), (FOLLOW_UP, {"day": "sunday"}))
    assert said == ["Which shop? on saturday, after nothing.", "Which shop? on sunday, after ShopHours."]


def test_a_follow_up_the_agent_matched_keeps_the_slots_of_the_question_it_follows(
    serve: Serve, tmp_path: Path
) -> None:
    """ "and on sunday" after the hours in Den Bosch asks for Den Bosch's Sunday, as the router's match of
    the same words does; a question asked anew starts afresh."""
    skill = shops(tmp_path)
    in_den_bosch = ("ShopHours", {"shop": "den bosch"})
    follow_up = converse(serve, skill, in_den_bosch, (FOLLOW_UP, {"day": "sunday"}))
    assert follow_up == ["den bosch on any day, after nothing.", "den bosch on sunday, after ShopHours."]
    anew = converse(serve, skill, in_den_bosch, ("ShopHours", {"day": "sunday"}))
    assert anew[1] == "Which shop? on sunday, after nothing."


WEEKEND = "ShopHours - with day_saturday"
"""The exported intent of the block that sets ``day: saturday`` for all its sentences."""


def test_an_exported_intent_of_a_block_with_fixed_slots_gets_them(serve: Serve, tmp_path: Path) -> None:
    """ "weekend hours in utrecht" is Saturday to the router (the block's ``slots: {day: saturday}``); the
    agent cannot send a value nobody said, so the block is an intent of its own, whose values the dialog
    adds as the matcher does. What the caller said wins."""
    skill = shops(tmp_path)
    files = dialogflow_agent(skill).files
    phrases = files[f"intents/{WEEKEND}_usersays_en.json"]
    assert {"".join(part["text"] for part in phrase["data"]) for phrase in phrases} == {
        "weekend hours",
        "weekend hours in den bosch",
        "weekend hours in utrecht",
    }
    assert "weekend hours" not in json.dumps(files["intents/ShopHours_usersays_en.json"])
    with open_store("sqlite://:memory:") as store:
        typed = Dialog(Router([skill]), store).respond(Turn(text="weekend hours in utrecht")).text
    assert converse(serve, skill, (WEEKEND, {"shop": "utrecht"})) == [typed]
    assert typed == "utrecht on saturday, after nothing."
    assert converse(serve, skill, (WEEKEND, {"day": "sunday"})) == ["Which shop? on sunday, after nothing."]


def test_an_ended_or_handed_over_conversation_sets_no_intent_contexts(
    client_for: ClientFor, recorder: Recorder
) -> None:
    """Not sent, the contexts of the last turn expire after the next request (lifespan 1)."""
    client = client_for(recorder)
    recorder.reply = Reply(speech="Anything else?", expect=Expect.ANSWER, context={"previous": "OrderStatus"})
    assert _intent_contexts(post(client, fixture("order_status_en"))) == {
        "voice-previous-orderstatus": 1,
        "voice-previous": 1,
    }
    for ending in ({"end_session": True}, {"handoff": True}):
        recorder.reply = Reply(speech="Bye.", context={"dialog": BOOKING}, **ending)
        assert _intent_contexts(post(client, fixture("order_status_en"))) == {}


def test_welcome_intent_is_launch(client_for: ClientFor, recorder: Recorder) -> None:
    data = post(client_for(recorder), fixture("welcome_en"))
    assert data["fulfillmentText"] == "Welcome to Voorbeeld BV! How can I help you?"
    assert data["payload"]["google"]["expectUserResponse"] is True


def test_fallback_intent_is_reparsed_by_the_router(client_for: ClientFor, recorder: Recorder) -> None:
    data = post(client_for(recorder), fixture("fallback_nl"))
    turn = recorder.turns[0]
    assert (turn.intent, turn.text) == (None, "hoe laat zijn jullie op maandag open")
    assert "maandag" in data["fulfillmentText"].lower()


def test_reparse_mode_ignores_the_agents_intent(client_for: ClientFor, recorder: Recorder) -> None:
    body = fixture("opening_hours_mapped_en")
    body["queryResult"]["queryText"] = "what is your phone number"
    data = post(client_for(recorder, DIALOGFLOW_REPARSE=True), body)
    assert recorder.turns[0].intent is None and recorder.turns[0].slots == {}
    assert data["fulfillmentText"] == post(client_for(recorder), _contact_request())["fulfillmentText"]


def _weak_order_status(confidence: float) -> dict[str, Any]:
    """The agent's guess at a cancellation: OrderStatus, as sure as the reviewer's call was (0.31)."""
    body = fixture("order_status_nl")
    body["queryResult"].update(
        queryText="ik wil mijn bestelling annuleren", parameters={}, intentDetectionConfidence=confidence
    )
    return body


def test_a_weak_intent_match_is_reparsed_and_a_confident_one_kept(
    client_for: ClientFor, recorder: Recorder
) -> None:
    """Below dialogflow_min_confidence the router reads the words: no "Wat is uw bestelnummer?" for a
    cancellation; a sure match, a lower setting, or an event's intent keep the agent's intent."""
    weak = post(client_for(recorder), _weak_order_status(0.31))
    assert (recorder.turns[-1].intent, recorder.turns[-1].slots) == (None, {})
    assert "bestelnummer" not in weak["fulfillmentText"]
    post(client_for(recorder), _weak_order_status(0.8))
    assert recorder.turns[-1].intent == "OrderStatus"
    post(client_for(recorder, DIALOGFLOW_MIN_CONFIDENCE=0.3), _weak_order_status(0.31))
    assert recorder.turns[-1].intent == "OrderStatus"
    welcome = fixture("welcome_en")
    welcome["queryResult"].update(queryText="TELEPHONY_WELCOME", intentDetectionConfidence=0.2)
    post(client_for(recorder), welcome)
    assert recorder.turns[-1].intent == "Launch"


def _contact_request() -> dict[str, Any]:
    body = fixture("welcome_en")
    body["queryResult"]["intent"]["displayName"] = "ContactOptions"
    return body


def test_output_context_round_trip(client_for: ClientFor, recorder: Recorder) -> None:
    sent = fixture("order_status_en")
    data = post(client_for(recorder), sent)
    context = state_context(data)
    assert context["name"] == sent["session"] + SESSION_STATE
    assert context["lifespanCount"] == 50
    assert context["parameters"] == sent["queryResult"]["outputContexts"][0]["parameters"]


def test_state_context_parameters_are_echoed_unchanged_and_end_of_session(
    client_for: ClientFor, recorder: Recorder
) -> None:
    """The dialog keeps its state in the store; the voice-state parameters come back as they were sent."""
    sent = fixture("order_status_en")
    parameters = {"visits": 2, "cart": {"items": ["a"], "total": 1.5}, "flag": False}
    sent["queryResult"]["outputContexts"][0]["parameters"] = parameters
    recorder.reply = Reply(speech="Anything else?", expect=Expect.ANSWER)
    client = client_for(recorder)
    listening = state_context(post(client, sent))
    assert (listening["parameters"], listening["lifespanCount"]) == (parameters, 50)
    recorder.reply = Reply(speech="Bye.", end_session=True)
    ended = state_context(post(client, sent))
    assert (ended["parameters"], ended["lifespanCount"]) == (parameters, 0)
    assert recorder.turns[0].platform.state == parameters


def test_state_lifespan_is_configurable(client_for: ClientFor, recorder: Recorder) -> None:
    data = post(client_for(recorder, dialogflow_state_lifespan=5), fixture("order_status_en"))
    assert state_context(data)["lifespanCount"] == 5


def test_no_state_context_sent_gives_an_empty_one(client_for: ClientFor, recorder: Recorder) -> None:
    sent = fixture("order_status_en")
    sent["queryResult"]["outputContexts"] = []
    context = state_context(post(client_for(recorder), sent))
    assert (context["name"], context["parameters"]) == (sent["session"] + SESSION_STATE, {})


# --- authentication -----------------------------------------------------------------------------


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BASIC = {"DIALOGFLOW_USERNAME": "dialogflow", "DIALOGFLOW_PASSWORD": "s3cret"}
TOKEN = {"DIALOGFLOW_TOKEN_HEADER": "X-Webhook-Token", "DIALOGFLOW_TOKEN": "t0ken"}


@pytest.mark.parametrize(
    ("settings", "headers", "status"),
    [
        ({}, {}, 200),
        (BASIC, basic("dialogflow", "s3cret"), 200),
        (BASIC, basic("dialogflow", "wrong"), 401),
        (BASIC, basic("someone", "s3cret"), 401),
        (BASIC, {}, 401),
        (BASIC, {"Authorization": "Bearer s3cret"}, 401),
        (TOKEN, {"X-Webhook-Token": "t0ken"}, 200),
        (TOKEN, {"X-Webhook-Token": "t0ken!"}, 401),
        (TOKEN, {"X-Voice-Token": "t0ken"}, 401),
        (TOKEN, {}, 401),
        ({**BASIC, **TOKEN}, {**basic("dialogflow", "s3cret"), "X-Webhook-Token": "t0ken"}, 200),
        ({**BASIC, **TOKEN}, basic("dialogflow", "s3cret"), 401),
    ],
    ids=[
        "open",
        "basic-ok",
        "basic-wrong-password",
        "basic-wrong-user",
        "basic-missing",
        "basic-other-scheme",
        "token-ok",
        "token-wrong",
        "token-other-header",
        "token-missing",
        "both-ok",
        "both-one-missing",
    ],
)
def test_authentication(
    client_for: ClientFor, recorder: Recorder, settings: dict[str, str], headers: dict[str, str], status: int
) -> None:
    response = client_for(recorder, **settings).post(
        "/dialogflow", json=fixture("order_status_en"), headers=headers
    )
    assert response.status_code == status
    if status == 401:
        assert response.get_json()["error"]["status"] == 401
        assert recorder.turns == []


def test_unauthenticated_requests_are_refused_before_the_body_is_read(
    client_for: ClientFor, recorder: Recorder
) -> None:
    response = client_for(recorder, **TOKEN).post("/dialogflow", data="{not json", content_type="text/plain")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda body: body.pop("session"), "session"),
        (lambda body: body.pop("queryResult"), "queryResult"),
        (lambda body: body["queryResult"].pop("languageCode"), "queryResult.languageCode"),
        (lambda body: body["queryResult"].update(parameters=[1, 2]), "queryResult.parameters"),
        (lambda body: body["queryResult"]["intent"].update(displayName=7), "queryResult.intent.displayName"),
    ],
    ids=["session", "queryResult", "languageCode", "parameters", "displayName"],
)
def test_missing_or_wrong_fields_are_400(
    client_for: ClientFor, recorder: Recorder, mutate: Any, message: str
) -> None:
    body = fixture("order_status_en")
    mutate(body)
    response = client_for(recorder).post("/dialogflow", json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"DIALOGFLOW_PASSWORD": "s3cret"}, "dialogflow_password is set without dialogflow_username"),
        ({"dialogflow_intent_map": ["opening.hours"]}, "it must be a table of Dialogflow intent name"),
        ({"dialogflow_reparse": "yes"}, "dialogflow_reparse = 'yes'; it must be true or false"),
        ({"dialogflow_api_version": "v3"}, 'it must be the Dialogflow API version the gateway calls, "v2"'),
    ],
    ids=["password-alone", "intent-map-list", "reparse-string", "api-version"],
)
def test_dialogflow_settings_of_the_wrong_shape_are_refused(
    client_for: ClientFor, recorder: Recorder, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        client_for(recorder, **settings)
