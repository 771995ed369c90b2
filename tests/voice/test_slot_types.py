"""The slot-type registry: a type registered in one place is matched, sampled, exported and stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from voice import JsonForm, SlotType, SlotValue, load_skill, register_slot_type
from voice.export import alexa_package, dialogflow_agent
from voice.nlu import (
    IntentSet,
    Matcher,
    SlotTypeError,
    TemplateError,
    sample_sentences,
    slot_types,
    unregister_slot_type,
)
from voice.slot_values import coerce, from_json, slot_from_json, slot_to_json, to_json

TUESDAY = dt.date(2026, 11, 24)
BUILT_IN = ("date", "duration", "number", "percentage", "time")


@dataclasses.dataclass(frozen=True, slots=True)
class Colour:
    rgb: str


_COLOURS = {
    "en": {"red": "#ff0000", "green": "#008000", "light blue": "#add8e6"},
    "nl": {"rood": "#ff0000", "groen": "#008000", "lichtblauw": "#add8e6"},
}


def _parse_colour(text: str, language: str, now: Any) -> Colour | None:
    rgb = _COLOURS.get(language.split("-")[0], {}).get(text.strip())
    return None if rgb is None else Colour(rgb)


def _platform_colour(value: Any, language: str, now: Any) -> Any:
    """Alexa's AMAZON.Color and Dialogflow's @sys.color send the colour's name in the turn's language."""
    return (_parse_colour(value.lower(), language, None) or value) if isinstance(value, str) else value


COLOUR = SlotType(
    name="colour",
    parse=_parse_colour,
    examples={"en": ("red", "light blue"), "nl": ("rood", "lichtblauw")},
    alexa="AMAZON.Color",
    dialogflow="@sys.color",
    from_platform=_platform_colour,
    json=(JsonForm(type=Colour, tag="$colour", encode=lambda colour: colour.rgb, decode=Colour),),
)
TEMPLATES = {"en": "paint [it] {colour}", "nl": "verf [het] {colour}"}


@pytest.fixture
def colour() -> Iterator[SlotType]:
    register_slot_type(COLOUR)
    yield COLOUR
    unregister_slot_type(COLOUR.name)


def _matcher(language: str) -> Matcher:
    data = {"language": language, "intents": {"Paint": {"data": [{"sentences": [TEMPLATES[language]]}]}}}
    return Matcher([IntentSet.from_dict(data, skill="painter")])


@pytest.mark.usefixtures("colour")
@pytest.mark.parametrize(
    ("language", "text", "rgb"),
    [("en", "paint it light blue", "#add8e6"), ("nl", "verf het rood", "#ff0000")],
    ids=["en", "nl"],
)
def test_a_registered_type_is_matched_without_a_list(language: str, text: str, rgb: str) -> None:
    match = _matcher(language).match(text)
    assert match is not None and match.intent == "Paint"
    assert match.value("colour") == Colour(rgb)
    assert match.to_dict()["slots"]["colour"]["value"] == rgb


def test_an_unregistered_type_is_an_unknown_list() -> None:
    with pytest.raises(TemplateError, match=r"unknown list \{colour\}"):
        _matcher("en")


@pytest.mark.usefixtures("colour")
@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", {"paint it red", "paint light blue"}), ("nl", {"verf het rood", "verf lichtblauw"})],
    ids=["en", "nl"],
)
def test_its_examples_are_sample_sentences(language: str, expected: set[str]) -> None:
    texts = {sample.text for sample in sample_sentences(_matcher(language), limit=20)}
    assert expected <= texts


@pytest.fixture
def painter(tmp_path: Path, colour: SlotType) -> Any:
    folder = tmp_path / "painter"
    for language, template in TEMPLATES.items():
        (folder / "locales" / language).mkdir(parents=True)
        intents = f"""
            language: {language}
            intents:
              Paint:
                data: [{{sentences: ["{template}"]}}]
        """
        (folder / "locales" / language / "intents.yaml").write_text(textwrap.dedent(intents))
        responses = "responses: {Paint: 'OK.'}\n"
        (folder / "locales" / language / "responses.yaml").write_text(responses)
    (folder / "__init__.py").write_text('from voice import Skill\nskill = Skill("painter", __file__)\n')
    return load_skill(folder)


def test_exports_declare_its_platform_types(painter: Any) -> None:
    language = alexa_package(painter, "en-US").interaction_model["interactionModel"]["languageModel"]
    paint = next(intent for intent in language["intents"] if intent["name"] == "Paint")
    assert paint["slots"][0]["type"] == "AMAZON.Color"
    assert {"paint it {colour}", "paint {colour}"} <= set(paint["samples"])
    files = dialogflow_agent(painter).files
    parameters = files["intents/Paint.json"]["responses"][0]["parameters"]
    assert [(p["name"], p["dataType"]) for p in parameters] == [("colour", "@sys.color")]
    phrases = files["intents/Paint_usersays_nl.json"]
    slots = {(part["text"], part.get("meta")) for phrase in phrases for part in phrase["data"]}
    assert ("rood", "@sys.color") in slots


@pytest.mark.usefixtures("colour")
def test_its_values_round_trip_through_json() -> None:
    slot = SlotValue(text="rood", value=Colour("#ff0000"), id=None)
    stored = json.loads(json.dumps(slot_to_json(slot)))
    assert stored["value"] == {"$colour": "#ff0000"}
    assert slot_from_json(stored) == slot
    assert from_json(to_json(Colour("#008000"))) == Colour("#008000")


@pytest.mark.usefixtures("colour")
def test_coerce_turns_its_platform_value_into_its_value() -> None:
    slots = coerce(
        {"c": SlotValue(text="red", value="Red"), "n": SlotValue(text="x", value="4")},
        {"c": "colour"},
        language="en",
    )
    assert slots["c"].value == Colour("#ff0000") and slots["c"].text == "red"
    assert slots["n"].value == "4"  # no kind, no conversion
    dutch = coerce({"c": SlotValue(text="rood", value="rood")}, {"c": "colour"}, language="nl")
    assert dutch["c"].value == Colour("#ff0000")  # read in the turn's language


def test_a_platform_reader_without_the_language_is_refused() -> None:
    """A reader written for ``(value, now)`` would fail on every platform turn: refused at once."""
    old = dataclasses.replace(COLOUR, from_platform=lambda value, now: value)
    with pytest.raises(SlotTypeError, match=r"from_platform must take \(value, language, now\)"):
        register_slot_type(old)


@pytest.mark.parametrize("name", [t.name for t in slot_types()])
@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_registered_type_is_complete(name: str, language: str) -> None:
    found = next(t for t in slot_types() if t.name == name)
    assert found.examples.get(language), f"{name} has no {language} examples"
    for words in found.examples[language]:
        assert found.parse(words, language, TUESDAY) is not None, f"{name} cannot parse its own {words!r}"
    assert found.alexa.startswith("AMAZON.") and found.dialogflow.startswith("@sys.")


def test_the_built_in_types_are_registered() -> None:
    assert set(BUILT_IN) <= {t.name for t in slot_types()}


@pytest.mark.parametrize(
    ("stored", "value"),
    [
        ({"$date": "2026-11-24"}, TUESDAY),
        ({"$time": "15:30:00"}, dt.time(15, 30)),
        ({"$datetime": "2026-11-24T15:30:00"}, dt.datetime(2026, 11, 24, 15, 30)),
        ({"$seconds": 5400.0}, dt.timedelta(minutes=90)),
        ({"$unknown": 1}, {"$unknown": 1}),
    ],
    ids=["date", "time", "datetime", "duration", "untagged"],
)
def test_stored_encodings_still_load(stored: dict[str, Any], value: Any) -> None:
    assert from_json(stored) == value
    assert to_json(value) == stored


@pytest.mark.usefixtures("colour")
@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, "that name is taken"),
        ({"name": "values"}, "is a kind of list"),
        ({"name": "two words"}, "must be a word"),
        ({"name": "hue", "examples": {"nl": ("rood",)}}, "example words for English"),
        ({"name": "hue", "dialogflow": "sys.color"}, "Dialogflow entity starting with @"),
        ({"name": "hue"}, "already stores Colour values"),
        (
            {"name": "hue", "json": (JsonForm(type=str, tag="date", encode=str, decode=str),)},
            "must start with",
        ),
    ],
    ids=["taken", "kind", "name", "english", "dialogflow", "json-type", "json-tag"],
)
def test_registration_mistakes_are_refused(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(SlotTypeError, match=problem):
        register_slot_type(dataclasses.replace(COLOUR, **changes))


def test_unregistering_an_unknown_type_is_refused() -> None:
    with pytest.raises(SlotTypeError, match="no slot type 'hue'"):
        unregister_slot_type("hue")
