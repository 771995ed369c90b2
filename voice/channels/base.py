"""What the webhook channels share: the responder they call, request errors, JSON bodies, SSML.

A channel is a thin adapter: platform JSON -> ``Turn`` -> ``Assistant.answer`` -> ``Reply`` ->
platform JSON. It depends on nothing but the tiny ``Responder`` protocol, so the router today
and the dialog layer tomorrow plug in alike.

    VoiceError (speech.errors)
     +-- RequestError              a malformed or unsupported webhook request (HTTP 400)
          +-- AuthenticationError  missing or wrong webhook credentials (HTTP 401)
          +-- MediaTypeError       a body that is not declared as JSON (HTTP 415)
"""

from __future__ import annotations

import json
import logging
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable
from xml.sax.saxutils import escape, unescape

from flask import Request

from speech.ssml import looks_like_ssml, strip_tags

from ..errors import VoiceError
from ..reply import Expect, Reply
from ..router import Router, builtin_reply
from ..skill import Skill
from ..turn import Responder, Turn

_LOGGER = logging.getLogger(__name__)

LAUNCH = "Launch"
"""The intent of a conversation that starts without a question (Alexa's LaunchRequest)."""

_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}
"""The XML entities ``unescape`` does not decode by itself."""


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


@runtime_checkable
class SessionResponder(Protocol):
    """A responder that also reads and updates the session state the platform carries for us.

    Alexa keeps it in ``sessionAttributes``, Dialogflow in the ``voice-state`` output context; a
    plain ``Responder`` never sees it and the channel echoes it unchanged.
    """

    def respond_in_session(self, turn: Turn, state: Mapping[str, Any]) -> tuple[Reply, Mapping[str, Any]]: ...


class Catalog(Protocol):
    """Which intents the loaded skills declare: for Alexa's CanFulfillIntentRequest and launch."""

    def slots(self, intent: str, language: str) -> frozenset[str] | None:
        """The slot names of ``intent`` in ``language``; None when no skill declares it."""
        ...


@dataclass(frozen=True, slots=True)
class SkillCatalog:
    """The ``Catalog`` of a set of skills, read from their intent templates."""

    skills: tuple[Skill, ...] = ()

    def slots(self, intent: str, language: str) -> frozenset[str] | None:
        for skill in self.skills:
            if language not in skill.languages:
                continue
            intents = skill.intents(language)
            found = intents.intents.get(intent)
            if found is not None:
                fixed = {name for block in found.data for name in block.slots}
                return frozenset({ref.slot_name for _, ref in found.list_refs(intents)} | fixed)
        return None


def catalog_of(responder: Responder) -> Catalog:
    """The skills of the responder's router: itself, or the ``router`` a dialog layer wraps; else none."""
    router = responder if isinstance(responder, Router) else getattr(responder, "router", None)
    return SkillCatalog(tuple(router.skills.values())) if isinstance(router, Router) else SkillCatalog()


@dataclass(frozen=True, slots=True)
class Assistant:
    """The responder and its catalog, as a channel calls them: never raises for a turn."""

    responder: Responder
    catalog: Catalog

    def answer(self, turn: Turn, state: Mapping[str, Any]) -> tuple[Reply, Mapping[str, Any]]:
        """The reply and the new session state; a failing responder gives a spoken apology."""
        if turn.intent == LAUNCH and self.catalog.slots(LAUNCH, turn.language) is None:
            return welcome(turn), state
        try:
            if isinstance(self.responder, SessionResponder):
                return self.responder.respond_in_session(turn, state)
            return self.responder.respond(turn), state
        except Exception:
            _LOGGER.exception(
                "responder failed on %s turn (intent %s, session %s)",
                turn.channel,
                turn.intent,
                turn.session_id,
            )
            return apology(turn), state


def welcome(turn: Turn) -> Reply:
    """The greeting when no skill answers the launch itself."""
    return builtin_reply(turn, "welcome", expect=Expect.ANSWER)


def apology(turn: Turn) -> Reply:
    """The framework's spoken error reply in the turn's language; it keeps the session open."""
    return builtin_reply(turn, "error", expect=Expect.ANSWER)


def locale(value: Any, path: str) -> str:
    """A BCP 47 language tag such as ``nl`` or ``en-US``; platforms send nothing else."""
    if not isinstance(value, str) or not _LOCALE.fullmatch(value):
        raise RequestError(f"the request's {path} {str(value)[:40]!r} is not a locale such as en-US or nl.")
    return value


def deadline(seconds: float) -> float:
    """The ``time.monotonic()`` by which a platform that waits ``seconds`` needs the reply."""
    return time.monotonic() + seconds


def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object body; ``RequestError`` for anything else (never a Flask 500)."""
    require_json(request)
    try:
        data = json.loads(request.get_data())
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError too
        raise RequestError("the request body is not valid JSON; send a JSON object.") from exc
    if not isinstance(data, dict):
        raise RequestError("the request body is not a JSON object.")
    return data


def require_json(request: Request) -> None:
    """Refuse bodies not declared as JSON, before reading them."""
    if not request.is_json:
        raise MediaTypeError(
            f"the request's Content-Type is {request.mimetype or 'missing'!r}; send application/json."
        )


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


def to_ssml(speech: str, limit: int | None = None) -> str:
    """Valid SSML for a reply's speech: plain text escaped into ``<speak>``; at most ``limit`` chars.

    Markup that is not well formed, or too long to cut safely, is spoken as its plain text.
    """
    if looks_like_ssml(speech):
        if _well_formed(speech) and (limit is None or len(speech.strip()) <= limit):
            return speech.strip()
        speech = unescape(strip_tags(speech), _ENTITIES)
    text = speech.strip()
    if limit is not None:
        text = shorten(text, limit - len("<speak></speak>"), escaped=True)
    return f"<speak>{escape(text)}</speak>"


def shorten(text: str, limit: int, *, escaped: bool = False) -> str:
    """``text`` cut at the last sentence end (else word) that fits ``limit`` (counted escaped)."""
    size = (lambda part: len(escape(part))) if escaped else len
    if size(text) <= limit:
        return text
    head = text[:limit]
    while size(head) > limit:
        head = head[: len(head) - (size(head) - limit)]
    for boundary in (r"[.!?](?=\s|$)", r"\s"):
        ends = [m.end() for m in re.finditer(boundary, head)]
        if ends:
            return head[: ends[-1]].strip()
    return head


def _well_formed(ssml: str) -> bool:
    try:
        ET.fromstring(ssml)
    except ET.ParseError:
        return False
    return True
