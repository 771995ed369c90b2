"""Slot values as Alexa and Dialogflow send them, read into the values the router gives.

Every function takes the platform's value and the turn's time, and returns a typed value or the
value unchanged when it is not in a form it knows (the skill then gets the words; nothing raises):

- dates: ``2026-11-27`` and Dialogflow's ``2026-11-27T12:00:00+01:00`` -> ``date``; ``XXXX-12-02``
  -> the next 2 December from the turn's day; ``PRESENT_REF`` -> the turn's day; a week
  ``2026-W49``, weekend ``2026-W49-WE``, month ``2026-12``, year ``2026``, decade ``202X``, season
  ``2026-WI|SP|SU|FA`` and Dialogflow's ``{"startDate", "endDate"}`` -> ``DateRange``;
- times: ``10:00``, ``10:00:30``, Dialogflow's date-time -> ``time``; ``MO|AF|EV|NI`` -> ``PartOfDay``;
  one from 1:00 to 12:59 is an ``AmbiguousTime`` (Alexa sends "three" as 03:00, "three am" too);
- durations: ISO 8601 ``PT1H30M``, ``P1D``, ``P2W``, ``P1Y`` and Dialogflow's
  ``{"amount": 10, "unit": "min"}`` -> ``timedelta`` (a month counts 30 days, a year 365);
- numbers: ``"5"``, ``"-3"``, ``2.0`` -> ``int``, ``2.5`` -> ``float``; Alexa's ``?`` stays.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from .clock import AmbiguousTime
from .periods import DateRange, PartOfDay

__all__ = ["platform_date", "platform_duration", "platform_number", "platform_percentage", "platform_time"]

_DateForm = Callable[[re.Match[str], dt.date], "dt.date | DateRange"]

# Seasons as meteorologists count them (northern hemisphere); winter runs into the next year.
_SEASONS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}
_PARTS_OF_DAY = {part.value: part for part in PartOfDay}
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_ISO_DURATION = re.compile(
    rf"P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
_ISO_UNITS = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)
"""Seconds per unit of the ISO groups: years, months, weeks, days, hours, minutes, seconds."""
_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1),
    **dict.fromkeys(("min", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hour", "hours"), 3600),
    **dict.fromkeys(("day", "days"), 86400),
    **dict.fromkeys(("wk", "week", "weeks"), 7 * 86400),
    **dict.fromkeys(("mo", "month", "months"), 30 * 86400),
    **dict.fromkeys(("yr", "year", "years"), 365 * 86400),
}


def platform_number(value: Any, now: dt.datetime | None = None) -> Any:
    """Alexa's "42" and "-3", Dialogflow's 42.0 -> 42; "2.5" -> 2.5; "?" (not understood) stays."""
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        value = float(value)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def platform_percentage(value: Any, now: dt.datetime | None = None) -> Any:
    """Dialogflow's "50%" and Alexa's "50" -> 50."""
    return platform_number(value.strip().removesuffix("%").strip() if isinstance(value, str) else value)


def platform_time(value: Any, now: dt.datetime | None = None) -> Any:
    """ "10:00", "10:00:30" and Dialogflow's "2026-11-24T10:00:00+01:00" -> a time; "MO" -> morning.
    A time from 1:00 to 12:59 is an ``AmbiguousTime``: the platforms send "three" as 03:00, so a skill's
    business hours read it, as they read the router's "om drie"."""
    if not isinstance(value, str):
        return value
    if value in _PARTS_OF_DAY:
        return _PARTS_OF_DAY[value]
    try:
        if re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", value):
            return _either_half(dt.time.fromisoformat(value))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*", value):
            return _either_half(dt.datetime.fromisoformat(value).time().replace(tzinfo=None))
    except ValueError:  # "25:00": not a time, so the words stay
        pass
    return value


def _either_half(time: dt.time) -> dt.time:
    """A platform's time that may be meant in the afternoon (1:00 to 12:59) as an ``AmbiguousTime``."""
    return AmbiguousTime(time.hour, time.minute, time.second) if 1 <= time.hour <= 12 else time


