"""The customer-service skill's booking client against a booking API on loopback that answers, refuses,
hangs or drops the connection: what the caller is told must match what the API did."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from booking_api import BookingApi, serving_booking_api

from skills.customer_service import book_appointment, skill
from skills.customer_service.booking import (
    Appointment,
    BookingClient,
    BookingError,
    BookingUnconfirmed,
    booking_key,
)
from voice import Expect, Router, SlotValue, Turn
from voice.dialog import Dialog, QueueFileSink
from voice.store import open_store

APPOINTMENT = Appointment(date=dt.date(2026, 11, 24), time=dt.time(10, 0), name="anna", topic="return")
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def api() -> Iterator[tuple[BookingApi, str]]:
    with serving_booking_api() as running:
        yield running


def test_a_booking_carries_a_key_that_is_the_same_for_the_same_appointment_in_the_same_call(
    api: tuple[BookingApi, str],
) -> None:
    state, url = api
    key = booking_key("s1", APPOINTMENT)
    assert BookingClient(url).book(APPOINTMENT, key=key) == "B1"
    assert state.bookings == [
        (key, {"date": "2026-11-24", "time": "10:00", "name": "anna", "topic": "return"})
    ]
    assert key == booking_key("s1", APPOINTMENT) != booking_key("s2", APPOINTMENT)
    assert key != booking_key("s1", replace(APPOINTMENT, time=dt.time(11, 0)))


@pytest.mark.parametrize(
    ("mode", "told"), [("hang", "did not answer"), ("drop", "did not answer"), ("gateway", "HTTP 504")]
)
def test_a_booking_sent_but_not_answered_is_unconfirmed(
    api: tuple[BookingApi, str], mode: str, told: str
) -> None:
    state, url = api
    state.mode = mode
    with pytest.raises(BookingUnconfirmed, match=told):
        BookingClient(url).book(APPOINTMENT, key="k", timeout=0.5)
    assert len(state.bookings) == 1, "the API booked it: the caller must not be told to try again"


def test_a_refused_or_unreachable_booking_is_a_failure_with_nothing_booked(
    api: tuple[BookingApi, str],
) -> None:
    state, url = api
    state.mode = "refuse"
    with pytest.raises(BookingError, match="refused the appointment \\(HTTP 409\\)") as refused:
        BookingClient(url).book(APPOINTMENT, key="k")
    assert not isinstance(refused.value, BookingUnconfirmed) and state.bookings == []
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for nobody in (closed, "http://127.0.0.1:abc"):  # a port that is no number fails before connecting
        with pytest.raises(BookingError, match="could not be reached") as unreachable:
            BookingClient(nobody).book(APPOINTMENT, key="k")
        assert not isinstance(unreachable.value, BookingUnconfirmed)


def _confirmed_booking(locale: str) -> Turn:
    slots = {
        "date": SlotValue(text="morgen", value=APPOINTMENT.date),
        "time": SlotValue(text="tien uur", value=APPOINTMENT.time),
        "name": SlotValue(text="anna", value="anna"),
        "topic": SlotValue(text="retour", value="return"),
    }
    return Turn(text="ja", locale=locale, intent="BookAppointment", slots=slots, time=MONDAY, session_id="s1")


@pytest.mark.parametrize(
    ("locale", "told"),
    [
        ("nl", "Sorry, onze agenda heeft de afspraak op dinsdag 24 november om 10:00 niet bevestigd"),
        ("en", "Sorry, our calendar did not confirm the appointment on Tuesday 24 November at 10:00"),
    ],
)
def test_the_caller_hears_the_booking_is_unconfirmed_and_a_colleague_takes_over(
    api: tuple[BookingApi, str], monkeypatch: pytest.MonkeyPatch, locale: str, told: str
) -> None:
    state, url = api
    state.mode = "drop"
    monkeypatch.setattr(skill, "settings", {"booking_url": url})
    reply = book_appointment(_confirmed_booking(locale))
    assert reply.text.startswith(told) and reply.handoff, reply.text
    book_appointment(_confirmed_booking(locale))  # asked again in the same call: the same key
    assert len(state.bookings) == 2 and state.bookings[0][0] == state.bookings[1][0]


def test_a_refused_booking_asks_to_try_again_without_a_handoff(
    api: tuple[BookingApi, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = api
    state.mode = "refuse"
    monkeypatch.setattr(skill, "settings", {"booking_url": url})
    reply = book_appointment(_confirmed_booking("nl"))
    assert reply.text.startswith("Sorry, ik kon de afspraak niet boeken") and not reply.handoff
    assert reply.expect is Expect.ANSWER and state.bookings == []


def test_an_unconfirmed_booking_hands_the_booking_to_a_colleague_with_its_slots(
    api: tuple[BookingApi, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Through the dialog: the flow's slots go into the handoff record, the call ends, and the KPIs do
    not count the flow as completed."""
    state, url = api
    state.mode = "drop"
    monkeypatch.setattr(skill, "settings", {"booking_url": url})
    queue = tmp_path / "handoff.jsonl"
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([skill]), store, sink=QueueFileSink(queue))
        said = [_confirmed_booking("nl"), *[Turn(text="ja", locale="nl", session_id="s1", time=MONDAY)] * 2]
        replies = [dialog.respond(turn) for turn in said]  # the flow, then yes to the name, yes to book
        assert dialog.sender is not None and dialog.sender.drain()
        completed = store.select(
            "SELECT flow, flow_completed, handoff_reason FROM signals WHERE handoff != ''"
        )
        session = store.load("s1")
        dialog.close()
    assert replies[-1].text.startswith("Sorry, onze agenda heeft de afspraak") and replies[-1].end_session
    assert len(state.bookings) == 1 and session is not None and session.handed_over and session.ended
    (record,) = [json.loads(line) for line in queue.read_text().splitlines()]
    assert (record["reason"], record["skill"]) == ("skill:BookAppointment", "customer_service")
    assert record["slots"] == {
        "date": {"$date": "2026-11-24"},
        "time": {"$time": "10:00:00"},
        "name": "[name]",  # a sensitive slot: the colleague reads the name in the booking API
        "topic": "return",
    }
    assert completed == [("BookAppointment", 0, "skill:BookAppointment")]


