"""Days and times as the caller gave them: one day, a range of days, a part of the day, or words.

Alexa and Dialogflow send "this weekend" as a ``DateRange`` and "in the morning" as a
``PartOfDay``; a value they could not read arrives as the words. These helpers say what the
skill can do with each, so handlers and validators answer or ask again instead of failing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from voice import DateRange, PartOfDay, slot_type

from .content import WEEKDAYS, resolve_day

PART_NAMES = {
    "en": {
        PartOfDay.MORNING: "morning",
        PartOfDay.AFTERNOON: "afternoon",
        PartOfDay.EVENING: "evening",
        PartOfDay.NIGHT: "night",
    },
    "nl": {
        PartOfDay.MORNING: "ochtend",
        PartOfDay.AFTERNOON: "middag",
        PartOfDay.EVENING: "avond",
        PartOfDay.NIGHT: "nacht",
    },
}
MAX_DAYS_NAMED = 2
"""A range up to this long (a weekend) is answered day by day; a longer one with the weekly hours."""


def one_day(value: Any) -> dt.date | None:
    """The day a booking is for: a date, or a range of one day; None for anything else."""
    if isinstance(value, DateRange):
        return value.start if value.days == 1 else None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def asked_day(value: Any, language: str, now: dt.datetime) -> str | dt.date | DateRange | None:
    """What an opening-hours question is about: a weekday name, a date, a range, or None (unclear).

    The ``day`` list gives a weekday, ``today`` or ``tomorrow``; a date or an AMAZON.DATE form such as
    ``2026-W49-WE`` is read too (words the list does not know count as not given: ``voice.slot_values``).
    """
    if isinstance(value, DateRange | dt.date):
        return one_day(value) or value
    words = str(value).strip()
    name = resolve_day(words.lower(), now.date())
    if name in WEEKDAYS:
        return name
    found = slot_type("date").from_platform(words, language, now)
    return (one_day(found) or found) if isinstance(found, DateRange | dt.date) else None


def weekday(day: str | dt.date) -> str:
    """``monday`` ... ``sunday`` for a weekday name or a date."""
    return day if isinstance(day, str) else WEEKDAYS[day.weekday()]
