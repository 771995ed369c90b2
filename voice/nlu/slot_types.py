"""Slot types: a ``{date}`` or ``{duration}`` in a template, everything about it in one entry.

A slot type is a list name that needs no values in the YAML: a parser reads the words. One
``SlotType`` says everything else the project needs to know about it:

- ``parse``: how the matcher reads a phrase ("tien minuten" -> ``timedelta(minutes=10)``);
- ``examples``: what to say for it in sample sentences, recogniser grammars and exports, per language;
- ``alexa`` / ``dialogflow``: the platform's built-in type (``AMAZON.DURATION``, ``@sys.duration``);
- ``from_platform``: a platform's value (Alexa's "PT10M", Dialogflow's ``{"amount": 10, "unit": "min"}``,
  the words "vier zeven een een" for a spelled code) in the turn's language as the Python value the
  parser gives, or a ``DateRange`` / ``PartOfDay`` for the platform forms
  no parser gives ("2026-W49-WE", "MO"; ``voice.nlu.platform_values``);
- ``json``: how its values are stored as JSON (``{"$seconds": 600.0}``) and read back.

The built-in types (number, percentage, time, date, duration) are registered below; a skill adds
its own with ``register_slot_type(SlotType(...))`` in its ``__init__.py``, before its templates load.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .clock import parse_spoken_time
from .dates import parse_date
from .durations import parse_duration, parse_percentage
from .errors import SlotTypeError
from .numbers import language_family, parse_number
from .periods import DateRange, PartOfDay
from .platform_values import (
    platform_date,
    platform_duration,
    platform_number,
    platform_percentage,
    platform_time,
)

__all__ = [
    "ALEXA_ANY_WORDS",
    "DIALOGFLOW_ANY_WORDS",
    "JsonForm",
    "Parser",
    "PlatformReader",
    "SlotType",
    "find_slot_type",
    "from_json",
    "plain_json",
    "register_slot_type",
    "slot_type",
    "slot_types",
    "to_json",
    "unregister_slot_type",
]

Parser = Callable[[str, str, Any], Any]
"""``(words, language, now) -> value``, or None when the words are not one value of the type."""
PlatformReader = Callable[[Any, str, dt.datetime], Any]
"""``(platform value, language, the turn's time) -> value``; the value itself when it is not in a known
form. The language is the turn's (``nl``, ``en-GB``): platforms send words in it ("vier zeven")."""

ALEXA_ANY_WORDS = "AMAZON.SearchQuery"
"""Alexa's slot type that takes whatever the caller says."""
DIALOGFLOW_ANY_WORDS = "@sys.any"
"""Dialogflow's entity that takes whatever the caller says."""
_MAX_WORDS = 8
"""The longest phrase the matcher tries a parser on."""
_LIST_KINDS = frozenset({"values", "range", "wildcard", "runtime", "fixed"})
"""``SlotSpec.kind`` names that are kinds of list, not slot types."""
_PLAIN = (str, int, float, bool, type(None), list, dict)


def _unchanged(value: Any, language: str, now: dt.datetime) -> Any:
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonForm:
    """How values of one Python type are stored: ``{tag: encode(value)}``, read back by ``decode``."""

    type: type
    tag: str
    """``$`` and a name, unique among the registered forms (``$date``); stored data keeps it, so keep it."""

    encode: Callable[[Any], Any]
    """The value as plain JSON (also what ``voice parse`` prints)."""

    decode: Callable[[Any], Any]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SlotType:
    """One slot type: its parser, example words, platform types, platform values and JSON form."""

    name: str
    """The list name templates use: ``{name}`` or ``{name:slot}``."""

    parse: Parser
    examples: Mapping[str, tuple[str, ...]]
    """Language (``en``, ``nl``) -> words that parse as the type; English is the fallback."""

    alexa: str
    """Alexa's slot type: ``AMAZON.DATE``."""

    dialogflow: str
    """Dialogflow's entity: ``@sys.date``."""

    from_platform: PlatformReader = _unchanged
    """``(value, language, now)``: a platform's value as the parser's value, read in the turn's
    ``language`` (as ``parse`` reads the words), ``now`` the turn's time (Alexa's ``XXXX-12-02`` is the
    next 2 December); return the value (or raise ValueError) when it is not one."""

    json: tuple[JsonForm, ...] = ()
    """Forms of the values that are not plain JSON (none for numbers)."""

    def __post_init__(self) -> None:
        examples = {language: tuple(words) for language, words in self.examples.items()}
        object.__setattr__(self, "examples", MappingProxyType(examples))
        object.__setattr__(self, "json", tuple(self.json))

    @property
    def takes_any_words(self) -> bool:
        """Whether a platform fills the slot with whatever the caller says (its words then reach the
        skill unparsed when they are no value of the type)."""
        return self.alexa == ALEXA_ANY_WORDS or self.dialogflow == DIALOGFLOW_ANY_WORDS

    def examples_for(self, language: str) -> tuple[str, ...]:
        """The example words for ``language`` (``nl-NL`` -> ``nl``), English when it has none."""
        return self.examples[language_family(language, self.examples)]

    def spans(self, folded: str, start: int, language: str, now: Any) -> list[tuple[int, Any]]:
        """Every (end, value) for phrases of up to a few words at ``start`` that parse as this type.

        ``folded`` is the normalised utterance ending in a space; the template around the slot
        decides which of the phrases it takes.
        """
        found: list[tuple[int, Any]] = []
        end = start
        for _ in range(_MAX_WORDS):
            end = folded.find(" ", end + 1)
            if end < 0:
                break
            value = self.parse(folded[start:end], language, now)
            if value is not None:
                found.append((end, value))
        return found


_TYPES: dict[str, SlotType] = {}
_FORMS_BY_TYPE: dict[type, JsonForm] = {}
_FORMS_BY_TAG: dict[str, JsonForm] = {}


def register_slot_type(slot_type: SlotType) -> SlotType:
    """Make ``{name}`` a slot type in every template loaded from now on; SlotTypeError if it cannot be."""
    problem = _problem(slot_type)
    if problem:
        raise SlotTypeError(f"slot type {slot_type.name!r} cannot be registered: {problem}.")
    _TYPES[slot_type.name] = slot_type
    for form in slot_type.json:
        _FORMS_BY_TYPE[form.type] = form
        _FORMS_BY_TAG[form.tag] = form
    return slot_type


def unregister_slot_type(name: str) -> None:
    """Forget a registered slot type (matchers compiled before keep it)."""
    removed = _TYPES.pop(name, None)
    if removed is None:
        raise SlotTypeError(f"there is no slot type {name!r} to unregister.")
    for form in removed.json:
        del _FORMS_BY_TYPE[form.type], _FORMS_BY_TAG[form.tag]


def _problem(slot_type: SlotType) -> str:
    """What is wrong with registering ``slot_type``, or ""."""
    name = slot_type.name
    if not re.fullmatch(r"[^\W\d]\w*", name):
        return "its name must be a word of letters, digits and underscores"
    if name in _TYPES:
        return "that name is taken; unregister the other type first"
    if name in _LIST_KINDS:
        return f"{name!r} is a kind of list"
    if not slot_type.examples.get("en") or not all(slot_type.examples.values()):
        return "it needs example words for English (en) and for every language it names"
    if not slot_type.alexa or not slot_type.dialogflow.startswith("@"):
        return "it needs an Alexa slot type and a Dialogflow entity starting with @"
    if not _takes_three(slot_type.from_platform):
        return "its from_platform must take (value, language, now)"
    for form in slot_type.json:
        if not form.tag.startswith("$"):
            return f"its JSON tag {form.tag!r} must start with $"
        if form.tag in _FORMS_BY_TAG or form.type in _FORMS_BY_TYPE:
            return f"another slot type already stores {form.type.__name__} values or uses {form.tag!r}"
    return ""


def _takes_three(function: Callable[..., Any]) -> bool:
    """Whether ``function`` can be called with three positional arguments: a reader written for the
    old ``(value, now)`` is refused when registered rather than failing on every platform turn."""
    try:
        inspect.signature(function).bind(None, None, None)
    except TypeError:
        return False
    except ValueError:  # no signature to read (some built-ins): it is called as documented
        return True
    return True


def find_slot_type(name: str) -> SlotType | None:
    """The registered slot type called ``name``, or None."""
    return _TYPES.get(name)


def slot_type(name: str) -> SlotType:
    """The registered slot type called ``name``; SlotTypeError when there is none."""
    found = _TYPES.get(name)
    if found is None:
        raise SlotTypeError(f"there is no slot type {name!r}; register it before loading templates.")
    return found


def slot_types() -> tuple[SlotType, ...]:
    """Every registered slot type, by name."""
    return tuple(_TYPES[name] for name in sorted(_TYPES))


def _form(value: Any) -> JsonForm | None:
    for cls in type(value).__mro__:  # a datetime is a date too: the most specific form wins
        form = _FORMS_BY_TYPE.get(cls)
        if form is not None:
            return form
    return None


def to_json(value: Any) -> Any:
    """A value as JSON that ``from_json`` turns back into it: ``{"$date": "2026-11-24"}``."""
    form = _form(value)
    if form is not None:
        return {form.tag: form.encode(value)}
    return value if isinstance(value, _PLAIN) else str(value)


def from_json(value: Any) -> Any:
    """The value ``to_json`` was given; JSON that no form tags is returned as it is."""
    if isinstance(value, dict) and len(value) == 1:
        tag, raw = next(iter(value.items()))
        form = _FORMS_BY_TAG.get(tag)
        if form is not None:
            return form.decode(raw)
    return value


def plain_json(value: Any) -> Any:
    """A slot type's value as plain JSON without its tag (``"2026-11-24"``); other values as they are."""
    form = _form(value)
    return value if form is None else form.encode(value)


# -- the built-in types ------------------------------------------------------------------------


def _without_now(parse: Callable[[str, str], Any]) -> Parser:
    """A parser that ignores ``now`` (only dates are relative to the turn's time)."""
    return lambda text, language, now: parse(text, language)


def _any_language(read: Callable[[Any, dt.datetime], Any]) -> PlatformReader:
    """A platform reader for a form that is the same in every language (ISO dates, numbers)."""
    return lambda value, language, now: read(value, now)


def _iso(value: dt.date | dt.time) -> str:
    return value.isoformat()


def _part_of_day(code: Any) -> PartOfDay:
    return PartOfDay(code)


def _code(value: PartOfDay) -> str:
    return value.value


def _range(value: DateRange) -> dict[str, str]:
    return value.to_dict()


def _seconds(value: dt.timedelta) -> float:
    return value.total_seconds()


def _timedelta(seconds: Any) -> dt.timedelta:
    return dt.timedelta(seconds=float(seconds))


_BUILT_IN = (
    SlotType(
        name="number",
        parse=_without_now(parse_number),
        examples={"en": ("five",), "nl": ("vijf",)},
        alexa="AMAZON.NUMBER",
        dialogflow="@sys.number",
        from_platform=_any_language(platform_number),
    ),
    SlotType(
        name="percentage",
        parse=_without_now(parse_percentage),
        examples={"en": ("50 percent",), "nl": ("50 procent",)},
        alexa="AMAZON.NUMBER",
        dialogflow="@sys.percentage",
        from_platform=_any_language(platform_percentage),
    ),
    SlotType(
        name="time",
        parse=_without_now(parse_spoken_time),  # "om tien", "at ten am", "half drie" (voice.nlu.clock)
        examples={"en": ("3:15 pm",), "nl": ("kwart over drie",)},
        alexa="AMAZON.TIME",
        dialogflow="@sys.time",
        from_platform=_any_language(platform_time),
        json=(
            JsonForm(type=dt.time, tag="$time", encode=_iso, decode=dt.time.fromisoformat),
            JsonForm(type=PartOfDay, tag="$part_of_day", encode=_code, decode=_part_of_day),
        ),
    ),
    SlotType(
        name="date",
        parse=parse_date,
        examples={"en": ("tomorrow",), "nl": ("morgen",)},
        alexa="AMAZON.DATE",
        dialogflow="@sys.date",
        from_platform=_any_language(platform_date),
        json=(
            JsonForm(type=dt.date, tag="$date", encode=_iso, decode=dt.date.fromisoformat),
            JsonForm(type=dt.datetime, tag="$datetime", encode=_iso, decode=dt.datetime.fromisoformat),
            JsonForm(type=DateRange, tag="$date_range", encode=_range, decode=DateRange.from_dict),
        ),
    ),
    SlotType(
        name="duration",
        parse=_without_now(parse_duration),
        examples={"en": ("ten minutes",), "nl": ("tien minuten",)},
        alexa="AMAZON.DURATION",
        dialogflow="@sys.duration",
        from_platform=_any_language(platform_duration),
        json=(JsonForm(type=dt.timedelta, tag="$seconds", encode=_seconds, decode=_timedelta),),
    ),
)
for _built_in in _BUILT_IN:
    register_slot_type(_built_in)
