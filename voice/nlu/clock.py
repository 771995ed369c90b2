"""Clock times as callers say them, in English and Dutch: the parser of the ``{time}`` slot type.

Speech recognisers write words, and callers leave out what the context makes clear:

- "om tien", "at ten", "rond drie", "een uur of vier", "at about ten": a preposition and a bare hour;
- "ten am", "ten thirty", "ten oh five", "fifteen hundred", "10u30", "13:45", "tien uur vijftien";
- "half drie" (2:30), "half past two", "half two" (British 2:30), "kwart voor vijf", "tien voor half vijf";
- parts of the day: "drie uur 's middags", "at eight in the evening", "vanavond om acht", "ten at night";
  alone ("'s middags", "in the evening") they are a ``PartOfDay``.

A time said without a part of the day ("om drie", "half vier", "3:15") is an ``AmbiguousTime``: the
morning reading, which knows its afternoon reading (``other``). It equals and stores as the plain time;
a skill that declares business hours (``voice.BusinessHours``) gets the reading within its hours.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from .numbers import language_family, parse_number
from .periods import PartOfDay

__all__ = ["AmbiguousTime", "parse_spoken_time"]


class AmbiguousTime(dt.time):
    """A clock time said without am, pm or a part of the day: "om drie" is 3:00 or 15:00."""

    __slots__ = ()

    @property
    def other(self) -> dt.time:
        """The reading twelve hours away (15:00 for 3:00; 0:30 for 12:30)."""
        return dt.time((self.hour + 12) % 24, self.minute)

    @property
    def readings(self) -> tuple[dt.time, dt.time]:
        """The time as said (plain) and its other reading."""
        return dt.time(self.hour, self.minute), self.other


_LEADING = {
    "en": ("at around", "at about", "around about", "round about", "around", "about", "at", "by"),
    "nl": ("om ongeveer", "ongeveer om", "omstreeks", "rond", "rondom", "tegen", "om"),
}
_PARTS = {
    "en": {
        "in the morning": PartOfDay.MORNING,
        "this morning": PartOfDay.MORNING,
        "in the afternoon": PartOfDay.AFTERNOON,
        "this afternoon": PartOfDay.AFTERNOON,
        "in the evening": PartOfDay.EVENING,
        "this evening": PartOfDay.EVENING,
        "tonight": PartOfDay.EVENING,
        "at night": PartOfDay.NIGHT,
    },
    "nl": {
        "'s ochtends": PartOfDay.MORNING,
        "'s morgens": PartOfDay.MORNING,
        "in de ochtend": PartOfDay.MORNING,
        "vanochtend": PartOfDay.MORNING,
        "vanmorgen": PartOfDay.MORNING,
        "'s middags": PartOfDay.AFTERNOON,
        "in de middag": PartOfDay.AFTERNOON,
        "vanmiddag": PartOfDay.AFTERNOON,
        "'s avonds": PartOfDay.EVENING,
        "in de avond": PartOfDay.EVENING,
        "vanavond": PartOfDay.EVENING,
        "'s nachts": PartOfDay.NIGHT,
        "in de nacht": PartOfDay.NIGHT,
        "vannacht": PartOfDay.NIGHT,
    },
}
_AM, _PM = "am", "pm"
_NAMED = {
    "noon": dt.time(12),
    "midday": dt.time(12),
    "twelve noon": dt.time(12),
    "midnight": dt.time(0),
    "twelve midnight": dt.time(0),
    "middernacht": dt.time(0),
    "middaguur": dt.time(12),
    "het middaguur": dt.time(12),
}
_SPELLINGS = (  # what recognisers and keyboards write for the same words
    (r"\b(?:a\.? ?m\.?)(?=$| )", _AM),
    (r"\b(?:p\.? ?m\.?)(?=$| )", _PM),
    (r"(?:^| )'?s ?(ochtends|morgens|middags|avonds|nachts)\b", r" 's \1"),
    (r"\bo'?clock\b", "uur"),
    (r"\bhours?$", "uur"),
    (r"\bhundred uur$", "hundred"),
    (r"\b(\d{1,2})(?:u|h)(\d{2})\b", r"\1:\2"),
    (r"\b(\d{1,2})(?:u|h)\b", r"\1 uur"),
    (r"-", " "),
)
_MINUTE_WORDS = {"kwart": 15, "quarter": 15, "a quarter": 15, "half": 30}
_RELATIVE = {
    "en": (
        (r"(?P<m>.+) past (?P<h>.+)", 1),
        (r"(?P<m>.+) after (?P<h>.+)", 1),
        (r"(?P<m>.+) (?:to|till|til|before|of) (?P<h>.+)", -1),
    ),
    "nl": (
        (r"(?P<m>.+) over half (?P<h>.+)", 2),
        (r"(?P<m>.+) voor half (?P<h>.+)", -2),
        (r"(?P<m>.+) over (?P<h>.+)", 1),
        (r"(?P<m>.+) voor (?P<h>.+)", -1),
    ),
}
_DIGITS = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?")


@lru_cache(maxsize=8192)
def parse_spoken_time(text: str, language: str) -> dt.time | PartOfDay | None:
    """A clock time (``AmbiguousTime`` when it could be either half of the day), a part of the day
    alone, or None unless the whole text is one."""
    family = language_family(language, _LEADING)
    text = _spelled(text)
    if text in _NAMED:
        return _NAMED[text]
    text, part = _part_of_day(text, family)
    if not text:
        return part if isinstance(part, PartOfDay) else None
    text = _without_leading(text, family)  # "om drie", "'s middags om drie"
    if text in _NAMED and part is None:
        return _NAMED[text]
    clock = _clock(text, family)
    if clock is None:
        return None
    hour, minute, twelve_hour = clock
    if part is None:
        return _as_said(hour, minute, twelve_hour)
    if not twelve_hour:
        return dt.time(hour % 24, minute)
    return dt.time(_in_part(hour, part), minute)


def _spelled(text: str) -> str:
    text = " ".join(text.strip().lower().replace("’", "'").split())
    for pattern, replacement in _SPELLINGS:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.split())


def _without_leading(text: str, family: str) -> str:
    for word in _LEADING[family]:
        if text.startswith(word + " "):
            text = text[len(word) + 1 :]
            break
    found = re.fullmatch(r"een uur of (.+)", text) if family == "nl" else None  # "om een uur of drie"
    return found[1] if found else text


def _part_of_day(text: str, family: str) -> tuple[str, PartOfDay | str | None]:
    """The text without its part of the day, and the part ("am" and "pm" as such)."""
    for word in (_AM, _PM):
        if text.endswith(" " + word) or text == word:
            return text[: -len(word)].strip(), word
    for words, part in _PARTS[family].items():
        if text == words:
            return "", part
        if text.endswith(" " + words):
            return text[: -len(words) - 1], part
        if text.startswith(words + " "):
            return text[len(words) + 1 :], part
    return text, None


def _as_said(hour: int, minute: int, twelve_hour: bool) -> dt.time:
    if not twelve_hour:
        return dt.time(hour % 24, minute)
    hour = hour % 12 or 12  # "half een" is 12:30 as said, 0:30 the other reading
    return AmbiguousTime(hour, minute)


def _in_part(hour: int, part: PartOfDay | str | None) -> int:
    """The 24-hour clock of an hour 1-12 said with a part of the day (or am, pm)."""
    hour = hour % 12
    if part in (_AM, PartOfDay.MORNING):
        return hour
    if part is PartOfDay.NIGHT:
        return hour + 12 if hour >= 6 else hour
    if part is PartOfDay.EVENING and hour == 0:
        return 0
    return hour + 12


def _clock(text: str, family: str) -> tuple[int, int, bool] | None:
    """(hour, minute, said on a 12-hour clock) of a time without its part of the day."""
    if family == "nl" and (found := re.fullmatch(r"half (?P<h>.+)", text)):
        hour = _hour(found["h"], family)
        return None if hour is None else ((hour - 1) % 24, 30, hour <= 12)
    if family == "en" and (found := re.fullmatch(r"half (?P<h>[a-z]+)", text)):  # British "half ten"
        hour = _hour(found["h"], family)
        return None if hour is None or hour > 12 else (hour, 30, True)
    return _relative(text, family) or _digits(text) or _words(text, family)


def _relative(text: str, family: str) -> tuple[int, int, bool] | None:
    for pattern, sign in _RELATIVE[family]:
        found = re.fullmatch(pattern, text)
        if found is None:
            continue
        minutes, hour = _minutes(found["m"], family), _hour(found["h"], family)
        if minutes is None or hour is None or (minutes == 30 and abs(sign) == 1 and family == "nl"):
            continue
        base = hour * 60 - (30 if abs(sign) == 2 else 0)
        total = (base + (minutes if sign > 0 else -minutes)) % (24 * 60)
        return total // 60, total % 60, hour <= 12
    return None


def _digits(text: str) -> tuple[int, int, bool] | None:
    found = _DIGITS.fullmatch(re.sub(r" uur$", "", text))
    if found is None:
        return None
    hour, minute = int(found["h"]), int(found["m"] or 0)
    if hour > 24 or minute > 59:
        return None
    return hour, minute, 1 <= hour <= 12 and not found["h"].startswith("0")


def _words(text: str, family: str) -> tuple[int, int, bool] | None:
    """ "tien", "tien uur", "tien uur vijftien", "ten thirty", "ten oh five", "fifteen hundred"."""
    whole = None if text.endswith(" hundred") else parse_number(text, family)
    if whole is not None:  # one number: an hour, or no time at all ("twenty five")
        return (whole, 0, 1 <= whole <= 12) if isinstance(whole, int) and 0 <= whole <= 24 else None
    found = re.fullmatch(r"(?P<h>.+?) (?:uur|hundred)(?: (?P<m>.+))?", text)
    if found is None:
        found = re.fullmatch(r"(?P<h>\S+)(?: (?P<m>.+))?", text)
    if found is None:
        return None
    hour = _hour(found["h"], family)
    minute = 0 if found["m"] is None else _clock_minutes(found["m"], family)
    if hour is None or minute is None:
        return None
    hundred = " hundred" in text
    return hour, minute, 1 <= hour <= 12 and not hundred


def _hour(text: str, family: str) -> int | None:
    text = re.sub(r" uur$", "", text)
    number = parse_number(text, family)
    return number if isinstance(number, int) and 0 <= number <= 24 else None


def _minutes(text: str, family: str) -> int | None:
    """Minutes before or after the hour: "kwart", "tien", "twenty five minutes"."""
    if text in _MINUTE_WORDS:
        return _MINUTE_WORDS[text]
    text = re.sub(r" (minuten|minuut|minutes?)$", "", text)
    number = parse_number(text, family)
    return number if isinstance(number, int) and 0 < number < 60 else None


def _clock_minutes(text: str, family: str) -> int | None:
    """The minutes after the hour as read from a clock: "thirty", "oh five", "vijftien", "05"."""
    if re.fullmatch(r"\d{2}", text):
        return int(text) if int(text) < 60 else None
    text = re.sub(r"^(?:oh|o|zero) ", "", text) if family == "en" else text
    number = parse_number(text, family)
    return number if isinstance(number, int) and 0 <= number < 60 else None
