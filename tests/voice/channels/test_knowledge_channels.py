"""Content answers through the platforms (issue 14, deliverable 8): Alexa's ``Question`` intent and
Dialogflow's fallback carry a caller's question to the knowledge base, through the production app
(dialog, SQLite store, the shipped skill's FAQ) and the exports that make the platforms send them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from voice import Skill, load_skill
from voice.export import alexa_package, check_interaction_model, dialogflow_agent
from voice.export.alexa_question import CARRIER_PHRASES

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "requests"


@pytest.fixture
def built_index() -> None:
    """The shipped skill's indexes in the test session's cache, where the server looks for them: the
    first question of a server without one builds it, which can take longer than Alexa waits."""
    from voice.knowledge import KnowledgeBase

    for language in ("en", "nl"):
        KnowledgeBase.load(ROOT / "skills" / "customer_service", language)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    from voice.server import create_app

    folder = tmp_path_factory.mktemp("server")
    config = folder / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{folder / "s.db"}"\n')
    app = create_app({"VOICE_CONFIG": str(config), "ALEXA_VERIFY": False})
    app.extensions["voice.assistant"].wait_until_ready(300)  # a server loads its FAQ in the background
    yield app.test_client()
    app.extensions["voice.assistant"].close()


def fixture(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / kind / f"{name}.json").read_text())
    return data


def question(
    query: str, *, locale: str = "en-US", session: str = "s1", request: str = "r1"
) -> dict[str, Any]:
    """The fixture's Question request with ``query`` as the spoken words."""
    body = copy.deepcopy(fixture("alexa", "question"))
    body["session"]["sessionId"] = f"amzn1.echo-api.session.{session}"
    body["request"].update(locale=locale, requestId=f"amzn1.echo-api.request.{request}")
    slot = body["request"]["intent"]["slots"]["query"]
    slot["value"] = slot["slotValue"]["value"] = query
    return body


@pytest.fixture(autouse=True)
def _built(built_index: None) -> None:
    """Every test here asks the shipped FAQ."""


def alexa(client: FlaskClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/alexa", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    response: dict[str, Any] = answer.get_json()["response"]
    return response


def said(response: dict[str, Any]) -> str:
    ssml: str = response["outputSpeech"]["ssml"]
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


@pytest.mark.parametrize(
    ("locale", "query", "answer"),
    [
        ("en-US", "how much is shipping to belgium", "Shipping to Belgium costs"),
        ("nl-NL", "wat kost verzenden naar belgië", "Verzending naar België kost"),
    ],
)
def test_the_question_intent_is_answered_from_the_faq(
    client: FlaskClient, locale: str, query: str, answer: str
) -> None:
    response = alexa(client, question(query, locale=locale, session=f"faq-{locale}", request=f"faq-{locale}"))
    assert said(response).startswith(answer)
    assert response["card"]["type"] == "Simple" and "https://www.example.com/" in response["card"]["content"]
    assert "directives" not in response and response["shouldEndSession"] is False


def test_a_confirmation_after_a_question_is_plain_speech_and_yes_takes_it(client: FlaskClient) -> None:
    asked = alexa(client, question("how do i return something", session="confirm", request="c1"))
    assert said(asked) == "Do you mean: How do I send an item back?"
    assert "directives" not in asked and asked["shouldEndSession"] is False
    yes = fixture("alexa", "question")
    yes["session"]["sessionId"] = "amzn1.echo-api.session.confirm"
    yes["request"].update(requestId="amzn1.echo-api.request.c2", intent={"name": "AMAZON.YesIntent"})
    assert "returns form" in said(alexa(client, yes))


def test_filler_to_the_question_back_is_plain_speech_and_yes_still_takes_it(client: FlaskClient) -> None:
    """ "Uhm" (the custom ``Wait`` intent) to "Do you mean ...?" asks it again, and went with
    ``Dialog.ConfirmIntent``, which Alexa refuses on an intent without a dialog model."""
    alexa(client, question("how do i return something", session="filler", request="f1"))
    turns: dict[str, dict[str, Any]] = {}
    for request, intent in (("f2", "Wait"), ("f3", "AMAZON.YesIntent")):
        body = fixture("alexa", "question")
        body["session"]["sessionId"] = "amzn1.echo-api.session.filler"
        body["request"].update(requestId=f"amzn1.echo-api.request.{request}", intent={"name": intent})
        turns[intent] = alexa(client, body)
    waited = turns["Wait"]
    assert said(waited).endswith("Do you mean: How do I send an item back?")
    assert "directives" not in waited and waited["shouldEndSession"] is False
    assert "returns form" in said(turns["AMAZON.YesIntent"])


def test_a_question_that_an_intent_matches_reaches_the_intent(client: FlaskClient) -> None:
    response = alexa(client, question("what time do you open on monday", session="hours", request="h1"))
    assert said(response) == "On Monday we are open from 9:00 to 17:30."


def test_a_question_without_words_is_the_fallback(client: FlaskClient) -> None:
    body = question("", session="empty", request="e1")
    del body["request"]["intent"]["slots"]["query"]["value"]
    assert said(alexa(client, body)).startswith("Sorry")


def test_dialogflow_fallback_with_an_faq_question_gets_the_faq_answer(client: FlaskClient) -> None:
    body = fixture("dialogflow", "fallback_nl")
    body["queryResult"]["queryText"] = "wat kost verzending naar belgië"
    answer = client.post("/dialogflow", json=body)
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["fulfillmentText"].startswith("Verzending naar België kost 6,95 euro")
    card = next(m["card"] for m in data["fulfillmentMessages"] if "card" in m)
    assert card["title"] == "Wat kost verzending naar België?"


# -- the exports that make the platforms send these requests ------------------------------------


@pytest.fixture(scope="module")
def skill() -> Skill:
    return load_skill("customer_service")


@pytest.mark.parametrize(("locale", "language"), [("en-US", "en"), ("nl-NL", "nl")])
def test_the_alexa_model_has_a_question_intent_with_carrier_phrases(
    skill: Skill, locale: str, language: str
) -> None:
    model = alexa_package(skill, locale).interaction_model
    assert check_interaction_model(model) == []
    intents = model["interactionModel"]["languageModel"]["intents"]
    found = next(intent for intent in intents if intent["name"] == "Question")
    assert found["slots"] == [{"name": "query", "type": "AMAZON.SearchQuery", "samples": []}]
    assert found["samples"] == list(CARRIER_PHRASES[language])
    assert all(sample.endswith("{query}") and sample != "{query}" for sample in found["samples"])


def test_a_skill_without_content_gets_no_question_intent(tmp_path: Path) -> None:
    folder = tmp_path / "clock"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Early:\n    data: [{sentences: ['wake me early']}]\n"
    )
    model = alexa_package(Skill("clock", folder), "en-US").interaction_model
    names = {intent["name"] for intent in model["interactionModel"]["languageModel"]["intents"]}
    assert "Early" in names and "Question" not in names


def test_the_dialogflow_fallback_intent_calls_the_webhook(skill: Skill) -> None:
    fallback = dialogflow_agent(skill).files["intents/Default Fallback Intent.json"]
    assert fallback["fallbackIntent"] is True and fallback["webhookUsed"] is True
    assert fallback["responses"][0]["action"] == "input.unknown"
