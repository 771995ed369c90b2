"""Dates as people say them, in English and Dutch, and dates the way replies say them.

Dates, relative to ``now``: "morgen", "overmorgen", "volgende week dinsdag", "next tuesday",
"on March 3rd", "3 maart", "de twaalfde" / "the 12th" (the next 12th from today), "over twee weken" /
"in two weeks", and written "12-12", "12/12" or "12.12". A day and month without a year are the next
such day: 3 March said in November is next year's, and 29 February the next one the calendar has (the
caller hears what the skill thinks of it, "too far ahead", rather than nothing). Written dates are
day-month in both languages (as in the Netherlands and Britain, and as ``spoken_date`` says them): an
American "12/5" is 12 May.
A weekday may lead ("zaterdag 12 december", "saturday the 12th", as ``spoken_date`` says a date); when
it is not that date's weekday the words are no date, so the caller is asked again rather than booked
on a day they did not mean. Times of day are read by ``voice.nlu.clock`` (``parse_spoken_time``).
dateparser was evaluated and left out: it misses Dutch relative phrases and
clock idioms and costs ~10 ms a call, which is too slow to try on every span.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from text_to_num import alpha2digit

from .numbers import language_family, parse_number

__all__ = ["parse_date", "spoken_date", "weekday_name"]

_WEEKDAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
}
_MONTHS = {
    "en": [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
}
_DAYS_FROM_TODAY = {
    "en": {"today": 0, "tomorrow": 1, "the day after tomorrow": 2, "yesterday": -1},
    "nl": {"vandaag": 0, "morgen": 1, "overmorgen": 2, "gisteren": -1, "eergisteren": -2},
}
_NEXT = {"en": ("next", "this coming"), "nl": ("volgende", "aanstaande", "komende")}
_NEXT_WEEK = {"en": ("next week",), "nl": ("volgende week", "komende week")}
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|de|ste)?$")
_SAID_AS_ORDINAL = re.compile(r"^\d{1,2}(?:st|nd|rd|th|e|de|ste)$")
_ORDINAL_ENDINGS = ("st", "nd", "rd", "th", "e")
"""How every ordinal ends, in digits or words ("12th", "second", "vierde"): most words are skipped unread."""
_WRITTEN = re.compile(r"(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d{2}))?")
"""A date as typed or transcribed: day-month, the same separator before an optional year."""
_AHEAD = {
    "en": r"in (?P<n>.+?) (?P<unit>days?|weeks?)",
    "nl": r"over (?P<n>.+?) (?P<unit>dagen|dag|weken|week)",
}
_WEEK_UNITS = ("week", "weeks", "weken")
_LEAP_CYCLE = 8
"""The most years from one 29 February to the next (2096 to 2104: 2100 is no leap year)."""


def _family(language: str) -> str:
    return language_family(language, _WEEKDAYS)


def _weekday(text: str, family: str, today: dt.date) -> dt.date | None:
    names = _WEEKDAYS[family]
    for prefix in _NEXT_WEEK[family]:
        for pattern in (rf"{prefix} (?P<d>\w+)", rf"(?P<d>\w+) {prefix}"):
            if (found := re.fullmatch(pattern, text)) and found["d"] in names:
                monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
                return monday + dt.timedelta(days=names.index(found["d"]))
    strictly_next = text.startswith(tuple(f"{word} " for word in _NEXT[family]))
    name = text.split(" ")[-1]
    if name not in names or (" " in text and not strictly_next):
        return None
    ahead = (names.index(name) - today.weekday()) % 7
    return today + dt.timedelta(days=ahead or (7 if strictly_next else 0))


def _calendar(text: str, family: str, today: dt.date) -> dt.date | None:
    months = _MONTHS[family]
    patterns = (
        r"(?:the |de )?(?P<d>.+?) (?:of )?(?P<m>[a-z]+)(?: (?P<y>\d{4}))?",
        r"(?P<m>[a-z]+) (?:the )?(?P<d>.+?)(?:,)?(?: (?P<y>\d{4}))?",
    )
    for pattern in patterns:
        found = re.fullmatch(pattern, text)
        if found is None or found["m"] not in months:
            continue
        day = _day_number(found["d"], family)
        if day is None:
            continue
        return _dated(int(found["y"]) if found["y"] else None, months.index(found["m"]) + 1, day, today)
    return None


def _day_number(text: str, family: str) -> int | None:
    """The day of the month in "3", "3rd", "third", "twenty first", "drie", "derde"."""
    found = _ORDINAL.match(text) or _ORDINAL.match(_digits(text, family))
    number = int(found[1]) if found else parse_number(re.sub(r"(ste|de|th|st|nd|rd)$", "", text), family)
    return number if isinstance(number, int) and 1 <= number <= 31 else None


def _digits(text: str, family: str) -> str:
    """Numbers and ordinals in words as digits: "twelfth" -> "12th", "twaalfde" -> "12e"."""
    return str(alpha2digit(text, family, threshold=0))


def parse_date(text: str, language: str, now: Any = None) -> dt.date | None:
    """Read a date relative to ``now`` (a date or datetime; today if None)."""
    family, text = _family(language), text.strip().lower()
    text = re.sub(r"^(on|op) ", "", text)
    today = (
        now.date() if isinstance(now, dt.datetime) else now if isinstance(now, dt.date) else dt.date.today()
    )
    if text in _DAYS_FROM_TODAY[family]:
        return today + dt.timedelta(days=_DAYS_FROM_TODAY[family][text])
    return _weekday(text, family, today) or _ahead(text, family, today) or _with_weekday(text, family, today)


def _with_weekday(text: str, family: str, today: dt.date) -> dt.date | None:
    """A day of the calendar, perhaps after its weekday; None when the weekday said is not the date's."""
    first, _, rest = text.partition(" ")
    names = _WEEKDAYS[family]
    if first not in names or not rest:
        return _day(text, family, today)
    date = _day(rest, family, today)
    return date if date is not None and date.weekday() == names.index(first) else None


