"""Booking with the skill ``voice init`` writes, as a caller types and says it: "11-12" asked for the day is
the day (not the time 11:12), the day said back the way the assistant said it is understood, and "nee, om
vier uur" at the confirmation changes the time, in English and Dutch."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from voice import Turn, build_assistant
from voice.assistant import MEMORY_STORE, Assistant
from voice.cli import cli
from voice.config import Config

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # a Friday


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    into = tmp_path_factory.mktemp("scaffold")
    assert CliRunner().invoke(cli, ["init", "boekhandel", "--into", str(into)]).exit_code == 0
    built = build_assistant(Config(skills=(str(into / "boekhandel"),)), store=MEMORY_STORE)
    yield built
    built.close()


def conversation(assistant: Assistant, locale: str, lines: list[str]) -> list[str]:
    """What the assistant answers to each line of one new conversation."""
    session = str(uuid.uuid4())
    turns = (Turn(text=line, locale=locale, session_id=session, user_id="u1", time=NOW) for line in lines)
    return [assistant.respond(turn).text for turn in turns]


WRITTEN = {
    "nl": (
        ["ik wil een afspraak maken", "11-12", "om drie uur", "Anna de Vries"],
        "Een afspraak op vrijdag 11 december om 15:00 op naam van Anna de Vries. Klopt dat?",
    ),
    "en": (
        ["i'd like to make an appointment", "11/12", "at three", "Anna Smith"],
        "An appointment on Friday 11 December at 15:00 for Anna Smith. Is that right?",
    ),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_written_date_answers_the_day_question_and_the_time_is_still_asked(
    assistant: Assistant, locale: str
) -> None:
    lines, confirmation = WRITTEN[locale]
    replies = conversation(assistant, locale, lines)
    assert replies[1] == {"nl": "Hoe laat?", "en": "At what time?"}[locale]
    assert replies[3] == confirmation


CORRECTED = {
    "nl": (
        [
            "ik wil een afspraak maken",
            "vrijdag 11 december",
            "om drie uur",
            "Anna de Vries",
            "nee, om vier uur",
            "ja",
        ],
        "Een afspraak op vrijdag 11 december om 16:00 op naam van Anna de Vries. Klopt dat?",
        "Uw afspraak op vrijdag 11 december om 16:00 staat genoteerd.",
    ),
    "en": (
        [
            "i'd like to make an appointment",
            "friday the 11th",
            "at three",
            "Anna Smith",
            "no, at four",
            "yes",
        ],
        "An appointment on Friday 11 December at 16:00 for Anna Smith. Is that right?",
        "Your appointment on Friday 11 December at 16:00 is booked.",
    ),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_no_with_a_new_time_at_the_confirmation_changes_the_time(assistant: Assistant, locale: str) -> None:
    lines, confirmation, booked = CORRECTED[locale]
    replies = conversation(assistant, locale, lines)
    assert replies[4:] == [confirmation, booked]
