"""The customer-service skill's order lookup against an order system on loopback (``orders_url``; the
company's real system cannot exist here): what the caller hears must match what the system answered."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
from typing import Any

import pytest

from skills.customer_service import STATUS_RESPONSES
from skills.customer_service.content import STATUSES
from skills.customer_service.orders_api import HttpOrders, OrderLookupError
from voice import Dialog, Expect, Router, Turn, load_skill
from voice.store import open_store
from voice.testing_stubs import stubbed_setting

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


def _ask(router: Router, behaviour: dict[str, Any], text: str, locale: str) -> Any:
    with stubbed_setting(router, "orders_url", behaviour):
        dialog = Dialog(router, open_store("sqlite://:memory:"))
        return dialog.respond(Turn(text=text, locale=locale, time=MONDAY))


@pytest.mark.parametrize(
    ("locale", "text", "told"),
    [
        ("nl", "waar is bestelling 1234", "Ik kan bestelling 1 2 3 4 niet vinden."),
        ("en", "where is order 1234", "I can't find order 1 2 3 4."),
    ],
)
def test_an_order_the_system_does_not_know_is_unknown_even_if_the_sample_file_has_it(
    router: Router, locale: str, text: str, told: str
) -> None:
    reply = _ask(router, {"status": 404}, text, locale)
    assert reply.text.startswith(told) and not reply.failed, reply.text


@pytest.mark.parametrize(
    "answer",
    [{"status": "lost", "eta": "2026-12-01"}, {"status": "shipped", "eta": "soon"}, ["shipped"]],
    ids=["status", "eta", "shape"],
)
def test_an_answer_of_another_shape_is_a_failed_lookup_not_a_crash(router: Router, answer: Any) -> None:
    reply = _ask(router, {"status": 200, "json": answer}, "waar is bestelling 1234", "nl")
    assert reply.text.startswith("Sorry, ik kan bestellingen nu niet opzoeken"), reply.text
    assert reply.failed and reply.expect is Expect.ANSWER and not reply.end_session


def test_an_unreachable_system_is_a_lookup_error_that_says_so() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(OrderLookupError, match="could not be reached"):
        HttpOrders(f"http://127.0.0.1:{port}/").find("1234", today=MONDAY.date())


@pytest.mark.parametrize("status", [200, 503], ids=["found", "system-down"])
def test_a_turn_asks_the_order_system_once(router: Router, status: int) -> None:
    """The flow's check of the number and the handler both need the order: one request, so a system
    that is down costs the caller one time-out, not two."""
    asked: list[str] = []
    body = json.dumps({"status": "shipped", "eta": "2026-11-26"}).encode()

    class Orders(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Orders)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    skill = router.skills["customer_service"]
    saved = dict(skill.settings)
    skill.settings["orders_url"] = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        dialog = Dialog(router, open_store("sqlite://:memory:"))
        reply = dialog.respond(Turn(text="waar is bestelling 1234", locale="nl", time=MONDAY))
    finally:
        skill.settings = saved
        server.shutdown()
        server.server_close()
    assert asked == ["/orders/1234"], asked
    assert ("verzonden" in reply.text) if status == 200 else reply.failed, reply.text


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_status_has_its_response_in_each_language(router: Router, language: str) -> None:
    """The responses are named after ``STATUSES``: a status added there without its text would fail the
    turn of every order with it."""
    responses = router.skills["customer_service"].responses(language)
    assert set(STATUS_RESPONSES) == set(STATUSES)
    for status in STATUSES:
        told = responses.render(STATUS_RESPONSES[status], {"number": "1 2 3 4", "eta": "26 November"})
        assert "1 2 3 4" in told and "26 November" in told, (status, told)
