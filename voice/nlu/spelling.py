"""Spelled letters and digits, and slot types for codes that follow a pattern (a postcode, a licence plate).

Callers spell codes, and recognisers write what they hear: "a b", "a. b.", "een twee drie vier",
"twaalf vierendertig", "1234ab". ``spelled`` reads them as one code ("AB", "1234", "1234AB");
``pattern_slot_type`` makes a slot type of a regular expression over that code and a normaliser::

    register_slot_type(pattern_slot_type(
        "postcode", r"(\\d{4})([A-Z]{2})", normalise=lambda m: f"{m[1]} {m[2]}", examples=("1234 AB",)))

Templates then use ``{postcode}``: "1234 AB", "een twee drie vier a b" and "twaalf vierendertig a.b."
all give "1234 AB".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .numbers import language_family, parse_number
from .slot_types import ALEXA_ANY_WORDS, DIALOGFLOW_ANY_WORDS, SlotType

__all__ = ["dutch_postcode", "licence_plate", "pattern_slot_type", "spelled"]

_LETTER = re.compile(r"([a-z])\.?")
_CODE = re.compile(r"[a-z]*\d+[a-z\d]*")
_SHORT = re.compile(r"[a-z]{1,3}")
_TOKENS = re.compile(r"[a-z]\.|[^\s.\-]+")
_LETTER_NAMES = {
    "en": {"bee": "b", "cee": "c", "dee": "d", "gee": "g", "jay": "j", "kay": "k", "pee": "p", "tee": "t"},
    "nl": {"bee": "b", "cee": "c", "dee": "d", "gee": "g", "ha": "h", "ka": "k", "pee": "p", "tee": "t"},
}
_MAX_PIECES = 16


def spelled(text: str, language: str) -> str | None:
    """The code the words spell, in capitals and digits ("een twee a b" -> "12AB"); None when a word
    is neither a letter, a digit group nor a whole number."""
    family = language_family(language, _LETTER_NAMES)
    pieces = _TOKENS.findall(text.strip().lower().replace(".", ". "))
    if not pieces or len(pieces) > _MAX_PIECES:
        return None
    code = [_piece(_LETTER_NAMES[family].get(piece, piece), family) for piece in pieces]
    return None if None in code else "".join(str(piece) for piece in code).upper()


def _piece(piece: str, family: str) -> str | None:
    """One spelled piece: a letter ("a", "a."), a group of digits and letters ("1234ab"), a whole
    number in words ("twaalf" -> "12"), or up to three letters said as one word ("ab")."""
    letter = _LETTER.fullmatch(piece)
    if letter:
        return letter[1]
    if _CODE.fullmatch(piece):
        return piece
    number = parse_number(piece, family)
    if isinstance(number, int) and number >= 0:
        return str(number)
    return piece if _SHORT.fullmatch(piece) else None


def pattern_slot_type(
    name: str,
    pattern: str,
    *,
    normalise: Callable[[re.Match[str]], str] | None = None,
    examples: Sequence[str],
    alexa: str = ALEXA_ANY_WORDS,
    dialogflow: str = DIALOGFLOW_ANY_WORDS,
) -> SlotType:
    """A slot type of codes: the spelled words must match ``pattern`` (over capitals and digits, no
    spaces); the value is ``normalise(match)``, or the code itself. Register it with
    ``register_slot_type``."""
    compiled = re.compile(pattern)

    def parse(words: str, language: str, now: Any) -> str | None:
        code = spelled(words, language)
        found = compiled.fullmatch(code) if code else None
        if found is None:
            return None
        return normalise(found) if normalise else found[0]

    def from_platform(value: Any, language: str, now: Any) -> Any:
        """Alexa's and Dialogflow's words for the code ("vier zeven een een") in the turn's language."""
        return parse(str(value), language, now) or value

    return SlotType(
        name=name,
        parse=parse,
        examples={"en": tuple(examples), "nl": tuple(examples)},
        alexa=alexa,
        dialogflow=dialogflow,
        from_platform=from_platform,
    )


def dutch_postcode(name: str = "postcode") -> SlotType:
    """A Dutch postcode, "1234 AB" ("een twee drie vier a b", "twaalf vierendertig ab")."""
    return pattern_slot_type(
        name, r"([1-9]\d{3})([A-Z]{2})", normalise=lambda m: f"{m[1]} {m[2]}", examples=("1234 AB",)
    )


def licence_plate(name: str = "licence_plate") -> SlotType:
    """A Dutch licence plate of six letters and digits in groups, "AB-123-C" ("a b een twee drie c")."""
    groups = r"([A-Z]{1,3}|\d{1,3})"
    return pattern_slot_type(
        name,
        rf"(?=[A-Z0-9]{{6}}$){groups}{groups}{groups}",
        normalise=lambda m: "-".join(m.groups()),
        examples=("AB-123-C",),
    )
