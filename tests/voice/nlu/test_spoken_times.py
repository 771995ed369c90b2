"""Times as callers say them (issue 16): a table of spoken forms per language, read by ``{time}``.

An expected value ``"15:00"`` is an unambiguous time; ``"3:00?"`` is an ``AmbiguousTime`` (said without
a part of the day; a skill with business hours takes the reading within them); ``"AF"`` is a part of
the day alone; ``None`` is no time.
"""

from __future__ import annotations

import datetime as dt

import pytest

from voice.nlu.clock import AmbiguousTime, parse_spoken_time
from voice.nlu.periods import PartOfDay

_EN_HOURS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
_NL_HOURS = ["een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"]


def _hour_forms(words: list[str], forms: dict[str, str]) -> list[tuple[str, str | None]]:
    """Each of the twelve hours in each form; ``{h}`` the hour word, the value an hour pattern."""
    table: list[tuple[str, str | None]] = []
    for number, word in enumerate(words, 1):
        for form, value in forms.items():
            hour = eval(value.split(":")[0], {"h": number})  # noqa: S307 - a table of tiny expressions
            minute, ambiguous = value.split(":")[1].rstrip("?"), value.endswith("?")
            table.append((form.format(h=word), f"{hour % 24}:{minute}{'?' if ambiguous else ''}"))
    return table


EN = [
    *_hour_forms(
        _EN_HOURS,
        {
            "at {h}": "h:00?",
            "{h} o'clock": "h:00?",
            "at {h} pm": "h % 12 + 12:00",
            "{h} am": "h % 12:00",
            "{h} in the evening": "h % 12 + 12 if h < 12 else 0:00",
            "half past {h}": "h:30?",
            "quarter to {h}": "h - 1 if h > 1 else 12:45?",
        },
    ),
    ("at ten a.m.", "10:00"),
    ("ten a m", "10:00"),
    ("at 10", "10:00?"),
    ("10 am", "10:00"),
    ("10:30", "10:30?"),
    ("3:15 pm", "15:15"),
    ("15:30", "15:30"),
    ("09:00", "9:00"),
    ("ten thirty", "10:30?"),
    ("ten fifteen", "10:15?"),
    ("ten oh five", "10:05?"),
    ("ten forty five", "10:45?"),
    ("nine forty-five", "9:45?"),
    ("quarter past three", "3:15?"),
    ("a quarter past three", "3:15?"),
    ("quarter after three", "3:15?"),
    ("quarter to four", "3:45?"),
    ("quarter of five", "4:45?"),
    ("quarter till five", "4:45?"),
    ("twenty past four", "4:20?"),
    ("twenty five past four", "4:25?"),
    ("ten to five", "4:50?"),
    ("five to twelve", "11:55?"),
    ("ten minutes to five", "4:50?"),
    ("five after ten", "10:05?"),
    ("half past two in the afternoon", "14:30"),
    ("half two", "2:30?"),
    ("half ten", "10:30?"),
    ("noon", "12:00"),
    ("midday", "12:00"),
    ("twelve noon", "12:00"),
    ("midnight", "0:00"),
    ("at noon", "12:00"),
    ("at midnight", "0:00"),
    ("twelve am", "0:00"),
    ("twelve pm", "12:00"),
    ("12 pm", "12:00"),
    ("at eight in the morning", "8:00"),
    ("eight this morning", "8:00"),
    ("three this afternoon", "15:00"),
    ("at three in the afternoon", "15:00"),
    ("seven this evening", "19:00"),
    ("eight tonight", "20:00"),
    ("tonight at eight", "20:00"),
    ("ten at night", "22:00"),
    ("eleven at night", "23:00"),
    ("two at night", "2:00"),
    ("twelve at night", "0:00"),
    ("at about ten", "10:00?"),
    ("at around three", "3:00?"),
    ("around three", "3:00?"),
    ("about four thirty", "4:30?"),
    ("by five", "5:00?"),
    ("fifteen hundred", "15:00"),
    ("fifteen hundred hours", "15:00"),
    ("nine hundred", "9:00"),
    ("thirteen", "13:00"),
    ("twenty two", "22:00"),
    ("seventeen thirty", "17:30"),
    ("ten", "10:00?"),
    ("in the morning", "MO"),
    ("in the afternoon", "AF"),
    ("in the evening", "EV"),
    ("this evening", "EV"),
    ("tonight", "EV"),
    ("at night", "NI"),
    ("this morning", "MO"),
    ("three people", None),
    ("tomorrow", None),
    ("at", None),
    ("twenty five", None),
    ("ten sixty", None),
    ("pm", None),
    ("", None),
    ("half past", None),
    ("quarter to", None),
    ("thirty five hundred", None),
]

