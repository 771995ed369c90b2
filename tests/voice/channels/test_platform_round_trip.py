"""One skill definition gives a handler the same slot value on every channel.

Each case is typed in chat first. Then Alexa and Dialogflow send the same words as they would, read
from the skill's real exports on disk: a list value by the export's entity id and name (Alexa's entity
resolution) or by its entry's reference value (Dialogflow), a built-in type in the platform's own form
(AMAZON.DATE ``2027-12-02``, @sys.date ``2027-12-02T12:00:00+01:00`` ...), a pattern slot as the
words heard. The handler must get the value and id that chat gave it, in English and in Dutch.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from voice import SlotValue, build_assistant
from voice.assistant import MEMORY_STORE, Assistant
from voice.builtins import SPEAK_LANGUAGE
from voice.channels.chat import ChatChannel
from voice.config import Config
from voice.export import alexa_package, dialogflow_agent
from voice.server import create_app

SKILL = Path(__file__).parent / "round_trip_skill"
REQUESTS = Path(__file__).resolve().parents[3] / "fixtures" / "requests"
LOCALES = {"en": "en-US", "nl": "nl-NL"}


@dataclass(frozen=True, slots=True)
class Case:
    """An intent said in each language: the sentence (``{}`` for the slot's words), the words, and
    the value chat gives for them; the list id is the same in every language."""

    intent: str
    slot: str
    said: dict[str, tuple[str, str, Any]]
    id: str | None = None
    heard: Any = None
    """The value the platform makes of the words, where it is not chat's (a range's multiplier is ours)."""

    def sent(self, language: str) -> tuple[str, Any]:
        """The words and the value a platform resolves them to."""
        _, words, value = self.said[language]
        return words, value if self.heard is None else self.heard


CASES = {
    "list-with-id": Case(
        "BikeRepair",
        "bike",
        {
            "en": ("how much is a repair of a {}", "road bike", "racing bike"),
            "nl": ("wat kost een reparatie van een {}", "koersfiets", "racefiets"),
        },
        id="racing",
    ),
    "list-id-alexa-rewrites": Case(  # Alexa gets an id of its own characters for "e-bike"
        "BikeRepair",
        "bike",
        {
            "en": ("how much is a repair of a {}", "electric bike", "e-bike"),
            "nl": ("wat kost een reparatie van een {}", "elektrische fiets", "e-bike"),
        },
        id="e-bike",
    ),
    "list-no-id": Case(
        "FavouriteColour",
        "colour",
        {
            "en": ("my favourite colour is {}", "red", "red"),
            "nl": ("mijn lievelingskleur is {}", "rood", "rood"),
        },
    ),
    "list-out-no-id": Case(
        "FavouriteColour",
        "colour",
        {
            "en": ("my favourite colour is {}", "dark blue", "navy"),
            "nl": ("mijn lievelingskleur is {}", "donkerblauw", "marineblauw"),
        },
    ),
    "list-words-as-value": Case(  # no out: the value is the words said
        "FavouriteColour",
        "colour",
        {
            "en": ("my favourite colour is {}", "lime", "lime"),
            "nl": ("mijn lievelingskleur is {}", "limoen", "limoen"),
        },
    ),
    "range": Case(
        "TableFor",
        "people",
        {"en": ("a table for {} people", "four", 4), "nl": ("een tafel voor {} personen", "vier", 4)},
    ),
    "range-multiplier": Case(
        "Discount",
        "discount",
        {
            "en": ("a discount of {} percent", "fifty", 0.5),
            "nl": ("een korting van {} procent", "vijftig", 0.5),
        },
        heard=50,
    ),
    "number": Case(
        "Seats", "seats", {"en": ("book {} seats", "five", 5), "nl": ("reserveer {} plaatsen", "vijf", 5)}
    ),
    "date": Case(
        "Visit",
        "date",
        {
            "en": ("can i come on {}", "december 2nd 2027", dt.date(2027, 12, 2)),
            "nl": ("kan ik op {} komen", "2 december 2027", dt.date(2027, 12, 2)),
        },
    ),
    "time": Case(
        "Visit",
        "time",
        {
            "en": ("can i come at {}", "3:15 pm", dt.time(15, 15)),
            "nl": ("kan ik om {} komen", "kwart over drie 's middags", dt.time(15, 15)),
        },
    ),
    "duration": Case(
        "Remind",
        "duration",
        {
            "en": ("remind me in {}", "ten minutes", dt.timedelta(minutes=10)),
            "nl": ("herinner me over {}", "tien minuten", dt.timedelta(minutes=10)),
        },
    ),
    "percentage": Case(
        "Remind",
        "percentage",
        {
            "en": ("set the volume to {}", "fifty percent", 50),
            "nl": ("zet het volume op {}", "vijftig procent", 50),
        },
    ),
    "pattern": Case(
        "Postcode",
        "postcode",
        {
            "en": ("my postcode is {}", "one two three four a b", "1234 AB"),
            "nl": ("mijn postcode is {}", "een twee drie vier a b", "1234 AB"),
        },
    ),
}

_Form = Callable[[Any, str], Any]
ALEXA_FORMS: dict[str, _Form] = {
    "AMAZON.NUMBER": lambda value, words: str(value),
    "AMAZON.DATE": lambda value, words: value.isoformat(),
    "AMAZON.TIME": lambda value, words: f"{value:%H:%M}",
    "AMAZON.DURATION": lambda value, words: f"PT{value // dt.timedelta(minutes=1)}M",
    "AMAZON.SearchQuery": lambda value, words: words,
}
"""How Alexa sends a built-in type's value (its documented forms)."""
DIALOGFLOW_FORMS: dict[str, _Form] = {
    "@sys.number": lambda value, words: float(value),
    "@sys.date": lambda value, words: f"{value.isoformat()}T12:00:00+01:00",
    "@sys.time": lambda value, words: f"2026-11-29T{value:%H:%M:%S}+01:00",
    "@sys.duration": lambda value, words: {"amount": value // dt.timedelta(minutes=1), "unit": "min"},
    "@sys.percentage": lambda value, words: f"{value}%",
    "@sys.any": lambda value, words: words,
}
"""How Dialogflow sends a system entity's value (numbers as floats, dates and times as date-times)."""


@dataclass(frozen=True, slots=True)
class Exports:
    """The skill's exports as read back from disk."""

    alexa: dict[str, dict[str, Any]]
    """Language -> the interaction model's languageModel."""
    dialogflow: dict[str, Any]
    """Path in the agent zip -> its JSON."""


@pytest.fixture(scope="module")
def assistant() -> Iterator[Assistant]:
    built = build_assistant(Config(skills=(str(SKILL),)), store=MEMORY_STORE)
    yield built
    built.close()


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> FlaskClient:
    return create_app({"alexa_verify": False}, assistant=assistant).test_client()


@pytest.fixture(scope="module")
def exports(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Exports:
    folder = tmp_path_factory.mktemp("exports")
    skill = assistant.router.skills["round_trip"]
    alexa = {}
    for language, locale in LOCALES.items():
        path = alexa_package(skill, locale).write(folder / locale)
        alexa[language] = json.loads(path.read_text())["interactionModel"]["languageModel"]
    with zipfile.ZipFile(dialogflow_agent(skill).write(folder / "agent.zip")) as archive:
        agent = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    return Exports(alexa, agent)


@pytest.fixture(scope="module")
def seen(assistant: Assistant) -> list[dict[str, SlotValue]]:
    """What the skill's handlers were given (its module's own list)."""
    handler = assistant.router.skills["round_trip"].handlers["BikeRepair"]
    found: list[dict[str, SlotValue]] = inspect.getmodule(handler).SEEN  # type: ignore[union-attr]
    return found


def handled(seen: list[dict[str, SlotValue]], slot: str, answer: Callable[[], str]) -> SlotValue:
    before = len(seen)
    assert answer().startswith("Noted.")  # on a call "anything else?" follows
    assert len(seen) == before + 1, "the handler was not called"
    return seen[-1][slot]


def in_chat(assistant: Assistant, case: Case, language: str) -> Callable[[], str]:
    template, words, _ = case.said[language]
    channel = ChatChannel(LOCALES[language])
    return lambda: assistant.respond(channel.to_turn(template.format(words))).text


def from_alexa(
    client: FlaskClient, exports: Exports, case: Case, language: str, *, resolved: bool = True
) -> Callable[[], str]:
    """``resolved=False``: a list value as Alexa sends it without entity resolution, the words alone."""
    model = exports.alexa[language]
    words, value = case.sent(language)
    intent = next(i for i in model["intents"] if i["name"] == case.intent)
    kind = next(s["type"] for s in intent["slots"] if s["name"] == case.slot)
    custom = {t["name"]: t["values"] for t in model["types"]}
    slot: dict[str, Any] = {"name": case.slot, "confirmationStatus": "NONE", "source": "USER", "value": words}
    if kind in custom and resolved:  # entity resolution: the value whose name or synonym was said
        entry = next(v for v in custom[kind] if words in (v["name"]["value"], *v["name"]["synonyms"]))
        match = {"name": entry["name"]["value"], "id": entry["id"]}
        authority = {
            "authority": f"amzn1.er-authority.echo-sdk.x.{kind}",
            "status": {"code": "ER_SUCCESS_MATCH"},
        }
        slot["resolutions"] = {"resolutionsPerAuthority": [{**authority, "values": [{"value": match}]}]}
    elif kind not in custom:
        slot["value"] = ALEXA_FORMS[kind](value, words)
    envelope: dict[str, Any] = json.loads((REQUESTS / "alexa" / "opening_hours_day.json").read_text())
    envelope["session"]["sessionId"] = f"amzn1.echo-api.session.{uuid.uuid4()}"
    envelope["request"]["locale"] = LOCALES[language]
    envelope["request"]["timestamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope["request"]["intent"] = {
        "name": case.intent,
        "confirmationStatus": "NONE",
        "slots": {case.slot: slot},
    }

    def answer() -> str:
        response = client.post("/alexa", json=envelope)
        assert response.status_code == 200, response.get_data(as_text=True)
        ssml: str = response.get_json()["response"]["outputSpeech"]["ssml"]
        return ssml.removeprefix("<speak>").removesuffix("</speak>")

    return answer


def from_dialogflow(client: FlaskClient, exports: Exports, case: Case, language: str) -> Callable[[], str]:
    agent = exports.dialogflow
    words, value = case.sent(language)
    parameters = agent[f"intents/{case.intent}.json"]["responses"][0]["parameters"]
    entity = next(p["dataType"] for p in parameters if p["name"] == case.slot)
    entries = agent.get(f"entities/{entity[1:]}_entries_{language}.json")
    if entries is not None:  # a custom entity: Dialogflow sends the entry's reference value
        sent = next(e["value"] for e in entries if words in e["synonyms"])
    else:
        sent = DIALOGFLOW_FORMS[entity](value, words)
    body: dict[str, Any] = json.loads((REQUESTS / "dialogflow" / "order_status_nl.json").read_text())
    session = f"projects/voice-skills-demo/agent/sessions/{uuid.uuid4()}"
    query = body["queryResult"]
    body["session"] = session
    sentence = case.said[language][0].format(words)
    query.update(queryText=sentence, parameters={case.slot: sent}, languageCode=language)
    query["intent"]["displayName"] = case.intent
    counters = {"no-input": 0, "no-match": 0, case.slot: sent, f"{case.slot}.original": words}
    query["outputContexts"] = [{"name": f"{session}/contexts/__system_counters__", "parameters": counters}]

    def answer() -> str:
        response = client.post("/dialogflow", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
        text: str = response.get_json()["fulfillmentText"]
        return text

    return answer


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("channel", ["alexa", "dialogflow"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_platform_gives_the_handler_what_chat_gives(
    case: Case,
    channel: str,
    language: str,
    assistant: Assistant,
    client: FlaskClient,
    exports: Exports,
    seen: list[dict[str, SlotValue]],
) -> None:
    chat = handled(seen, case.slot, in_chat(assistant, case, language))
    assert (chat.value, chat.id) == (case.said[language][2], case.id)
    sender = from_alexa if channel == "alexa" else from_dialogflow
    platform = handled(seen, case.slot, sender(client, exports, case, language))
    assert (platform.value, platform.id) == (chat.value, chat.id)
    assert type(platform.value) is type(chat.value)  # 4, not 4.0 or "4"


LISTED = [name for name, case in CASES.items() if name.startswith("list-")]


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("name", LISTED)
def test_list_words_alexa_did_not_resolve_are_read_as_chat_reads_them(
    name: str,
    language: str,
    assistant: Assistant,
    client: FlaskClient,
    exports: Exports,
    seen: list[dict[str, SlotValue]],
) -> None:
    """Without entity resolution (or with ER_SUCCESS_NO_MATCH) Alexa sends the words of a custom slot:
    "road bike" reaches the handler as chat gives it (racing bike, id racing), not as the words."""
    case = CASES[name]
    chat = handled(seen, case.slot, in_chat(assistant, case, language))
    platform = handled(seen, case.slot, from_alexa(client, exports, case, language, resolved=False))
    assert (platform.value, platform.id) == (chat.value, chat.id)


@pytest.mark.parametrize("words", ["unicycle", "road bike please"])
def test_list_words_that_say_no_value_count_as_not_given(
    words: str, client: FlaskClient, exports: Exports, seen: list[dict[str, SlotValue]]
) -> None:
    """Chat would not have matched them: the handler never gets a list slot's words raw."""
    case = Case("BikeRepair", "bike", {"en": ("how much is a repair of a {}", words, None)})
    assert from_alexa(client, exports, case, "en", resolved=False)().startswith("Noted.")
    assert "bike" not in seen[-1]


def test_the_exports_keep_list_ids_as_written(exports: Exports) -> None:
    """Alexa's entity resolution and Dialogflow's reference value send the list's id back as written;
    an id with characters Alexa may not take ("e-bike") gets one of its own, read back by name."""
    for language in LOCALES:
        bikes = next(t["values"] for t in exports.alexa[language]["types"] if t["name"] == "BikeType")
        assert [value["id"] for value in bikes] == ["cargo", "racing", "E_BIKE"]
        entries = exports.dialogflow[f"entities/bike_entries_{language}.json"]
        assert [entry["value"] for entry in entries] == ["cargo", "racing", "e-bike"]
    dutch = exports.dialogflow["entities/bike_entries_nl.json"][0]
    assert {"bakfiets", "bakfietsen"} <= set(dutch["synonyms"])


SPEAK = {
    "en": {"english": "Yes, I speak English.", "dutch": "I only speak English"},
    "nl": {"nederlands": "Ja, ik spreek Nederlands.", "engels": "alleen Nederlands"},
}
"""Per line language: the language asked about ("do you speak {}?"), and what the answer says."""


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("channel", ["alexa", "alexa-unresolved", "dialogflow"])
def test_do_you_speak_english_reaches_the_built_in_on_every_platform(
    channel: str, language: str, client: FlaskClient, exports: Exports
) -> None:
    """The built-in SpeakLanguage was in neither export: on Alexa "do you speak English?" was a fallback.
    Its language arrives as the code of the built-in list (``en``) by entity resolution or reference
    value, or as the words Alexa did not resolve, which are read through that list."""
    for words, told in SPEAK[language].items():
        case = Case(SPEAK_LANGUAGE, "language", {language: ("do you speak {}", words, None)})
        if channel == "dialogflow":
            answer = from_dialogflow(client, exports, case, language)
        else:
            answer = from_alexa(client, exports, case, language, resolved=channel == "alexa")
        said = answer()
        assert told in said, (words, said)
