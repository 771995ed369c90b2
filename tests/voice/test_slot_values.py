"""Platform slot values become the Python values the router would give."""

from __future__ import annotations

import datetime as dt

import pytest

from voice import SlotValue
from voice.slot_values import coerce


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("date", "2026-11-27", dt.date(2026, 11, 27)),
        ("date", "2026-11-27T12:00:00+01:00", dt.date(2026, 11, 27)),
        ("date", "2026-W48", "2026-W48"),
        ("time", "10:00", dt.time(10, 0)),
        ("time", "2026-11-24T15:30:00+01:00", dt.time(15, 30)),
        ("duration", "PT1H30M", dt.timedelta(hours=1, minutes=30)),
        ("duration", {"amount": 10, "unit": "min"}, dt.timedelta(minutes=10)),
        ("number", 1234.0, 1234),
        ("number", "42", 42),
        ("values", "monday", "monday"),
        ("time", "half past", "half past"),
    ],
    ids=[
        "alexa-date",
        "dialogflow-date",
        "alexa-week",
        "alexa-time",
        "dialogflow-time",
        "iso-duration",
        "dialogflow-duration",
        "float-number",
        "text-number",
        "list",
        "unparsed",
    ],
)
def test_values_by_slot_kind(kind: str, raw: object, expected: object) -> None:
    slots = coerce({"x": SlotValue(text="said", value=raw)}, {"x": kind})
    assert slots["x"].value == expected and slots["x"].text == "said"
