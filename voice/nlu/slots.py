"""Slot lists: the values a ``{list}`` reference can take.

Four kinds, as in hassil plus slot types: fixed values (``in``/``out``, optionally
templates, with an ``id`` for entity resolution and ``context`` for filtering),
number ranges (step, fractions, multiplier), wildcards (any text), and slot types
(numbers, percentages, times, dates, durations; see ``slot_types``) that need no YAML at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from .errors import TemplateError
from .template import Expr, ListRef, RuleRef, Text, is_template, parse_template, walk

__all__ = [
    "ListValue",
    "RangeList",
    "SlotList",
    "SlotSpec",
    "SlotTypeList",
    "ValueList",
    "WILDCARD_KIND",
    "WildcardList",
    "parse_slot_list",
    "slot_kind",
]

WILDCARD_KIND = "wildcard"
"""The ``SlotSpec.kind`` of a slot whose list takes any words (``wildcard: true``)."""

_FRACTIONS = {"halves": (0.5,), "tenths": tuple(i / 10 for i in range(1, 10))}


@dataclass(frozen=True, slots=True, kw_only=True)
class ListValue:
    """One value of a list: what may be said (``text``), what it means (``value``)."""

    text: str
    value: Any = None
    """The ``out`` value; None means "the words as spoken"."""

    id: str | None = None
    context: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    expr: Expr = Text("")
    """``text`` parsed as a template (a plain ``Text`` when it has no syntax)."""

    @classmethod
    def of(cls, raw: str | Mapping[str, Any] | tuple[Any, ...] | ListValue) -> ListValue:
        """Build a value from a string, an ``{in, out, id, context, metadata}`` dict or a tuple."""
        if isinstance(raw, ListValue):
            return raw
        if isinstance(raw, str):
            return cls._make(raw, raw if not is_template(raw) else None, None, {}, {})
        if isinstance(raw, tuple):
            text, value, *rest = raw
            return cls._make(
                str(text), value, None, rest[0] if rest else {}, rest[1] if len(rest) > 1 else {}
            )
        if "in" not in raw:
            raise TemplateError(f"list value {dict(raw)!r} has no 'in' text")
        ident = raw.get("id")
        return cls._make(
            str(raw["in"]),
            raw.get("out"),
            None if ident is None else str(ident),
            raw.get("context") or {},
            raw.get("metadata") or {},
        )

    @classmethod
    def _make(
        cls, text: str, value: Any, ident: str | None, context: Mapping[str, Any], metadata: Mapping[str, Any]
    ) -> ListValue:
        expr = parse_template(text).expr if is_template(text) else Text(text)
        return cls(
            text=text,
            value=value,
            id=ident,
            context=MappingProxyType(dict(context)),
            metadata=MappingProxyType(dict(metadata)),
            expr=expr,
        )


@dataclass(frozen=True, slots=True)
class ValueList:
    """A list of fixed values; an empty list is filled at runtime (``Matcher.set_list``)."""

    name: str
    values: tuple[ListValue, ...] = ()
    templated: bool = field(default=False, init=False, compare=False, repr=False)
    """True if a value is a template using ``<rules>`` or ``{lists}`` (found once, when built)."""

    def __post_init__(self) -> None:
        templated = any(_references(value.expr) for value in self.values if not isinstance(value.expr, Text))
        object.__setattr__(self, "templated", templated)

    @classmethod
    def of(
        cls, name: str, values: Iterable[str | Mapping[str, Any] | tuple[Any, ...] | ListValue]
    ) -> ValueList:
        """Build a list from strings, dicts or tuples (see ``ListValue.of``)."""
        return cls(name, tuple(ListValue.of(value) for value in values))


def _references(expr: Expr) -> bool:
    return any(isinstance(item, RuleRef | ListRef) for item in walk(expr))


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeList:
    """Numbers from ``start`` to ``stop`` inclusive, said as digits or words."""

    name: str
    start: int
    stop: int
    step: int = 1
    type: str = "number"
    fractions: str | None = None
    multiplier: float | None = None
    digits: bool = True
    words: bool = True
    words_language: str | None = None

    @classmethod
    def inline(cls, ref: ListRef) -> RangeList:
        """The range an inline ``{1..10:slot}`` reference stands for."""
        start, stop, step = ref.inline_range or (0, 0, 1)
        return cls(name=ref.list_name, start=start, stop=stop, step=step)

    def numbers(self) -> Iterator[int | float]:
        """Every number in the range, fractions included."""
        for whole in range(self.start, self.stop + 1, self.step):
            yield whole
            for fraction in _FRACTIONS.get(self.fractions or "", ()):
                yield whole + fraction

    def contains(self, number: float) -> bool:
        """True if ``number`` is one of ``numbers()``."""
        if self.step == 1 and self.fractions is None:
            return self.start <= number <= self.stop and number == int(number)
        return number in _members(self)

    def scaled(self, number: int | float) -> int | float:
        """Apply the multiplier to a matched number."""
        return number if self.multiplier is None else number * self.multiplier


@dataclass(frozen=True, slots=True)
class WildcardList:
    """Any non-empty text (a message, a song title)."""

    name: str
    examples: tuple[str, ...] = ()
    """What callers say here (``examples:`` on the list), for sample sentences, grammars and exports;
    hassil ignores the key, so Home Assistant files with it still load there."""


@dataclass(frozen=True, slots=True)
class SlotTypeList:
    """A list name that is a registered slot type (``{date}``); its parser reads the words."""

    name: str


SlotList = ValueList | RangeList | WildcardList | SlotTypeList


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """A slot an intent can fill: for dialog prompts, grammars and exports."""

    name: str
    list_name: str
    """The list behind the slot ("" for fixed slots)."""

    kind: str
    """"values", "range", "wildcard", "runtime" (filled by ``set_list``), "fixed", or a slot type's name."""

    slot_list: SlotList | None = field(default=None, compare=False, repr=False)
    """The list itself (None for fixed slots and runtime lists): a platform's value is read back by it."""


