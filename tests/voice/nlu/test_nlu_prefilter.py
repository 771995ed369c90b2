"""The pre-filter skips templates only when they cannot match, also for templated list values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
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


HYPHEN_DATA: dict[str, Any] = {
    "language": "en",
    "intents": {"Weight": {"data": [{"sentences": ["[(what is|tell me) the] weight of {name}"]}]}},
    "lists": {"name": {"values": ["bed sensor", "scale"]}},
}


@pytest.mark.parametrize(
    "text",
    ["weight of bed-sensor", "what is the weight of bed_sensor", "what-is the weight of scale"],
    ids=["value", "underscore", "literal"],
)
def test_hyphens_read_as_spaces_pass_the_prefilter(text: str) -> None:
    # the walk matches "-" and "_" as spaces (Run.broken), so the pre-filter must search that reading too
    found = Matcher([IntentSet.from_dict(HYPHEN_DATA)]).match(text)
    assert found is not None and found.intent == "Weight"


_ANSWER = """
import dataclasses, json, sys
from pathlib import Path
sys.path.insert(0, {here!r})
from ha_method import OurRouter, cases, fixture_lists, loaded
import voice.nlu.prefilter as prefilter
if not {prefilter!r}:
    prefilter.TemplateIndex.candidates = lambda self, haystack, present: list(range(len(self._checks)))
corpus = Path({corpus!r})
lists = {{key: sorted(values, key=repr) for key, values in fixture_lists(corpus, "en").items()}}
router, _ = loaded(OurRouter, corpus, "en", lists)
case = dataclasses.replace(cases(corpus, "en")[0], sentence={sentence!r}, context={{}})
print(json.dumps(router.recognize(case), sort_keys=True, default=repr))
"""
_HERE = Path(__file__).parent
_CORPUS = _HERE.parents[1] / "data" / "home_assistant_intents"


def _answer(sentence: str, seed: str, prefilter: bool = True) -> str:
    """The Home Assistant router's result for ``sentence`` in a fresh process with this hash seed."""
    code = _ANSWER.format(here=str(_HERE), corpus=str(_CORPUS), sentence=sentence, prefilter=prefilter)
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


def test_hyphenated_match_does_not_depend_on_the_hash_seed() -> None:
    # a template's anchor was picked from a set, and the pre-filter missed "-" read as a space:
    # gunicorn workers answered this sentence differently
    sentence = "what is the weight indicated by bed-sensor weight?"
    answers = {_answer(sentence, seed) for seed in ("0", "2", "3", "4")}
    assert answers == {_answer(sentence, "0", prefilter=False)} and answers != {"null"}
