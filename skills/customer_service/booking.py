"""The booking API client: how the skill books an appointment in the company's calendar.

The API takes ``POST {base_url}/appointments`` with JSON ``{date, time, name, topic}`` and
answers ``201 {"id": ...}``. Every call has its own timeout, not the turn's: when the turn runs
out, the caller hears "one moment" and the booking still completes; the dialog speaks it at the
next turn.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from voice import VoiceError

DEFAULT_TIMEOUT_S = 5.0


class BookingError(VoiceError):
    """The booking API refused the appointment or could not be reached."""

    http_status = 502


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

    def book(self, appointment: Appointment, *, timeout: float = DEFAULT_TIMEOUT_S) -> str:
        """Book the appointment; returns the booking id. ``timeout`` is in seconds."""
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
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            raise BookingError(f"the booking API refused the appointment (HTTP {exc.code}).") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise BookingError(f"the booking API could not be reached ({exc}).") from exc
        booking_id = answer.get("id") if isinstance(answer, dict) else None
        if not booking_id:
            raise BookingError("the booking API answered without a booking id.")
        return str(booking_id)
