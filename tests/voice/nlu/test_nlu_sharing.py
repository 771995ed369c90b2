"""What the matcher shares or skips for speed must not change what matches."""

from __future__ import annotations

from typing import Any

import pytest

from voice.nlu import IntentSet, Matcher, scope
from voice.nlu.lists import ValueMatcher
from voice.nlu.needles import Haystack
from voice.nlu.slots import ValueList
from voice.nlu.template import Expr, walk

SENSORS = {
    "language": "en",
    "intents": {
        "GetState": {
            "data": [
                {
                    "sentences": ["<what_is> [the] [<class>] [of] <name>"],
                    "requires_context": {"domain": "sensor", "device_class": device_class},
                    "slots": {"device_class": device_class},
                    "expansion_rules": {"class": words},
                }
                for device_class, words in (("temperature", "temperature"), ("humidity", "humidity"))
            ]
        },
        "TurnOn": {"data": [{"sentences": ["(switch;on) <name>", "turn on <name>"]}]},
    },
    "expansion_rules": {"what_is": "what is", "name": "[the] {name}"},
    "lists": {"name": {"values": []}},
}
NAMES = [
    ("Attic", "Attic", {"domain": "sensor", "device_class": "temperature"}),
    ("Cellar", "Cellar", {"domain": "sensor", "device_class": "humidity"}),
    ("Lamp", "Lamp", {"domain": "light"}),
]


def _matcher() -> Matcher:
    matcher = Matcher([IntentSet.from_dict(SENSORS, skill="home")], best_slot="name")
    matcher.set_list("name", NAMES)
    return matcher


CASES = [
    ("what is the temperature of the attic", {}, ("GetState", "temperature", "Attic")),
    ("what is the cellar", {}, ("GetState", "humidity", "Cellar")),
    ("what is the humidity of cellar", {}, ("GetState", "humidity", "Cellar")),
    ("what is the humidity of the attic", {}, None),
    ("what is the lamp", {}, None),
    ("what is the attic", {"device_class": "humidity"}, None),
    ("switch on the lamp", {}, ("TurnOn", None, "Lamp")),
    ("on switch the lamp", {}, ("TurnOn", None, "Lamp")),
    ("turn on lamp", {}, ("TurnOn", None, "Lamp")),
]


@pytest.mark.parametrize(("text", "context", "expected"), CASES, ids=[case[0] for case in CASES])
def test_shared_rules_context_from_names_and_permutations(
    text: str, context: dict[str, Any], expected: tuple[str, str | None, str] | None
) -> None:
    found = _matcher().match(text, context=context)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.intent, found.value("device_class"), found.value("name")) == expected


def test_block_local_rule_is_not_shared_between_blocks() -> None:
    entries = [entry for entry in _matcher().entries if entry.intent == "GetState"]
    assert len(entries) == 2
    assert entries[0].graph is not entries[1].graph


def test_templated_list_values_compile_once_unless_they_use_block_names() -> None:
    data = {
        "language": "en",
        "intents": {
            "Check": {
                "data": [
                    {"sentences": ["is it {state} {place}"], "expansion_rules": {"here": here}}
                    for here in ("upstairs", "downstairs")
                ]
            },
        },
        "expansion_rules": {"open": "(open|ajar)"},
        "lists": {
            "state": {"values": [{"in": "<open>", "out": "open"}, "closed"]},
            "place": {"values": [{"in": "<here>", "out": "here"}]},
        },
    }
    matcher = Matcher([IntentSet.from_dict(data, skill="home")])
    names = [key[1] for key in matcher._lists]
    assert (names.count("state"), names.count("place")) == (1, 2)
    for text in ("is it ajar upstairs", "is it open downstairs"):
        found = matcher.match(text)
        assert found is not None and (found.value("state"), found.value("place")) == ("open", "here")
    assert matcher.match("is it ajar sideways") is None


def test_templated_list_values_are_walked_once_per_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    # what a list's values reach is memoised like a rule's, not walked again for every {state}
    data = {
        "language": "en",
        "intents": {"Check": {"data": [{"sentences": [f"is {{state}} {n}" for n in range(5)]}]}},
        "expansion_rules": {"open": "(open|ajar)"},
        "lists": {"state": {"values": [{"in": "<open>", "out": "open"}, "closed"]}},
    }
    intent_set = IntentSet.from_dict(data, skill="home")
    values = intent_set.lists["state"]
    assert isinstance(values, ValueList)
    walked: list[Expr] = []

    def counting_walk(expr: Expr) -> list[Expr]:
        walked.append(expr)
        return walk(expr)

    monkeypatch.setattr(scope, "walk", counting_walk)
    matcher = Matcher([intent_set])
    assert sum(expr is values.values[0].expr for expr in walked) == 1
    assert matcher.match("is ajar 3") is not None


def test_copies_of_a_list_share_one_presence_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    # a list whose values use block-local rules is compiled per block; its copies answer alike
    data = {
        "language": "en",
        "intents": {
            "Check": {
                "data": [
                    {"sentences": ["is it {place}"], "expansion_rules": {"here": here}}
                    for here in ("upstairs", "downstairs")
                ]
            },
        },
        "lists": {"place": {"values": [{"in": "[the] <here>", "out": "here"}, "attic"]}},
    }
    matcher = Matcher([IntentSet.from_dict(data, skill="home")])
    copies = {key: found for key, found in matcher._lists.items() if key[1] == "place"}
    first, second = copies.values()
    assert first is not second and first.presence_key() == second.presence_key()
    asked: list[int] = []
    real = ValueMatcher.present

    def counting(self: ValueMatcher, haystack: Haystack, where: int) -> bool:
        asked.append(where)
        return real(self, haystack, where)

    monkeypatch.setattr(ValueMatcher, "present", counting)
    present = matcher._presence(Haystack.of(["is it the attic"]))
    assert [present(key, 0) for key in copies] == [True, True] and asked == [0]
    for text in ("is it the upstairs", "is it downstairs", "is it attic"):
        assert matcher.match(text) is not None, text
