"""Slot values across boundaries: from the platforms into Python values, and to JSON and back.

Alexa sends AMAZON.DATE as "2026-11-27" and AMAZON.TIME as "10:00"; Dialogflow sends
@sys.date and @sys.time as full date-times ("2026-11-27T12:00:00+01:00") and @sys.duration
as {"amount": 10, "unit": "min"}. Handlers and validators get ``datetime.date``,
``datetime.time`` and ``datetime.timedelta`` whatever the channel, as from the router, and a
``DateRange`` or ``PartOfDay`` for "this weekend" (``2026-W49-WE``) or "in the morning" (``MO``).
A value in no known form (Alexa's "?" for a number it did not catch) stays as it came; a list or
an object that no slot type read counts as not given (``coerce``).
Each slot type says how (``voice.nlu.slot_types``), in the turn's language (a spelled code comes as
words); this module applies it to slots.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .nlu import SlotValue, find_slot_type
from .nlu.slot_types import from_json, to_json

__all__ = ["coerce", "from_json", "slot_from_json", "slot_to_json", "to_json"]

_LOGGER = logging.getLogger(__name__)


def coerce(
    slots: Mapping[str, SlotValue],
    kinds: Mapping[str, str],
    *,
    language: str,
    now: dt.datetime | None = None,
) -> dict[str, SlotValue]:
    """The slots with their values converted to the Python type their kind has.

    ``language`` is the turn's: a platform sends words in it ("vier zeven een een"). ``now`` is the
    turn's time (the current time when not given): Alexa's ``XXXX-12-02`` and ``PRESENT_REF`` are
    read from it. Never raises: a value that cannot be read stays as it came.

    Except a list or an object that the slot type did not read: that slot is left out, as if not
    given, so the dialog asks for it again. Every slot is single-valued (the Dialogflow export
    makes no "is list" parameter, and only those send a list), and the only objects a platform
    sends for one are composite system entities (``@sys.duration``, ``@sys.date-period``) that
    their slot types read; a handler gets text, a number or its slot type's value, never a list.
    """
    when = now or dt.datetime.now(dt.UTC)
    converted: dict[str, SlotValue] = {}
    for name, slot in slots.items():
        found = find_slot_type(kinds.get(name, ""))
        try:
            value = found.from_platform(slot.value, language, when) if found else slot.value
        except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
            _LOGGER.info(
                "slot %s: %r is not a %s value (%s); the skill gets it as sent",
                name,
                slot.value,
                found.name if found else "?",
                exc,
            )
            value = slot.value  # not in the platform's usual form: leave it to the validator
        if value is slot.value and isinstance(value, list | dict):
            _LOGGER.info("slot %s: %r is not one value; it counts as not given", name, value)
            continue
        converted[name] = slot if value is slot.value else replace(slot, value=value)
    return converted


def slot_to_json(slot: SlotValue) -> dict[str, Any]:
    """A slot as JSON: its words, its value (see ``to_json``) and its id."""
    return {"text": slot.text, "value": to_json(slot.value), "id": slot.id}


def slot_from_json(data: Mapping[str, Any]) -> SlotValue:
    """The slot ``slot_to_json`` was given."""
    return SlotValue(text=data.get("text", ""), value=from_json(data.get("value")), id=data.get("id"))
