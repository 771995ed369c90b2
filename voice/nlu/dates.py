"""Times and dates as people say them, in English and Dutch.

Times: "3:15 pm", "15.30", "kwart over drie", "half vier" (3:30), "tien voor half
vijf", "quarter past three", "noon". Dates, relative to ``now``: "morgen",
"overmorgen", "volgende week dinsdag", "next tuesday", "on March 3rd", "3 maart".
dateparser was evaluated and left out: it misses Dutch relative phrases and
clock idioms and costs ~10 ms a call, which is too slow to try on every span.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .numbers import language_family, parse_number

__all__ = ["parse_date", "parse_time"]

_CLOCK = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?(?: uur)?")
_DAY_PARTS = {
    "'s ochtends": 0,
    "'s morgens": 0,
    "'s middags": 12,
    "'s avonds": 12,
    "'s nachts": 0,
    "in the morning": 0,
    "in the afternoon": 12,
    "in the evening": 12,
    "at night": 12,
}
_RELATIVE = {
    "en": [(r"(?P<m>.+) past (?P<h>.+)", 1), (r"(?P<m>.+) to (?P<h>.+)", -1)],
    "nl": [
        (r"(?P<m>.+) over half (?P<h>.+)", 2),
        (r"(?P<m>.+) voor half (?P<h>.+)", -2),
        (r"(?P<m>.+) over (?P<h>.+)", 1),
        (r"(?P<m>.+) voor (?P<h>.+)", -1),
    ],
}
_MINUTE_WORDS = {"kwart": 15, "quarter": 15, "a quarter": 15, "half": 30}
_NAMED = {
    "noon": dt.time(12),
    "midday": dt.time(12),
    "midnight": dt.time(0),
    "middernacht": dt.time(0),
    "twaalf uur 's middags": dt.time(12),
}
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


def _family(language: str) -> str:
    return language_family(language, _WEEKDAYS)


def _hour(text: str, family: str) -> int | None:
    text = re.sub(r" (uur|o'clock)$", "", text)
    number = parse_number(text, family)
    return number if isinstance(number, int) and 0 <= number <= 24 else None


def _minutes(text: str, family: str) -> int | None:
    if text in _MINUTE_WORDS:
        return _MINUTE_WORDS[text]
    text = re.sub(r" (minuten|minuut|minutes?)$", "", text)
    number = parse_number(text, family)
    return number if isinstance(number, int) and 0 < number < 60 else None


def _relative_time(text: str, family: str) -> dt.time | None:
    if family == "nl" and (found := re.fullmatch(r"half (?P<h>.+)", text)):
        hour = _hour(found["h"], family)
        return None if hour is None else dt.time((hour - 1) % 24, 30)
    for pattern, sign in _RELATIVE[family]:
        found = re.fullmatch(pattern, text)
        minutes = None if found is None else _minutes(found["m"], family)
        hour = None if found is None else _hour(found["h"], family)
        if minutes is not None and hour is not None:
            base = hour * 60 - (30 if abs(sign) == 2 else 0)
            total = base + (minutes if sign > 0 else -minutes)
            return dt.time((total // 60) % 24, total % 60)
    return None


def _clock_time(text: str, family: str) -> dt.time | None:
    found = _CLOCK.fullmatch(text)
    hour: int | None
    minute: int | None
    if found is not None:
        hour, minute = int(found["h"]), int(found["m"] or 0)
    else:
        words = re.fullmatch(r"(?P<h>.+?) (?:uur|o'clock)(?: (?P<m>.+))?", text)
        hour = None if words is None else _hour(words["h"], family)
        minute = 0 if words is None or words["m"] is None else _minutes(words["m"], family)
    if hour is None or minute is None:
        return None
    if found is not None and found["ampm"]:
        hour = hour % 12 + (12 if found["ampm"].startswith("p") else 0)
    return dt.time(hour % 24, minute) if hour <= 24 and minute < 60 else None


def parse_time(text: str, language: str) -> dt.time | None:
    """Read a time of day; None unless the whole text is one."""
    family, text = _family(language), text.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    shift = 0
    for part, hours in _DAY_PARTS.items():
        if text.endswith(" " + part):
            text, shift = text[: -len(part) - 1], hours
    found = _relative_time(text, family) or _clock_time(text, family)
    if found is None or not shift or found.hour >= 12:
        return found
    return found.replace(hour=found.hour + shift)


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
        r"(?:the )?(?P<d>\S+) (?:of )?(?P<m>[a-z]+)(?: (?P<y>\d{4}))?",
        r"(?P<m>[a-z]+) (?:the )?(?P<d>\S+?)(?:,)?(?: (?P<y>\d{4}))?",
    )
    for pattern in patterns:
        found = re.fullmatch(pattern, text)
        if found is None or found["m"] not in months:
            continue
        day = _day_number(found["d"], family)
        if day is None:
            continue
        year = int(found["y"]) if found["y"] else today.year
        try:
            date = dt.date(year, months.index(found["m"]) + 1, day)
        except ValueError:
            return None
        return date.replace(year=year + 1) if not found["y"] and date < today else date
    return None


def _day_number(text: str, family: str) -> int | None:
    found = _ORDINAL.match(text)
    number = int(found[1]) if found else parse_number(re.sub(r"(ste|de|th|st|nd|rd)$", "", text), family)
    return number if isinstance(number, int) and 1 <= number <= 31 else None


def parse_date(text: str, language: str, now: Any = None) -> dt.date | None:
    """Read a date relative to ``now`` (a date or datetime; today if None)."""
    family, text = _family(language), text.strip().lower()
    text = re.sub(r"^(on|op) ", "", text)
    today = (
        now.date() if isinstance(now, dt.datetime) else now if isinstance(now, dt.date) else dt.date.today()
    )
    if text in _DAYS_FROM_TODAY[family]:
        return today + dt.timedelta(days=_DAYS_FROM_TODAY[family][text])
    return _weekday(text, family, today) or _calendar(text, family, today)


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
