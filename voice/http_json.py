"""The one way a skill or the framework calls a JSON API over HTTP: one request, its failures told apart.

urllib fails in several ways that mean different things to a caller: an HTTP error status (the system
answered), a failure before the request went out (connection refused, an unknown host: nothing reached
the system) and one after (no answer in time, a dropped connection, an answer that is no HTTP or no JSON:
the system may have acted on it). ``call_json`` turns each into one ``CallFailed`` with the status and
whether the request was sent, in the same words for every system; the caller decides what a failure
means for its call (a 404 is an unknown order; a booking sent but unanswered may have booked; a handoff
record not taken is tried again later). A skill's own integration uses it too::

    from voice.http_json import CallFailed, call_json
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request


class CallFailed(Exception):
    """A request that got no usable answer; ``message`` names the system and what went wrong."""

    def __init__(self, message: str, *, status: int | None = None, sent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        """The HTTP error status the system answered with; None when it gave none."""
        self.sent = sent
        """Whether the request reached the system, which may have acted on it."""


def call_json(
    request: urllib.request.Request, *, timeout: float, system: str, read_answer: bool = True
) -> object:
    """The JSON answer to ``request``, or ``CallFailed`` whose message starts with ``system`` ("the order
    system failed (HTTP 500)."). With ``read_answer`` false a 2xx status is the whole answer (an endpoint
    that takes a record may answer ``201`` without a body) and the call returns None."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response) if read_answer else None
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the connection
        raise CallFailed(f"{system} failed (HTTP {exc.code}).", status=exc.code, sent=True) from exc
    except urllib.error.URLError as exc:  # urllib wraps only what fails before the request is sent
        raise CallFailed(f"{system} could not be reached ({exc.reason}).", sent=False) from exc
    except http.client.InvalidURL as exc:  # refused before connecting ("http://host:abc"), unwrapped
        raise CallFailed(f"{system} could not be reached ({exc}).", sent=False) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:  # sent: waiting or reading failed
        raise CallFailed(f"{system} did not answer ({exc!r}).", sent=True) from exc