@pytest.mark.parametrize(
    ("locale", "yes", "call", "told"),
    [
        (
            "nl",
            "ja",
            False,
            "Belt u ons tijdens onze openingstijden op 020 123 4567, dan zoeken we het voor u uit.",
        ),
        (
            "en",
            "yes",
            False,
            "Please call us on 020 123 4567 during our opening hours and we will find out for you.",
        ),
        # on the phone line the caller rang that number already: they hear how else to reach us
        ("nl", "ja", True, "Mailt u ons op klantenservice@example.com, dan zoeken we het voor u uit."),
        ("en", "yes", True, "Please email us at klantenservice@example.com and we will find out for you."),
    ],
    ids=["nl", "en", "nl-phone", "en-phone"],
)
def test_an_unconfirmed_booking_promises_no_colleague_when_nobody_can_be_reached(
    api: tuple[BookingApi, str],
    monkeypatch: pytest.MonkeyPatch,
    locale: str,
    yes: str,
    call: bool,
    told: str,
) -> None:
    """Without a handoff sink the record only waits in the outbox: the caller is told to call the shop
    (``BookingUnconfirmed_no_person``), or on a call to e-mail it, not that a colleague will check and
    let them know."""
    state, url = api
    state.mode = "drop"
    monkeypatch.setattr(skill, "settings", {"booking_url": url})
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([skill]), store)
        said = [
            _confirmed_booking(locale),
            *[Turn(text=yes, locale=locale, session_id="s1", time=MONDAY)] * 2,
        ]
        unconfirmed = [dialog.respond(replace(turn, call=call)) for turn in said][-1]
        waiting = store.outbox_counts()
        dialog.close()
    assert unconfirmed.text.startswith("Sorry") and unconfirmed.text.endswith(told), unconfirmed.text
    number = '<say-as interpret-as="telephone">020 123 4567</say-as>' in unconfirmed.speech
    assert number is not call, unconfirmed.speech
    assert not unconfirmed.handoff and unconfirmed.end_session and waiting == {"pending": 1, "delivered": 0}
