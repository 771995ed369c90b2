"""Built-in slot types, English and Dutch: numbers, percentages, durations, times, dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from voice.nlu import IntentSet, Matcher
from voice.nlu.clock import parse_spoken_time
from voice.nlu.dates import parse_date
from voice.nlu.durations import parse_duration, parse_percentage
from voice.nlu.numbers import parse_number

TUESDAY = dt.date(2026, 11, 24)

NUMBERS = [
    ("honderddrieënzestig", "nl", 163),
    ("anderhalf", "nl", 1.5),
    ("een half", "nl", 0.5),
    ("tweeënhalf", "nl", 2.5),
    ("vijf", "nl", 5),
    ("3,5", "nl", 3.5),
    ("twenty-five", "en", 25),
    ("two and a half", "en", 2.5),
    ("one hundred and five", "en", 105),
    ("keuken", "nl", None),
]
DURATIONS = [
    ("tien minuten", "nl", dt.timedelta(minutes=10)),
    ("anderhalf uur", "nl", dt.timedelta(minutes=90)),
    ("een uur en een kwartier", "nl", dt.timedelta(minutes=75)),
    ("5 minuten", "nl", dt.timedelta(minutes=5)),
    ("an hour and a half", "en", dt.timedelta(minutes=90)),
    ("half an hour", "en", dt.timedelta(minutes=30)),
    ("2 hours 10 minutes", "en", dt.timedelta(minutes=130)),
    ("minuten", "nl", None),
    ("morgen", "nl", None),
]
TIMES = [
    ("kwart over drie", "nl", dt.time(3, 15)),
    ("half vier", "nl", dt.time(3, 30)),
    ("tien voor half vijf", "nl", dt.time(4, 20)),
    ("drie uur 's middags", "nl", dt.time(15)),
    ("3:15 pm", "en", dt.time(15, 15)),
    ("quarter to four", "en", dt.time(3, 45)),
    ("noon", "en", dt.time(12)),
    ("keuken", "nl", None),
]
DATES = [
    ("morgen", "nl", dt.date(2026, 11, 25)),
    ("overmorgen", "nl", dt.date(2026, 11, 26)),
    ("volgende week dinsdag", "nl", dt.date(2026, 12, 1)),
    ("donderdag", "nl", dt.date(2026, 11, 26)),
    ("3 maart", "nl", dt.date(2027, 3, 3)),
    ("on March 3rd", "en", dt.date(2027, 3, 3)),
    ("next tuesday", "en", dt.date(2026, 12, 1)),
    ("tomorrow", "en", dt.date(2026, 11, 25)),
    ("the 25th of december", "en", dt.date(2026, 12, 25)),
    ("the third of december", "en", dt.date(2026, 12, 3)),  # ordinals in words: what a recognizer hears
    ("december the first", "en", dt.date(2026, 12, 1)),
    ("the twenty first of december", "en", dt.date(2026, 12, 21)),
    ("derde december", "nl", dt.date(2026, 12, 3)),
    ("de eerste december", "nl", dt.date(2026, 12, 1)),
    ("eenentwintig december", "nl", dt.date(2026, 12, 21)),
    ("the thirty second of december", "en", None),
    ("lamp", "en", None),
]


@pytest.mark.parametrize(("text", "language", "value"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_numbers(text: str, language: str, value: Any) -> None:
    assert parse_number(text, language) == value


@pytest.mark.parametrize(("text", "language", "value"), DURATIONS, ids=[d[0] for d in DURATIONS])
def test_durations(text: str, language: str, value: Any) -> None:
    assert parse_duration(text, language) == value


@pytest.mark.parametrize(("text", "language", "value"), TIMES, ids=[t[0] for t in TIMES])
def test_times(text: str, language: str, value: Any) -> None:
    assert parse_spoken_time(text, language) == value


@pytest.mark.parametrize(("text", "language", "value"), DATES, ids=[d[0] for d in DATES])
def test_dates(text: str, language: str, value: Any) -> None:
    assert parse_date(text, language, TUESDAY) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("50 procent", 50), ("75%", 75), ("vijftig procent", 50)],
    ids=["words", "sign", "number-words"],
)
def test_percentages(text: str, value: int) -> None:
    assert parse_percentage(text, "nl") == value


def test_builtin_types_in_templates() -> None:
    data = {
        "language": "nl",
        "intents": {
            "Book": {
                "data": [
                    {"sentences": ["reserveer (voor|op) {date} om {time} voor {number:people} personen"]}
                ]
            },
            "Dim": {"data": [{"sentences": ["dim [het licht] tot {percentage:level}"]}]},
        },
    }
    matcher = Matcher([IntentSet.from_dict(data)])
    found = matcher.match(
        "reserveer voor volgende week dinsdag om kwart over zeven voor vier personen", now=TUESDAY
    )
    assert found is not None and {k: v.value for k, v in found.slots.items()} == {
        "date": dt.date(2026, 12, 1),
        "time": dt.time(7, 15),
        "people": 4,
    }
    dim = matcher.match("dim het licht tot 30 procent")
    assert dim is not None and dim.value("level") == 30
