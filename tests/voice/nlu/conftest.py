"""Fixtures for the router tests: a small Dutch skill and Home Assistant's intents."""

from __future__ import annotations

import pytest
from nlu_data import SHOP_NL, home_matcher

from voice.nlu import IntentSet, Matcher


@pytest.fixture(scope="session")
def shop() -> Matcher:
    matcher = Matcher([IntentSet.from_dict(SHOP_NL, skill="shop")])
    matcher.set_list("person", [{"in": "Anna de Vries", "out": "anna", "id": "emp-17"}, "Piet"])
    return matcher


@pytest.fixture(scope="session")
def home_nl() -> Matcher:
    return home_matcher("nl")


@pytest.fixture(scope="session")
def home_en() -> Matcher:
    return home_matcher("en")
