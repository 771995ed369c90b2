"""The company's content the skill answers from: opening hours, contact details, orders.

Kept in ``data/`` as plain files a customer-service team edits; ``OrderLookup`` is the
seam where a company's order API plugs in (a subclass that asks the API).
"""

from __future__ import annotations

import datetime as dt
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TOPICS = {
    "en": {"delivery": "a delivery", "return": "a return", "invoice": "an invoice", "advice": "advice"},
    "nl": {"delivery": "een levering", "return": "een retour", "invoice": "een factuur", "advice": "advies"},
}


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
    """``shipped``, ``processing`` or ``delivered``."""
    eta: dt.date


class OrderLookup(ABC):
    """Where order statuses come from (a file here; a company's API in production)."""

    @abstractmethod
    def find(self, number: str) -> Order | None:
        """The order with this number, or None."""


class JsonOrders(OrderLookup):
    """Orders from a JSON file: ``{"1234": {"status": "shipped", "eta": "2026-11-26"}}``."""

    def __init__(self, path: Path = DATA / "orders.json") -> None:
        self.orders: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))

    def find(self, number: str) -> Order | None:
        raw = self.orders.get(number)
        if raw is None:
            return None
        return Order(number=number, status=raw["status"], eta=dt.date.fromisoformat(raw["eta"]))
