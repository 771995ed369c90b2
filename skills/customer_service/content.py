"""The company's content the skill answers from: opening hours, contact details, orders.

Kept in ``data/`` as plain files a customer-service team edits; ``OrderLookup`` is the
seam where a company's order system plugs in (``orders_api.HttpOrders``, with ``orders_url``). The shipped
files are a sample (``SAMPLE_COMPANY``, ``EXAMPLE_KEY``): ``voice check`` and the start warn of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from text_to_num import alpha2digit

DATA = Path(__file__).parent / "data"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TOPICS = {
    "en": {"delivery": "a delivery", "return": "a return", "invoice": "an invoice", "advice": "advice"},
    "nl": {"delivery": "een levering", "return": "een retour", "invoice": "een factuur", "advice": "advies"},
}


SAMPLE_COMPANY = {"name": "Voorbeeld BV", "phone": "020 123 4567"}
"""The shipped sample company's details that are no address (those are on ``EXAMPLE_DOMAIN``)."""
EXAMPLE_DOMAIN = re.compile(r"\bexample\.(com|org|net)\b", re.IGNORECASE)
"""Reserved for examples (RFC 2606): never a real company's email or chat address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Hours:
    """Opening hours of one day; ``open`` is None when closed."""

    open: str | None
    close: str | None


def load_company(path: Path = DATA / "company.yaml", *, raw: bool = False) -> dict[str, Any]:
    """The company's content; ``raw``: the hours as written (for ``voice.BusinessHours``)."""
    company: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if raw:
        return company
    company["hours"] = {day: _hours(company["hours"].get(day, "closed")) for day in WEEKDAYS}
    return company


def sample_details(company: dict[str, Any]) -> list[str]:
    """The details of ``company`` that are still the shipped sample's: its name and phone number, and
    any address on an example domain."""
    return [
        value
        for key, value in company.items()
        if isinstance(value, str) and (SAMPLE_COMPANY.get(key) == value or EXAMPLE_DOMAIN.search(value))
    ]


def _hours(text: str) -> Hours:
    if text == "closed":
        return Hours(open=None, close=None)
    opens, closes = text.split("-")
    return Hours(open=opens.lstrip("0"), close=closes.lstrip("0"))


def resolve_day(day: str, today: dt.date) -> str:
    """A weekday name for ``today``/``tomorrow`` or a weekday."""
    if day == "today":
        return WEEKDAYS[today.weekday()]
    if day == "tomorrow":
        return WEEKDAYS[(today.weekday() + 1) % 7]
    return day


@dataclass(frozen=True, slots=True, kw_only=True)
class Order:
    number: str
    status: str
    """One of ``STATUSES``."""
    eta: dt.date


STATUSES = ("shipped", "processing", "delivered")
"""An order's statuses; the skill tells each with the response named after it (``OrderShipped``)."""


class OrderLookup(ABC):
    """Where order statuses come from: ``data/orders.json`` (``JsonOrders``), or the company's order
    system over HTTP when ``orders_url`` is set (``orders_api.HttpOrders``)."""

    @abstractmethod
    def find(self, number: str, *, today: dt.date) -> Order | None:
        """The order with this number, or None. ``today`` is the caller's date (the turn's clock, so
        ``voice chat --now`` too), for lookups that give dates relative to it."""


EXAMPLE_KEY = "_example"
"""The key that marks ``data/orders.json`` as the shipped sample; keys starting with ``_`` are no orders."""


class JsonOrders(OrderLookup):
    """Orders from a JSON file: ``{"1234": {"status": "shipped", "eta": "2026-11-26"}}``. Instead of an
    ``eta`` an order may give ``days_from_today`` (3: in three days, -3: three days ago), so that the
    sample orders never expect a parcel yesterday, whatever day the demo runs. A file that does not read
    is a ``ValueError``; ``problems`` names the orders a lookup could not tell (the skill's checks)."""

    def __init__(self, path: Path = DATA / "orders.json") -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError(f'it holds no orders like {{"1234": {_EXAMPLE_ORDER}}}')
        self.example = EXAMPLE_KEY in raw
        self.orders = {number: order for number, order in raw.items() if not number.startswith("_")}

    def problems(self) -> list[str]:
        """One sentence part per order a lookup would fail on: which order, what is wrong, the fix."""
        return [
            f"order {number!r} {problem}" for number, raw in self.orders.items() if (problem := _problem(raw))
        ]

    def find(self, number: str, *, today: dt.date) -> Order | None:
        raw = self.orders.get(number)
        if raw is None:
            return None
        if "days_from_today" in raw:
            eta = today + dt.timedelta(days=raw["days_from_today"])
        else:
            eta = dt.date.fromisoformat(raw["eta"])
        return Order(number=number, status=raw["status"], eta=eta)


MAX_DAYS_FROM_TODAY = 3650
"""Ten years either way: far more than any parcel takes, and far from the dates Python cannot hold (a
bigger number would fail at the caller's turn)."""
_EXAMPLE_ORDER = '{"status": "shipped", "eta": "2026-11-26"}'


def _problem(raw: object) -> str | None:
    """What keeps an entry of the file from being an order the skill can tell, with the fix; None: nothing."""
    if not isinstance(raw, dict):
        return f"is {json.dumps(raw)}, not an order; write it like {_EXAMPLE_ORDER}"
    status = raw.get("status")
    if status not in STATUSES:
        said = "no status" if status is None else f"the status {json.dumps(status)}"
        return f"has {said}; give it one of {', '.join(STATUSES)}"
    if "days_from_today" in raw:
        days = raw["days_from_today"]
        if isinstance(days, int) and not isinstance(days, bool) and abs(days) <= MAX_DAYS_FROM_TODAY:
            return None
        return (
            f"has days_from_today {json.dumps(days)}; give a whole number of days up to "
            f"{MAX_DAYS_FROM_TODAY} (3: in three days, -3: three days ago)"
        )
    if iso_date(raw.get("eta")) is None:
        said = "no eta" if raw.get("eta") is None else f"the eta {json.dumps(raw['eta'])}"
        return f"has {said}; give a date like 2026-11-26 (or days_from_today, a number of days)"
    return None


def iso_date(value: object) -> dt.date | None:
    """The date written as 2026-11-26, or None (for any other value)."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def order_number(spoken: str, language: str) -> str | None:
    """Digits of an order number said as digits or number words ("een twee drie vier" -> "1234").

    The slot takes any words, so a caller who goes on ("1234 en hoe laat zijn jullie open") gives it
    the rest of the sentence too: the number is what it starts with, and the rest is not part of it."""
    words = alpha2digit(spoken, language if language in ("en", "nl") else "en").split()
    digits = "".join(itertools.takewhile(str.isdigit, (word.strip(".,?!") for word in words)))
    return digits or None