NL = [
    *_hour_forms(
        _NL_HOURS,
        {
            "om {h}": "h:00?",
            "{h} uur": "h:00?",
            "om {h} uur 's middags": "h % 12 + 12:00",
            "{h} uur 's ochtends": "h % 12:00",
            "om {h} uur 's avonds": "h % 12 + 12 if h < 12 else 0:00",
            "half {h}": "(h - 1) or 12:30?",
            "kwart voor {h}": "(h - 1) or 12:45?",
            "kwart over {h}": "h:15?",
        },
    ),
    ("om tien uur", "10:00?"),
    ("rond tien", "10:00?"),
    ("rond een uur of drie", "3:00?"),
    ("een uur of drie", "3:00?"),
    ("om een uur of vier", "4:00?"),
    ("tegen vijven", None),
    ("tegen vijf", "5:00?"),
    ("omstreeks acht uur", "8:00?"),
    ("om ongeveer tien uur", "10:00?"),
    ("10 uur", "10:00?"),
    ("om 10 uur", "10:00?"),
    ("10:30", "10:30?"),
    ("10.30", "10:30?"),
    ("10u30", "10:30?"),
    ("10u", "10:00?"),
    ("13:45", "13:45"),
    ("om 14.15", "14:15"),
    ("dertien uur", "13:00"),
    ("vijftien uur", "15:00"),
    ("om zeventien uur dertig", "17:30"),
    ("tien uur vijftien", "10:15?"),
    ("tien uur dertig", "10:30?"),
    ("negen uur vijfenveertig", "9:45?"),
    ("tien voor half vijf", "4:20?"),
    ("vijf voor half drie", "2:25?"),
    ("vijf over half drie", "2:35?"),
    ("tien over half elf", "10:40?"),
    ("tien over drie", "3:10?"),
    ("tien voor drie", "2:50?"),
    ("vijf voor twaalf", "11:55?"),
    ("twintig over vier", "4:20?"),
    ("tien minuten over vier", "4:10?"),
    ("kwart over drie 's middags", "15:15"),
    ("kwart voor vijf 's middags", "16:45"),
    ("half drie 's middags", "14:30"),
    ("half acht 's avonds", "19:30"),
    ("half een 's nachts", "0:30"),
    ("half een 's middags", "12:30"),
    ("twaalf uur 's middags", "12:00"),
    ("twaalf uur 's nachts", "0:00"),
    ("drie uur 's nachts", "3:00"),
    ("tien uur 's nachts", "22:00"),
    ("'s middags om drie uur", "15:00"),
    ("'s middags om drie", "15:00"),
    ("'s ochtends om negen", "9:00"),
    ("vanavond om acht", "20:00"),
    ("vanmiddag om twee uur", "14:00"),
    ("vanochtend om half tien", "9:30"),
    ("vanmorgen om tien", "10:00"),
    ("om acht uur vanavond", "20:00"),
    ("om drie uur in de middag", "15:00"),
    ("om negen uur in de ochtend", "9:00"),
    ("om acht uur in de avond", "20:00"),
    ("drie uur smiddags", "15:00"),
    ("drie uur s middags", "15:00"),
    ("drie uur ’s middags", "15:00"),
    ("om 3 uur 's middags", "15:00"),
    ("middernacht", "0:00"),
    ("om middernacht", "0:00"),
    ("tien", "10:00?"),
    ("'s middags", "AF"),
    ("'s ochtends", "MO"),
    ("'s morgens", "MO"),
    ("'s avonds", "EV"),
    ("'s nachts", "NI"),
    ("vanavond", "EV"),
    ("vanmiddag", "AF"),
    ("in de ochtend", "MO"),
    ("in de middag", "AF"),
    ("drie personen", None),
    ("morgen", None),
    ("om", None),
    ("vijfentwintig", None),
    ("tien uur zestig", None),
    ("half", None),
    ("kwart voor", None),
    ("", None),
]


def _as_expected(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, PartOfDay):
        return value.value
    assert isinstance(value, dt.time)
    said = f"{value.hour}:{value.minute:02d}"
    return f"{said}?" if isinstance(value, AmbiguousTime) else said


def test_the_tables_are_large_enough() -> None:
    assert len(EN) >= 150
    assert len(NL) >= 150


@pytest.mark.parametrize(("words", "expected"), EN, ids=[w or "<empty>" for w, _ in EN])
def test_english(words: str, expected: str | None) -> None:
    assert _as_expected(parse_spoken_time(words, "en")) == expected


@pytest.mark.parametrize(("words", "expected"), NL, ids=[w or "<leeg>" for w, _ in NL])
def test_dutch(words: str, expected: str | None) -> None:
    assert _as_expected(parse_spoken_time(words, "nl-NL")) == expected


def test_an_ambiguous_time_knows_its_other_reading_and_stores_as_a_time() -> None:
    three = parse_spoken_time("om drie", "nl")
    assert isinstance(three, AmbiguousTime)
    assert three == dt.time(3) and three.other == dt.time(15)
    assert three.readings == (dt.time(3), dt.time(15))
    half_one = parse_spoken_time("half een", "nl")
    assert isinstance(half_one, AmbiguousTime) and half_one.other == dt.time(0, 30)
