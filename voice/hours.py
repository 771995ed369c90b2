"""Business hours: when the organisation behind a skill is open, and what callers mean by "om drie".

A skill that declares its hours gets the reading of a time within them: a caller who says "om drie"
or "half vier" (an ``AmbiguousTime``) to a shop open 9:00-17:30 means 15:00 and 15:30::

    skill.hours = BusinessHours.from_dict({"monday": "09:00-17:30", "saturday": "10:00-12:00, 13:00-16:00",
                                           "sunday": "closed"})
    skill.hours.is_open(day, time)             # is a booking at that time possible?
    skill.hours.during(PartOfDay.MORNING, day) # (9:00, 12:00): "in the morning we are open from ..."

The router resolves the times of a skill's matches with ``resolve``; handlers see plain times.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .errors import SkillError
from .nlu import IntentMatch, PartOfDay, SlotValue
from .nlu.clock import AmbiguousTime

__all__ = ["WEEKDAYS", "BusinessHours", "clock_text"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Window = tuple[dt.time, dt.time]
_WINDOW = re.compile(r"(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})")


def clock_text(time: dt.time) -> str:
    """A time as a skill says it: 9:00, 15:30."""
    return f"{time.hour}:{time.minute:02d}"


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Opening windows per weekday (Monday = 0); a day without windows is closed."""

    days: tuple[tuple[Window, ...], ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str = "business hours") -> BusinessHours:
        """``{"monday": "09:00-17:30", "tuesday": "09:00-12:00, 13:00-17:00", "sunday": "closed"}``;
        a weekday left out is closed."""
        unknown = sorted(set(raw) - set(WEEKDAYS))
        if unknown:
            raise SkillError(f"{source}: {unknown[0]!r} is not a weekday; use monday ... sunday.")
        return cls(tuple(_windows(raw.get(day, "closed"), f"{source}, {day}") for day in WEEKDAYS))

    def windows(self, day: dt.date | int) -> tuple[Window, ...]:
        """The opening windows on a date or weekday (Monday = 0)."""
        return self.days[day.weekday() if isinstance(day, dt.date) else day]

    def opening(self, day: dt.date | int) -> Window | None:
        """The first opening and the last closing of that day; None when closed."""
        found = self.windows(day)
        return (found[0][0], found[-1][1]) if found else None

    def is_open(self, day: dt.date | int | None, time: dt.time) -> bool:
        """Open at ``time`` on ``day`` (on any day of the week when None)."""
        days: Iterable[int | dt.date] = range(7) if day is None else (day,)
        return any(start <= time < end for one in days for start, end in self.windows(one))

    def next_opening(self, moment: dt.datetime) -> dt.datetime | None:
        """The first opening after ``moment`` (on its clock), within a week; None when never open: "we are
        back on Monday from 9:00" to a caller on a Sunday."""
        for ahead in range(8):
            day = moment.date() + dt.timedelta(days=ahead)
            for start, _ in self.windows(day):
                opening = dt.datetime.combine(day, start, tzinfo=moment.tzinfo)
                if opening > moment:
                    return opening
        return None

    def during(self, part: PartOfDay, day: dt.date | int | None = None) -> Window | None:
        """When open during a part of the day, on ``day`` or (None) on the days open at all: from the
        earliest opening to the latest closing within it; None when closed all that part."""
        days = range(7) if day is None else (day,)
        windows = [window for one in days for window in self.windows(one)]
        if not windows:
            return None
        part_end = part.end if part.end > part.start else dt.time.max
        first = max(min(w[0] for w in windows), part.start)
        last = min(max(w[1] for w in windows), part_end)
        return (first, last) if first < last else None

    def reading(self, time: dt.time, day: dt.date | None = None, *, either_half: bool = False) -> dt.time:
        """The reading of a time within the hours: "om drie" (3:00 or 15:00) is 15:00 for a shop open
        9-17. A time said with its part of the day stays; ``either_half`` treats every time from 1:00
        to 12:59 as said without one, for a time whose origin is unknown (the platforms' and the router's
        arrive as ``AmbiguousTime`` when they may be either, so a skill's flow needs no ``either_half``)."""
        if isinstance(time, AmbiguousTime):
            said, other = time.readings
        elif either_half and 1 <= time.hour <= 12:
            said, other = time, dt.time((time.hour + 12) % 24, time.minute)
        else:
            return time
        if not self.is_open(day, said) and self.is_open(day, other):
            return other
        return said

    def resolve(self, match: IntentMatch) -> IntentMatch:
        """The match with its ambiguous times read within the hours (on its date, if it has one)."""
        times = {name: slot for name, slot in match.slots.items() if isinstance(slot.value, AmbiguousTime)}
        if not times:
            return match
        day = next((s.value for s in match.slots.values() if type(s.value) is dt.date), None)
        slots: dict[str, SlotValue] = dict(match.slots)
        for name, slot in times.items():
            slots[name] = replace(slot, value=self.reading(slot.value, day))
        return replace(match, slots=slots)


def _windows(text: Any, where: str) -> tuple[Window, ...]:
    if str(text).strip().lower() in ("closed", "gesloten", ""):
        return ()
    windows: list[Window] = []
    for piece in str(text).split(","):
        found = _WINDOW.fullmatch(piece.strip())
        if found is None:
            raise SkillError(
                f"{where}: {piece.strip()!r} is not like 09:00-17:30 or 'closed'; fix the hours."
            )
        hours = [int(number) for number in found.groups()]
        try:
            start, end = dt.time(hours[0], hours[1]), dt.time(hours[2] % 24, hours[3])
        except ValueError:
            raise SkillError(f"{where}: {piece.strip()!r} is not a time of day; fix the hours.") from None
        windows.append((start, end if end > start else dt.time.max))
    return tuple(sorted(windows))
