"""The Dialogflow channel's ``[server]`` keys: their defaults and forms, ``DialogflowSettings`` read
from them, and the start's checks of them against the loaded skills and the handoff settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..builtins import LAUNCH, builtin_intents, builtin_languages
from ..config_shapes import Check, is_count, is_flag, is_fraction, is_text, is_text_table
from ..errors import ConfigError
from ..suggestions import did_you_mean

if TYPE_CHECKING:
    from ..router import Router

__all__ = [
    "API_VERSIONS",
    "FORMS",
    "SERVER_SETTINGS",
    "TEXT_SETTINGS",
    "DialogflowSettings",
    "check_intent_map",
    "unsent_transfer",
]

API_VERSIONS = ("v2", "v2beta1")
DEFAULT_INTENT_MAP: Mapping[str, str] = MappingProxyType({"Default Welcome Intent": LAUNCH})

SERVER_SETTINGS: Mapping[str, Any] = MappingProxyType(
    {
        "dialogflow_reparse": False,
        "dialogflow_min_confidence": 0.6,
        "dialogflow_intent_map": {},
        "dialogflow_username": None,
        "dialogflow_password": None,
        "dialogflow_token_header": "X-Voice-Token",
        "dialogflow_token": None,
        "dialogflow_state_lifespan": 50,
        "dialogflow_api_version": "v2",
    }
)
"""The channel's ``[server]`` keys and their defaults."""
TEXT_SETTINGS = frozenset(
    {"dialogflow_username", "dialogflow_password", "dialogflow_token_header", "dialogflow_token"}
)
"""The keys that are text as written (an environment variable's ``123456`` too)."""


def _default(name: str) -> Any:
    """The default of ``[server] dialogflow_<name>``: ``SERVER_SETTINGS`` is the one place it is written."""
    return SERVER_SETTINGS[f"dialogflow_{name}"]


def _unset_or_text(value: Any) -> bool:
    """A credential: unset (``None``, the default) or text."""
    return value is None or isinstance(value, str)


FORMS: Mapping[str, Check] = MappingProxyType(
    {
        "dialogflow_reparse": (is_flag, "true or false, like dialogflow_reparse = false"),
        "dialogflow_min_confidence": (
            is_fraction,
            "the intent detection confidence below which the webhook matches queryText itself, a number "
            "from 0 to 1, like dialogflow_min_confidence = 0.6",
        ),
        "dialogflow_intent_map": (
            is_text_table,
            "a table of Dialogflow intent name = our intent name, like "
            'dialogflow_intent_map = { "opening.hours" = "OpeningHours" }',
        ),
        **{
            key: (
                is_text if key == "dialogflow_token_header" else _unset_or_text,
                f'text; quote it, as in {key} = "123456"',
            )
            for key in sorted(TEXT_SETTINGS)
        },
        "dialogflow_state_lifespan": (
            is_count,
            "the turns the voice-state context lives, a whole number above 0, "
            "like dialogflow_state_lifespan = 50",
        ),
        "dialogflow_api_version": (
            lambda value: value in API_VERSIONS,
            'the Dialogflow API version the gateway calls, "v2" or "v2beta1", like '
            'dialogflow_api_version = "v2beta1"',
        ),
    }
)
"""The form each ``[server]`` key must have, and how to write it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DialogflowSettings:
    """How the channel reads requests and who may call it."""

    intent_map: Mapping[str, str] = field(default_factory=lambda: DEFAULT_INTENT_MAP)
    """Dialogflow displayName -> our intent; names not listed are used as they are."""
    reparse: bool = _default("reparse")
    """Match ``queryText`` with the router instead of trusting the agent's intent."""
    min_confidence: float = _default("min_confidence")
    """An intent the agent matched with a lower ``intentDetectionConfidence`` is not trusted: the router
    matches ``queryText`` instead. The agent takes any match from its ``mlMinConfidence`` (0.3) up, and
    in its lower range it confuses intents that share words ("bestelling" in a cancellation and an
    order status); the router reads the same templates, so a match it agrees with costs nothing."""
    username: str | None = _default("username")
    password: str | None = _default("password")
    token_header: str = _default("token_header")
    token: str | None = _default("token")
    state_lifespan: int = _default("state_lifespan")
    """Turns the ``voice-state`` context lives after the last webhook answer."""
    api_version: str = _default("api_version")
    """The Dialogflow API version the gateway calls: ``v2beta1`` adds the fields v2 refuses."""

    @property
    def beta(self) -> bool:
        """v2beta1: ``endInteraction``, ``liveAgentHandoff`` and TELEPHONY messages are valid."""
        return self.api_version == "v2beta1"

    @property
    def open(self) -> bool:
        """True when no credentials are configured: anyone may call the webhook."""
        return self.token is None and self.username is None

    @classmethod
    def from_server(cls, settings: Mapping[str, Any]) -> DialogflowSettings:
        """The ``dialogflow_*`` keys of ``[server]``, each of its form (``DialogflowChannel.forms``); a
        password without a username is a ``ConfigError``."""
        if settings["dialogflow_password"] is not None and settings["dialogflow_username"] is None:
            raise ConfigError(
                "dialogflow_password is set without dialogflow_username; set both for basic auth."
            )
        return cls(
            intent_map={**DEFAULT_INTENT_MAP, **settings["dialogflow_intent_map"]},
            reparse=settings["dialogflow_reparse"],
            min_confidence=settings["dialogflow_min_confidence"],
            username=settings["dialogflow_username"],
            password=settings["dialogflow_password"],
            token_header=settings["dialogflow_token_header"],
            token=settings["dialogflow_token"],
            state_lifespan=settings["dialogflow_state_lifespan"],
            api_version=settings["dialogflow_api_version"],
        )


def unsent_transfer(settings: Mapping[str, Any], handoff: Mapping[str, Any]) -> bool:
    """Whether ``[handoff] transfer_to`` is set but the webhook answers in v2, which has no transfer
    message: the phone gateway would never put a call through (``voice check`` and the start warn of it
    in the team's words, ``unsent_transfer`` of ``commands.yaml``)."""
    return bool(handoff.get("transfer_to")) and settings["dialogflow_api_version"] == "v2"


def check_intent_map(settings: Mapping[str, Any], router: Router, source: str) -> None:
    """Refuse a ``dialogflow_intent_map`` entry whose intent no loaded skill (nor the framework) has:
    every request of that Dialogflow intent would get the fallback."""
    known = {LAUNCH} | {name for lang in builtin_languages() for name in builtin_intents(lang).intents}
    for skill in router.skills.values():
        known |= {name for language in skill.languages for name in skill.intents(language).intents}
    for display_name, intent in settings["dialogflow_intent_map"].items():
        if intent not in known:
            hint = did_you_mean(intent, known)
            raise ConfigError(
                f"{source}: [server] dialogflow_intent_map maps {display_name!r} to {intent!r}, which "
                f"no loaded skill defines{hint}, so those requests would get the fallback; fix the "
                "intent's name."
            )
