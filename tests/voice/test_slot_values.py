"""Platform slot values become the Python values the router would give."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from voice import DateRange, SlotValue, dutch_postcode, register_slot_type
from voice.nlu import SlotType, unregister_slot_type
from voice.nlu.slots import ValueList
from voice.slot_values import coerce


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("date", "2026-11-27", dt.date(2026, 11, 27)),
        ("date", "2026-11-27T12:00:00+01:00", dt.date(2026, 11, 27)),
        ("date", "2026-W48", DateRange(start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 29))),
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
    slots = coerce({"x": SlotValue(text="said", value=raw)}, {"x": kind}, language="en")
    assert slots["x"].value == expected and slots["x"].text == "said"


@pytest.fixture
def postcode() -> Iterator[str]:
    register_slot_type(dutch_postcode("coerce_postcode"))
    yield "coerce_postcode"
    unregister_slot_type("coerce_postcode")


@pytest.mark.parametrize(
    ("words", "language", "expected"),
    [
        ("een twee drie vier a b", "nl", "1234 AB"),
        ("twaalf vierendertig a b", "nl", "1234 AB"),
        ("one two three four a bee", "en", "1234 AB"),
        ("waar kan ik parkeren", "nl", "waar kan ik parkeren"),
    ],
    ids=["nl-digits", "nl-numbers", "en", "no-code"],
)
def test_free_speech_is_read_in_the_callers_language(
    postcode: str, words: str, language: str, expected: str
) -> None:
    """Alexa's ``AMAZON.SearchQuery`` and Dialogflow's ``@sys.any`` pass the caller's words: a pattern's
    code is read from them as the router reads it; words that are no code stay as they came."""
    slots = coerce({"x": SlotValue(text=words, value=words)}, {"x": postcode}, language=language)
    assert slots["x"].value == expected and slots["x"].text == words


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("values", ["returns", "repair"]),
        ("values", {"name": "returns"}),
        ("date", ["2026-11-27", "2026-11-28"]),
        ("duration", {"amount": "ten", "unit": "min"}),
        ("", ["a"]),
    ],
    ids=["list-in-list-slot", "object-in-list-slot", "list-in-date", "unread-object", "no-kind"],
)
def test_a_list_or_object_no_slot_type_read_counts_as_not_given(kind: str, raw: object) -> None:
    """Dialogflow sends a list only for an "is list" parameter, which no slot is."""
    slots = {"x": SlotValue(text="said", value=raw), "y": SlotValue(text="kept", value="kept")}
    assert coerce(slots, {"x": kind}, language="en") == {"y": slots["y"]}


SAID = "jan jansen nul zes een twee drie vier vijf zes zeven acht"
"""A caller's name and phone number, said to a slot they do not fit."""


def _refuses(value: Any, language: str, now: Any) -> Any:
    raise ValueError(f"no code in {value!r}")  # as a team's reader may: its message quotes the value


@pytest.fixture
def refusing() -> Iterator[str]:
    register_slot_type(
        SlotType(
            name="coerce_refusing",
            parse=lambda *_: None,
            examples={"en": ("a1",), "nl": ("a1",)},
            alexa="AMAZON.SearchQuery",
            dialogflow="@sys.any",
            from_platform=_refuses,
        )
    )
    yield "coerce_refusing"
    unregister_slot_type("coerce_refusing")


def test_the_log_names_the_slot_a_value_did_not_fit_but_not_the_callers_words(
    refusing: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A list slot's words that no list value has were logged as said ("slot day: 'jan jansen nul zes ...'
    is no value of list day"), and so were a list sent for one value and a value a slot type could not
    read: a caller's name and number in the application log, which no redaction, retention or erasure
    reaches. The log keeps what a team needs to find the slot: its name, the list or type, the size."""
    days = ValueList.of("day", ["maandag", "dinsdag"])
    slots = {
        "day": SlotValue(text=SAID, value=SAID),
        "when": SlotValue(text=SAID, value=[SAID, "nul zes"]),
        "code": SlotValue(text=SAID, value=SAID),
    }
    with caplog.at_level(logging.INFO, logger="voice.slot_values"):
        kept = coerce(slots, {"when": "date", "code": refusing}, language="nl", lists={"day": days})
    assert set(kept) == {"code"} and kept["code"].value == SAID  # the validator decides about words kept
    assert caplog.messages == [
        "slot day: a value of 12 words (57 characters) is no value of list day; it counts as not given",
        "slot when: a list of 2 items is not one value; it counts as not given",
        "slot code: a value of 12 words (57 characters) is not a coerce_refusing value (ValueError); "
        "the skill gets it as sent",
    ]
    assert not any(word in caplog.text for word in ("jan", "jansen", "nul zes"))


def test_the_log_counts_one_item_one_key_and_a_single_value_in_plain_english(
    refusing: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The sizes read "a list of 1 items", "an object of 1 keys", "a int value"."""
    slots = {
        "when": SlotValue(text="x", value=["x"]),
        "until": SlotValue(text="x", value={"x": 1}),
        "code": SlotValue(text="x", value=7),
    }
    with caplog.at_level(logging.INFO, logger="voice.slot_values"):
        coerce(slots, {"when": "date", "until": "date", "code": refusing}, language="nl")
    assert caplog.messages == [
        "slot when: a list of 1 item is not one value; it counts as not given",
        "slot until: an object of 1 key is not one value; it counts as not given",
        "slot code: an int value is not a coerce_refusing value (ValueError); the skill gets it as sent",
    ]


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2026, 11, 24),
        dt.time(15, 30),
        dt.datetime(2026, 11, 24, 15, 30),
        dt.timedelta(minutes=90),
        "anna",
        3,
        None,
    ],
    ids=["date", "time", "datetime", "duration", "text", "number", "none"],
)
def test_slot_values_round_trip_through_json(value: object) -> None:
    import json

    from voice.slot_values import slot_from_json, slot_to_json

    slot = SlotValue(text="said", value=value, id="x")
    assert slot_from_json(json.loads(json.dumps(slot_to_json(slot)))) == slot
