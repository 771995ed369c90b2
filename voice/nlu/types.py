"""The values the router hands to the dialog layer: a match and its slots.

They cross the boundary to handlers, channels and the CLI, so they are frozen and
carry only plain data; ``to_dict`` gives a JSON-ready form for ``voice parse``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .slot_types import plain_json

__all__ = ["IntentMatch", "SlotValue"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _jsonable(value: Any) -> Any:
    """Turn slot types' values (times, dates, durations ...) into plain JSON values."""
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return plain_json(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotValue:
    """One filled slot: what was said, what it means, and an optional entity id."""

    text: str
    """The words as spoken (empty for fixed slots and slots copied from context)."""

    value: Any
    """The canonical value: a list's ``out``, a number, ``datetime.time``/``date``/``timedelta``."""

    id: str | None = None
    """Entity id, like Alexa entity resolution (``id`` key of a list value)."""

    span: tuple[int, int] | None = None
    """Character offsets of ``text`` in the normalised utterance, when it was spoken."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"text": self.text, "value": _jsonable(self.value), "id": self.id}


@dataclass(frozen=True, slots=True, kw_only=True)
class IntentMatch:
    """The router's answer for one utterance: an intent of a skill and its slots."""

    intent: str
    slots: Mapping[str, SlotValue] = field(default_factory=lambda: _EMPTY)
    score: float = 1.0
    """1.0 for an exact template match; a fuzzy match always scores below 1.0."""

    skill: str = ""
    template: str = ""
    """The sentence template that matched, as written in the YAML."""

    text: str = ""
    """The normalised utterance that was matched."""

    response: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    context: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """Context gathered while matching (list values may add context items)."""

    @property
    def is_fuzzy(self) -> bool:
        """True if the match needed the fuzzy pass."""
        return self.score < 1.0

    def value(self, slot: str, default: Any = None) -> Any:
        """Return the canonical value of a slot, or ``default`` if it is not filled."""
        found = self.slots.get(slot)
        return default if found is None else found.value

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (what ``voice parse`` prints)."""
        return {
            "intent": self.intent,
            "skill": self.skill,
            "score": round(self.score, 4),
            "slots": {name: slot.to_dict() for name, slot in self.slots.items()},
            "template": self.template,
            "text": self.text,
            "response": self.response,
            "metadata": _jsonable(self.metadata),
        }
