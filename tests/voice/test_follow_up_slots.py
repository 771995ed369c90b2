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
      - requires_context: {previous: PREVIOUS}
        sentences:
          - "(en|en op) {day}"
lists:
  shop:
    values: ["den bosch", "utrecht"]
  day:
    values: ["zaterdag", "zondag"]
"""


def a_skill(tmp_path: Path, previous: str = "ShopHours") -> Skill:
    """The skill, its follow-up block requiring ``previous`` (a ``requires_context`` value in YAML)."""
    folder = tmp_path / "winkels"
    (folder / "locales" / "nl").mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(CODE))
    (folder / "locales" / "nl" / "intents.yaml").write_text(
        textwrap.dedent(INTENTS).replace("PREVIOUS", previous)
    )
    return load_skill(folder)


@pytest.fixture
def skill(tmp_path: Path) -> Skill:
    return a_skill(tmp_path)


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


@pytest.mark.parametrize(
    "previous", ["[ShopHours, Greeting]", "{value: ShopHours}", "{value: ShopHours, slot: after}", "null"]
)
def test_a_follow_up_keeps_the_shop_whichever_way_its_context_is_written(
    tmp_path: Path, previous: str
) -> None:
    """The matcher takes the follow-up after ShopHours in every form; so must the slots it keeps."""
    said = talk(a_skill(tmp_path, previous), "openingstijden in den bosch op zaterdag", "en op zondag")
    assert said == ["den bosch op zaterdag", "den bosch op zondag"]
