"""Customer service: opening hours, order status, contact options, booking an appointment.

English and Dutch. Answers come from the company's own content in ``data/``; appointments
go to the company's booking API (setting ``booking_url`` of ``[skill.customer_service]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace
from functools import cache
from typing import Any

from text_to_num import alpha2digit

from voice import Expect, Reply, Skill, Slot, Turn, spoken_date, weekday_name

from .booking import Appointment, BookingClient, BookingError
from .content import (
    TOPICS,
    WEEKDAYS,
    JsonOrders,
    OrderLookup,
    business_time,
    load_company,
    resolve_day,
)

skill = Skill("customer_service", __file__)
_LOGGER = logging.getLogger(__name__)

_STATUS_RESPONSES = {
    "shipped": "OrderShipped",
    "processing": "OrderProcessing",
    "delivered": "OrderDelivered",
}


@cache
def company() -> dict[str, object]:
    return load_company()


@cache
def orders() -> OrderLookup:
    return JsonOrders()


@skill.intent("OpeningHours")
def opening_hours(turn: Turn) -> Reply:
    hours = company()["hours"]
    day = turn.value("day")
    if day is None:
        return skill.reply(turn, "OpeningHours", hours=hours)
    weekday = resolve_day(day, turn.time.date())
    today = hours[weekday]  # type: ignore[index]
    day_name = weekday_name(WEEKDAYS.index(weekday), turn.language)
    if today.open is None:
        return skill.reply(turn, "ClosedOnDay", day_name=day_name)
    return skill.reply(turn, "OpenOnDay", day_name=day_name, open=today.open, close=today.close)


def order_number(spoken: str, language: str) -> str | None:
    """Digits of an order number said as digits or number words ("een twee drie vier" -> "1234")."""
    digits = re.sub(r"\s+", "", alpha2digit(spoken, language if language in ("en", "nl") else "en"))
    return digits if digits.isdigit() else None


@skill.intent("OrderStatus")
def order_status(turn: Turn) -> Reply:
    spoken = turn.slots.get("order_number")
    number = order_number(spoken.text, turn.language) if spoken else None
    if number is None:
        return skill.reply(turn, "AskOrderNumber", expect=Expect.SLOT)
    order = orders().find(number)
    if order is None:
        return skill.reply(turn, "OrderUnknown", number=_spaced(number), expect=Expect.ANSWER)
    return skill.reply(
        turn,
        _STATUS_RESPONSES[order.status],
        number=_spaced(number),
        eta=spoken_date(order.eta, turn.language),  # "Thursday 26 November", never "2026-11-26"
    )


def _spaced(number: str) -> str:
    """Say an order number digit by digit."""
    return " ".join(number)


def _order_problem(_: Any, turn: Turn) -> str | None:
    """In a conversation, an order number that cannot be read or found is asked for again."""
    number = order_number(turn.slots["order_number"].text, turn.language)
    if number is None:
        return "OrderNumberUnclear"
    return None if orders().find(number) else "OrderUnknown"


def _describe_order(turn: Turn) -> dict[str, Any]:
    spoken = turn.slots.get("order_number")
    number = order_number(spoken.text, turn.language) if spoken else None
    return {"number": _spaced(number)} if number else {}


skill.flow(
    "OrderStatus",
    slots=[Slot("order_number", prompt="AskOrderNumber", validate=_order_problem)],
    describe=_describe_order,
)


@skill.intent("ContactOptions")
def contact_options(turn: Turn) -> Reply:
    return skill.reply(turn, "ContactOptions", company=company(), card_title="Contact")


@skill.intent("Capabilities")
def capabilities(turn: Turn) -> Reply:
    return skill.reply(turn, "Capabilities", expect=Expect.ANSWER)


def _date_problem(day: dt.date, turn: Turn) -> str | None:
    if day <= turn.time.date():
        return "DateInPast"
    if day > turn.time.date() + dt.timedelta(days=62):
        return "DateTooFar"
    if company()["hours"][WEEKDAYS[day.weekday()]].open is None:  # type: ignore[index]
        return "ClosedThatDay"
    time = turn.value("time")  # a time said first ("at five") is checked once the day is known
    return "OutsideHours" if time is not None and not _open_at(day, time) else None


def _time_problem(time: dt.time, turn: Turn) -> str | None:
    day = turn.value("date")
    return "OutsideHours" if day is not None and not _open_at(day, time) else None


def _open_at(day: dt.date, time: dt.time) -> bool:
    hours = company()["hours"][WEEKDAYS[day.weekday()]]  # type: ignore[index]
    when = business_time(time).strftime("%H:%M").lstrip("0")
    return hours.open is not None and _minutes(hours.open) <= _minutes(when) < _minutes(hours.close)


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


_PARTICLES = {"de", "der", "den", "van", "het", "ter", "te", "in", "'t", "von", "du", "la", "le"}


def _proper_name(spoken: str) -> str:
    """ "jan de vries" -> "Jan de Vries": capitals, but not on Dutch particles after the first name."""
    words = spoken.split()
    return " ".join(w if i and w in _PARTICLES else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _describe(turn: Turn) -> dict[str, Any]:
    """The booking as the caller hears it."""
    values: dict[str, Any] = {}
    if turn.value("date"):
        values["date"] = spoken_date(turn.value("date"), turn.language)
    if turn.value("time"):
        values["time"] = business_time(turn.value("time")).strftime("%H:%M").lstrip("0")
    if turn.value("topic"):
        values["topic_name"] = TOPICS.get(turn.language, TOPICS["en"]).get(
            turn.value("topic"), turn.value("topic")
        )
    if turn.slots.get("name"):
        values["name"] = _proper_name(turn.slots["name"].text)
    return values


skill.flow(
    "BookAppointment",
    slots=[
        Slot("date", prompt="AskDate", validate=_date_problem),
        Slot("time", prompt="AskTime", validate=_time_problem),
        Slot("name", prompt="AskName", confirm="ConfirmName"),
        Slot("topic", prompt="AskTopic"),
    ],
    confirm="ConfirmBooking",
    describe=_describe,
)


@skill.intent("BookAppointment")
def book_appointment(turn: Turn) -> Reply:
    """Runs once every slot is filled and the caller said yes."""
    described = _describe(turn)
    appointment = Appointment(
        date=turn.value("date"),
        time=business_time(turn.value("time")),
        name=described["name"],
        topic=turn.value("topic"),
    )
    url = skill.settings.get("booking_url")
    if not url:
        _LOGGER.warning(
            "no booking API is configured: set booking_url in [skill.customer_service] of the config file"
        )
        return skill.reply(turn, "BookingFailed", expect=Expect.ANSWER)
    client = BookingClient(url)
    try:
        booking_id = client.book(appointment)  # its own timeout, not the turn's (see booking.py)
    except BookingError:
        return skill.reply(turn, "BookingFailed", expect=Expect.ANSWER)
    reply = skill.reply(turn, "Booked", booking_id=_spaced(booking_id), **described)
    return replace(reply, remember={"name": described["name"], "last_booking": booking_id})
