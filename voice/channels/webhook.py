"""What the webhook channels share: the request and response they see, their base class, and request errors.

A webhook channel knows nothing of Flask: ``voice.server`` hands it a ``WebRequest`` (headers and
the raw body) and sends back the ``WebResponse`` it returns. Everything about one platform is
in its subclass: ``to_turn`` (parse and check the body once), ``to_response`` (render the reply),
and optionally ``authenticate`` and ``settings`` (its keys of the config's ``[server]`` table).

    VoiceError (voice.errors)
     +-- RequestError              a malformed or unsupported webhook request (HTTP 400)
          +-- AuthenticationError  missing or wrong webhook credentials (HTTP 401)
          +-- MediaTypeError       a body that is not declared as JSON (HTTP 415)
"""

from __future__ import annotations

import json
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Self

from ..config_shapes import Check
from ..errors import VoiceError
from ..reply import Reply
from ..turn import Responder, Turn

__all__ = [
    "AuthenticationError",
    "MediaTypeError",
    "RequestError",
    "Responder",
    "WebRequest",
    "WebResponse",
    "WebhookChannel",
    "checked_document",
    "deadline",
    "finite",
    "header",
    "identifier",
    "json_body",
    "locale",
    "lookup",
]

_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}")
MAX_DEPTH = 64
"""Levels of JSON nesting a request may have; Alexa's and Dialogflow's own are about 10, the rest is
for the session attributes and context parameters that the channels send back."""
MAX_ID_BYTES = 512
"""The longest platform id (session, request, user) a channel takes, in UTF-8 bytes. The platforms'
ids are ASCII and far shorter (Alexa's userId is at most 255 characters); a much longer one could
not be a key of the store (PostgreSQL's index rows hold at most 2,704 bytes, and a request's answer
is keyed on its session and request ids together)."""
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_NUL_ESCAPE = b"\\u0000"
_FINITE_ENCODER = json.JSONEncoder(allow_nan=False)
_NOT_FINITE = "the request has NaN, Infinity or a number too large for JSON; send finite numbers."
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class RequestError(VoiceError):
    """A webhook request that is malformed, incomplete or of a type this channel does not serve."""

    http_status = 400


class AuthenticationError(RequestError):
    """A webhook request without the configured credentials."""

    http_status = 401
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": 'Basic realm="voice"'}


class MediaTypeError(RequestError):
    """A webhook request whose Content-Type is not JSON."""

    http_status = 415


@dataclass(frozen=True, slots=True)
class WebRequest:
    """An HTTP request as a channel sees it."""

    headers: Mapping[str, str]
    """Names compare case-insensitively when the server's mapping does (Flask's does)."""
    body: bytes
    is_json: bool = True
    """The Content-Type is JSON (``application/json`` or ``+json``)."""
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class WebResponse:
    """An HTTP response a channel returns."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_HEADERS)


class WebhookChannel(ABC):
    """One platform's webhook; subclasses set the class attributes and fill in the two methods."""

    name: ClassVar[str]
    """Also the ``Turn.channel`` of its turns."""
    path: ClassVar[str]
    """Where ``voice.server`` serves it (``/alexa``)."""
    deadline_s: ClassVar[float]
    """Seconds the platform waits for the answer."""
    settings: ClassVar[Mapping[str, Any]] = MappingProxyType({})
    """The channel's keys of the ``[server]`` table, with their defaults."""
    text_settings: ClassVar[frozenset[str]] = frozenset()
    """Keys of ``settings`` that are text (credentials): read from the environment as written."""
    forms: ClassVar[Mapping[str, Check]] = MappingProxyType({})
    """The form each key of ``settings`` needs; ``voice.server.server_settings`` checks every value given
    (for ``voice check`` too), so ``create`` gets values of the right shape."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder

    @classmethod
    def create(cls, responder: Responder, settings: Mapping[str, Any]) -> Self:
        """The channel, configured by ``settings`` (its keys of ``[server]``, defaults filled in)."""
        return cls(responder)

    def handle(self, request: WebRequest) -> WebResponse:
        """The whole exchange: check, read the turn, answer it, render the reply."""
        self.authenticate(request)
        turn = self.to_turn(request)
        return self.to_response(self.responder.respond(turn), turn)

    def authenticate(self, request: WebRequest) -> None:  # noqa: B027 - most platforms need no check
        """Raise ``AuthenticationError`` (or another ``VoiceError``) for a caller that may not call."""

    @abstractmethod
    def to_turn(self, request: WebRequest) -> Turn:
        """The caller's turn in the request; ``RequestError`` for a bad one."""

    @abstractmethod
    def to_response(self, reply: Reply, turn: Turn) -> WebResponse:
        """The platform's response for ``reply``."""

    def error_response(self, error: VoiceError) -> WebResponse:
        """A bad request, as JSON ``{"error": {"status", "message"}}`` with the error's status."""
        return error_response(error.http_status, error.message, error.headers)


def error_response(status: int, message: str, headers: Mapping[str, str] = _NO_HEADERS) -> WebResponse:
    body = json.dumps({"error": {"status": status, "message": message}}).encode()
    return WebResponse(body, status=status, headers=headers)


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name``, or "" when absent; names compare case-insensitively even when
    the server's mapping (unlike Flask's) does not."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value or ""


def json_body(request: WebRequest) -> dict[str, Any]:
    """The request's JSON object; ``RequestError`` for anything else (never a 500)."""
    if not request.is_json:
        raise MediaTypeError(
            f"the request's Content-Type is {request.content_type or 'missing'!r}; send application/json."
        )
    try:
        data = json.loads(request.body, parse_float=_finite_float, parse_constant=_no_constant)
    except ValueError as exc:  # UnicodeDecodeError is a ValueError too
        raise RequestError("the request body is not valid JSON; send a JSON object.") from exc
    except RecursionError as exc:
        raise RequestError(f"the request nests JSON more than {MAX_DEPTH} levels deep.") from exc
    if not isinstance(data, dict):
        raise RequestError("the request body is not a JSON object.")
    checked_document(request.body, data)
    return data


