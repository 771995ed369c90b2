"""A question asked instead of a free-text slot's value, through Alexa and Dialogflow: the platforms put
the caller's words in the slot (the order number's wildcard, a pattern slot's ``AMAZON.SearchQuery`` or
``@sys.any``), and the reply is the FAQ answer with the slot's question after it, as in chat
(docs/dialogs.md). An answer to the question ("geen idee", a number in words) is not taken for a question."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from voice import Expect, build_assistant
from voice.assistant import MEMORY_STORE, Assistant
from voice.channels.chat import ChatChannel
from voice.config import Config
from voice.nlu.dates import spoken_date
from voice.server import create_app
from voice.ssml import spoken_text

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "requests"
REPAIR_SKILL = Path(__file__).resolve().parent / "repair_skill"


@dataclass(frozen=True)
class Shop:
    """A skill's flow with a free-text slot, in one language."""

    skill: str
    intent: str
    slot: str
    locale: str
    opening: str
    """What a caller types to start the flow in chat."""
    question: str
    """The slot's question, as spoken."""
    unknown: str
    """What the slot's validator says to a value it refuses."""


SHOPS = {
    "order-en": Shop(
        "customer_service",
        "OrderStatus",
        "order_number",
        "en-US",
        "where is my order",
        "What is your order number?",
        "Sorry, I didn't catch a number.",
    ),
    "order-nl": Shop(
        "customer_service",
        "OrderStatus",
        "order_number",
        "nl-NL",
        "waar is mijn bestelling",
        "Wat is uw bestelnummer?",
        "Sorry, ik hoorde geen nummer.",
    ),
    "repair-en": Shop(
        str(REPAIR_SKILL),
        "RepairStatus",
        "repair_number",
        "en-US",
        "is my bike ready",
        "What is your repair number?",
        "I don't know that repair number.",
    ),
    "repair-nl": Shop(
        str(REPAIR_SKILL),
        "RepairStatus",
        "repair_number",
        "nl-NL",
        "is mijn fiets klaar",
        "Wat is uw reparatienummer?",
        "Dat reparatienummer ken ik niet.",
    ),
}
QUESTIONS = {
    "order-en": ("how much does shipping cost", "Shipping within the Netherlands costs 4.95 euros"),
    "order-nl": ("wat zijn de verzendkosten eigenlijk", "Verzending binnen Nederland kost 4,95 euro"),
    "repair-en": ("can I park at your place", "There is free parking behind the building."),
    "repair-nl": ("kan ik bij jullie parkeren", "Er is gratis parkeergelegenheid achter het gebouw."),
}
DELIVERED = dt.date.today() - dt.timedelta(days=3)
"""When the sample order 4321 was delivered (``data/orders.json``: three days ago)."""
ANSWERS = {
    "order-en": ("four three two one", f"Order 4 3 2 1 was delivered on {spoken_date(DELIVERED, 'en')}."),
    "order-nl": ("vier drie twee een", f"Bestelling 4 3 2 1 is op {spoken_date(DELIVERED, 'nl')} bezorgd."),
    "repair-en": ("four seven one one", "Repair 4711 is ready."),
    "repair-nl": ("vier zeven een een", "Reparatie 4711 is klaar."),
}
NOT_QUESTIONS = {
    "order-en": ("no idea", "nine nine nine nine"),
    "order-nl": ("geen idee", "negen negen negen negen"),
    "repair-en": ("no idea", "nine nine nine nine"),
    "repair-nl": ("geen idee", "negen negen negen negen"),
}
PLATFORMS = ("alexa", "dialogflow")
CHANNELS = (*PLATFORMS, "chat")


@pytest.fixture(scope="module")
def assistants() -> Iterator[dict[str, Assistant]]:
    """One assistant per skill (each FAQ answers its own questions), its content loaded as a server loads it
    before the first caller (a first question that loads it misses Dialogflow's deadline)."""
    assistants: dict[str, Assistant] = {}
    for skill in dict.fromkeys(shop.skill for shop in SHOPS.values()):
        assistants[skill] = build_assistant(Config(skills=(skill,)), store=MEMORY_STORE, serving=True)
        assert assistants[skill].wait_until_ready(300)
    yield assistants
    for assistant in assistants.values():
        assistant.close()


@dataclass(frozen=True)
class Said:
    """What the caller heard, and the slot the reply waits for (None: it waits for none)."""

    text: str
    waits_for: str | None


