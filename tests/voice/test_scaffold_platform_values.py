"""The skill ``voice init`` writes, on the platforms' dates and times: Alexa sends "three" as 03:00 and
"this weekend" as ``2026-W50-WE``, Dialogflow a date-period; the booking reads the time within its hours
and asks for one day of a range, as the shipped customer_service does, in English and Dutch."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from voice import build_assistant, spoken_date
from voice.assistant import MEMORY_STORE
from voice.cli import cli
from voice.config import Config
from voice.server import create_app

ALEXA = Path(__file__).resolve().parents[2] / "fixtures" / "requests" / "alexa" / "opening_hours_day.json"
TODAY = dt.datetime.now(dt.UTC).date()


def bookable_day() -> dt.date:
    """A Monday to Friday at least two days ahead: the scaffold's skill is open then."""
    day = TODAY + dt.timedelta(days=2)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


DAY = bookable_day()
WEEKEND = DAY + dt.timedelta(days=5 - DAY.weekday())
_, WEEK, _ = WEEKEND.isocalendar()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    into = tmp_path_factory.mktemp("scaffold")
    assert CliRunner().invoke(cli, ["init", "werkplaats", "--into", str(into)]).exit_code == 0
    assistant = build_assistant(Config(skills=(str(into / "werkplaats"),)), store=MEMORY_STORE)
    yield create_app({"alexa_verify": False}, assistant=assistant).test_client()
    assistant.close()


def alexa(client: FlaskClient, locale: str, slots: dict[str, str]) -> str:
    """The speech for a BookAppointment IntentRequest with these slot values."""
    envelope: dict[str, Any] = json.loads(ALEXA.read_text())
    envelope["session"] |= {"sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}", "new": True}
    envelope["request"] |= {
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "locale": locale,
        "timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "intent": {
            "name": "BookAppointment",
            "confirmationStatus": "NONE",
            "slots": {name: {"name": name, "value": value} for name, value in slots.items()},
        },
    }
    response = client.post("/alexa", json=envelope)
    assert response.status_code == 200, response.get_data(as_text=True)
    ssml: str = response.get_json()["response"]["outputSpeech"]["ssml"]
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


def dialogflow(client: FlaskClient, language: str, parameters: dict[str, Any]) -> str:
    """The fulfillment text for a BookAppointment webhook request with these parameters."""
    session = f"projects/werkplaats/agent/sessions/{uuid.uuid4()}"
    body = {
        "responseId": str(uuid.uuid4()),
        "session": session,
        "queryResult": {
            "queryText": "...",
            "parameters": parameters,
            "allRequiredParamsPresent": True,
            "intent": {"name": "projects/werkplaats/agent/intents/1", "displayName": "BookAppointment"},
            "intentDetectionConfidence": 1,
            "languageCode": language,
        },
        "originalDetectIntentRequest": {"source": "DIALOGFLOW_CONSOLE", "payload": {}},
    }
    response = client.post("/dialogflow", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["fulfillmentText"])


@pytest.mark.parametrize(
    ("locale", "confirmation"),
    [
        ("en-US", "An appointment on {day} at 15:00 for anna. Is that right?"),
        ("nl-NL", "Een afspraak op {day} om 15:00 op naam van anna. Klopt dat?"),
    ],
)
def test_alexas_three_oclock_is_read_within_the_hours(
    client: FlaskClient, locale: str, confirmation: str
) -> None:
    speech = alexa(client, locale, {"date": DAY.isoformat(), "time": "03:00", "name": "anna"})
    assert speech == confirmation.format(day=spoken_date(DAY, locale[:2]))


def test_dialogflows_three_oclock_is_read_within_the_hours(client: FlaskClient) -> None:
    time = f"{DAY.isoformat()}T03:00:00+01:00"
    date = f"{DAY.isoformat()}T12:00:00+01:00"
    speech = dialogflow(client, "nl", {"date": date, "time": time, "name": "anna"})
    assert speech == f"Een afspraak op {spoken_date(DAY, 'nl')} om 15:00 op naam van anna. Klopt dat?"


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        (
            "en-US",
            f"{WEEKEND.year}-W{WEEK:02d}-WE",
            "That is more than one day: from {saturday} to {sunday}. On which day would you like to come?",
        ),
        (
            "nl-NL",
            f"{WEEKEND.year}-W{WEEK:02d}-WE",
            "Dat is meer dan één dag: van {saturday} tot en met {sunday}. Op welke dag wilt u komen?",
        ),
        (
            "en-US",
            f"{WEEKEND.year}-{WEEKEND.month:02d}",
            "That is more than one day. On which day would you like to come?",
        ),
        ("en-US", "christmas", "Sorry, I didn't catch the day. On which day would you like to come?"),
    ],
    ids=["weekend-en", "weekend-nl", "month", "words"],
)
def test_an_alexa_range_asks_for_one_day(client: FlaskClient, locale: str, value: str, expected: str) -> None:
    language = locale[:2]
    sunday = WEEKEND + dt.timedelta(days=1)
    words = {"saturday": spoken_date(WEEKEND, language), "sunday": spoken_date(sunday, language)}
    assert alexa(client, locale, {"date": value}) == expected.format(**words)


def test_a_dialogflow_date_period_asks_for_one_day(client: FlaskClient) -> None:
    sunday = WEEKEND + dt.timedelta(days=1)
    period = {"startDate": f"{WEEKEND}T00:00:00+01:00", "endDate": f"{sunday}T23:59:59+01:00"}
    assert dialogflow(client, "nl", {"date": period}) == (
        f"Dat is meer dan één dag: van {spoken_date(WEEKEND, 'nl')} tot en met {spoken_date(sunday, 'nl')}."
        " Op welke dag wilt u komen?"
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en-US",
            "Today is no longer possible; you are welcome from tomorrow. "
            "On which day would you like to come?",
        ),
        ("nl-NL", "Vandaag kan helaas niet meer; vanaf morgen bent u welkom. Op welke dag wilt u komen?"),
    ],
    ids=["en", "nl"],
)
def test_today_is_asked_again_as_today_not_as_a_day_that_passed(
    client: FlaskClient, locale: str, expected: str
) -> None:
    """ "That day has passed" for today."""
    assert alexa(client, locale, {"date": TODAY.isoformat()}) == expected