def checked_document(body: bytes, document: Any) -> None:
    """Refuse a parsed body that could not be sent back or stored: nested too deeply, or text that is
    not Unicode or holds a NUL.

    The channels echo parts of the request (Alexa's session attributes, Dialogflow's context
    parameters, the session name), so each of these is a ``RequestError`` here, before anything is
    answered, stored or logged: nesting deeper than ``MAX_DEPTH``, a lone surrogate (``"\\ud800"``,
    which no UTF-8 answer can hold), and a NUL character (``"\\u0000"``, which PostgreSQL's text
    cannot hold, so no turn of the session could be stored). An ordinary body costs four byte scans.
    Numbers: see ``finite``.
    """
    if body.count(b"{") + body.count(b"[") > MAX_DEPTH:  # else it cannot be that deep
        _check_depth(document)
    if _SURROGATE_ESCAPE.search(body) or not _is_utf8(body):
        try:
            json.dumps(document, ensure_ascii=False).encode()
        except UnicodeEncodeError as exc:
            raise RequestError(
                "the request's text has a lone surrogate such as \\ud800, which is not Unicode; send UTF-8."
            ) from exc
    if _NUL_ESCAPE in body:
        _check_nul(document)


def finite(value: Any) -> None:
    """Refuse ``NaN``, ``Infinity`` and ``1e999`` in ``value`` (a part that is echoed or stored).

    Python's JSON reader accepts them, but JSON has no such numbers, so an answer holding them would
    not be JSON. ``json_body`` refuses them while parsing; a channel that parses otherwise (Alexa's
    verifier) checks what it sends back. ``value`` must have passed ``checked_document``.
    """
    try:
        _FINITE_ENCODER.encode(value)
    except ValueError as exc:
        raise RequestError(_NOT_FINITE) from exc


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise RequestError(_NOT_FINITE)
    return number


def _no_constant(name: str) -> Any:
    raise RequestError(_NOT_FINITE)


def _is_utf8(body: bytes) -> bool:
    """UTF-8 without NUL bytes: json.loads would read anything else as UTF-16/32, surrogates kept."""
    if b"\x00" in body:
        return False
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


def _nodes(document: Any) -> Iterator[tuple[Any, int, str]]:
    """Every value of ``document`` with its depth and path (``a.b[2]``); no recursion."""
    pending: list[tuple[Any, int, str]] = [(document, 0, "")]
    while pending:
        node, depth, path = pending.pop()
        yield node, depth, path
        if isinstance(node, dict):
            pending.extend((child, depth + 1, f"{path}.{key}".lstrip(".")) for key, child in node.items())
        elif isinstance(node, list):
            pending.extend((child, depth + 1, f"{path}[{index}]") for index, child in enumerate(node))


def _shown(path: str) -> str:
    """A path for an error sentence: short, and with what it cannot show written as escapes."""
    where = path if len(path) <= 60 else f"{path[:60]}…"
    return where.encode("unicode_escape").decode() if not where.isprintable() else where


def _check_depth(document: Any) -> None:
    """``RequestError`` naming where ``document`` nests deeper than ``MAX_DEPTH``."""
    for _, depth, path in _nodes(document):
        if depth > MAX_DEPTH:
            raise RequestError(
                f"the request nests JSON more than {MAX_DEPTH} levels deep (at {_shown(path)!r})."
            )


def _check_nul(document: Any) -> None:
    """``RequestError`` naming the first field whose text (or name) holds a NUL character."""
    for node, _, path in _nodes(document):
        if (isinstance(node, str) and "\x00" in node) or "\x00" in path:
            raise RequestError(
                f"the request's {_shown(path) or 'body'} field has a NUL character (\\u0000), which no "
                "text may hold; send it without."
            )


def identifier(value: str, path: str, *, required: bool = False) -> str:
    """``value``, a platform's id of a session, request or user, checked to be one the store can key
    on: at most ``MAX_ID_BYTES``, and not blank when ``required``; else ``RequestError`` naming ``path``."""
    if required and not value.strip():
        raise RequestError(f"the request's {path} field is empty; send the id the platform gave.")
    if len(value.encode()) > MAX_ID_BYTES:
        raise RequestError(
            f"the request's {path} field is longer than {MAX_ID_BYTES} bytes; no platform id is."
        )
    return value


def locale(value: Any, path: str) -> str:
    """A BCP 47 language tag such as ``nl`` or ``en-US``; platforms send nothing else."""
    if not isinstance(value, str) or not _LOCALE.fullmatch(value):
        raise RequestError(f"the request's {path} {str(value)[:40]!r} is not a locale such as en-US or nl.")
    return value


def deadline(seconds: float) -> float:
    """The ``time.monotonic()`` by which a platform that waits ``seconds`` needs the reply."""
    return time.monotonic() + seconds


def lookup(
    data: Mapping[str, Any], path: str, kind: type | tuple[type, ...] = str, *, default: Any = ...
) -> Any:
    """``data["a"]["b"]`` for path ``"a.b"``, checked to be ``kind``; ``RequestError`` names the path."""
    node: Any = data
    for key in path.split("."):
        node = node.get(key) if isinstance(node, Mapping) else None
        if node is None:
            if default is not ...:
                return default
            raise RequestError(f"the request has no {path} field.")
    if not isinstance(node, kind):
        raise RequestError(f"the request's {path} field has the wrong type.")
    return node
