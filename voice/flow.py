"""What a multi-turn intent needs before its handler runs: required slots and a confirmation.

A skill declares it next to the handler::

    skill.flow("BookAppointment",
               slots=[Slot("date", prompt="AskDate", validate=in_future), Slot("time", prompt="AskTime")],
               confirm="ConfirmBooking", describe=lambda turn: {"day": spoken_date(turn.value("date"))})

Prompts and confirmations are response keys of the skill's ``responses.yaml``; a
validator returns the response key that says what was wrong, or None when the value is fine.
Every one of them is rendered with the ``describe`` values as well as the slots.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .turn import Turn

Validator = Callable[[Any, Turn], str | None]
Describer = Callable[[Turn], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Slot:
    """A slot the flow must fill."""

    name: str
    prompt: str
    """Response key that asks for the value."""
    validate: Validator | None = None
    confirm: str | None = None
    """Response key that asks to confirm this slot's value (slot confirmation)."""
    confirm_unclear: str | None = None
    """Response key that asks to confirm a value heard badly (recognition confidence below the handoff
    policy's ``low_confidence_below``), as a person would read it back ("Zei u 1 2 3 4?"); without it the
    framework's "Zei u {{ value }}?" with the words as heard. A slot with ``confirm`` always asks that."""
    sensitive: bool = False
    """Personal data (a name): the value is stored as ``[<slot name>]``, also in what was said. A slot of
    the ``date`` type named like a date of birth ("geboortedatum") is so without it, and the dates said
    to its question are ``[birthdate]`` (``Skill.birth_date_slots``, docs/sessions.md)."""
    optional: bool = False
    """Never asked for: filled when the caller says it (validated and confirmed like the others)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """The dialog of one intent."""

    intent: str
    slots: tuple[Slot, ...] = ()
    confirm: str | None = None
    """Response key that asks to confirm the whole intent before the handler runs."""
    describe: Describer | None = None
    """Extra values for the prompts and the confirmation (a date said the way people say it)."""

    @property
    def steps(self) -> tuple[str, ...]:
        """The slots it asks for, in order: the steps of its funnel (an optional slot is never asked)."""
        return tuple(slot.name for slot in self.slots if not slot.optional)

    def values(self, turn: Turn) -> dict[str, Any]:
        return self.describe(turn) if self.describe else {}

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)
