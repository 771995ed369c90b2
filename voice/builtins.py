"""The framework's own intents (yes, no, help, stop, a person, ...) and replies, in every language it has.

They live in ``voice/locales/<lang>/intents.yaml`` and ``responses.yaml`` and are read once.
The router adds the intents to every language it serves; the dialog and the channels speak
the replies (fallback, apology, goodbye, handoff ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import SkillError
from .nlu import IntentSet, SlotSpec
from .reply import Expect, Reply
from .responses import Responses
from .turn import Turn

if TYPE_CHECKING:
    from .skill import Skill

__all__ = [
    "ALEXA_INTENTS",
    "BUILTIN",
    "BUILTIN_LOCALES",
    "LAUNCH",
    "SPEAK_LANGUAGE",
    "WAIT",
    "builtin_intents",
    "builtin_languages",
    "builtin_reply",
    "builtin_reply_languages",
    "builtin_responses",
    "builtin_slot_specs",
    "business_name",
    "speakers",
]

BUILTIN = "builtin"
"""The skill name of the built-in intents."""
BUILTIN_LOCALES = Path(__file__).parent / "locales"
"""``<lang>/intents.yaml`` and ``<lang>/responses.yaml`` of the framework."""
LAUNCH = "Launch"
"""The intent of a conversation that starts without a question (Alexa's LaunchRequest)."""
HANGUP = "Hangup"
"""The intent a hung-up turn (``Turn.hung_up``) is logged and counted under; no words match it."""
SPEAK_LANGUAGE = "SpeakLanguage"
"""The caller asks which language the line speaks ("spreekt u Engels?"); its slot ``language`` is the
one asked about (``en``, ``nl``, ...)."""
WAIT = "Wait"
"""Filler said while the caller thinks ("hold on", "wacht even", or only "uhm"): no answer to the open
question and no miss; the question waits (``voice.hesitations``)."""
YES_OR_NO = ("Yes", "No")
"""The built-in answers to a yes/no question."""
ALEXA_INTENTS: Mapping[str, str] = MappingProxyType(
    {
        "AMAZON.StopIntent": "Stop",
        "AMAZON.CancelIntent": "Cancel",
        "AMAZON.HelpIntent": "Help",
        "AMAZON.FallbackIntent": "Fallback",
        "AMAZON.YesIntent": "Yes",
        "AMAZON.NoIntent": "No",
        "AMAZON.RepeatIntent": "Repeat",
        "AMAZON.StartOverIntent": "StartOver",
        "AMAZON.NavigateHomeIntent": "Stop",
    }
)
"""Alexa's built-in intents as the built-in intents they are: the Alexa channel reads them so, and the
Alexa export gives the first of each the built-in's sentences as samples (StopIntent, not NavigateHome)."""


@cache
def builtin_languages() -> frozenset[str]:
    """Languages the framework has built-in intents for (``<lang>/intents.yaml``)."""
    return frozenset(path.parent.name for path in BUILTIN_LOCALES.glob("*/intents.yaml"))


@cache
def builtin_reply_languages() -> frozenset[str]:
    """Languages the framework has replies for (``<lang>/responses.yaml``): a language may get its
    intents before its replies, and its replies must then still fall back to English."""
    return frozenset(path.parent.name for path in BUILTIN_LOCALES.glob("*/responses.yaml"))


@cache
def builtin_intents(language: str) -> IntentSet:
    """The built-in intents for ``language`` (read once)."""
    return IntentSet.from_file(BUILTIN_LOCALES / language / "intents.yaml", skill=BUILTIN)


@cache
def builtin_slot_specs(intent: str, language: str) -> tuple[SlotSpec, ...]:
    """The slots of a built-in intent with their kinds and lists (SpeakLanguage's ``language``), as
    ``Skill.slot_specs`` gives a skill's, so a platform's value is read as the router reads the words;
    none for another intent or a language without built-in intents."""
    if language not in builtin_languages():
        return ()
    intents = builtin_intents(language)
    found = intents.intents.get(intent)
    return found.slot_specs(intents) if found is not None else ()


@cache
def builtin_responses(language: str) -> Responses:
    return Responses.from_file(BUILTIN_LOCALES / language / "responses.yaml")


def builtin_reply(
    turn: Turn,
    key: str,
    *,
    expect: Expect = Expect.NOTHING,
    end_session: bool = False,
    skills: Iterable[Skill] = (),
    **values: Any,
) -> Reply:
    """One of the framework's replies in the turn's language (English when it has none, or lacks this one:
    a language pack being translated fails no turn).

    ``skills`` in the order they speak (``speakers``): the first that has its own version of the
    reply (``builtin:`` in its ``responses.yaml``) says that instead, with its own ``settings`` and
    ``values``. Every version gets ``call`` (``Turn.call``), so a goodbye thanks for calling on the
    phone and not in a chat, and ``business`` (``business_name``), so the welcome tells a caller whose
    line they reached.
    """
    seed = f"{turn.session_id}{turn.text}"
    values = {"call": turn.call, "business": business_name(turn.language, skills), **values}
    for skill in skills:
        if turn.language in skill.languages and key in skill.builtin_replies(turn.language):
            speech = skill.say_builtin(turn, key, values, seed=seed)
            return Reply(speech=speech, expect=expect, end_session=end_session)
    own = turn.language in builtin_reply_languages() and key in builtin_responses(turn.language)
    speech = builtin_responses(turn.language if own else "en").render(key, values, seed=seed)
    return Reply(speech=speech, expect=expect, end_session=end_session)


def business_name(language: str, skills: Iterable[Skill]) -> str:
    """The name the first of ``skills`` that speaks ``language`` presents itself by (``name`` in its
    ``locales/<lang>/skill.yaml``), or empty when it has none: a caller hears it in the welcome. A file
    that cannot be read names nobody (the start logs it): a listing's typo must fail no turn."""
    first = next((skill for skill in skills if language in skill.languages), None)
    return _listing_name(first, language) if first else ""


@cache
def _listing_name(skill: Skill, language: str) -> str:
    """Read once per skill and language: every framework reply asks, and a broken file would be read
    and parsed again at each one (a failed read is not cached by ``Skill.info``)."""
    try:
        return skill.info(language).name or ""
    except SkillError:
        return ""


def speakers(skills: Mapping[str, Skill], *first: str | None) -> tuple[Skill, ...]:
    """The skills in the order they speak the framework's replies: ``first`` (the active flow's, the
    matched intent's), then every loaded skill."""
    names = dict.fromkeys([*(name for name in first if name), *skills])
    return tuple(skills[name] for name in names if name in skills)
