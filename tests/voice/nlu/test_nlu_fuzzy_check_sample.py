"""The fuzzy pass, the conflict checker and the sentence sampler."""

from __future__ import annotations

import time
from typing import Any

import pytest
from nlu_data import SHOP_NL, home_matcher, shop_matcher

from voice.nlu import IntentSet, Matcher, find_conflicts, sample_sentences


@pytest.mark.parametrize(
    ("text", "intent"),
    [("wat zijn de openingstyden", "OpeningHours"), ("hoe laat gan jullie open", "OpeningHours")],
    ids=["typo", "misheard"],
)
def test_fuzzy_match_never_scores_full(text: str, intent: str) -> None:
    assert shop_matcher().match(text) is None
    found = shop_matcher().match(text, fuzzy=True)
    assert found is not None and found.intent == intent
    assert 0.5 < found.score < 1.0 and found.is_fuzzy


def test_fuzzy_threshold_is_configurable() -> None:
    strict = Matcher([IntentSet.from_dict(SHOP_NL)], fuzzy_threshold=99)
    loose = Matcher([IntentSet.from_dict(SHOP_NL)], fuzzy_threshold=75)
    assert strict.match("hoe laat gan jullie open") is None
    assert loose.match("hoe laat gan jullie open") is not None


def _skill(name: str, sentences: list[str], lists: dict[str, Any] | None = None) -> IntentSet:
    data = {
        "language": "nl",
        "intents": {f"{name}Intent": {"data": [{"sentences": sentences}]}},
        "lists": lists or {},
    }
    return IntentSet.from_dict(data, skill=name)


def test_check_finds_cross_skill_conflicts_and_dead_templates() -> None:
    matcher = Matcher(
        [
            _skill("shop", ["wat zijn de openingstijden", "bel {nobody}"], {"nobody": {"values": []}}),
            _skill("bank", ["wat zijn [de] openingstijden [van de bank]"]),
        ]
    )
    report = find_conflicts(matcher)
    assert not report.ok
    conflict = next(c for c in report.conflicts if c.sentence == "wat zijn de openingstijden")
    assert conflict.cross_skill and set(conflict.matches) == {("shop", "shopIntent"), ("bank", "bankIntent")}
    assert [(d.skill, d.template) for d in report.dead] == [("shop", "bel {nobody}")]


def test_check_runs_over_home_assistant() -> None:
    started = time.perf_counter()
    report = find_conflicts(home_matcher("nl"), per_template=1)
    assert report.sentences > 900 and time.perf_counter() - started < 30


def test_samples_match_their_intent_and_mark_slots() -> None:
    samples = list(sample_sentences(shop_matcher(), "OrderStatus", limit=5))
    assert samples and all(sample.intent == "OrderStatus" for sample in samples)
    for sample in samples:
        found = shop_matcher().match(sample.text)
        assert found is not None and found.intent == "OrderStatus"
        (slot,) = sample.slots
        assert slot.name == "order_id" and found.slots["order_id"].text == sample.text[slot.start : slot.end]
