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
import difflib
import hashlib
import importlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .builtins import BUILTIN
from .errors import SkillError, VoiceError, yaml_problem
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

_INFO_KEYS = ("invocation", "name", "summary", "description", "examples", "keywords")


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
        return _responses(self.root / "locales" / language / "responses.yaml")

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
        return _builtin_replies(self.root / "locales" / language / "responses.yaml")

    def say(self, turn: Turn, key: str, **values: Any) -> str:
        """Render response ``key`` in the turn's language with the slot values and ``values``."""
        slots = {name: slot.value for name, slot in turn.slots.items()}
        context = {**self.values, **slots, "slots": slots, "settings": self.settings, **values}
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
        card = Card(title=card_title, text=Reply(speech=speech).text) if card_title else None
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
def _responses(path: Path) -> Responses:
    if not path.is_file():
        return Responses.from_dict({}, source=str(path))
    return Responses.from_file(path)


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
    return SkillInfo(**texts, source=path)


@cache
def _builtin_replies(path: Path) -> Responses:
    if not path.is_file():
        return Responses.from_dict({}, source=str(path))
    return Responses.from_file(path, section="builtin")


def load_skill(reference: str | Path, skills_folder: Path | None = None) -> Skill:
    """Import a skill by folder path, by name (its folder in ``skills_folder``, else the shipped skill
    ``skills.<name>``) or by module name (``skills.customer_service``). A skill that cannot load is one
    sentence: no such skill or folder, no skill folder, or where its code failed."""
    text = str(reference)
    folder = _skill_folder(text, skills_folder)
    module_name = text if "." in text else f"skills.{text}"
    try:
        module = _import_folder(folder) if folder else importlib.import_module(module_name)
    except VoiceError:  # a broken template, a folder without __init__.py, the skill's own SkillError
        raise
    except ModuleNotFoundError as exc:
        if folder is None and exc.name and f"{module_name}.".startswith(f"{exc.name}."):
            raise _no_skill(text, skills_folder) from exc
        raise _load_failure(text, exc) from exc
    except Exception as exc:
        raise _load_failure(text, exc) from exc
    skill = getattr(module, "skill", None)
    if not isinstance(skill, Skill):
        raise SkillError(f"{module.__name__} defines no 'skill = Skill(...)'; add one.")
    return skill


def _skill_folder(reference: str, skills_folder: Path | None) -> Path | None:
    """The folder ``reference`` names (a path, or a name in ``skills_folder``); None for a module name."""
    path = Path(reference)
    if path.is_dir():
        return path
    if len(path.parts) > 1 or reference.startswith("."):  # "./shop" is a path, not a module name
        nearest = _nearest(path.name, discover(path.parent) if path.parent.is_dir() else [])
        hint = f" (did you mean {path.parent / nearest}?)" if nearest else ""
        raise SkillError(f"there is no skill folder {path}{hint}; check the path.")
    if skills_folder is not None and (skills_folder / reference).is_dir():
        return skills_folder / reference
    return None


def _no_skill(reference: str, skills_folder: Path | None) -> SkillError:
    from .config import SKILLS_DIR

    places = [f"{skills_folder}/"] if skills_folder else []
    known = (discover(skills_folder) if skills_folder else []) + discover(SKILLS_DIR)
    nearest = _nearest(reference.rpartition(".")[2], known)
    hint = f" (did you mean {nearest!r}?)" if nearest else ""
    return SkillError(
        f"there is no skill {reference!r} in {' or '.join([*places, 'the shipped skills'])}{hint}; "
        "check the name, or give the skill's folder path."
    )


def _load_failure(reference: str, exc: Exception) -> SkillError:
    """Where the skill's own code failed, and on what."""
    if isinstance(exc, SyntaxError):
        what = f"{exc.filename} line {exc.lineno} has a syntax error ({exc.msg}); fix its code."
    elif isinstance(exc, ModuleNotFoundError):
        what = (
            f"{_raised_in(exc)} imports {exc.name!r}, which is not installed; "
            "fix its code or install the package."
        )
    else:
        what = f"{_raised_in(exc)} raised {type(exc).__name__}: {exc}; fix its code."
    return SkillError(f"skill {reference!r} cannot load: {what}")


def _raised_in(exc: Exception) -> str:
    """The file and line of the skill's code that raised ``exc`` (the importer's own frames left out)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<frozen")]
    return f"{frames[-1].filename} line {frames[-1].lineno}" if frames else "its code"


def _nearest(name: str, known: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(name, known, n=1)
    return found[0] if found else None


def _import_folder(path: Path) -> Any:
    """The skill package in ``path``, imported once per folder: two folders with the same name (a copied
    skill) are two modules, so the copy never runs the original's code."""
    folder = path.resolve()
    readable = re.sub(r"\W", "_", folder.name)  # "shop.v2" must not read as a package path
    name = f"voice_skill_{readable}_{hashlib.sha1(str(folder).encode()).hexdigest()[:10]}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)]
    )
    if spec is None or spec.loader is None or not (path / "__init__.py").is_file():
        raise SkillError(
            f"{path} is not a skill folder: it has no __init__.py; create one with 'skill = Skill(...)'."
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:  # a half-run module must not hide this error at the next load
        del sys.modules[name]
        raise
    return module


def discover(folder: str | Path) -> list[str]:
    """Names of the skill packages in ``folder`` (those with ``locales/``)."""
    root = Path(folder)
    return sorted(
        p.name for p in root.iterdir() if (p / "__init__.py").is_file() and (p / "locales").is_dir()
    )
