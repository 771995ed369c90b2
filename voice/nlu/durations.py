"""Durations and percentages as people say them, in English and Dutch.

"tien minuten", "anderhalf uur", "een uur en een kwartier", "an hour and a half",
"2 hours 10 minutes", "half an hour"; "50 procent", "75%", "fifty percent".
Values are ``datetime.timedelta`` and plain numbers.
"""

from __future__ import annotations

import datetime as dt
import re

from .numbers import language_family, parse_number

__all__ = ["parse_duration", "parse_percentage"]

_UNITS = {
    "en": {
        r"seconds?|secs?": 1,
        r"minutes?|mins?": 60,
        r"hours?|hrs?": 3600,
        r"days?": 86400,
        r"weeks?": 604800,
    },
    "nl": {
        r"seconden?|secondes?|sec": 1,
        r"minuten|minuut|minuutjes?|min": 60,
        r"kwartier": 900,
        r"uur|uren": 3600,
        r"dagen|dag": 86400,
        r"weken|week": 604800,
    },
}
_FRACTIONS = {
    "en": {r"half an?|a half|half": 0.5, r"(?:a |one )?quarter of an?": 0.25, r"three quarters of an?": 0.75},
    "nl": {r"(?:een )?half|(?:een )?halve": 0.5, r"driekwart|drie kwart": 0.75},
}
_AND_HALF = {"en": ("and", "a", "half"), "nl": ("en", "een", "half")}
_PERCENT = {"en": r"\s*(?:%|percent|per cent)", "nl": r"\s*(?:%|procent)"}


def _family(language: str) -> str:
    return language_family(language, _UNITS)


def _unit_seconds(word: str, family: str) -> int | None:
    for pattern, seconds in _UNITS[family].items():
        if re.fullmatch(pattern, word):
            return seconds
    return None


def _count(words: list[str], family: str) -> float | None:
    """How many units the words before a unit say ("twee", "anderhalf", "half an")."""
    if not words:
        return None
    text = " ".join(words)
    for pattern, value in _FRACTIONS[family].items():
        if re.fullmatch(pattern, text):
            return value
    return parse_number(text, family)


def parse_duration(text: str, language: str) -> dt.timedelta | None:
    """Read a duration; None unless the whole text is one."""
    family, words = _family(language), text.strip().lower().replace(",", " ").split()
    pending: list[str] = []
    total, last_unit, parts, index = 0.0, 0, 0, 0
    while index < len(words):
        if not pending and last_unit and tuple(words[index : index + 3]) == _AND_HALF[family]:
            total, index = total + last_unit / 2, index + 3
            continue
        if not pending and words[index] in ("and", "en"):
            index += 1
            continue
        seconds = _unit_seconds(words[index], family)
        if seconds is None:
            pending.append(words[index])
        else:
            count = _count(pending, family)
            if count is None:
                return None
            total, pending, last_unit, parts = total + count * seconds, [], seconds, parts + 1
        index += 1
    return dt.timedelta(seconds=total) if parts and not pending else None


def parse_percentage(text: str, language: str) -> int | float | None:
    """Read "50 procent", "75%", "fifty percent" as the number (50, 75, 50)."""
    found = re.fullmatch(rf"(?P<n>.+?){_PERCENT[_family(language)]}", text.strip().lower())
    return None if found is None else parse_number(found["n"], language)
