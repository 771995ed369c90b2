"""Dates as callers type and say them: written day-month dates, the assistant's own spoken form said back,
a day of the month alone, a leading weekday that must agree, and "over twee weken"; and a flow asking
for a date reads an answer that can be a date as the date, not as a time."""

from __future__ import annotations

import datetime as dt

import pytest

from voice import spoken_date
from voice.nlu import IntentSet, Matcher
from voice.nlu.dates import parse_date

FRIDAY = dt.date(2026, 11, 27)

DATES = [
    ("12-12", "nl", dt.date(2026, 12, 12)),
    ("12/12", "nl", dt.date(2026, 12, 12)),
    ("12.12", "nl", dt.date(2026, 12, 12)),
    ("1-12", "nl", dt.date(2026, 12, 1)),
    ("3/5", "en", dt.date(2027, 5, 3)),  # day-month, as in Britain: an American "3/5" is 3 May too
    ("12.12", "en", dt.date(2026, 12, 12)),
    ("27-11", "nl", FRIDAY),  # today
    ("26-11", "nl", dt.date(2027, 11, 26)),  # gone this year: next year's
    ("12-12-2027", "nl", dt.date(2027, 12, 12)),
    ("12/12/27", "en", dt.date(2027, 12, 12)),
    ("31-02", "nl", None),
    ("29-02", "nl", dt.date(2028, 2, 29)),  # none in 2027: the next one, as any day-month gone this year
    ("29 februari", "nl", dt.date(2028, 2, 29)),
    ("February 29", "en", dt.date(2028, 2, 29)),
    ("the 29th of february", "en", dt.date(2028, 2, 29)),
    ("29-02-2027", "nl", None),  # a year that has none
    ("29/02/2028", "en", dt.date(2028, 2, 29)),
    ("12.30", "nl", None),  # a time, no date
    ("12-12/2026", "nl", None),
    ("zaterdag 12 december", "nl", dt.date(2026, 12, 12)),  # as spoken_date says it
    ("op zaterdag 12 december", "nl", dt.date(2026, 12, 12)),
    ("vrijdag de vierde", "nl", dt.date(2026, 12, 4)),
    ("de twaalfde", "nl", dt.date(2026, 12, 12)),
    ("de 12e", "nl", dt.date(2026, 12, 12)),
    ("twaalfde", "nl", dt.date(2026, 12, 12)),
    ("de zevenentwintigste", "nl", FRIDAY),
    ("de zesentwintigste", "nl", dt.date(2026, 12, 26)),
    ("over twee weken", "nl", dt.date(2026, 12, 11)),
    ("over een week", "nl", dt.date(2026, 12, 4)),
    ("over drie dagen", "nl", dt.date(2026, 11, 30)),
    ("saturday the 12th", "en", dt.date(2026, 12, 12)),
    ("the 12th", "en", dt.date(2026, 12, 12)),
    ("on the twelfth", "en", dt.date(2026, 12, 12)),
    ("the 31st", "en", dt.date(2026, 12, 31)),
    ("in two weeks", "en", dt.date(2026, 12, 11)),
    ("in a week", "en", dt.date(2026, 12, 4)),
    ("saturday december 12th", "en", dt.date(2026, 12, 12)),
    ("Saturday 12 December", "en", dt.date(2026, 12, 12)),
    ("vrijdag 12 december", "nl", None),  # the 12th is a Saturday: asked again, not booked on either
    ("friday the 12th", "en", None),
    ("12", "en", None),  # a bare number is no date
    ("twaalf", "nl", None),
    ("over twee", "nl", None),
    ("in the evening", "en", None),
]


@pytest.mark.parametrize(("text", "language", "value"), DATES, ids=[f"{d[1]}-{d[0]}" for d in DATES])
def test_dates_as_callers_type_and_say_them(text: str, language: str, value: dt.date | None) -> None:
    assert parse_date(text, language, FRIDAY) == value


def test_29_february_before_it_in_a_leap_year_is_that_year_s_and_after_2096_it_skips_2100() -> None:
    assert parse_date("29 februari", "nl", dt.date(2028, 1, 5)) == dt.date(2028, 2, 29)
    assert parse_date("29-02", "nl", dt.date(2096, 3, 1)) == dt.date(2104, 2, 29)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_date_the_assistant_says_reads_back_as_that_date(language: str) -> None:
    for ahead in range(60):
        day = FRIDAY + dt.timedelta(days=ahead)
        assert parse_date(spoken_date(day, language), language, FRIDAY) == day


BOOKING = {
    "language": "nl",
    "intents": {
        "Book": {
            "data": [
                {
                    "requires_context": {"dialog": "Book"},
                    "sentences": [
                        "[om] {time}",
                        "[op] {date} [om {time}]",
                    ],  # the time first, as in the scaffold
                }
            ]
        }
    },
}


@pytest.mark.parametrize(
    ("asking", "slots"),
    [
        ("date", {"date": dt.date(2026, 12, 12)}),
        ("time", {"time": dt.time(12, 12)}),
    ],
)
def test_the_slot_a_flow_asks_for_wins_an_answer_that_fits_two(asking: str | None, slots: dict) -> None:
    matcher = Matcher([IntentSet.from_dict(BOOKING)])
    context = {"dialog": "Book"} | ({"asking": asking} if asking else {})
    for said in ("12-12", "12.12"):
        found = matcher.match(said, context=context, now=FRIDAY)
        assert found is not None and {k: v.value for k, v in found.slots.items()} == slots, said