def slot_kind(slot_list: SlotList | None) -> str:
    """The ``SlotSpec.kind`` of a list (None: a runtime list)."""
    if slot_list is None:
        return "runtime"
    if isinstance(slot_list, SlotTypeList):
        return slot_list.name
    return {ValueList: "values", RangeList: "range", WildcardList: WILDCARD_KIND}[type(slot_list)]


def parse_slot_list(name: str, data: Mapping[str, Any]) -> SlotList:
    """Parse one entry of a ``lists:`` block; raise TemplateError naming the list."""
    if not isinstance(data, Mapping):
        raise TemplateError(f"list {{{name}}} must be a mapping, not {type(data).__name__}")
    if "values" in data:
        return ValueList.of(name, data["values"] or ())
    if "range" in data:
        return _parse_range(name, data["range"])
    if data.get("wildcard", False):
        return WildcardList(name, _examples(name, data.get("examples")))
    raise TemplateError(f"list {{{name}}} needs 'values', 'range' or 'wildcard: true'")


def _examples(name: str, raw: Any) -> tuple[str, ...]:
    """A wildcard list's ``examples:``: the phrases callers say there (none when absent)."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise TemplateError(
            f"'examples' of list {{{name}}} must be a list of phrases callers say, like [\"a phrase\"]",
            token=name,
        )
    return tuple(" ".join(item.split()) for item in items)


def _parse_range(name: str, spec: Mapping[str, Any]) -> RangeList:
    try:
        result = RangeList(
            name=name,
            start=int(spec["from"]),
            stop=int(spec["to"]),
            step=int(spec.get("step", 1)),
            type=str(spec.get("type", "number")),
            fractions=spec.get("fractions"),
            multiplier=None if spec.get("multiplier") is None else float(spec["multiplier"]),
            digits=bool(spec.get("digits", True)),
            words=bool(spec.get("words", True)),
            words_language=spec.get("words_language"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(f"bad range in list {{{name}}}: {exc}", token=name) from exc
    _check_range(result)
    return result


def _check_range(found: RangeList) -> None:
    problem = ""
    if found.start > found.stop:
        problem = f"'from' {found.start} is greater than 'to' {found.stop}"
    elif found.step <= 0:
        problem = f"'step' {found.step} must be positive"
    elif found.fractions not in (None, *_FRACTIONS):
        problem = f"'fractions' must be one of {sorted(_FRACTIONS)}"
    elif not (found.digits or found.words):
        problem = "'digits' and 'words' cannot both be false"
    if problem:
        raise TemplateError(f"bad range in list {{{found.name}}}: {problem}", token=found.name)


@lru_cache(maxsize=256)
def _members(spec: RangeList) -> frozenset[int | float]:
    """Every number of a stepped or fractional range, worked out once (it is asked per utterance)."""
    return frozenset(spec.numbers())
