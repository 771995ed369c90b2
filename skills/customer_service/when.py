"""Days and times as the caller gave them: one day, a range of days, a part of the day, or words.

Alexa and Dialogflow send "this weekend" as a ``DateRange`` and "in the morning" as a
``PartOfDay``; a value they could not read arrives as the words. These helpers say what the
skill can do with each, so handlers and validators answer or ask again instead of failing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from voice import DateRange, PartOfDay, slot_type

from .content import WEEKDAYS, Hours, resolve_day

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


def asked_day(value: Any, now: dt.datetime) -> str | dt.date | DateRange | None:
    """What an opening-hours question is about: a weekday name, a date, a range, or None (unclear).

    The ``day`` list gives a weekday, ``today`` or ``tomorrow``; from Alexa, a value the list does
    not know comes as the words (or as an AMAZON.DATE form such as ``2026-W49-WE``), read here.
    """
    if isinstance(value, DateRange | dt.date):
        return one_day(value) or value
    words = str(value).strip()
    name = resolve_day(words.lower(), now.date())
    if name in WEEKDAYS:
        return name
    found = slot_type("date").from_platform(words, now)
    return (one_day(found) or found) if isinstance(found, DateRange | dt.date) else None


def weekday(day: str | dt.date) -> str:
    """``monday`` ... ``sunday`` for a weekday name or a date."""
    return day if isinstance(day, str) else WEEKDAYS[day.weekday()]


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def clock(total: int) -> str:
    """Minutes after midnight as the skill says a time: 540 -> "9:00"."""
    return f"{total // 60}:{total % 60:02d}"


def open_during(part: PartOfDay, hours: list[Hours]) -> tuple[str, str] | None:
    """When the shop is open during ``part`` on days with these hours (the earliest opening and the
    latest closing among them); None when it is closed all that part of the day."""
    windows = [(minutes(h.open), minutes(h.close)) for h in hours if h.open is not None and h.close]
    if not windows:
        return None
    opens, closes = min(w[0] for w in windows), max(w[1] for w in windows)
    start = part.start.hour * 60 + part.start.minute
    end = part.end.hour * 60 + part.end.minute if part.end > part.start else 24 * 60
    first, last = max(opens, start), min(closes, end)
    return (clock(first), clock(last)) if first < last else None
