"""A value list as the platforms see it: canonical values with the ways to say them.

Alexa's custom slot types and Dialogflow's entities list each value once, by one name, with
synonyms; our lists say a value with a template (``(racing|road) bike[s]``) and may give it an
``out`` and an ``id``. The exports write a list this way, and the webhook reads the value a
platform sends back into the list value it names (``voice.slot_values``), so both agree here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .slots import ListValue, SlotList, ValueList
from .template import Alt, Expr, Perm, Seq, Text

__all__ = ["ListEntry", "canonical", "expansions", "list_entries"]

_MAX_SYNONYMS = 60
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One canonical value of a slot list with the ways to say it (Alexa synonyms, Dialogflow entries)."""

    value: str
    id: str | None
    synonyms: tuple[str, ...]


def list_entries(slot_list: SlotList | None) -> tuple[ListEntry, ...]:
    """A value list's canonical values; every template a value can be said with becomes a synonym."""
    if not isinstance(slot_list, ValueList):
        return ()
    merged: dict[str, tuple[str | None, dict[str, None]]] = {}
    for value in slot_list.values:
        name = canonical(value)
        ident, synonyms = merged.setdefault(name, (value.id, {}))
        synonyms.update(dict.fromkeys(expansions(value.expr)))
        if ident is None and value.id is not None:
            merged[name] = (value.id, synonyms)
    return tuple(
        ListEntry(value, ident, tuple(s for s in synonyms if s != value)[:_MAX_SYNONYMS])
        for value, (ident, synonyms) in merged.items()
    )


def canonical(value: ListValue) -> str:
    """The name a platform knows a list value by: its ``out``, else the first way to say it."""
    if value.value is not None:
        return str(value.value)
    spoken = expansions(value.expr)
    return spoken[0] if spoken else value.text


def expansions(expr: Expr) -> tuple[str, ...]:
    """Every text a list value's template can be said as (``[a|my] order`` -> a order, my order, order)."""
    texts = (_SPACES.sub(" ", text).strip() for text in itertools.islice(_expand(expr), _MAX_SYNONYMS))
    return tuple(dict.fromkeys(text for text in texts if text))


def _expand(expr: Expr) -> Iterator[str]:
    if isinstance(expr, Text):
        yield expr.text
    elif isinstance(expr, Alt):
        for item in expr.items:
            yield from _expand(item)
    elif isinstance(expr, Seq | Perm):
        sequences = expr.orders() if isinstance(expr, Perm) else (expr,)
        for sequence in sequences:
            for pieces in itertools.product(*(tuple(_expand(item)) for item in sequence.items)):
                yield "".join(pieces)
    # list and rule references inside a list value have no fixed words: they add no synonym
