"""A flow validates a kept value again only when a slot its validator read changed: a validator that asks
an order service is asked once per order number, however often the caller changes the delivery day."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from voice import Reply, Router, Skill, Slot, Turn
from voice.dialog import Dialog
from voice.store import open_store

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # a Friday
INTENTS = """
language: en
intents:
  Redeliver:
    data:
      - sentences:
          - "redeliver order {number:order}"
      - requires_context: {dialog: Redeliver}
        sentences:
          - "order {number:order}"
          - "on {date:day}"
"""
RESPONSES = """
responses:
  AskOrder: "Which order?"
  AskDay: "On which day?"
  NoSuchOrder: "I can't find that order."
  ConfirmRedelivery: "Redeliver order {{ order }} on {{ day }}?"
"""


def shop(folder: Path, looked_up: list[Any], days: list[tuple[Any, Any]]) -> Skill:
    """A skill whose order validator notes each number it looks up, and whose day validator, which
    reads the order too, notes each day and order it checks."""
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(textwrap.dedent(INTENTS))
    (folder / "locales" / "en" / "responses.yaml").write_text(textwrap.dedent(RESPONSES))
    skill = Skill("shop", folder)

    def known_order(number: Any, turn: Turn) -> str | None:
        looked_up.append(number)  # a call to the order service
        return None if number != 404 else "NoSuchOrder"

    def deliverable(day: Any, turn: Turn) -> str | None:
        days.append((day, turn.value("order")))
        return None

    skill.flow(
        "Redeliver",
        slots=[
            Slot("order", prompt="AskOrder", validate=known_order),
            Slot("day", prompt="AskDay", validate=deliverable),
        ],
        confirm="ConfirmRedelivery",
    )

    @skill.intent("Redeliver")
    def redeliver(turn: Turn) -> Reply:
        return Reply(speech="Done.")

    return skill


def talk(skill: Skill, *lines: str) -> list[str]:
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([skill]), store)
        turns = (Turn(text=line, locale="en", session_id="s", time=NOW) for line in lines)
        return [dialog.respond(turn).text for turn in turns]


def test_the_order_service_is_asked_once_per_order_number_and_the_day_again_when_the_order_changes(
    tmp_path: Path,
) -> None:
    looked_up: list[Any] = []
    days: list[tuple[Any, Any]] = []
    said = talk(
        shop(tmp_path, looked_up, days),
        "redeliver order 1234",
        "on monday",
        "no, on tuesday",  # a new day: the order number kept is not looked up again
        "order 1234",  # the same number: no change
        "no, order 404",  # a new number: looked up, refused
        "order 5678",  # looked up; the day read the order, so it is checked again
        "yes",
    )
    assert said == [
        "On which day?",
        "Redeliver order 1234 on 2026-11-30?",
        "Redeliver order 1234 on 2026-12-01?",
        "Redeliver order 1234 on 2026-12-01?",
        "I can't find that order. Which order?",
        "Redeliver order 5678 on 2026-12-01?",
        "Done.",
    ]
    assert looked_up == [1234, 404, 5678]
    monday, tuesday = dt.date(2026, 11, 30), dt.date(2026, 12, 1)
    assert days == [(monday, 1234), (tuesday, 1234), (tuesday, 5678)]


def test_another_slot_said_to_a_question_is_acknowledged_before_it_is_asked_again(tmp_path: Path) -> None:
    """ "No, order 5678" to "On which day?" was answered with the same question: the caller could not tell
    the new order number was taken until the confirmation. The framework's ``correction_noted`` says it."""
    said = talk(shop(tmp_path, [], []), "redeliver order 1234", "no, order 5678", "on monday")
    assert said[1:] == ["Okay, I've noted 5678. On which day?", "Redeliver order 5678 on 2026-11-30?"]
