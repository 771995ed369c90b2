"""The common webhook request, straight from WSGI to its channel: Flask's request machinery skipped.

A POST to a channel's path with a Content-Length within the limit (what Alexa and Dialogflow
send) is read here and handed to the channel; everything else (chunked bodies, bodies over the
limit, other methods and paths, ``/healthz``) goes to the Flask app, which answers it as before.
The channel does the same work either way; this only saves Flask's per-request objects, about a
fifth of a webhook turn's own cost (``bench/webhook.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any, cast

from werkzeug.datastructures import EnvironHeaders

from .channels import WebhookChannel, WebRequest, WebResponse
from .channels.webhook import error_response
from .errors import VoiceError

__all__ = ["FastWebhooks"]

_LOGGER = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FastWebhooks:
    """WSGI middleware: the channels' common requests here, the rest to ``app``."""

    def __init__(self, app: WsgiApp, channels: Iterable[WebhookChannel], limit: int) -> None:
        self.app, self.limit = app, limit
        self.channels = {channel.path: channel for channel in channels}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        channel = self.channels.get(environ.get("PATH_INFO", ""))
        length = _length(environ)
        if (
            channel is None
            or environ.get("REQUEST_METHOD") != "POST"
            or length is None
            or length > self.limit
        ):
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        if len(body) < length:
            answer = error_response(400, "the request body ended before it was complete; send all of it.")
        else:
            answer = _answer(channel, _request(environ, body))
        reason = HTTPStatus(answer.status).phrase
        headers = [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))]
        start_response(f"{answer.status} {reason}", [*headers, *answer.headers.items()])
        return [answer.body]


def _length(environ: Mapping[str, Any]) -> int | None:
    """The declared body length, or None for a chunked body (or none, or a malformed one).

    Only ASCII digits count: ``str.isdigit`` also accepts "²", which ``int`` refuses, and "٣",
    which no HTTP client means as a length.
    """
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    length = environ.get("CONTENT_LENGTH") or ""
    return int(length) if length.isascii() and length.isdigit() else None


def _request(environ: dict[str, Any], body: bytes) -> WebRequest:
    mimetype = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
    is_json = mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )
    headers = cast(Mapping[str, str], EnvironHeaders(environ))  # case-insensitive, as channels expect
    return WebRequest(headers=headers, body=body, is_json=is_json, content_type=mimetype)


def _answer(channel: WebhookChannel, request: WebRequest) -> WebResponse:
    try:
        return channel.handle(request)
    except VoiceError as error:
        return channel.error_response(error)
    except Exception:
        _LOGGER.exception("unexpected error while serving a webhook request")
        return error_response(500, "internal server error; the details are in the server's log.")
