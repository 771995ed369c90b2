"""The framework's own intents (yes, no, help, stop, a person, ...) and replies, in every language it has.

They live in ``voice/locales/<lang>/intents.yaml`` and ``responses.yaml`` and are read once.
The router adds the intents to every language it serves; the dialog and the channels speak
the replies (fallback, apology, goodbye, handoff ...).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .nlu import IntentSet
from .reply import Expect, Reply
from .responses import Responses
from .turn import Turn

__all__ = [
    "BUILTIN",
    "BUILTIN_LOCALES",
    "LAUNCH",
    "builtin_intents",
    "builtin_languages",
    "builtin_reply",
    "builtin_responses",
]

BUILTIN = "builtin"
"""The skill name of the built-in intents."""
BUILTIN_LOCALES = Path(__file__).parent / "locales"
"""``<lang>/intents.yaml`` and ``<lang>/responses.yaml`` of the framework."""
LAUNCH = "Launch"
"""The intent of a conversation that starts without a question (Alexa's LaunchRequest)."""


@cache
def builtin_languages() -> frozenset[str]:
    """Languages the framework has intents and replies for."""
    return frozenset(path.parent.name for path in BUILTIN_LOCALES.glob("*/intents.yaml"))


@cache
def builtin_intents(language: str) -> IntentSet:
    """The built-in intents for ``language`` (read once)."""
    return IntentSet.from_file(BUILTIN_LOCALES / language / "intents.yaml", skill=BUILTIN)


@cache
def builtin_responses(language: str) -> Responses:
    return Responses.from_file(BUILTIN_LOCALES / language / "responses.yaml")


def builtin_reply(
    turn: Turn, key: str, *, expect: Expect = Expect.NOTHING, end_session: bool = False, **values: Any
) -> Reply:
    """One of the framework's replies in the turn's language (English when it has none)."""
    language = turn.language if turn.language in builtin_languages() else "en"
    speech = builtin_responses(language).render(key, values, seed=f"{turn.session_id}{turn.text}")
    return Reply(speech=speech, expect=expect, end_session=end_session)
