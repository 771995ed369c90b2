"""The skill SDK: a named bundle of intent templates, response templates and handlers.

A skill lives in a folder::

    skills/<name>/__init__.py                  skill = Skill("name", __file__) and @skill.intent handlers
    skills/<name>/locales/<lang>/intents.yaml  templates (hassil format)
    skills/<name>/locales/<lang>/responses.yaml
    skills/<name>/locales/<lang>/skill.yaml    optional: how the skill is published (``SkillInfo``)

An intent without a handler is answered with the response of the same name, filled with
the slot values, so a skill that only answers from content needs no code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .builtins import BUILTIN
from .errors import SkillError, yaml_problem
from .flow import Describer, Flow, Slot
from .hours import BusinessHours
from .language import language_of
from .nlu import IntentSet, SlotSpec
from .redaction_dates import names_birth_date
from .reply import Card, Expect, Reply
from .responses import Responses
from .strict_yaml import load_yaml
from .turn import Turn

Handler = Callable[[Turn], Reply]

_INFO_KEYS = (
    "invocation",
    "name",
    "summary",
    "description",
    "examples",
    "keywords",
    "flow_labels",
    "slot_labels",
)
_LABEL_KEYS = {
    "flow_labels": ("flow intents", "BookAppointment", "afspraak maken"),
    "slot_labels": ("slot names", "date", "datum"),
}
"""The label maps of ``skill.yaml``: what they name, and an example of one label for the error."""


@dataclass(frozen=True, slots=True)
class SkillInfo:
    """How a skill presents itself in one language, from ``locales/<lang>/skill.yaml``: what the
    Alexa manifest and the Dialogflow agent show. Every key is optional."""

    invocation: str | None = None
    """What callers say to open the skill on Alexa ("city shop"); lower case, two words or more."""
    name: str | None = None
    """The skill's name in store listings ("City Shop")."""
    summary: str | None = None
    """One sentence (Alexa: at most 160 characters)."""
    description: str | None = None
    """A paragraph: what callers can do."""
    examples: tuple[str, ...] = ()
    """Things a caller says to the skill ("what are your opening hours"), without wake word or name."""
    keywords: tuple[str, ...] = ()
    flow_labels: Mapping[str, str] = field(default_factory=dict)
    """The flows as the team names them in this language ("BookAppointment": "afspraak maken"): the
    headings of the funnels on the dashboard (docs/insights.md); a flow without one is shown by its
    intent's name made readable."""
    slot_labels: Mapping[str, str] = field(default_factory=dict)
    """A flow's slots as the team names them in this language ("topic": "onderwerp"): the steps of the
    funnels on the dashboard (docs/insights.md); a slot without one is shown by its name."""
    source: Path | None = None
    """The file, or None when the language has none."""


