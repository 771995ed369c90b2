"""Values that are not one day or one clock time: a range of days and a part of the day.

Alexa says "this weekend" as ``2026-W49-WE`` and "in the morning" as ``MO``; Dialogflow sends a
``@sys.date-period`` as ``{"startDate": ..., "endDate": ...}``. Skills get a ``DateRange`` or a
``PartOfDay`` for them (``voice.nlu.platform_values`` reads the platform forms), and the slot type
registry stores both as JSON (``{"$date_range": {"start": ..., "end": ...}}``, ``{"$part_of_day": "MO"}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["DateRange", "PartOfDay"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DateRange:
    """The days from ``start`` to ``end``, both included (a week, a weekend, a month, a season ...)."""

    start: dt.date
    end: dt.date
    """The last day of the range, included."""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a date range cannot end ({self.end}) before it starts ({self.start}).")

    @property
    def days(self) -> int:
        """How many days the range has (a weekend: 2)."""
        return (self.end - self.start).days + 1

    def dates(self) -> Iterator[dt.date]:
        """Every day of the range, in order."""
        for offset in range(self.days):
            yield self.start + dt.timedelta(days=offset)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= _day(day) <= self.end

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DateRange:
        return cls(start=dt.date.fromisoformat(data["start"]), end=dt.date.fromisoformat(data["end"]))


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


class PartOfDay(Enum):
    """A part of the day as Alexa's AMAZON.TIME names it; the value is Alexa's code."""

    MORNING = "MO"
    AFTERNOON = "AF"
    EVENING = "EV"
    NIGHT = "NI"

    @property
    def start(self) -> dt.time:
        """When this part of the day typically begins."""
        return _TYPICAL[self][0]

    @property
    def end(self) -> dt.time:
        """When it typically ends (the night ends the next morning, so ``end < start``)."""
        return _TYPICAL[self][1]

    def __contains__(self, time: object) -> bool:
        if not isinstance(time, dt.time):
            return False
        if self.start <= self.end:
            return self.start <= time < self.end
        return time >= self.start or time < self.end


_TYPICAL = {
    PartOfDay.MORNING: (dt.time(6), dt.time(12)),
    PartOfDay.AFTERNOON: (dt.time(12), dt.time(17)),
    PartOfDay.EVENING: (dt.time(17), dt.time(21)),
    PartOfDay.NIGHT: (dt.time(21), dt.time(6)),
}
