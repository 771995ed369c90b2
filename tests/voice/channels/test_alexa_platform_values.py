"""Every AMAZON.DATE and AMAZON.TIME form Alexa documents, through the real /alexa endpoint.

The customer_service skill gets each as a typed value (a date, a ``DateRange``, a ``PartOfDay``)
or as the words, and answers or asks again: no apology, no logged error (issue 12).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from flask.testing import FlaskClient

from voice import build_assistant
from voice.assistant import MEMORY_STORE
from voice.config import Config
from voice.server import create_app

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "requests" / "alexa"
APOLOGY = "something went wrong"
TODAY = dt.datetime.now(dt.UTC).date()
_, THIS_WEEK, _ = TODAY.isocalendar()

DATES = [
    TODAY.isoformat(),
    f"{TODAY.year}-W{THIS_WEEK:02d}",
    f"{TODAY.year}-W{THIS_WEEK:02d}-WE",
    f"{TODAY.year}-{TODAY.month:02d}",
    str(TODAY.year),
    f"{str(TODAY.year)[:3]}X",
    f"{TODAY.year}-WI",
    f"{TODAY.year}-SP",
    f"{TODAY.year}-SU",
    f"{TODAY.year}-FA",
    "XXXX-12-02",
    "PRESENT_REF",
    "2026-13",
    "christmas",
]
DATE_IDS = [
    "day",
    "week",
    "weekend",
    "month",
    "year",
    "decade",
    "winter",
    "spring",
    "summer",
    "fall",
    "no-year",
    "now",
    "bad-month",
    "words",
]
NO_MATCH = {
    "authority": "amzn1.er-authority.echo-sdk.amzn1.ask.skill.x.DayType",
    "status": {"code": "ER_SUCCESS_NO_MATCH"},
}
TIMES = ["10:00", "10:00:30", "MO", "AF", "EV", "NI", "25:00", "half past"]


@pytest.fixture(scope="module")
def client() -> Iterator[FlaskClient]:
    assistant = build_assistant(Config(skills=("customer_service",)), store=MEMORY_STORE)
    yield create_app({"alexa_verify": False}, assistant=assistant).test_client()
    assistant.close()


def intent_request(
    intent: str, slots: dict[str, Any], *, locale: str = "en-US", session: str | None = None
) -> dict[str, Any]:
    """An IntentRequest as Alexa sends it, with the slots given as Alexa slot objects."""
    envelope: dict[str, Any] = json.loads((FIXTURES / "opening_hours_day.json").read_text())
    envelope["session"]["sessionId"] = session or f"amzn1.echo-api.session.{uuid.uuid4()}"
    envelope["session"]["new"] = session is None
    envelope["request"]["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
    envelope["request"]["locale"] = locale
    envelope["request"]["timestamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope["request"]["intent"] = {
        "name": intent,
        "confirmationStatus": "NONE",
        "slots": {name: _slot(name, value) for name, value in slots.items()},
    }
    return envelope


def _slot(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):  # a whole slot object (resolutions and all)
        return {"name": name, "confirmationStatus": "NONE", **value}
    return {"name": name, "confirmationStatus": "NONE", "value": value, "source": "USER"}


def say(client: FlaskClient, envelope: dict[str, Any], caplog: pytest.LogCaptureFixture) -> str:
    """The skill's speech for one request; fails on an apology, a non-200 or a logged error."""
    caplog.clear()
    with caplog.at_level("ERROR"):
        response = client.post("/alexa", json=envelope)
    assert response.status_code == 200, response.get_data(as_text=True)
    ssml: str = response.get_json()["response"]["outputSpeech"]["ssml"]
    speech = ssml.removeprefix("<speak>").removesuffix("</speak>")
    assert APOLOGY not in speech
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], caplog.text
    return speech


def bookable_day() -> dt.date:
    """A Monday to Friday at least two days ahead: open and bookable."""
    day = TODAY + dt.timedelta(days=2)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