class Skill:
    """Handlers per intent, and the skill's templates per language."""

    def __init__(self, name: str, location: str | Path, *, sensitive: Sequence[str] = ()) -> None:
        """``sensitive``: slots of any intent whose values are personal data, stored redacted."""
        path = Path(location)
        if name == BUILTIN:
            raise SkillError(
                f"{BUILTIN!r} is the framework's own skill name (of yes, no, stop, help); "
                f"give the skill in {path} another name."
            )
        self.name = name
        self.sensitive = tuple(sensitive)
        self.root = path.parent if path.is_file() else path
        self.handlers: dict[str, Handler] = {}
        self.flows: dict[str, Flow] = {}
        self.settings: dict[str, Any] = {}
        """Values from the config file's ``[skill.<name>]`` table."""
        self.values: dict[str, Any] = {}
        """Values every reply of the skill can use (``{{ company.phone }}``), its versions of the
        framework's replies too (``builtin:``): those get no values from a handler."""
        self.hours: BusinessHours | None = None
        """When the organisation is open: times said without a part of the day ("om drie") are read
        within these hours (``voice.BusinessHours``)."""
        self.example_data: Callable[[str], list[str]] | None = None
        """The skill's own sample data still in use, one sentence each (what it is, what to replace it
        with) in the team's language it is given (``team_says``): ``voice check``, the start and
        ``voice knowledge import`` warn of it (``voice.examples.examples_in_use``)."""
        self.data_problems: Callable[[], list[str]] | None = None
        """What in the skill's own data a caller's turn would fail on (an order of an unknown status),
        one sentence each naming the file and the fix: ``voice check`` and the start refuse it
        (``voice.skill_check``)."""

    def __repr__(self) -> str:
        return f"Skill({self.name!r})"

    def intent(self, name: str) -> Callable[[Handler], Handler]:
        """Register the decorated function as the handler of intent ``name``."""

        def register(handler: Handler) -> Handler:
            if name in self.handlers:
                raise SkillError(f"skill {self.name!r} has two handlers for intent {name!r}; keep one.")
            self.handlers[name] = handler
            return handler

        return register

    def flow(
        self,
        intent: str,
        *,
        slots: Sequence[Slot] = (),
        confirm: str | None = None,
        describe: Describer | None = None,
    ) -> Flow:
        """Declare the slots ``intent`` needs (asked for in order) and an optional confirmation."""
        self.flows[intent] = Flow(intent=intent, slots=tuple(slots), confirm=confirm, describe=describe)
        return self.flows[intent]

    def sensitive_slots(self, intent: str | None) -> frozenset[str]:
        """The slots of ``intent`` that are stored redacted: the skill's ``sensitive`` ones and the
        flow's ``Slot(..., sensitive=True)``."""
        flow = self.flows.get(intent or "")
        marked = (slot.name for slot in flow.slots if slot.sensitive) if flow else ()
        return frozenset((*self.sensitive, *marked))

    def birth_date_slots(self, intent: str | None) -> frozenset[str]:
        """The slots of ``intent`` that hold a date of birth: of the ``date`` type in some language and
        named like one ("geboortedatum", "birth_date", "dob"). The dialog stores them redacted like
        sensitive ones, and every date in the answer to their question (which says no "geboren")."""
        return frozenset(
            spec.name
            for language in self.languages
            for spec in self.slot_specs(intent or "", language)
            if spec.kind == "date" and names_birth_date(spec.name)
        )

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with an ``intents.yaml`` (looked up once: every turn asks)."""
        return _languages(self.root)

    def intents(self, language: str) -> IntentSet:
        """The skill's intent templates in ``language`` (loaded once)."""
        return _intents(self.root, self.name, language)

    def responses(self, language: str) -> Responses:
        """The skill's response templates in ``language`` (loaded once)."""
        return _responses(self.root, language)

    def info(self, language: str) -> SkillInfo:
        """The skill's publishing texts in ``language`` (``locales/<lang>/skill.yaml``, a language
        family's folder for a locale: ``nl-NL`` reads ``locales/nl``); empty when there is no file."""
        folder = self.root / "locales" / language
        if not folder.is_dir():
            folder = self.root / "locales" / language_of(language)
        return _info(folder / "skill.yaml")

    def summary(self) -> str:
        """The first line of the skill module's docstring, or "The <name> skill." without one."""
        try:
            tree = ast.parse((self.root / "__init__.py").read_text(encoding="utf-8"))
            docstring = (ast.get_docstring(tree) or "").strip()
        except (OSError, SyntaxError):
            docstring = ""
        return docstring.splitlines()[0] if docstring else f"The {self.name} skill."

    def builtin_replies(self, language: str) -> Responses:
        """The skill's own versions of the framework's replies (``builtin:`` in ``responses.yaml``)."""
        return _builtin_replies(self.root, language)

    def team_says(self, language: str, key: str, **values: Any) -> str:
        """Render ``key`` of the ``team:`` section of the skill's ``responses.yaml`` in ``language``
        (English when the skill has no such file): what the skill tells its team, not its callers, such
        as the sample data it still uses."""
        return _team_texts(self.root, language).render(key, values)

    def say(self, turn: Turn, key: str, **values: Any) -> str:
        """Render response ``key`` in the turn's language with the slot values and ``values``, and
        ``call`` (``Turn.call``): a caller on the phone line needs no number to ring."""
        slots = {name: slot.value for name, slot in turn.slots.items()}
        context = {
            "call": turn.call,
            **self.values,
            **slots,
            "slots": slots,
            "settings": self.settings,
            **values,
        }
        return self.responses(turn.language).render(key, context, seed=turn.session_id)

    def say_builtin(self, turn: Turn, key: str, values: Mapping[str, Any], *, seed: str) -> str:
        """Render the skill's own version of the framework's reply ``key`` (``builtin:``) with the
        skill's ``values`` and ``settings`` (a number to call, say) and the framework's ``values``."""
        context = {**self.values, "settings": self.settings, **values}
        return self.builtin_replies(turn.language).render(key, context, seed=seed)

    def reply(
        self,
        turn: Turn,
        key: str,
        *,
        expect: Expect = Expect.NOTHING,
        reprompt: str | None = None,
        card_title: str | None = None,
        end_session: bool = False,
        **values: Any,
    ) -> Reply:
        """A reply whose speech is response ``key``; a card when ``card_title`` is given. With a response
        ``<key>_no_person`` too, that is what the caller hears if the reply hands over and nobody can
        take the conversation (``Reply.no_person``)."""
        speech = self.say(turn, key, **values)
        card = Card(title=card_title, text=Reply(speech=speech).display) if card_title else None
        honest = f"{key}_no_person"
        no_person = self.say(turn, honest, **values) if honest in self.responses(turn.language) else ""
        return Reply(
            speech=speech,
            expect=expect,
            reprompt=reprompt,
            card=card,
            end_session=end_session,
            no_person=no_person,
        )

    def slot_kinds(self, intent: str, language: str) -> dict[str, str]:
        """Slot name -> kind (``date``, ``time``, ``number``, a list, ...) of one intent."""
        return {spec.name: spec.kind for spec in self.slot_specs(intent, language)}

    def slot_specs(self, intent: str, language: str) -> tuple[SlotSpec, ...]:
        """The slots of one intent with their kinds and lists (none for an intent it does not have)."""
        return _slot_specs(self.root, self.name, language).get(intent, ())

    def answer(self, turn: Turn) -> Reply:
        """Run the intent's handler, or answer with the response named after the intent."""
        assert turn.intent is not None
        handler = self.handlers.get(turn.intent)
        if handler is not None:
            return handler(turn)
        return self.reply(turn, turn.intent)


