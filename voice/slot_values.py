"""Slot values across boundaries: from the platforms into Python values, and to JSON and back.

Alexa sends AMAZON.DATE as "2026-11-27" and AMAZON.TIME as "10:00"; Dialogflow sends
@sys.date and @sys.time as full date-times ("2026-11-27T12:00:00+01:00") and @sys.duration
as {"amount": 10, "unit": "min"}. Handlers and validators get ``datetime.date``,
``datetime.time`` and ``datetime.timedelta`` whatever the channel, as from the router, and a
``DateRange`` or ``PartOfDay`` for "this weekend" (``2026-W49-WE``) or "in the morning" (``MO``).
A value in no known form (Alexa's "?" for a number it did not catch) stays as it came; a list or
an object that no slot type read counts as not given (``coerce``). The application log says which slot and
list or slot type a value did not fit, and its size, never its words: they are the caller's, and that log is
neither redacted, nor kept within ``retention_days``, nor erased with a caller's data (docs/sessions.md).
Each slot type says how (``voice.nlu.slot_types``), in the turn's language (a spelled code comes as
words); this module applies it to slots. A value list's slot gets the list value the platform named
(Alexa's entity id or name, Dialogflow's reference value): its ``out`` and ``id``, as typed chat does.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .nlu import ListValue, SlotType, SlotValue, find_slot_type, normalize
from .nlu.entries import canonical
from .nlu.slot_types import from_json, to_json
from .nlu.slots import RangeList, SlotList, ValueList

__all__ = ["ListReader", "coerce", "from_json", "slot_from_json", "slot_to_json", "to_json"]

ListReader = Callable[[str, str], SlotValue | None]
"""(list name, the caller's words) -> the list value they say, read as the router reads them, or None
(``Matcher.list_value``)."""

_LOGGER = logging.getLogger(__name__)


def coerce(
    slots: Mapping[str, SlotValue],
    kinds: Mapping[str, str],
    *,
    language: str,
    lists: Mapping[str, SlotList] | None = None,
    now: dt.datetime | None = None,
    read: ListReader | None = None,
) -> dict[str, SlotValue]:
    """The slots with their values converted to the Python type their kind has.

    ``language`` is the turn's: a platform sends words in it ("vier zeven een een"). ``lists`` are
    the slots' lists: a value list's slot gets the list value the platform named, as the router
    gives it (``_listed``), and a range's number its multiplier. ``now`` is the turn's time (the
    current time when not given): Alexa's ``XXXX-12-02`` and ``PRESENT_REF`` are read from it.
    ``read`` reads the words of a list slot the platform did not resolve (Alexa without entity
    resolution) through the list, as the router does. Never raises: a value that cannot be read stays
    as it came, except a value list's: words no value of the list has count as not given (the flow
    asks again), as typed chat would not have matched them; a handler never gets them raw.

    Except a list or an object that the slot type did not read: that slot is left out, as if not
    given, so the dialog asks for it again. Every slot is single-valued (the Dialogflow export
    makes no "is list" parameter, and only those send a list), and the only objects a platform
    sends for one are composite system entities (``@sys.duration``, ``@sys.date-period``) that
    their slot types read; a handler gets text, a number or its slot type's value, never a list.
    """
    when = now or dt.datetime.now(dt.UTC)
    converted: dict[str, SlotValue] = {}
    for name, slot in slots.items():
        slot_list = (lists or {}).get(name)
        if isinstance(slot_list, ValueList):
            listed = _listed(slot, slot_list) or _heard(slot, slot_list, read)
            if listed is None:
                said = _size(slot.text or slot.value)
                _LOGGER.info(
                    "slot %s: %s is no value of list %s; it counts as not given", name, said, slot_list.name
                )
                continue
            converted[name] = listed
            continue
        found = _typed(name, slot, kinds.get(name, ""), language, when)
        if isinstance(slot_list, RangeList):
            found = _scaled(found, slot_list)
        if found.value is slot.value and isinstance(slot.value, list | dict):
            _LOGGER.info("slot %s: %s is not one value; it counts as not given", name, _size(slot.value))
            continue
        converted[name] = found
    return converted


def _typed(name: str, slot: SlotValue, kind: str, language: str, now: dt.datetime) -> SlotValue:
    """The slot with its slot type's value (a range is a number, as the exports say)."""
    found = find_slot_type("number" if kind == "range" else kind)
    if found is None:
        return slot
    try:
        value = _read(found, slot.value, language, now)
    except (ValueError, TypeError, ArithmeticError, LookupError) as exc:
        said, error = _size(slot.value), type(exc).__name__  # the error's message may quote the value
        _LOGGER.info(
            "slot %s: %s is not a %s value (%s); the skill gets it as sent", name, said, found.name, error
        )
        return slot  # not in the platform's usual form: leave it to the validator
    return slot if value is slot.value else replace(slot, value=value)


