"""Intent context: ``requires_context`` / ``excludes_context`` as hassil defines them.

A context is a dict the caller supplies (the satellite's area, the dialog state);
list values may add to it (a device name brings its domain). A required key may
be a value, a list of allowed values, ``null`` (any value), or ``{value: ..., slot: true|"name"}``
to also copy the context value into a slot (no ``value``: any value). ``allowed_values`` reads these
forms for everyone: the matcher here, the exports' input contexts and the dialog's follow-ups.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from .types import SlotValue

__all__ = [
    "Requires",
    "allowed_values",
    "allows_value",
    "context_slots",
    "copied_slots",
    "excludes_ok",
    "may_satisfy",
    "offered_context",
    "required_contexts",
    "requires_ok",
]

Requires = tuple[tuple[str, str | None], ...]
"""An intent context a sentence is said in, as (key, value) per key; the value None where any will do."""


def unpack(value: Any) -> Any:
    """A context value as written, ``{"value": x}`` or plain ``x``."""
    return value.get("value") if isinstance(value, Mapping) else value


def is_many(value: Any) -> bool:
    """True for a list of allowed values (not one string or mapping)."""
    return isinstance(value, Collection) and not isinstance(value, str | Mapping)


def allowed_values(wanted: Any) -> tuple[Any, ...] | None:
    """The values a required key allows, in any form it is written in, or None where any value will do.

    The one reading of the forms, so code that must spell a requirement out instead of testing a context
    (a Dialogflow input context per value) cannot disagree with the matcher."""
    value = unpack(wanted)
    if value is None:
        return None
    return tuple(value) if is_many(value) else (value,)


def _satisfies(wanted: Any, actual: Any) -> bool:
    """True if ``actual`` is a value ``wanted`` (as written) allows."""
    allowed = allowed_values(wanted)
    return allowed is None or actual in allowed


def requires_ok(
    required: Mapping[str, Any], context: Mapping[str, Any], *, allow_missing: bool = False
) -> bool:
    """True if ``context`` has every required key with an allowed value."""
    for key, wanted in required.items():
        if key not in context:
            if allow_missing:
                continue
            return False
        actual = unpack(context[key])
        if not _satisfies(wanted, actual) or (actual is None and not allow_missing):
            return False
    return True


def excludes_ok(excluded: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """True if no excluded key of ``context`` has an excluded value."""
    for key, unwanted in excluded.items():
        if key not in context:
            continue
        actual, unwanted = unpack(context[key]), unpack(unwanted)
        if (actual in unwanted) if is_many(unwanted) else (actual == unwanted):
            return False
    return True


def allows_value(
    value_context: Mapping[str, Any], requires: Mapping[str, Any], excludes: Mapping[str, Any]
) -> bool:
    """True if a list value's own context fits a data block's context rules."""
    if not value_context:
        return True
    return requires_ok(requires, value_context, allow_missing=True) and excludes_ok(excludes, value_context)


def context_slots(required: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """Slots copied from context (``slot: true`` or ``slot: "name"``) as name -> (value, text)."""
    copied: dict[str, tuple[Any, str]] = {}
    for key, wanted in required.items():
        if not isinstance(wanted, Mapping) or not wanted.get("slot") or key not in context:
            continue
        name = wanted["slot"] if isinstance(wanted["slot"], str) else key
        actual = context[key]
        if isinstance(actual, Mapping):
            copied[name] = (actual.get("value"), str(actual.get("text", "")))
        else:
            copied[name] = (actual, "")
    return copied


def copied_slots(
    slots: Mapping[str, SlotValue],
    required: Mapping[str, Any],
    context: Mapping[str, Any],
    spoken: Collection[str],
) -> dict[str, SlotValue]:
    """``slots`` with those ``required`` copies from ``context`` (``context_slots``) added, unless the
    caller said that slot (``spoken``) or the block fixed it: the matcher's match and a platform's intent
    matched in that context (``Turn.said_in``) get them alike."""
    filled = dict(slots)
    for name, (value, text) in context_slots(required, context).items():
        if name not in spoken:
            filled.setdefault(name, SlotValue(text=text, value=value))
    return filled


def required_contexts(required: Mapping[str, Any]) -> tuple[Requires, ...]:
    """The contexts that meet ``required``, spelled out for a platform (``allowed_values``): a key that
    allows several values (``previous: [A, B]``) gives one context per value, one that takes any
    (``previous: null``) the value None; no requirement gives the one empty context."""
    options = []
    for key, wanted in required.items():
        allowed = allowed_values(wanted)
        options.append([(key, None)] if allowed is None else [(key, str(value)) for value in allowed])
    return tuple(itertools.product(*options))


def offered_context(contexts: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Context values list values could add, by key (``contexts``: of the values that occur)."""
    offered: dict[str, list[Any]] = {}
    for context in contexts:
        for key, value in context.items():
            offered.setdefault(key, []).append(unpack(value))
    return offered


def may_satisfy(
    required: Mapping[str, Any], context: Mapping[str, Any], offered: Mapping[str, list[Any]]
) -> bool:
    """False if a required key missing from ``context`` cannot come from any ``offered`` value either."""
    for key, wanted in required.items():
        if key in context:
            continue
        values = offered.get(key)
        if not values:
            return False
        if not any(actual is not None and _satisfies(wanted, actual) for actual in values):
            return False
    return True
