"""Customer service: opening hours, order status, contact options, booking an appointment.

English and Dutch. Answers come from the company's own content in ``data/``; orders from
``data/orders.json`` or the company's order system (setting ``orders_url``), appointments from its
booking API (setting ``booking_url``), both of ``[skill.customer_service]``. Until the team replaces
the sample company and orders, ``voice check`` and the start warn of them (``sample_data_in_use``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from functools import cache, lru_cache
from typing import Any

from voice import (
    BusinessHours,
    DateRange,
    Expect,
    PartOfDay,
    Reply,
    Skill,
    Slot,
    Turn,
    clock_text,
    name_check,
    spoken_date,
    weekday_name,
)

from .booking import Appointment, BookingClient, BookingError, BookingUnconfirmed, booking_key
from .content import (
    STATUSES,
    TOPICS,
    WEEKDAYS,
    JsonOrders,
    Order,
    OrderLookup,
    load_company,
    order_number,
    sample_details,
)
from .orders_api import HttpOrders, OrderLookupError
from .when import MAX_DAYS_NAMED, PART_NAMES, asked_day, one_day, weekday

skill = Skill("customer_service", __file__)
_LOGGER = logging.getLogger(__name__)

STATUS_RESPONSES = {status: f"Order{status.capitalize()}" for status in STATUSES}
"""The response that tells an order's status, named after it ("OrderShipped"): made from ``STATUSES``, so
the two lists cannot drift; a status added there needs its response in every language (a test checks)."""


@cache
def company() -> dict[str, object]:
    return load_company()


skill.hours = BusinessHours.from_dict(load_company(raw=True)["hours"], source="data/company.yaml")
skill.values["company"] = company()  # the framework's replies in the skill's words name its number too


@cache
def order_file() -> JsonOrders:
    return JsonOrders()


def orders(url: str | None = None) -> OrderLookup:
    """The company's order system at ``url`` (default: ``orders_url``) when set, else ``data/orders.json``."""
    url = url if url is not None else skill.settings.get("orders_url")
    return HttpOrders(url) if url else order_file()


def looked_up(number: str, turn: Turn) -> Order | None:
    """The order, asked of the order system once per turn: the flow's check of the number and the
    handler that tells its status both need it, and a system that is down must not make the caller
    wait for two time-outs."""
    found = _lookup(number, turn.session_id, turn.time, skill.settings.get("orders_url") or "")
    if isinstance(found, str):  # the failure's message: a new error each time, holding no old turn
        raise OrderLookupError(found)
    return found


@lru_cache(maxsize=256)
def _lookup(number: str, _session: str, when: dt.datetime, url: str) -> Order | None | str:
    try:
        return orders(url).find(number, today=when.date())
    except OrderLookupError as error:
        return error.message


def sample_data_in_use(language: str) -> list[str]:
    """The shipped sample data callers would still hear, one sentence each in the team's ``language``
    (``voice check`` and the start warn of it: a team that adopted the skill must not answer with
    Voorbeeld BV's number)."""
    lines = []
    if sample := sample_details(company()):
        lines.append(skill.team_says(language, "sample_company", details=", ".join(sample)))
    if not skill.settings.get("orders_url") and _sample_orders():
        lines.append(skill.team_says(language, "sample_orders"))
    return lines


def _sample_orders() -> bool:
    try:
        return order_file().example
    except (OSError, ValueError):  # a broken file is the skill's checks' to report, not a warning's
        return False


def order_file_problems() -> list[str]:
    """What in ``data/orders.json`` a caller's lookup would fail on, one sentence each (``voice check`` and
    the start refuse it, rather than a caller's turn); nothing when ``orders_url`` replaces the file."""
    if skill.settings.get("orders_url"):
        return []
    try:
        problems = order_file().problems()
    except (OSError, ValueError) as exc:
        return [
            f"data/orders.json cannot be read ({exc}); fix the file, or set orders_url to your order system."
        ]
    return [f"data/orders.json: {problem}." for problem in problems]


skill.example_data = sample_data_in_use
skill.data_problems = order_file_problems


@skill.intent("OpeningHours")
def opening_hours(turn: Turn) -> Reply:
    """The weekly hours, or one day's; a weekend day by day; an unclear day is asked again."""
    hours = company()["hours"]
    day = turn.value("day")
    if day is None:
        return skill.reply(turn, "OpeningHours", hours=hours)
    asked = asked_day(day, turn.language, turn.time)
    if asked is None:
        return skill.reply(turn, "DayUnclear", expect=Expect.ANSWER)
    if isinstance(asked, DateRange):
        if asked.days > MAX_DAYS_NAMED:
            return skill.reply(turn, "OpeningHours", hours=hours)
        return Reply(speech=" ".join(_hours_on(turn, weekday(date)) for date in asked.dates()))
    return Reply(speech=_hours_on(turn, weekday(asked)))