class Conversation:
    """One session of ``shop`` on one channel: the flow's intent, with or without the slot's words."""

    def __init__(self, assistant: Assistant, channel: str, shop: Shop) -> None:
        self.assistant, self.channel, self.shop = assistant, channel, shop
        self.client = create_app({"alexa_verify": False}, assistant=assistant).test_client()
        self.session = str(uuid.uuid4())

    def say(self, words: str | None = None) -> Said:
        if self.channel == "chat":
            return self._chat(words or self.shop.opening)
        body = self._alexa(words) if self.channel == "alexa" else self._dialogflow(words)
        response = self.client.post(f"/{self.channel}", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        data: dict[str, Any] = response.get_json()
        return _alexa_said(data) if self.channel == "alexa" else _dialogflow_said(data)

    def _chat(self, line: str) -> Said:
        reply = self.assistant.respond(ChatChannel(self.shop.locale, self.session).to_turn(line))
        return Said(reply.text, reply.slot if reply.expect is Expect.SLOT else None)

    def _alexa(self, words: str | None) -> dict[str, Any]:
        """An IntentRequest of Alexa's dialog model: the intent, then the elicited slot's words."""
        body: dict[str, Any] = copy.deepcopy(_fixture("alexa", "order_status"))
        body["session"]["sessionId"] = f"amzn1.echo-api.session.{self.session}"
        request = body["request"]
        slot = {"name": self.shop.slot, "confirmationStatus": "NONE"}
        if words is not None:
            slot.update(value=words, source="USER", slotValue={"type": "Simple", "value": words})
        request.update(
            requestId=f"amzn1.echo-api.request.{uuid.uuid4()}",
            locale=self.shop.locale,
            dialogState="STARTED" if words is None else "IN_PROGRESS",
            intent={"name": self.shop.intent, "confirmationStatus": "NONE", "slots": {self.shop.slot: slot}},
        )
        return body

    def _dialogflow(self, words: str | None) -> dict[str, Any]:
        """A webhook request: the agent matched the intent, and its ``@sys.any`` parameter took the words."""
        body: dict[str, Any] = copy.deepcopy(_fixture("dialogflow", "order_status_en"))
        body["session"] = f"projects/voice-skills-demo/agent/sessions/{self.session}"
        body["responseId"] = str(uuid.uuid4())  # a repeated id is a retry: it gets the stored reply
        result = body["queryResult"]
        result.update(
            queryText=words or self.shop.opening,
            parameters={self.shop.slot: words} if words is not None else {},
            intent={**result["intent"], "displayName": self.shop.intent},
            languageCode=self.shop.locale.lower(),
            outputContexts=[],
        )
        return body


def _fixture(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / kind / f"{name}.json").read_text())
    return data


def _alexa_said(data: dict[str, Any]) -> Said:
    response = data["response"]
    ssml: str = response["outputSpeech"]["ssml"]
    elicit = [d for d in response.get("directives", ()) if d["type"] == "Dialog.ElicitSlot"]
    return Said(spoken_text(ssml), elicit[0]["slotToElicit"] if elicit else None)


def _dialogflow_said(data: dict[str, Any]) -> Said:
    voice = data["payload"]["voice"]
    waits = voice.get("slot") if voice.get("expect") == "slot" else None
    (item,) = data["payload"]["google"]["richResponse"]["items"]
    speech = item["simpleResponse"].get("ssml") or item["simpleResponse"]["textToSpeech"]
    return Said(spoken_text(speech), waits)


def _conversation(assistants: dict[str, Assistant], channel: str, shop: str) -> Conversation:
    found = SHOPS[shop]
    talk = Conversation(assistants[found.skill], channel, found)
    assert talk.say() == Said(found.question, found.slot)
    return talk


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("shop", SHOPS)
def test_a_question_for_a_free_text_slot_is_answered_and_the_slot_asked_again(
    assistants: dict[str, Assistant], channel: str, shop: str
) -> None:
    """The answer, the slot's question after it, and the flow still waits: the number is taken next."""
    talk = _conversation(assistants, channel, shop)
    question, answer = QUESTIONS[shop]
    asked = talk.say(question)
    assert asked.text.startswith(answer) and asked.text.endswith(f" {SHOPS[shop].question}")
    assert asked.waits_for == SHOPS[shop].slot
    number, done = ANSWERS[shop]
    assert talk.say(number) == Said(done, None)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("shop", SHOPS)
def test_a_number_in_words_fills_the_slot(assistants: dict[str, Assistant], channel: str, shop: str) -> None:
    """The platform's words are read in the caller's language, as the router reads them."""
    number, done = ANSWERS[shop]
    assert _conversation(assistants, channel, shop).say(number) == Said(done, None)


@pytest.mark.parametrize("channel", PLATFORMS)
@pytest.mark.parametrize("shop", SHOPS)
def test_an_answer_to_the_slots_question_is_no_question(
    assistants: dict[str, Assistant], channel: str, shop: str
) -> None:
    """ "geen idee" and a number that is not known are answers: the slot's validator says what is wrong
    (no FAQ guess takes them), and the question follows. (In chat, words that are no repair number match
    no intent: the fallback says it did not understand.)"""
    found = SHOPS[shop]
    for words in NOT_QUESTIONS[shop]:
        said = _conversation(assistants, channel, shop).say(words)
        assert said.waits_for == found.slot and said.text.endswith(f" {found.question}"), words
        if words in ("no idea", "geen idee"):
            assert said.text == f"{found.unknown} {found.question}"
