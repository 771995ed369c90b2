"""The pre-filter skips templates only when they cannot match, also for templated list values."""

from __future__ import annotations

from typing import Any

import pytest

from voice.nlu import IntentSet, Matcher
from voice.nlu.lists import ValueMatcher
from voice.nlu.needles import Haystack

DATA: dict[str, Any] = {
    "language": "nl",
    "intents": {
        "SetLevel": {"data": [{"sentences": ["zet [de] {lamp} op {level:brightness}"]}]},
        "LampOn": {"data": [{"sentences": ["{lamp} aan"]}]},
    },
    "lists": {
        "level": {
            "values": [
                {"in": "([het|de] max[imum]|maximaal)", "out": 100},
                {"in": "[de] helft", "out": 50},
                {"in": "uit", "out": 0},
            ]
        },
        "lamp": {"values": [{"in": "(kamer lamp|lees[ ]lamp)", "out": "lamp"}, "plafond"]},
    },
}


def _matcher() -> Matcher:
    return Matcher([IntentSet.from_dict(DATA)])


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("zet de kamer lamp op het maximum", "SetLevel", {"lamp": "lamp", "brightness": 100}),
        ("zet leeslamp op de helft", "SetLevel", {"lamp": "lamp", "brightness": 50}),
        ("zet plafond op uit", "SetLevel", {"lamp": "plafond", "brightness": 0}),
        ("kamer-lamp aan", "LampOn", {"lamp": "lamp"}),
        ("lees_lamp aan", "LampOn", {"lamp": "lamp"}),
        ("zet de kamer lamp op de kwart", None, {}),
    ],
)
def test_templated_values_still_match(text: str, intent: str | None, slots: dict[str, Any]) -> None:
    found = _matcher().match(text)
    assert (found and found.intent) == intent
    assert found is None or {name: slot.value for name, slot in found.slots.items()} == slots


def test_templated_values_give_presence_hints() -> None:
    level = next(
        matcher
        for matcher in _matcher()._lists.values()
        if isinstance(matcher, ValueMatcher) and any(v.value == 100 for v in matcher.values)
    )
    assert level.present(Haystack.of(["zet de lamp op maximaal"]), 0)
    assert not level.present(Haystack.of(["zet de lamp op een kwart"]), 0)
    assert level.present(Haystack.of(["zet de lamp op de helft"]), 2)
    assert not level.present(Haystack.of(["zet de lamp op de helft nu"]), 2)
    assert level.present(Haystack.of(["de helft"]), 1) and level.present(Haystack.of(["uit"]), 1)
    assert not level.present(Haystack.of(["zet de helft"]), 1)


def test_words_with_combining_marks_anchor_templates() -> None:
    # Devanagari vowel signs are not alphanumeric, yet such words are required text like any other
    data = {
        "language": "ne",
        "intents": {
            "On": {"data": [{"sentences": ["(अब|अहिले) बत्ती बाल (न|है)"]}]},
            "Off": {"data": [{"sentences": ["(अब|अहिले) बत्ती निभाऊ (न|है)"]}]},
        },
    }
    matcher = Matcher([IntentSet.from_dict(data)])
    found = matcher.match("अब बत्ती बाल न")
    assert found is not None and found.intent == "On"
    assert matcher._index.candidates(Haystack.of(["अब बत्ती बाल न"]), lambda key, where: True) == [0]