def _hours_on(turn: Turn, day: str) -> str:
    today = company()["hours"][day]  # type: ignore[index]
    day_name = weekday_name(WEEKDAYS.index(day), turn.language)
    if today.open is None:
        return skill.say(turn, "ClosedOnDay", day_name=day_name)
    return skill.say(turn, "OpenOnDay", day_name=day_name, open=today.open, close=today.close)


@skill.intent("OrderStatus")
def order_status(turn: Turn) -> Reply:
    spoken = turn.slots.get("order_number")
    number = order_number(spoken.text, turn.language) if spoken else None
    if number is None:
        return skill.reply(turn, "AskOrderNumber", expect=Expect.SLOT)
    try:
        order = looked_up(number, turn)
    except OrderLookupError as error:
        _LOGGER.warning("order lookup of session %s failed: %s", turn.session_id, error.message)
        return replace(skill.reply(turn, "OrderLookupFailed", expect=Expect.ANSWER), failed=True)
    if order is None:
        return skill.reply(turn, "OrderUnknown", number=number, expect=Expect.ANSWER)
    return skill.reply(
        turn,
        STATUS_RESPONSES[order.status],
        number=number,
        eta=spoken_date(order.eta, turn.language),  # "Thursday 26 November", never "2026-11-26"
    )


def _order_problem(_: Any, turn: Turn) -> str | None:
    """In a conversation, an order number that cannot be read or found is asked for again."""
    number = order_number(turn.slots["order_number"].text, turn.language)
    if number is None:
        return "OrderNumberUnclear"
    try:
        found = looked_up(number, turn)
    except OrderLookupError:  # the handler apologises: the caller must not hear the order is unknown
        return None
    return None if found else "OrderUnknown"


def _describe_order(turn: Turn) -> dict[str, Any]:
    spoken = turn.slots.get("order_number")
    number = order_number(spoken.text, turn.language) if spoken else None
    return {"number": number} if number else {}


skill.flow(
    "OrderStatus",
    # a number heard badly is read back digit by digit before its status is told
    slots=[
        Slot(
            "order_number",
            prompt="AskOrderNumber",
            validate=_order_problem,
            confirm_unclear="ConfirmOrderNumber",
        )
    ],
    describe=_describe_order,
)


@skill.intent("ContactOptions")
def contact_options(turn: Turn) -> Reply:
    return skill.reply(turn, "ContactOptions", card_title="Contact")


@skill.intent("Capabilities")
def capabilities(turn: Turn) -> Reply:
    return skill.reply(turn, "Capabilities", expect=Expect.ANSWER)


@skill.intent("AskQuestion")
def ask_question(turn: Turn) -> Reply:
    """ "Ik heb een vraag over mijn bestelling": the caller's question comes next, so ask for it
    instead of guessing one from the knowledge (a vague opening is not a question yet)."""
    subject = turn.slots.get("subject")
    values = {"subject": subject.value} if subject else {}
    return skill.reply(turn, "AskQuestion", expect=Expect.ANSWER, **values)


def _date_problem(value: Any, turn: Turn) -> str | None:
    """A day to book: a range or words are asked again; then past, too far, closed, today.

    Closed wins over today: on a Sunday "zondag" is not bookable on any Sunday. A time said with the day
    is the time validator's: the day is kept and the time asked again (the flow checks it again)."""
    day = one_day(value)
    if day is None:
        return "PickDayInRange" if isinstance(value, DateRange) else "DateUnclear"
    if day < turn.time.date():
        return "DateInPast"
    if day > turn.time.date() + dt.timedelta(days=62):
        return "DateTooFar"
    if _hours().opening(day) is None:
        return "ClosedThatDay"
    return "DateToday" if day == turn.time.date() else None


def _time_problem(value: Any, turn: Turn) -> str | None:
    """A part of the day asks for an exact time within it; words that are no time are asked again; a
    time we are not open tells that day's hours ("Op maandag zijn we open van 9:00 tot 17:30")."""
    day = one_day(turn.value("date"))
    closed = "OutsideHours" if day is None else "OpenOnDay"
    if isinstance(value, PartOfDay):
        return "ExactTime" if _part_hours(value, day) else closed
    if not isinstance(value, dt.time):
        return "TimeUnclear"
    return closed if day is not None and not _open_at(day, value) else None


def _part_hours(part: PartOfDay, day: dt.date | None) -> tuple[str, str] | None:
    """When we are open in that part of the day: on ``day``, or on any day when none is known."""
    found = _hours().during(part, day)
    return (clock_text(found[0]), clock_text(found[1])) if found else None


def _hours() -> BusinessHours:
    assert skill.hours is not None
    return skill.hours


def _reading(time: dt.time, day: dt.date | None = None) -> dt.time:
    """A time within our hours: "om drie" (and a platform's "three", sent as 03:00) is 15:00; a time said
    with its part of the day ("drie uur 's nachts", "3 am") stays as said, so the validator refuses it."""
    return _hours().reading(time, day)


