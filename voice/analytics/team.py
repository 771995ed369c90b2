"""How the team reads its insights: in its language and its time zone.

The words of the dashboard and of ``voice report`` and ``voice review`` live beside the assistant's
own replies, in ``voice/locales/<lang>/insights.yaml``, those of ``voice data``, ``voice knowledge``,
``voice check`` and the sample-data warnings, the marks of the commands' error lines and the errors of
content and of the store in ``commands.yaml``; they are read as ``Responses`` (Jinja2), so a
translation is one more file of the mechanism the skills already use. ``[insights] language`` and the
config's ``time_zone`` choose them (see docs/insights.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..builtins import BUILTIN_LOCALES
from ..config import Config, business_zone
from ..config_shapes import INSIGHT_LANGUAGES
from ..language import language_of
from ..responses import Responses
from ..skill import Skill

__all__ = ["LANGUAGES", "WORDS", "StageNames", "Team", "Texts", "marked", "texts"]

LANGUAGES = INSIGHT_LANGUAGES
"""The languages the insights are written in."""
_DEFAULT = "en"


@dataclass(frozen=True, slots=True)
class Texts:
    """The insights' words in one language: ``texts("kpi_intent", name="OrderStatus")``."""

    language: str
    responses: Responses

    def __call__(self, key: str, /, **values: Any) -> str:
        return self.responses.render(key, values)

    def term(self, kind: str, value: str) -> str:
        """A value of a closed set (a handoff reason, how a turn was understood) in words; a value
        the texts do not name (a flow's step) is shown as it is."""
        key = f"{kind}_{value}"
        return self(key) if key in self.responses else value


@dataclass(frozen=True, slots=True)
class StageNames:
    """The flows' funnels as the team reads them: a flow by its label in the skill's ``skill.yaml`` of
    the team's language (``flow_labels``), else by its intent's name made readable ("BookAppointment":
    "Book appointment"); started and completed in its words, a step by its slot's label
    (``slot_labels``), else by the slot's name made readable ("order_number": "order number"); never a
    raw identifier."""

    say: Texts
    labels: Mapping[str, Mapping[str, str]]
    """Flow intent -> slot -> label."""
    flows: Mapping[str, str] = field(default_factory=dict)
    """Flow intent -> label."""

    @classmethod
    def of(cls, skills: Iterable[Skill], say: Texts) -> StageNames:
        infos = [(skill, skill.info(say.language)) for skill in skills]
        labels = {intent: info.slot_labels for skill, info in infos for intent in skill.flows}
        flows = {
            intent: info.flow_labels[intent]
            for skill, info in infos
            for intent in skill.flows
            if intent in info.flow_labels
        }
        return cls(say, labels, flows)

    def __call__(self, flow: str, stage: str) -> str:
        if f"stage_{stage}" in self.say.responses:
            return self.say.term("stage", stage)
        return self.labels.get(flow, {}).get(stage) or stage.replace("_", " ")

    def heading(self, flow: str) -> str:
        """The flow's name for the team: its label, else "BookAppointment" as "Book appointment"."""
        return self.flows.get(flow) or readable_name(flow)


def readable_name(name: str) -> str:
    """An identifier as words, the first with a capital: "BookAppointment", "book_appointment" and
    "bookAppointment" are all "Book appointment"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|_+", " ", name).split()
    text = " ".join(word if word.isupper() and len(word) > 1 else word.lower() for word in words)
    return text[:1].upper() + text[1:]


WORDS = ("insights", "commands")
"""The files of the team's words in each language: the insights', and the other commands'."""


@lru_cache(maxsize=len(LANGUAGES) * len(WORDS))
def texts(language: str, words: str = "insights") -> Texts:
    """The words of ``language`` (read once) from ``words``.yaml; a language without them gets English."""
    chosen = language if language in LANGUAGES else _DEFAULT
    path = BUILTIN_LOCALES / chosen / f"{words}.yaml"
    return Texts(chosen, Responses.from_file(path, section=words))


def marked(say: Texts, kind: str, line: str) -> str:
    """``line`` marked as an ``error``, ``warning``, ``log`` or ``note`` line (or a store's ``damage``),
    the mark in the words of ``say`` (``commands.yaml``): the commands' lines and gunicorn's refused
    start alike."""
    return f"{say(f'prefix_{kind}')}: {line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    """The ``[insights]`` settings the dashboard and the commands show their figures with."""

    language: str = _DEFAULT
    chosen: bool = False
    """``language`` was set in the config: it wins over a browser's Accept-Language."""
    zone: dt.tzinfo = dt.UTC
    satisfaction: str = "off"
    """The end-of-conversation question (``[insights] satisfaction``), which says how its figure reads."""

    @classmethod
    def from_config(cls, config: Config) -> Team:
        """The configured language, else the first served one (``locales``) that has texts, else
        English; the configured time zone (checked when the config was read), else UTC."""
        settings = config.insights
        served = [language_of(locale) for locale in config.locales]
        language = settings.get("language") or next((x for x in served if x in LANGUAGES), _DEFAULT)
        return cls(
            language=language,
            chosen="language" in settings,
            zone=business_zone(config),
            satisfaction=settings.get("satisfaction", "off"),
        )

    @property
    def zone_name(self) -> str:
        return str(self.zone)

    def local(self, seconds: float) -> str:
        """A stored time (seconds since the epoch, UTC) as the team's clock shows it."""
        return dt.datetime.fromtimestamp(seconds, self.zone).strftime("%Y-%m-%d %H:%M")
