"""The dialog's intent context (``DialogState.context``) as Dialogflow contexts, shared by the export
and the webhook.

A template block with ``requires_context`` (``{dialog: OrderCake, asking: cake_name}``: a bare answer
such as "zoë" or "morgen") matches only while that context holds. Dialogflow ES cannot give one training
phrase a condition, only a whole intent input contexts: the export writes such phrases into an intent
of their own, ``OrderCake - dialog OrderCake asking cake_name``, whose input contexts are the names
``context_name`` makes, and the webhook must keep those contexts active while the dialog is in them
(``context_names``, lifespan 1 every turn) and read the intent back as ``OrderCake`` (``read_exported``).
Without it, a phrase that is only ``@sys.any`` would catch every question the caller asks. A key that
takes any value (``{previous: null}``) needs only the key: the webhook sets ``voice-previous`` too.
The intent's slots that such a block copies from the context (``{value: X, slot: true}``) come from the
dialog's context too, as the router's match gets them: ``read_exported`` reads which context the
display name says, and the dialog fills them (``Turn.said_in``).

A block's fixed ``slots:`` (``{language: nl}`` for "spreekt u nederlands") are no words a platform can
send, and no intent tells one phrase's values from another's; so such a block gets an intent of its own on
both platforms, named after its values (``fixed_tag``): Dialogflow's ``SpeakLanguage - with language_nl``,
Alexa's ``SpeakLanguage__language_nl``. The channels read the tag back (``Turn.said_with``), and the dialog
adds the values of the block it names, as the router's match has them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .nlu.context import Requires

__all__ = [
    "KEYS",
    "SEPARATOR",
    "context_intent",
    "context_name",
    "context_names",
    "fixed_intent",
    "fixed_of",
    "fixed_tag",
    "read_exported",
]

SEPARATOR = " - "
"""Between the intent and its context in an exported display name; no intent name has it (the start and
``voice check`` refuse one, ``voice.skill_check``)."""
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


_ANY = "(any)"
"""In a display name, the value of a key that takes any value; no intent or slot name has brackets."""


def context_name(key: str, value: Any = None) -> str:
    """``("dialog", "OrderCake")`` -> ``voice-dialog-ordercake`` (Dialogflow keeps context names in
    lower case); without a value ``voice-dialog``, which holds whatever the value."""
    return _UNSAFE.sub("_", (f"voice-{key}" if value is None else f"voice-{key}-{value}").lower())


def context_names(context: Mapping[str, Any]) -> tuple[str, ...]:
    """The Dialogflow contexts that hold while the dialog has this intent context: each key's, with and
    without its value."""
    held = [(key, value) for key, value in context.items() if isinstance(value, str)]
    return tuple(name for key, value in held for name in (context_name(key, value), context_name(key)))


def context_intent(intent: str, requires: Iterable[tuple[str, str | None]], fixed: str = "") -> str:
    """The display name of the intent that carries ``intent``'s phrases said only in ``requires``
    (a value None: any value), of a block whose fixed slots ``fixed_tag`` names ``fixed``; ``intent``
    itself for neither."""
    said = [f"{key} {_ANY if value is None else value}" for key, value in requires]
    said += [f"{_WITH} {fixed}"] if fixed else []
    return intent + SEPARATOR + " ".join(said) if said else intent


_WITH = "with"
"""In a display name, before the tag of the block's fixed slots."""
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def fixed_tag(slots: Mapping[str, Any]) -> str:
    """A block's fixed slots as the platforms' intent names carry them, letters and underscores only
    (Alexa's rule): ``{language: nl}`` -> ``language_nl``; empty for none. Two blocks of an intent may get
    one tag (``floor: 1`` and ``floor: "one"``): the dialog then adds only the values they share."""
    if not slots:  # most blocks: asked for each of them on every platform turn
        return ""
    said = " ".join(f"{name} {value}" for name, value in sorted(slots.items(), key=lambda item: item[0]))
    spelled = re.sub(r"\d", lambda digit: f" {_DIGITS[int(digit.group())]} ", said.lower())
    return re.sub(r"[^a-z]+", "_", spelled).strip("_")


FIXED = "__"
"""In an Alexa intent name, between our intent and its block's ``fixed_tag``: no intent name has it (the
start and ``voice check`` refuse one)."""


def fixed_intent(intent: str, fixed: str) -> str:
    """The Alexa intent of ``intent``'s block whose fixed slots ``fixed_tag`` names ``fixed``."""
    return f"{intent}{FIXED}{fixed}" if fixed else intent


def fixed_of(name: str) -> tuple[str, str]:
    """Our intent and the ``fixed_tag`` an Alexa intent name carries (none for any other name)."""
    intent, _, fixed = name.rpartition(FIXED)  # a tag has no "__"; an intent may end in "_"
    return (intent, fixed) if intent and fixed else (name, "")


KEYS = ("dialog", "asking", "previous")
"""The keys of the dialog's intent context (``DialogState.context``), the only ones the webhook sets: a
sentence whose block needs another (``domain``, ``area``) cannot be an exported intent's input context."""
_PAIR = rf"({'|'.join(KEYS)}) (\S+)"
_EXPORTED = re.compile(
    rf"(?P<intent>.+?){SEPARATOR}(?=\S)(?P<context>(?:{_PAIR} ?)*)(?:{_WITH} (?P<fixed>[a-z_]+))?"
)


def read_exported(display_name: str) -> tuple[str, Requires, str]:
    """What an exported display name says, from one match of it on every Dialogflow turn: our intent
    (``OrderCake - dialog OrderCake`` -> ``OrderCake``), the intent context its phrases are said in, as
    ``context_intent`` got it (``ShopHours - previous (any)`` -> ``(("previous", None),)``), and the
    ``fixed_tag`` of the block it was written for (``SpeakLanguage - with language_nl``). Any other name
    is itself, said anywhere, with no fixed slots (a hand-made agent's follow-up ``BookTable - yes`` is
    no ``BookTable``)."""
    exported = _EXPORTED.fullmatch(display_name)
    if not exported:
        return display_name, (), ""
    pairs = re.findall(_PAIR, exported["context"])
    said_in = tuple((key, None if value == _ANY else value) for key, value in pairs)
    return exported["intent"], said_in, exported["fixed"] or ""