def _open_at(day: dt.date, time: dt.time) -> bool:
    return _hours().is_open(day, _reading(time, day))


_PARTICLES = {"de", "der", "den", "van", "het", "ter", "te", "in", "'t", "von", "du", "la", "le"}


def _proper_name(spoken: str) -> str:
    """ "jan de vries" -> "Jan de Vries": capitals, but not on Dutch particles after the first name."""
    words = spoken.split()
    return " ".join(w if i and w in _PARTICLES else w[:1].upper() + w[1:] for i, w in enumerate(words))


def _describe(turn: Turn) -> dict[str, Any]:
    """The booking as the caller hears it (and a range or part of the day asked about)."""
    values: dict[str, Any] = {}
    day, time = one_day(turn.value("date")), turn.value("time")
    if day:
        values["date"] = spoken_date(day, turn.language)
        values.update(_day_hours(day, turn.language))
    values.update(_range_words(turn.value("date"), turn.language))
    if isinstance(time, dt.time):
        values["time"] = clock_text(_reading(time, day))
    if isinstance(time, PartOfDay):
        values.update(_part_words(time, day, turn.language))
    if turn.value("topic"):
        values["topic_name"] = TOPICS.get(turn.language, TOPICS["en"]).get(
            turn.value("topic"), turn.value("topic")
        )
    if turn.slots.get("name"):
        values["name"] = _proper_name(turn.slots["name"].text)
    return values


def _day_hours(day: dt.date, language: str) -> dict[str, Any]:
    """That day's hours, for a time we are not open then (``OpenOnDay``); nothing when closed."""
    found = _hours().opening(day)
    if found is None:
        return {}
    return {
        "day_name": weekday_name(day.weekday(), language),
        "open": clock_text(found[0]),
        "close": clock_text(found[1]),
    }


def _range_words(value: Any, language: str) -> dict[str, Any]:
    """ "from Saturday 5 December to Sunday 6 December" for a week or less; a longer range: nothing."""
    if not isinstance(value, DateRange) or value.days > 7:
        return {}
    return {"first": spoken_date(value.start, language), "last": spoken_date(value.end, language)}


def _part_words(part: PartOfDay, day: dt.date | None, language: str) -> dict[str, Any]:
    found = _part_hours(part, day)
    names = PART_NAMES.get(language, PART_NAMES["en"])
    return {"part_of_day": names[part]} | ({"part_from": found[0], "part_until": found[1]} if found else {})


skill.flow(
    "BookAppointment",
    slots=[
        Slot("date", prompt="AskDate", validate=_date_problem),
        Slot("time", prompt="AskTime", validate=_time_problem),
        Slot(
            "name",
            prompt="AskName",
            confirm="ConfirmName",
            validate=name_check("NameUnclear"),
            sensitive=True,
        ),
        Slot("topic", prompt="AskTopic"),
    ],
    confirm="ConfirmBooking",
    describe=_describe,
)


@skill.intent("BookAppointment")
def book_appointment(turn: Turn) -> Reply:
    """Runs once every slot is filled and the caller said yes."""
    described = _describe(turn)
    day = one_day(turn.value("date"))
    if day is None:  # the date validator lets only one day through; never book a range
        return skill.reply(turn, "AskDate", expect=Expect.SLOT)
    appointment = Appointment(
        date=day,
        time=_reading(turn.value("time"), day),
        name=described["name"],
        topic=turn.value("topic"),
    )
    url = skill.settings.get("booking_url")
    if not url:
        _LOGGER.warning(
            "no booking API is configured: set booking_url in [skill.customer_service] of the config file"
        )
        return _booking_failed(turn)
    client = BookingClient(url)
    try:  # its own timeout, not the turn's (see booking.py)
        booking_id = client.book(appointment, key=booking_key(turn.session_id, appointment))
    except BookingUnconfirmed as error:  # maybe booked: a colleague checks, the caller is not told to retry
        _LOGGER.warning("booking of session %s unconfirmed: %s", turn.session_id, error.message)
        return replace(skill.reply(turn, "BookingUnconfirmed", **described), handoff=True)
    except BookingError as error:
        _LOGGER.warning("booking of session %s failed: %s", turn.session_id, error.message)
        return _booking_failed(turn)
    # the booking number on a card too: a screen (the Alexa app) keeps it as written, "B42"
    title = skill.say(turn, "BookedCardTitle")
    reply = skill.reply(turn, "Booked", card_title=title, booking_id=booking_id, **described)
    return replace(reply, remember={"name": described["name"], "last_booking": booking_id})


def _booking_failed(turn: Turn) -> Reply:
    """The apology for a booking that did not go through; ``failed`` keeps it out of the completed
    bookings and the contained conversations."""
    return replace(skill.reply(turn, "BookingFailed", expect=Expect.ANSWER), failed=True)