def _day(text: str, family: str, today: dt.date) -> dt.date | None:
    return _calendar(text, family, today) or _written(text, today) or _day_of_month(text, family, today)


def _ahead(text: str, family: str, today: dt.date) -> dt.date | None:
    """ "over twee weken", "in two weeks", "over drie dagen": that many days or weeks from today."""
    found = re.fullmatch(_AHEAD[family], text)
    count = parse_number(found["n"], family) if found else None
    if found is None or not isinstance(count, int) or not 0 < count <= 52:
        return None
    return today + dt.timedelta(days=count * (7 if found["unit"] in _WEEK_UNITS else 1))


def _written(text: str, today: dt.date) -> dt.date | None:
    """ "12-12", "12/12/2026", "12.12.26": day-month, the next such day without a year."""
    found = _WRITTEN.fullmatch(text)
    if found is None:
        return None
    year = None if found["y"] is None else int(found["y"]) + (2000 if len(found["y"]) == 2 else 0)
    return _dated(year, int(found["m"]), int(found["d"]), today)


def _dated(year: int | None, month: int, day: int, today: dt.date) -> dt.date | None:
    """That day of that year; without a year the next such day from today, as for any day-month: one
    passed this year is next year's, and 29 February the next one there is (2028 from 2026), not none."""
    for candidate in (year,) if year is not None else range(today.year, today.year + _LEAP_CYCLE + 1):
        try:
            date = dt.date(candidate, month, day)
        except ValueError:
            continue
        if year is not None or date >= today:
            return date
    return None


def _day_of_month(text: str, family: str, today: dt.date) -> dt.date | None:
    """ "de twaalfde", "the 12th", "twelfth": the next such day from today (a bare "12" is no date)."""
    said = re.sub(r"^(?:the|de) ", "", text)
    if said == text and not (
        said.endswith(_ORDINAL_ENDINGS) and _SAID_AS_ORDINAL.match(_digits(said, family))
    ):
        return None
    day = _day_number(said, family)
    if day is None:
        return None
    month = dt.date(today.year, today.month, 1)
    for _ in range(12):  # the 31st is not in every month
        try:
            date = month.replace(day=day)
        except ValueError:
            date = None
        if date is not None and date >= today:
            return date
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return None


def weekday_name(weekday: int, language: str) -> str:
    """The name of a weekday (Monday = 0) as it is written in a sentence: "Tuesday", "dinsdag"."""
    family = _family(language)
    name = _WEEKDAYS[family][weekday]
    return name.capitalize() if family == "en" else name


def spoken_date(day: dt.date, language: str) -> str:
    """A date the way people say it: "Tuesday 24 November", "dinsdag 24 november"."""
    family = _family(language)
    month = _MONTHS[family][day.month - 1]
    return (
        f"{weekday_name(day.weekday(), language)} {day.day} {month.capitalize() if family == 'en' else month}"
    )
