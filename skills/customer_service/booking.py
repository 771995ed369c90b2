"""The booking API client: how the skill books an appointment in the company's calendar.

The API takes ``POST {base_url}/appointments`` with JSON ``{date, time, name, topic}`` and
answers ``201 {"id": ...}``. Every call has its own timeout, not the turn's: when the turn runs
out, the caller hears "one moment" and the booking still completes; the dialog speaks it at the
next turn.

A call that timed out after it was sent, or got a server error (5xx but 503), may have booked,
so it is not reported as a refusal ("try again later" would make a second booking):
``BookingUnconfirmed`` lets the skill say it does not know and hand over to a colleague. Each call
carries an ``Idempotency-Key`` made from the session and the appointment, so an API that honours it
books a repeated request once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.request
from dataclasses import dataclass

from voice import VoiceError
from voice.http_json import CallFailed, call_json

DEFAULT_TIMEOUT_S = 5.0
UNAVAILABLE = 503
"""The one server error that says the request was not handled (maintenance, overload)."""


class BookingError(VoiceError):
    """The booking API refused the appointment or could not be reached: nothing was booked."""

    http_status = 502


class BookingUnconfirmed(BookingError):
    """The request went out but no answer came back: the appointment may or may not be booked."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Appointment:
    date: dt.date
    time: dt.time
    name: str
    topic: str


class BookingClient:
    """A small JSON client for the company's booking API."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def book(self, appointment: Appointment, *, key: str, timeout: float = DEFAULT_TIMEOUT_S) -> str:
        """Book the appointment; returns the booking id. ``key`` goes out as the ``Idempotency-Key``
        (``booking_key``); ``timeout`` is in seconds."""
        body = json.dumps(
            {
                "date": appointment.date.isoformat(),
                "time": appointment.time.strftime("%H:%M"),
                "name": appointment.name,
                "topic": appointment.topic,
            }
        ).encode("utf-8")
        request = urllib.request.Request(
            f"{self.base_url}/appointments",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        try:
            answer = call_json(request, timeout=timeout, system="the booking API")
        except CallFailed as failed:
            if failed.status is not None and (failed.status < 500 or failed.status == UNAVAILABLE):
                raise BookingError(
                    f"the booking API refused the appointment (HTTP {failed.status})."
                ) from failed
            # sent and then a server error or no answer: it may have booked
            raise (BookingUnconfirmed if failed.sent else BookingError)(failed.message) from failed
        booking_id = answer.get("id") if isinstance(answer, dict) else None
        if not booking_id:
            raise BookingUnconfirmed("the booking API answered without a booking id.")
        return str(booking_id)


def booking_key(session_id: str, appointment: Appointment) -> str:
    """The same appointment asked for again in the same conversation gets the same key."""
    said = f"{session_id}|{appointment.date}|{appointment.time}|{appointment.name}|{appointment.topic}"
    return hashlib.sha256(said.encode("utf-8")).hexdigest()[:32]
