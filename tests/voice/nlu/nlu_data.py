"""Test data for the router tests: a small Dutch skill and a fake home for Home Assistant."""

from __future__ import annotations

from functools import cache
from typing import Any

from voice.nlu import IntentSet, Matcher

SHOP_NL: dict[str, Any] = {
    "language": "nl",
    "intents": {
        "OpeningHours": {
            "data": [
                {
                    "sentences": [
                        "hoe laat (gaan jullie open|is de winkel open)",
                        "wat zijn [de|jullie] openingstijden",
                    ]
                }
            ],
            "slots": {"prompts": {"day": "Welke dag?"}},
        },
        "OrderStatus": {
            "data": [
                {
                    "sentences": [
                        "waar is (mijn|de) bestelling [nummer] {order:order_id}",
                        "status van bestelling {order:order_id}",
                    ]
                }
            ],
        },
        "SetTimer": {
            "data": [
                {
                    "sentences": [
                        "zet een timer (van|op) {minutes} minuten",
                        "zet een timer (van|op) {duration:length}",
                    ]
                }
            ]
        },
        "Remind": {"data": [{"sentences": ["herinner me (aan|om) {message}"]}]},
        "CallPerson": {"data": [{"sentences": ["bel {person}"], "response": "calling"}]},
        "LightsHere": {
            "data": [
                {
                    "sentences": ["doe het licht [hier] aan"],
                    "slots": {"domain": "light"},
                    "requires_context": {"area": {"slot": True}},
                }
            ],
        },
        "LightsAway": {
            "data": [
                {
                    "sentences": ["doe het licht aan"],
                    "excludes_context": {"mode": "stil"},
                    "metadata": {"kind": "everywhere"},
                }
            ],
        },
    },
    "lists": {
        "order": {"range": {"from": 1, "to": 99999}},
        "minutes": {"range": {"from": 1, "to": 120}},
        "message": {"wildcard": True},
        "person": {"values": []},
    },
    "skip_words": ["alsjeblieft", "graag"],
}

HOMES: dict[str, dict[str, Any]] = {
    "nl": {
        "area": ["keuken", "woonkamer", "slaapkamer"],
        "floor": ["begane grond"],
        "name": [("plafondlamp", "light"), ("koffiezetapparaat", "switch"), ("plafondventilator", "fan")],
    },
    "en": {
        "area": ["kitchen", "living room", "bedroom"],
        "floor": ["ground floor"],
        "name": [("ceiling light", "light"), ("coffee maker", "switch"), ("ceiling fan", "fan")],
    },
}


@cache
def home_matcher(language: str) -> Matcher:
    """Home Assistant's templates with a small fake home (built once per test session)."""
    matcher = Matcher([IntentSet.from_home_assistant(language)])
    home = HOMES[language]
    matcher.set_list("area", home["area"])
    matcher.set_list("floor", home["floor"])
    matcher.set_list("name", [{"in": n, "out": n, "context": {"domain": d}} for n, d in home["name"]])
    return matcher


@cache
def shop_matcher() -> Matcher:
    """The Dutch shop skill, with its runtime list of people filled (built once per test session)."""
    matcher = Matcher([IntentSet.from_dict(SHOP_NL, skill="shop")])
    reset_people(matcher)
    return matcher


def reset_people(matcher: Matcher) -> None:
    """Fill the shop's runtime list of people."""
    matcher.set_list("person", [{"in": "Anna de Vries", "out": "anna", "id": "emp-17"}, "Piet"])