def platform_duration(value: Any, now: dt.datetime | None = None) -> Any:
    """Alexa's "PT1H30M" and Dialogflow's ``{"amount": 10, "unit": "min"}`` -> a timedelta."""
    try:
        if isinstance(value, Mapping):
            amount = platform_number(value.get("amount"))
            unit = _UNIT_SECONDS.get(str(value.get("unit", "")))
            known = isinstance(amount, int | float) and not isinstance(amount, bool) and unit is not None
            return dt.timedelta(seconds=amount * unit) if known else value
        match = _ISO_DURATION.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            return value
        parts = zip(match.groups(), _ISO_UNITS, strict=True)
        return dt.timedelta(seconds=sum(float(part.replace(",", ".")) * unit for part, unit in parts if part))
    except OverflowError:  # "P99999999Y" is no timedelta
        return value


def platform_date(value: Any, now: dt.datetime | None = None) -> Any:
    """Alexa's AMAZON.DATE and Dialogflow's @sys.date / @sys.date-period forms -> a date or DateRange."""
    today = (now or dt.datetime.now(dt.UTC)).date()
    if isinstance(value, Mapping) and "startDate" in value and "endDate" in value:
        start, end = platform_date(value["startDate"], now), platform_date(value["endDate"], now)
        if type(start) is dt.date and type(end) is dt.date:
            return DateRange(start=start, end=end) if start < end else start
        return value
    if not isinstance(value, str):
        return value
    for pattern, read in _DATE_FORMS:
        match = pattern.fullmatch(value.strip())
        if match:
            try:
                return read(match, today)
            except ValueError:  # "2026-13", "2026-W60": not a real date, so the words stay
                return value
    return value


def _day(match: re.Match[str], today: dt.date) -> dt.date:
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def _next_day(match: re.Match[str], today: dt.date) -> dt.date:
    """``XXXX-12-02``: the first 2 December on or after today (29 February: the next leap year)."""
    month, day = int(match[1]), int(match[2])
    for year in range(today.year, today.year + 9):
        if day <= calendar.monthrange(year, month)[1] and dt.date(year, month, day) >= today:
            return dt.date(year, month, day)
    raise ValueError(f"there is no day {day} in month {month}.")


def _present(match: re.Match[str], today: dt.date) -> dt.date:
    return today


def _week(match: re.Match[str], today: dt.date) -> DateRange:
    """``2026-W49`` (ISO week, Monday to Sunday); ``2026-W49-WE`` its Saturday and Sunday."""
    year, week = int(match[1]), int(match[2])
    first = 6 if match[3] else 1
    return DateRange(
        start=dt.date.fromisocalendar(year, week, first), end=dt.date.fromisocalendar(year, week, 7)
    )


def _month(match: re.Match[str], today: dt.date) -> DateRange:
    year, month = int(match[1]), int(match[2])
    return DateRange(
        start=dt.date(year, month, 1), end=dt.date(year, month, calendar.monthrange(year, month)[1])
    )


def _year(match: re.Match[str], today: dt.date) -> DateRange:
    year = int(match[1])
    return DateRange(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))


def _decade(match: re.Match[str], today: dt.date) -> DateRange:
    first = int(match[1]) * 10
    return DateRange(start=dt.date(first, 1, 1), end=dt.date(first + 9, 12, 31))


def _season(match: re.Match[str], today: dt.date) -> DateRange:
    """``2026-WI``: December 2026 to February 2027; spring March-May, summer June-August, fall Sept-Nov."""
    year = int(match[1])
    first, last = _SEASONS[match[2]]
    end_year, end_month = year + (last - 1) // 12, (last - 1) % 12 + 1
    end = dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    return DateRange(start=dt.date(year, first, 1), end=end)


_DATE_FORMS: tuple[tuple[re.Pattern[str], _DateForm], ...] = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"), _day),
    (re.compile(r"XXXX-(\d{2})-(\d{2})"), _next_day),
    (re.compile(r"PRESENT_REF"), _present),
    (re.compile(r"(\d{4})-W(\d{1,2})(-WE)?"), _week),
    (re.compile(r"(\d{4})-(\d{2})"), _month),
    (re.compile(r"(\d{4})"), _year),
    (re.compile(r"(\d{3})X"), _decade),
    (re.compile(r"(\d{4})-(WI|SP|SU|FA)"), _season),
)
