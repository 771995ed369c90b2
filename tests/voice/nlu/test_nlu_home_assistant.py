"""Home Assistant's own templates: the done-when sentences, and agreement with hassil."""

from __future__ import annotations

from typing import Any

import pytest
from hassil import Intents, recognize_best
from hassil.intents import TextSlotList
from home_assistant_intents import get_intents
from nlu_data import HOMES, home_matcher

from voice.nlu import sample_sentences

SENTENCES = [
    ("nl", "doe de lampen in de keuken aan", {}, "HassTurnOn", {"area": "keuken", "domain": "light"}),
    ("nl", "Zet de plafondlamp uit, alsjeblieft", {}, "HassTurnOff", {"name": "plafondlamp"}),
    (
        "nl",
        "zet de lampen in de woonkamer op 50%",
        {},
        "HassLightSet",
        {"area": "woonkamer", "brightness": 50, "domain": "light"},
    ),
    ("nl", "zet een timer van vijf minuten", {}, "HassStartTimer", {"minutes": 5}),
    ("nl", "zet een timer van 5 minuten", {}, "HassStartTimer", {"minutes": 5}),
    ("nl", "doe de lampen aan", {"area": "keuken"}, "HassTurnOn", {"area": "keuken", "domain": "light"}),
    (
        "en",
        "turn on the lights in the living room",
        {},
        "HassTurnOn",
        {"area": "living room", "domain": "light"},
    ),
    ("en", "set a timer for twenty-five minutes", {}, "HassStartTimer", {"minutes": 25}),
    ("en", "turn off the ceiling fan", {}, "HassTurnOff", {"name": "ceiling fan"}),
]


@pytest.mark.parametrize(
    ("language", "text", "context", "intent", "slots"), SENTENCES, ids=[sentence[1] for sentence in SENTENCES]
)
def test_home_assistant_sentences(
    language: str,
    text: str,
    context: dict[str, Any],
    intent: str,
    slots: dict[str, Any],
) -> None:
    found = home_matcher(language).match(text, context=context)
    assert found is not None and found.intent == intent and found.skill == "homeassistant"
    assert {name: slot.value for name, slot in found.slots.items()} == slots


def _hassil(language: str) -> tuple[Intents, dict[str, TextSlotList]]:
    home = HOMES[language]
    lists = {
        "area": TextSlotList.from_strings(home["area"]),
        "floor": TextSlotList.from_strings(home["floor"]),
        "name": TextSlotList.from_tuples([(n, n, {"domain": d}) for n, d in home["name"]]),
    }
    return Intents.from_dict(get_intents(language) or {}), lists


@pytest.mark.parametrize("language", ["nl", "en"])
def test_agrees_with_hassil_on_sampled_sentences(language: str) -> None:
    matcher = home_matcher(language)
    intents, lists = _hassil(language)
    texts = sorted({sample.text for sample in sample_sentences(matcher, limit=1, seed=7)})[::12]
    compared = 0
    for text in texts:
        theirs = recognize_best(text, intents, slot_lists=lists, language=language)
        if theirs is None:
            continue
        ours = matcher.match(text)
        compared += 1
        assert ours is not None, text
        assert (ours.intent, {k: v.value for k, v in ours.slots.items()}) == (
            theirs.intent.name,
            {k: e.value for k, e in theirs.entities.items()},
        ), text
    assert compared > 30
