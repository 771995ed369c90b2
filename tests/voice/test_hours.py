"""Business hours in the SDK (issue 16): opening windows, parts of the day, and "om drie" read within them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from voice import AmbiguousTime, BusinessHours, PartOfDay, Router, Skill, SkillError, clock_text

HOURS = BusinessHours.from_dict(
    {
        "monday": "09:00-17:30",
        "thursday": "09:00-12:00, 13:00-21:00",
        "saturday": "10:00-16:00",
        "sunday": "closed",
    }
)
MONDAY, THURSDAY, SUNDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 26), dt.date(2026, 11, 29)


def test_windows_opening_and_closed_days() -> None:
    assert HOURS.windows(MONDAY) == ((dt.time(9), dt.time(17, 30)),)
    assert HOURS.opening(THURSDAY) == (dt.time(9), dt.time(21))
    assert HOURS.opening(SUNDAY) is None and HOURS.opening(1) is None  # tuesday left out: closed
    assert HOURS.is_open(THURSDAY, dt.time(11, 59)) and not HOURS.is_open(THURSDAY, dt.time(12, 30))
    assert HOURS.is_open(None, dt.time(20)) and not HOURS.is_open(MONDAY, dt.time(20))


def test_parts_of_the_day() -> None:
    assert HOURS.during(PartOfDay.MORNING, MONDAY) == (dt.time(9), dt.time(12))
    assert HOURS.during(PartOfDay.EVENING, THURSDAY) == (dt.time(17), dt.time(21))
    assert HOURS.during(PartOfDay.EVENING, MONDAY) == (dt.time(17), dt.time(17, 30))
    assert HOURS.during(PartOfDay.NIGHT) is None
    assert HOURS.during(PartOfDay.MORNING, SUNDAY) is None


@pytest.mark.parametrize(
    ("said", "day", "expected"),
    [
        (AmbiguousTime(3, 0), MONDAY, dt.time(15)),  # "om drie": the afternoon, when we are open
        (AmbiguousTime(10, 0), MONDAY, dt.time(10)),  # "om tien": the morning
        (AmbiguousTime(8, 0), THURSDAY, dt.time(20)),  # "om acht" on a late day
        (AmbiguousTime(8, 0), MONDAY, dt.time(8)),  # closed at both: as said (the validator answers)
        (AmbiguousTime(2, 30), None, dt.time(14, 30)),  # "half drie", any day
        (dt.time(3), MONDAY, dt.time(3)),  # "3 am" was said with its part of the day
    ],
)
def test_the_reading_within_the_hours(said: dt.time, day: dt.date | None, expected: dt.time) -> None:
    reading = HOURS.reading(said, day)
    assert reading == expected and type(reading) is dt.time


def test_either_half_for_platform_times() -> None:
    assert HOURS.reading(dt.time(3), MONDAY, either_half=True) == dt.time(15)
    assert HOURS.reading(dt.time(15), MONDAY, either_half=True) == dt.time(15)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"maandag": "09:00-17:00"}, "'maandag' is not a weekday"),
        ({"monday": "9 to 5"}, "'9 to 5' is not like 09:00-17:30"),
        ({"monday": "25:00-26:00"}, "is not a time of day"),
    ],
)
def test_bad_hours_are_one_sentence(raw: dict[str, str], problem: str) -> None:
    with pytest.raises(SkillError, match=problem):
        BusinessHours.from_dict(raw, source="demo")


def test_clock_text() -> None:
    assert clock_text(dt.time(9)) == "9:00" and clock_text(dt.time(15, 5)) == "15:05"


def _booking_skill(root: Path, hours: bool) -> Skill:
    skill = Skill("booking", root)
    folder = root / "locales" / "nl"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "intents.yaml").write_text(
        "language: nl\nintents:\n  Book:\n"
        "    data: [{sentences: ['kan ik [{date}] om {time} langskomen']}]\n",
        encoding="utf-8",
    )
    skill.hours = HOURS if hours else None
    return skill


@pytest.mark.parametrize(
    ("sentence", "hours", "expected"),
    [
        ("kan ik om drie langskomen", True, dt.time(15)),
        ("kan ik om drie langskomen", False, dt.time(3)),
        ("kan ik om half vier langskomen", True, dt.time(15, 30)),
        ("kan ik om tien langskomen", True, dt.time(10)),
        ("kan ik donderdag om acht langskomen", True, dt.time(20)),
        ("kan ik om drie uur 's nachts langskomen", True, dt.time(3)),
    ],
)
def test_the_router_reads_times_within_the_skills_hours(
    tmp_path: Path, sentence: str, hours: bool, expected: dt.time
) -> None:
    router = Router([_booking_skill(tmp_path, hours)])
    match = router.parse(sentence, "nl", now=dt.datetime(2026, 11, 23, 9))
    assert match is not None and match.slots["time"].value == expected