@pytest.mark.parametrize("value", DATES, ids=DATE_IDS)
def test_every_date_form_reaches_opening_hours(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    speech = say(client, intent_request("OpeningHours", {"day": value}), caplog)
    assert speech.startswith(("On ", "We are open", "Sorry, I don't know which day"))


@pytest.mark.parametrize("value", DATES, ids=DATE_IDS)
def test_every_date_form_reaches_the_booking(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    speech = say(client, intent_request("BookAppointment", {"date": value}), caplog)
    assert speech.endswith(("On which day would you like to come?", "At what time?"))


@pytest.mark.parametrize("value", TIMES)
@pytest.mark.parametrize("with_day", [True, False], ids=["day-known", "day-unknown"])
def test_every_time_form_reaches_the_booking(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, value: str, with_day: bool
) -> None:
    slots = {"time": value} | ({"date": bookable_day().isoformat()} if with_day else {})
    speech = say(client, intent_request("BookAppointment", slots), caplog)
    assert speech.endswith(("At what time?", "On which day would you like to come?", "your name?"))


def test_a_day_said_as_a_synonym_is_read_through_the_list(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Alexa without entity resolution sends the words; the day list reads "sundays" as chat does."""
    assert (
        say(client, intent_request("OpeningHours", {"day": "sundays"}), caplog) == "On Sunday we are closed."
    )
    dutch = say(client, intent_request("OpeningHours", {"day": "Zondag"}, locale="nl-NL"), caplog)
    assert dutch == "Op zondag zijn we gesloten."


@pytest.mark.parametrize(
    "name",
    ["jan \u0007", "jan\u000bpiet", "\ufffe jan"],
    ids=["bell", "vertical-tab", "ufffe"],
)
def test_a_character_xml_forbids_in_a_slot_value_leaves_the_ssml_well_formed(
    client: FlaskClient, name: str
) -> None:
    """No escape makes a control character legal XML: it is spoken as a space. (A NUL is refused with
    the request: see test_server.py.)"""
    slots = {"date": bookable_day().isoformat(), "time": "10:00", "name": name}
    response = client.post("/alexa", json=intent_request("BookAppointment", slots))
    speech = ET.fromstring(response.get_json()["response"]["outputSpeech"]["ssml"]).text or ""
    assert speech.startswith("Did I get your name right:") and "Jan" in speech


@pytest.mark.parametrize(
    "slot",
    [
        {"value": "christmas", "resolutions": {"resolutionsPerAuthority": [NO_MATCH]}},
        {"value": "christmas"},
        {"value": "christmas", "resolutions": {"resolutionsPerAuthority": "broken"}},
    ],
    ids=["no-match", "no-resolutions", "malformed-resolutions"],
)
def test_a_day_no_list_value_says_counts_as_not_given(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, slot: dict[str, Any]
) -> None:
    """Chat would not have matched "christmas" as a day: the handler does not get the words."""
    speech = say(client, intent_request("OpeningHours", {"day": slot}), caplog)
    assert speech.startswith("We are open Monday to Friday")


def test_a_weekend_for_a_booking_asks_which_day(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    speech = say(client, intent_request("BookAppointment", {"date": "2026-W49-WE"}), caplog)
    assert speech == (
        "That is more than one day: from Saturday 5 December to Sunday 6 December."
        " On which day would you like to come?"
    )


def test_a_part_of_day_asks_for_an_exact_time_within_it(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    session = f"amzn1.echo-api.session.{uuid.uuid4()}"
    day = bookable_day()
    first = intent_request("BookAppointment", {"date": day.isoformat(), "time": "MO"})
    first["session"]["sessionId"] = session
    assert say(client, first, caplog) == "In the morning we are open from 9:00 to 12:00. At what time?"
    exact = say(client, intent_request("BookAppointment", {"time": "10:00"}, session=session), caplog)
    assert exact == "And what is your name?"
    night = intent_request("BookAppointment", {"date": day.isoformat(), "time": "NI"})
    closes = "21:00" if day.weekday() == 3 else "17:30"  # late opening on Thursday
    assert say(client, night, caplog) == f"On {day:%A} we are open from 9:00 to {closes}. At what time?"


@pytest.mark.parametrize(
    "slot",
    [
        {"value": "christmas", "resolutions": {"resolutionsPerAuthority": [NO_MATCH]}},
        {"value": "christmas"},
        {"value": "christmas", "resolutions": {"resolutionsPerAuthority": [{"status": "odd"}, 3]}},
    ],
    ids=["no-match", "no-resolutions", "malformed-resolutions"],
)
def test_an_unresolved_custom_slot_gives_the_words(slot: dict[str, Any]) -> None:
    from voice.channels.alexa import _slots

    found = _slots({"name": "OpeningHours", "slots": {"day": {"name": "day", **slot}}})
    assert (found["day"].text, found["day"].value, found["day"].id) == ("christmas", "christmas", None)
