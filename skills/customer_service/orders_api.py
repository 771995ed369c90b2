"""The order-system client: how the skill asks the company's order system for an order's status.

Set ``orders_url`` in ``[skill.customer_service]`` and the skill asks ``GET {orders_url}/orders/{number}``
instead of reading ``data/orders.json``. The system answers ``200 {"status": "shipped", "eta":
"2026-11-26"}`` (``status``: ``shipped``, ``processing`` or ``delivered``; ``eta``: the expected or actual
delivery date) or ``404`` for an order it does not know. Anything else (another status code, no answer
within the timeout, an answer without a known status and a date) is an ``OrderLookupError``: the caller
hears that orders cannot be looked up now, never that the order does not exist.

A lookup changes nothing, so unlike a booking it needs no idempotency key; its timeout is short because
the caller waits for it within the turn.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
import urllib.request

from voice import VoiceError
from voice.http_json import CallFailed, call_json

from .content import STATUSES, Order, OrderLookup, iso_date

DEFAULT_TIMEOUT_S = 3.0
NOT_FOUND = 404


class OrderLookupError(VoiceError):
    """The order system could not say whether the order exists or where it is."""

    http_status = 502


class HttpOrders(OrderLookup):
    """A small JSON client for the company's order system."""

    def __init__(self, base_url: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def find(self, number: str, *, today: dt.date) -> Order | None:
        """The order, or None when the system answers 404; ``today`` is not needed here."""
        url = f"{self.base_url}/orders/{urllib.parse.quote(number, safe='')}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            answer = call_json(request, timeout=self.timeout, system="the order system")
        except CallFailed as failed:
            if failed.status == NOT_FOUND:
                return None
            raise OrderLookupError(failed.message) from failed
        return _order(number, answer)


def _order(number: str, answer: object) -> Order:
    """The order in the system's answer; an answer of another shape is an ``OrderLookupError``."""
    fields = answer if isinstance(answer, dict) else {}
    status, eta = fields.get("status"), iso_date(fields.get("eta"))
    if status not in STATUSES or eta is None:
        raise OrderLookupError(
            f"the order system answered without a status ({', '.join(STATUSES)}) and an eta date "
            f"like 2026-11-26: {str(answer)[:80]!r}."
        )
    return Order(number=number, status=status, eta=eta)
