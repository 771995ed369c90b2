"""Matching: intents and slots, context, wildcards, runtime lists, ranking, bad input."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from nlu_data import SHOP_NL, reset_people, shop_matcher

from voice.nlu import IntentSet, Matcher, TemplateError

UTTERANCES = [
    ("Hoe laat gaan jullie open?", "OpeningHours", {}),
    ("wat zijn de openingstijden", "OpeningHours", {}),
    ("  WAT   zijn jullie openingstijden!! ", "OpeningHours", {}),
    ("waar is mijn bestelling nummer 12345", "OrderStatus", {"order_id": 12345}),
    ("status van bestelling 77", "OrderStatus", {"order_id": 77}),
    ("zet een timer van 5 minuten", "SetTimer", {"minutes": 5}),
    ("zet een timer van vijf minuten", "SetTimer", {"minutes": 5}),
    ("zet een timer op tweeënveertig minuten", "SetTimer", {"minutes": 42}),
    ("zet een timer van anderhalf uur", "SetTimer", {"length": dt.timedelta(minutes=90)}),
    ("herinner me aan de melk kopen", "Remind", {"message": "de melk kopen"}),
    ("bel Anna de Vries", "CallPerson", {"person": "anna"}),
    ("bel piet alsjeblieft", "CallPerson", {"person": "Piet"}),
]


@pytest.mark.parametrize(("text", "intent", "slots"), UTTERANCES, ids=[u[0] for u in UTTERANCES])
def test_utterances(text: str, intent: str, slots: dict[str, Any]) -> None:
    found = shop_matcher().match(text)
    assert found is not None and found.intent == intent and found.skill == "shop"
    assert {name: slot.value for name, slot in found.slots.items()} == slots
    assert found.score == 1.0 and not found.is_fuzzy


def test_slot_carries_spoken_text_value_and_id() -> None:
    found = shop_matcher().match("bel Anna de Vries")
    assert found is not None
    person = found.slots["person"]
    assert (person.text, person.value, person.id) == ("Anna de Vries", "anna", "emp-17")
    assert found.text[slice(*person.span or (0, 0))] == "Anna de Vries"
    assert found.response == "calling" and found.template == "bel {person}"


CONTEXTS = [
    ("doe het licht hier aan", {"area": "keuken"}, "LightsHere", {"area": "keuken", "domain": "light"}),
    ("doe het licht hier aan", {}, None, {}),
    ("doe het licht aan", {}, "LightsAway", {}),
    ("doe het licht aan", {"mode": "stil"}, None, {}),
]


@pytest.mark.parametrize(
    ("text", "context", "intent", "slots"),
    CONTEXTS,
    ids=["requires-met", "requires-missing", "excludes-met", "excluded"],
)
def test_context_filters_candidates(
    text: str, context: dict[str, Any], intent: str | None, slots: dict[str, Any]
) -> None:
    found = shop_matcher().match(text, context=context)
    assert (found and found.intent) == intent
    assert found is None or {name: slot.value for name, slot in found.slots.items()} == slots


def test_ranked_alternatives_tie_break_on_intent_name() -> None:
    ranked = shop_matcher().match_all("doe het licht aan", context={"area": "keuken"})
    assert [found.intent for found in ranked] == ["LightsAway", "LightsHere"]
    assert [
        found.intent
        for found in shop_matcher().match_all("doe het licht aan", context={"area": "x"}, limit=1)
    ] == ["LightsAway"]


def test_runtime_list_replacement_without_recompiling() -> None:
    entries = shop_matcher().entries
    shop_matcher().set_list("person", ["Klaas"])
    try:
        assert shop_matcher().match("bel klaas") is not None and shop_matcher().match("bel piet") is None
        assert shop_matcher().entries == entries
    finally:
        reset_people(shop_matcher())


def test_skills_merge_and_each_match_knows_its_skill() -> None:
    other = {"language": "nl", "intents": {"Weather": {"data": [{"sentences": ["wat voor weer wordt het"]}]}}}
    matcher = Matcher([IntentSet.from_dict(SHOP_NL, skill="shop"), IntentSet.from_dict(other, skill="weer")])
    weather, hours = matcher.match("wat voor weer wordt het"), matcher.match("hoe laat gaan jullie open")
    assert weather is not None and (weather.skill, weather.intent) == ("weer", "Weather")
    assert hours is not None and (hours.skill, hours.intent) == ("shop", "OpeningHours")


def test_one_language_per_matcher() -> None:
    with pytest.raises(TemplateError, match="one language"):
        Matcher([IntentSet.from_dict(SHOP_NL), IntentSet.from_dict({"language": "en", "intents": {}})])


@pytest.mark.parametrize(
    "text",
    ["", "   ", "?!", None, 42, b"bel piet", "bel piet " * 1200, "x" * 10_000],
    ids=["empty", "blank", "punctuation", "none", "int", "bytes", "long-words", "long-blob"],
)
def test_bad_input_is_no_match_quickly(text: Any) -> None:
    matcher = shop_matcher()  # built before the clock starts: only the matching is timed
    started = time.perf_counter()
    assert matcher.match(text) is None and matcher.match_all(text) == ()
    took = time.perf_counter() - started
    # Guards against runaway matching on bad input, not a speed check (it takes milliseconds): a
    # loose bound, so a busy machine does not fail it.
    assert took < 1.0, f"matching took {took:.2f} s"


def test_to_dict_is_json_ready() -> None:
    found = shop_matcher().match("zet een timer van anderhalf uur")
    assert found is not None
    assert found.to_dict()["slots"] == {"length": {"text": "anderhalf uur", "value": 5400.0, "id": None}}


def test_wildcard_sentence_keeps_skip_words_inside() -> None:
    found = shop_matcher().match("herinner me aan graag iets kopen")
    assert found is not None and found.slots["message"].value == "graag iets kopen"


def test_a_rule_that_says_one_sets_skip_word_is_told_apart_per_set() -> None:
    """Two sets of one skill with other skip words: whether a rule says a skip word is asked per set."""

    def intents(name: str, skip: str) -> IntentSet:
        data = {
            "language": "en",
            "intents": {name: {"data": [{"sentences": [f"<thanks> {name.lower()}"]}]}},
            "expansion_rules": {"thanks": "thanks"},
            "skip_words": [skip],
        }
        return IntentSet.from_dict(data, skill="shop")

    matcher = Matcher([intents("Please", "please"), intents("Lot", "thanks")])
    found = matcher.match("thanks lot")
    assert found is not None and found.intent == "Lot"


DEVICES = {
    "language": "nl",
    "intents": {
        "TurnOnLight": {
            "data": [{"sentences": ["zet {device} aan"], "requires_context": {"domain": "light"}}]
        },
        "StartFan": {"data": [{"sentences": ["start {device}"], "excludes_context": {"domain": "light"}}]},
    },
    "lists": {
        "device": {
            "values": [
                {"in": "plafondlamp", "out": "ceiling_light", "context": {"domain": "light"}},
                {"in": "ventilator", "out": "fan", "context": {"domain": "fan"}},
                {"in": "woonkamer", "out": "living_room_light", "context": {"domain": "light"}},
                {"in": "woonkamer", "out": "living_room_fan", "context": {"domain": "fan"}},
            ]
        }
    },
}


SAID = {"TurnOnLight": "zet {} aan", "StartFan": "start {}"}


@pytest.mark.parametrize(
    ("intent", "words", "value"),
    [
        ("TurnOnLight", "plafondlamp", "ceiling_light"),
        ("TurnOnLight", "ventilator", None),  # a fan is no light: requires_context rules it out
        ("TurnOnLight", "woonkamer", "living_room_light"),
        ("StartFan", "woonkamer", "living_room_fan"),  # excludes_context skips the light of that name
        ("StartFan", "plafondlamp", None),
        (None, "ventilator", "fan"),  # no intent: every value of the list
    ],
)
def test_a_platform_s_list_words_are_read_within_the_intent_s_context_rules(
    intent: str | None, words: str, value: str | None
) -> None:
    matcher = Matcher([IntentSet.from_dict(DEVICES, skill="home")])
    found = matcher.list_value("home", "device", words, intent=intent)
    assert (found.value if found else None) == value
    if intent is not None:  # as typed chat reads the same words in that intent's sentence
        typed = matcher.match(SAID[intent].format(words))
        assert (typed.slots["device"].value if typed and typed.intent == intent else None) == value
