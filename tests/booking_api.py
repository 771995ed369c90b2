"""A company's booking API on loopback, for tests: it counts the bookings that reach it and answers as
its ``mode`` says (the real API cannot exist here)."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class BookingApi:
    """``POST /appointments``: books (counted) and then answers as ``mode`` says."""

    mode: str = "answer"
    """``answer`` (201, an id), ``refuse`` (409, nothing booked), ``hang``, ``drop`` or ``gateway`` (booked,
    then no answer or a 504)."""
    bookings: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


@contextlib.contextmanager
def serving_booking_api() -> Iterator[tuple[BookingApi, str]]:
    """The API's state and its base URL, while it runs."""
    state = BookingApi()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.mode == "refuse":
                self.send_error(409)
                return
            state.bookings.append((self.headers.get("Idempotency-Key", ""), body))
            if state.mode == "gateway":
                self.send_error(504)
                return
            if state.mode == "hang":
                state.release.wait(10)
            if state.mode in ("hang", "drop"):
                self.close_connection = True
                return
            answer = json.dumps({"id": f"B{len(state.bookings)}"}).encode()
            self.send_response(201)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
