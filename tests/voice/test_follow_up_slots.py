"""A follow-up keeps the slots of the question it follows ("en op zondag?" after the hours of one shop)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from voice import Router, Skill, Turn, load_skill
from voice.dialog import Dialog
from voice.store import open_store

CODE = """
from voice import Skill, Turn, Reply

skill = Skill("winkels", __file__)


@skill.intent("ShopHours")
def shop_hours(turn: Turn) -> Reply:
    return Reply(speech=f"{turn.value('shop', 'welke winkel?')} op {turn.value('day', 'elke dag')}")
"""
INTENTS = """
language: nl
intents:
  ShopHours:
    data:
      - sentences:
          - "openingstijden [in] {shop} [op {day}]"
          - "openingstijden op {day}"
      - requires_context: {previous: ShopHours}
        sentences:
          - "(en|en op) {day}"
lists:
  shop:
    values: ["den bosch", "utrecht"]
  day:
    values: ["zaterdag", "zondag"]
"""


@pytest.fixture
def skill(tmp_path: Path) -> Skill:
    folder = tmp_path / "winkels"
    (folder / "locales" / "nl").mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(CODE))
    (folder / "locales" / "nl" / "intents.yaml").write_text(textwrap.dedent(INTENTS))
    return load_skill(folder)


def talk(skill: Skill, *lines: str) -> list[str]:
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([skill]), store)
        return [dialog.respond(Turn(text=line, locale="nl", session_id="s")).text for line in lines]


def test_a_follow_up_keeps_the_shop_it_does_not_name_again(skill: Skill) -> None:
    said = talk(skill, "openingstijden in den bosch op zaterdag", "en op zondag")
    assert said == ["den bosch op zaterdag", "den bosch op zondag"]


def test_a_question_asked_anew_starts_afresh(skill: Skill) -> None:
    said = talk(skill, "openingstijden in utrecht", "openingstijden op zondag")
    assert said == ["utrecht op elke dag", "welke winkel? op zondag"]
