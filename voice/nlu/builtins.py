"""Built-in slot types: ``{number}``, ``{percentage}``, ``{time}``, ``{date}``, ``{duration}``.

Skill templates use them like lists (``zet een timer van {duration}``) without
defining any values. Each parser reads one phrase; ``find`` tries the phrases
starting at a position, a few words long, and reports every one that parses, so
the template around the slot decides where it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .dates import parse_date, parse_time
from .durations import parse_duration, parse_percentage
from .numbers import parse_number

__all__ = ["PARSERS", "find"]

_MAX_WORDS = 8

PARSERS: dict[str, Callable[[str, str, Any], Any]] = {
    "number": lambda text, language, now: parse_number(text, language),
    "percentage": lambda text, language, now: parse_percentage(text, language),
    "duration": lambda text, language, now: parse_duration(text, language),
    "time": lambda text, language, now: parse_time(text, language),
    "date": parse_date,
}


def find(kind: str, folded: str, start: int, language: str, now: Any) -> list[tuple[int, Any]]:
    """Every (end, value) for phrases of up to a few words at ``start`` that parse as ``kind``."""
    parser = PARSERS[kind]
    found: list[tuple[int, Any]] = []
    end = start
    for _ in range(_MAX_WORDS):
        end = folded.find(" ", end + 1)
        if end < 0:
            break
        value = parser(folded[start:end], language, now)
        if value is not None:
            found.append((end, value))
    return found