def _size(value: Any) -> str:
    """A platform's value for the log, without what it says: "a value of 3 words (17 characters)", "a list
    of 2 items"; enough to tell an empty or garbled value from a sentence said to the slot."""
    if isinstance(value, str):
        return f"a value of {_counted(len(value.split()), 'word')} ({_counted(len(value), 'character')})"
    if isinstance(value, dict):
        return f"an object of {_counted(len(value), 'key')}"
    if isinstance(value, list | tuple):
        return f"a list of {_counted(len(value), 'item')}"
    kind = type(value).__name__
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} value"


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _read(found: SlotType, value: Any, language: str, now: dt.datetime) -> Any:
    """A platform's value as the slot type's. Free speech is the caller's words, which the platform did
    not read ("zevenenveertig elf" for a code): the type's parser reads them as the router does, normalised
    and in the caller's language; else the type's platform reader."""
    if found.takes_any_words and isinstance(value, str):
        parsed = found.parse(normalize(value), language, now)
        if parsed is not None:
            return parsed
    return found.from_platform(value, language, now)


def _scaled(slot: SlotValue, numbers: RangeList) -> SlotValue:
    """A range's number as the router gives it: times the range's multiplier ("50" -> 0.5)."""
    value = slot.value
    if numbers.multiplier is None or isinstance(value, bool) or not isinstance(value, int | float):
        return slot
    return replace(slot, value=numbers.scaled(value))


def _listed(slot: SlotValue, values: ValueList) -> SlotValue | None:
    """The slot as the router fills it from ``values``: the list value's ``out`` and ``id``.

    The platforms name a value in their own way: Alexa's entity resolution by the export's id (the
    list's id as written, or one made for Alexa) and the canonical name; Dialogflow by the entry's
    reference value (the list's id, or the canonical name when the value has none). None when no
    list value is named (Alexa's words it could not resolve: ``_heard``).
    """
    found = _named(values, slot.id) if slot.id else None
    if found is None and slot.id is None:  # Dialogflow's reference value is the id
        found = _named(values, slot.value)
    if found is None:  # Alexa's resolved name; Dialogflow's for a value without id
        found = next((value for value in values.values if canonical(value) == slot.value), None)
    if found is None:
        return None
    words = canonical(found) if slot.text == found.id else slot.text  # an id is no words
    return replace(slot, text=words, value=words if found.value is None else found.value, id=found.id)


def _heard(slot: SlotValue, values: ValueList, read: ListReader | None) -> SlotValue | None:
    """The list value the caller's words say ("den bosch" for ``den_bosch``), or None."""
    words = slot.text or slot.value
    found = read(values.name, words) if read is not None and isinstance(words, str) else None
    return None if found is None else replace(slot, text=found.text, value=found.value, id=found.id)


def _named(values: ValueList, ident: Any) -> ListValue | None:
    return next((value for value in values.values if value.id is not None and value.id == ident), None)


def slot_to_json(slot: SlotValue) -> dict[str, Any]:
    """A slot as JSON: its words, its value (see ``to_json``) and its id."""
    return {"text": slot.text, "value": to_json(slot.value), "id": slot.id}


def slot_from_json(data: Mapping[str, Any]) -> SlotValue:
    """The slot ``slot_to_json`` was given."""
    return SlotValue(text=data.get("text", ""), value=from_json(data.get("value")), id=data.get("id"))
