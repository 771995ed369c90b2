"""Every documented Alexa and Dialogflow slot value form, read by the slot type registry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from voice import AmbiguousTime, DateRange, PartOfDay, SlotValue, slot_type
from voice.slot_values import coerce, from_json, slot_from_json, slot_to_json, to_json

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)  # a Thursday in ISO week 49
D = dt.date


def days(start: dt.date, end: dt.date) -> DateRange:
    return DateRange(start=start, end=end)


ALEXA_DATES = [
    ("2026-11-27", D(2026, 11, 27)),
    ("2026-W49", days(D(2026, 11, 30), D(2026, 12, 6))),
    ("2026-W49-WE", days(D(2026, 12, 5), D(2026, 12, 6))),
    ("2026-W1", days(D(2025, 12, 29), D(2026, 1, 4))),
    ("2026-12", days(D(2026, 12, 1), D(2026, 12, 31))),
    ("2028-02", days(D(2028, 2, 1), D(2028, 2, 29))),
    ("2026", days(D(2026, 1, 1), D(2026, 12, 31))),
    ("202X", days(D(2020, 1, 1), D(2029, 12, 31))),
    ("2026-WI", days(D(2026, 12, 1), D(2027, 2, 28))),
    ("2026-SP", days(D(2026, 3, 1), D(2026, 5, 31))),
    ("2026-SU", days(D(2026, 6, 1), D(2026, 8, 31))),
    ("2026-FA", days(D(2026, 9, 1), D(2026, 11, 30))),
    ("XXXX-12-02", D(2027, 12, 2)),  # 2 December 2026 has passed on 3 December
    ("XXXX-12-03", D(2026, 12, 3)),
    ("XXXX-02-29", D(2028, 2, 29)),
    ("PRESENT_REF", D(2026, 12, 3)),
    ("2026-13", "2026-13"),
    ("2026-W60", "2026-W60"),
    ("2026-02-30", "2026-02-30"),
    ("christmas", "christmas"),
    ("?", "?"),
]
DIALOGFLOW_DATES = [
    ("2026-11-27T12:00:00+01:00", D(2026, 11, 27)),
    ("2026-11-27T00:00:00Z", D(2026, 11, 27)),
    (
        {"startDate": "2026-12-01T00:00:00+01:00", "endDate": "2026-12-07T23:59:59+01:00"},
        days(D(2026, 12, 1), D(2026, 12, 7)),
    ),
    ({"startDate": "2026-12-01T00:00:00+01:00", "endDate": "2026-12-01T23:59:59+01:00"}, D(2026, 12, 1)),
    ({"startDate": "garbage", "endDate": "2026-12-01"}, {"startDate": "garbage", "endDate": "2026-12-01"}),
    ({"startDate": "2026-12-07", "endDate": "2026-12-01"}, D(2026, 12, 7)),
]
TIMES = [
    ("10:00", dt.time(10)),
    ("10:00:30", dt.time(10, 0, 30)),
    ("MO", PartOfDay.MORNING),
    ("AF", PartOfDay.AFTERNOON),
    ("EV", PartOfDay.EVENING),
    ("NI", PartOfDay.NIGHT),
    ("2026-11-24T10:00:00+01:00", dt.time(10)),  # Dialogflow @sys.time
    ("25:00", "25:00"),
    ("noonish", "noonish"),
]
DURATIONS = [
    ("PT10M", dt.timedelta(minutes=10)),
    ("PT10S", dt.timedelta(seconds=10)),
    ("PT1H30M", dt.timedelta(hours=1, minutes=30)),
    ("P1D", dt.timedelta(days=1)),
    ("P1W", dt.timedelta(weeks=1)),
    ("P2M", dt.timedelta(days=60)),
    ("P1Y", dt.timedelta(days=365)),
    ("P1DT2H", dt.timedelta(days=1, hours=2)),
    ("PT0.5S", dt.timedelta(milliseconds=500)),
    ("P", "P"),
    ("PT", "PT"),
    ("P99999999Y", "P99999999Y"),
    ({"amount": 10, "unit": "s"}, dt.timedelta(seconds=10)),
    ({"amount": 10.0, "unit": "min"}, dt.timedelta(minutes=10)),
    ({"amount": 1.5, "unit": "h"}, dt.timedelta(hours=1, minutes=30)),
    ({"amount": 2, "unit": "day"}, dt.timedelta(days=2)),
    ({"amount": 2, "unit": "wk"}, dt.timedelta(weeks=2)),
    ({"amount": 1, "unit": "mo"}, dt.timedelta(days=30)),
    ({"amount": 1, "unit": "yr"}, dt.timedelta(days=365)),
    ({"amount": 1, "unit": "lightyear"}, {"amount": 1, "unit": "lightyear"}),
    ({"amount": "many", "unit": "h"}, {"amount": "many", "unit": "h"}),
]
NUMBERS = [("5", 5), ("-3", -3), ("2.5", 2.5), ("?", "?"), (5.0, 5), (2.5, 2.5), (-3.0, -3)]


def _ids(cases: list[tuple[Any, Any]]) -> list[str]:
    return [json.dumps(raw) if not isinstance(raw, str) else raw for raw, _ in cases]


@pytest.mark.parametrize(
    ("raw", "expected"), ALEXA_DATES + DIALOGFLOW_DATES, ids=_ids(ALEXA_DATES + DIALOGFLOW_DATES)
)
def test_dates(raw: Any, expected: Any) -> None:
    assert slot_type("date").from_platform(raw, "en", NOW) == expected


@pytest.mark.parametrize(("raw", "expected"), TIMES, ids=_ids(TIMES))
def test_times(raw: Any, expected: Any) -> None:
    assert slot_type("time").from_platform(raw, "en", NOW) == expected


@pytest.mark.parametrize(("raw", "expected"), DURATIONS, ids=_ids(DURATIONS))
def test_durations(raw: Any, expected: Any) -> None:
    assert slot_type("duration").from_platform(raw, "en", NOW) == expected


@pytest.mark.parametrize(("raw", "expected"), NUMBERS, ids=_ids(NUMBERS))
def test_numbers(raw: Any, expected: Any) -> None:
    found = slot_type("number").from_platform(raw, "en", NOW)
    assert found == expected and type(found) is type(expected)


def test_coerce_reads_relative_dates_from_the_turns_time_and_never_raises() -> None:
    slots = {
        "d": SlotValue(text="december second", value="XXXX-12-02"),
        "n": SlotValue(text="?", value="?"),
        "t": SlotValue(text="tonight", value="NI"),
        "bad": SlotValue(text="x", value={"startDate": ["not", "a", "date"], "endDate": None}),
    }
    kinds = {"d": "date", "n": "number", "t": "time", "bad": "date"}
    found = coerce(slots, kinds, language="en", now=NOW)
    assert found["d"].value == D(2027, 12, 2) and found["d"].text == "december second"
    assert found["n"].value == "?" and found["t"].value is PartOfDay.NIGHT
    assert "bad" not in found  # an object its slot type could not read: not given


@pytest.mark.parametrize(
    "value",
    [days(D(2026, 12, 5), D(2026, 12, 6)), *PartOfDay],
    ids=["date-range", *(part.name.lower() for part in PartOfDay)],
)
def test_ranges_and_parts_of_day_round_trip_through_json(value: Any) -> None:
    slot = SlotValue(text="this weekend", value=value, id=None)
    stored = json.loads(json.dumps(slot_to_json(slot)))
    assert slot_from_json(stored) == slot
    assert from_json(to_json(value)) == value


def test_json_forms_are_tagged() -> None:
    assert to_json(days(D(2026, 12, 5), D(2026, 12, 6))) == {
        "$date_range": {"start": "2026-12-05", "end": "2026-12-06"}
    }
    assert to_json(PartOfDay.EVENING) == {"$part_of_day": "EV"}


def test_a_range_knows_its_days_and_a_part_of_day_its_times() -> None:
    weekend = days(D(2026, 12, 5), D(2026, 12, 6))
    assert weekend.days == 2 and list(weekend.dates()) == [D(2026, 12, 5), D(2026, 12, 6)]
    assert D(2026, 12, 6) in weekend and D(2026, 12, 7) not in weekend
    assert dt.time(10) in PartOfDay.MORNING and dt.time(23) in PartOfDay.NIGHT
    assert dt.time(3) in PartOfDay.NIGHT and dt.time(12) not in PartOfDay.MORNING
    with pytest.raises(ValueError, match="before it starts"):
        days(D(2026, 12, 6), D(2026, 12, 5))


@pytest.mark.parametrize(
    ("raw", "either"),
    [
        ("03:00", True),
        ("12:30", True),
        ("2026-11-24T03:00:00+01:00", True),
        ("15:00", False),
        ("00:30", False),
    ],
)
def test_a_platform_time_in_either_half_of_the_day_is_ambiguous(raw: str, either: bool) -> None:
    """Alexa sends "three" as 03:00: a skill's hours read it within them (15:00), as the router's "om drie".
    A time said with its part of the day to the router ("3 am") is plain, and stays as said."""
    assert isinstance(slot_type("time").from_platform(raw, "en", None), AmbiguousTime) is either
