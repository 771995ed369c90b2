"""Slot values across boundaries: from the platforms into Python values, and to JSON and back.

Alexa sends AMAZON.DATE as "2026-11-27" and AMAZON.TIME as "10:00"; Dialogflow sends
@sys.date and @sys.time as full date-times ("2026-11-27T12:00:00+01:00") and @sys.duration
as {"amount": 10, "unit": "min"}. Handlers and validators get ``datetime.date``,
``datetime.time`` and ``datetime.timedelta`` whatever the channel, as from the router.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .nlu import SlotValue

_ISO_DURATION = re.compile(r"P(?=\d|T\d)(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_UNITS = {"s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "day": 86400}


def _date(value: Any) -> Any:
    if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value[:10])
    return value


def _time(value: Any) -> Any:
    if isinstance(value, str) and "T" in value:
        return dt.datetime.fromisoformat(value).time().replace(tzinfo=None)
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value):
        return dt.time.fromisoformat(value)
    return value


def _duration(value: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(value.get("amount"), int | float):
        return dt.timedelta(seconds=float(value["amount"]) * _UNITS.get(str(value.get("unit", "s")), 1))
    match = _ISO_DURATION.match(value) if isinstance(value, str) else None
    if match:
        days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
        return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        value = float(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


_COERCE: Mapping[str, Callable[[Any], Any]] = {
    "date": _date,
    "time": _time,
    "duration": _duration,
    "number": _number,
}


def coerce(slots: Mapping[str, SlotValue], kinds: Mapping[str, str]) -> dict[str, SlotValue]:
    """The slots with their values converted to the Python type their kind has."""
    converted: dict[str, SlotValue] = {}
    for name, slot in slots.items():
        convert = _COERCE.get(kinds.get(name, ""))
        try:
            value = convert(slot.value) if convert else slot.value
        except ValueError:
            value = slot.value  # not in the platform's usual form: leave it to the validator
        converted[name] = slot if value is slot.value else replace(slot, value=value)
    return converted


def to_json(value: Any) -> Any:
    """A slot value as JSON that ``from_json`` turns back into the date, time or duration it was."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return {"$" + type(value).__name__: value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$seconds": value.total_seconds()}
    if isinstance(value, str | int | float | bool | type(None) | list | dict):
        return value
    return str(value)


_FROM_JSON: Mapping[str, Callable[[Any], Any]] = {
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
    "$seconds": lambda seconds: dt.timedelta(seconds=float(seconds)),
}


def from_json(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        key, raw = next(iter(value.items()))
        if key in _FROM_JSON:
            return _FROM_JSON[key](raw)
    return value


def slot_to_json(slot: SlotValue) -> dict[str, Any]:
    return {"text": slot.text, "value": to_json(slot.value), "id": slot.id}


def slot_from_json(data: Mapping[str, Any]) -> SlotValue:
    return SlotValue(text=data.get("text", ""), value=from_json(data.get("value")), id=data.get("id"))