@cache
def _languages(root: Path) -> tuple[str, ...]:
    return tuple(sorted(p.parent.name for p in (root / "locales").glob("*/intents.yaml")))


@cache
def _slot_specs(root: Path, name: str, language: str) -> Mapping[str, tuple[SlotSpec, ...]]:
    """Intent -> its slots, worked out once: every webhook turn asks, templates never change."""
    intents = _intents(root, name, language)
    return MappingProxyType({intent.name: intent.slot_specs(intents) for intent in intents.intents.values()})


@cache
def _intents(root: Path, name: str, language: str) -> IntentSet:
    path = root / "locales" / language / "intents.yaml"
    if not path.is_file():
        raise SkillError(f"skill {name!r} has no intents for language {language!r} ({path}).")
    intents = IntentSet.from_file(path, skill=name)
    if language_of(intents.language) != language_of(language):
        raise SkillError(
            f"{path} says 'language: {intents.language}' but is in the folder for {language!r}; "
            f"write 'language: {language}' or move the file to locales/{language_of(intents.language)}/."
        )
    return intents


@cache
def _responses(root: Path, language: str) -> Responses:
    """Keyed by folder and language: a new path, hashed for the cache at every call, cost ~27 µs (a turn
    asks two or three times)."""
    path = _responses_file(root, language)
    if not path.is_file():
        return Responses.from_dict({}, source=str(path))
    return Responses.from_file(path)


def _responses_file(root: Path, language: str) -> Path:
    return root / "locales" / language / "responses.yaml"


@cache
def _info(path: Path) -> SkillInfo:
    if not path.is_file():
        return SkillInfo()
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SkillError(f"{path} is not valid YAML ({yaml_problem(exc)}); fix the file.") from exc
    except UnicodeDecodeError as exc:
        raise SkillError(f"{path} is not UTF-8 text ({exc.reason}); save it as UTF-8.") from exc
    except OSError as exc:
        raise SkillError(f"{path} cannot be read ({exc.strerror}); check its permissions.") from exc
    if not isinstance(data, dict):
        raise SkillError(f"{path} must be a mapping of {', '.join(_INFO_KEYS)}.")
    unknown = sorted(str(key) for key in data if key not in _INFO_KEYS)
    if unknown:
        raise SkillError(f"{path}: unknown key {unknown[0]!r}; the keys are {', '.join(_INFO_KEYS)}.")
    texts: dict[str, Any] = {}
    for key in ("invocation", "name", "summary", "description"):
        value = data.get(key)
        if value is not None and not (isinstance(value, str) and value.strip()):
            raise SkillError(f'{path}: {key!r} must be a text, like {key}: "...".')
        texts[key] = " ".join(value.split()) if value else None
    for key in ("examples", "keywords"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise SkillError(f'{path}: {key!r} must be a list of texts, like {key}: ["..."].')
        texts[key] = tuple(" ".join(item.split()) for item in value)
    for key in _LABEL_KEYS:
        texts[key] = _labels(path, key, data.get(key) or {})
    return SkillInfo(**texts, source=path)


def _labels(path: Path, key: str, labels: Any) -> dict[str, str]:
    """A label map of ``skill.yaml`` (``slot_labels``, ``flow_labels``): names to texts, or one sentence."""
    if not isinstance(labels, dict) or not all(
        isinstance(name, str) and isinstance(label, str) and label.strip() for name, label in labels.items()
    ):
        what, name, label = _LABEL_KEYS[key]
        raise SkillError(f'{path}: {key!r} must map {what} to texts, like {key}: {{{name}: "{label}"}}.')
    return {name: " ".join(label.split()) for name, label in labels.items()}


@cache
def _team_texts(root: Path, language: str) -> Responses:
    path = _responses_file(root, language)
    return Responses.from_file(path if path.is_file() else _responses_file(root, "en"), section="team")


@cache
def _builtin_replies(root: Path, language: str) -> Responses:
    path = _responses_file(root, language)
    if not path.is_file():
        return Responses.from_dict({}, source=str(path))
    return Responses.from_file(path, section="builtin")
