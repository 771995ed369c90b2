"""The business's clock (the config's ``time_zone``): what "morgen" means, and what the turn's time says."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from voice import Turn, build_assistant
from voice.assistant import MEMORY_STORE
from voice.cli.authoring import parse_now
from voice.config import Config
from voice.turn import on_clock

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
THURSDAY_NIGHT = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC)
"""00:30 on Friday 27 November in Amsterdam."""


@pytest.mark.parametrize(
    ("time_zone", "day"), [("Europe/Amsterdam", "zaterdag 28 november"), ("", "vrijdag 27 november")]
)
def test_tomorrow_is_the_day_after_the_date_on_the_business_clock(time_zone: str, day: str) -> None:
    """Just after midnight in Amsterdam the UTC date is still the day before: "morgen" follows the shop."""
    config = Config(skills=("customer_service",), time_zone=time_zone)
    assistant = build_assistant(config, store=MEMORY_STORE)
    try:
        said = ("ik wil morgen om elf uur een afspraak maken", "Jan de Vries", "ja", "advies")
        turns = (Turn(text=text, locale="nl", session_id="s1", time=THURSDAY_NIGHT) for text in said)
        replies = [assistant.dialog.respond(turn).text for turn in turns]
    finally:
        assistant.close()
    assert day in replies[-1], replies


def test_a_time_without_a_zone_is_a_reading_of_the_business_clock() -> None:
    assert on_clock(dt.datetime(2026, 11, 27, 0, 30), AMSTERDAM).utcoffset() == dt.timedelta(hours=1)
    assert on_clock(THURSDAY_NIGHT, AMSTERDAM).date() == dt.date(2026, 11, 27)
    assert parse_now("2026-11-27T00:30", AMSTERDAM) == dt.datetime(2026, 11, 27, 0, 30, tzinfo=AMSTERDAM)
    assert parse_now("2026-11-27T00:30+00:00", AMSTERDAM) == dt.datetime(2026, 11, 27, 0, 30, tzinfo=dt.UTC)
