"""The kinds of personal data, a piece of it found in a text, and the words said before a piece
that give it its meaning ("bestelling", "my email is"): shared by the written forms, the numbers and
``voice.redaction_rules``, which puts them together."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CHOSEN_KINDS", "Finding", "Kind", "last_words", "tail", "word_set"]


class Kind(StrEnum):
    """A kind of personal data; its value names it in the config and in the placeholder."""

    EMAIL = "email"
    PHONE = "phone"
    IBAN = "iban"
    BSN = "bsn"
    CARD = "card"
    ADDRESS = "address"
    BIRTHDATE = "birthdate"
    """A date said as a date of birth (``voice.redaction_dates``); other dates stay."""
    NUMBER = "number"
    """A run of numbers holding personal data that splits into no valid numbers: redacted whole, so no
    digit of a partial match stays. It is no choice of its own in the config: which number a partial
    match was part of is unknown, so it goes whenever any kind of number is redacted."""


CHOSEN_KINDS = tuple(kind for kind in Kind if kind is not Kind.NUMBER)
"""The kinds an installation chooses in its config."""
_NUMBER_KINDS = frozenset(CHOSEN_KINDS) - {Kind.EMAIL, Kind.BIRTHDATE}


@dataclass(frozen=True, slots=True)
class Finding:
    """Personal data of ``kind`` at ``text[start:end]``."""

    kind: Kind
    start: int
    end: int


_TAIL = 120
"""How far back the words that give a number or an address its meaning are looked for (six words fit)."""


def tail(text: str, at: int) -> str:
    """The text before ``at``, as far back as a few words reach, less a word cut in two: reading all
    of it for every number made a text packed with numbers cost the square of its length."""
    start = max(0, at - _TAIL)
    tail = text[start:at]
    return re.sub(r"^\w+", "", tail) if start and re.match(r"\w", text[start - 1]) else tail


def last_words(text: str, n: int) -> list[str]:
    return re.findall(r"\w+", text.lower())[-n:]


def word_set(words: str) -> frozenset[str]:
    """The words of one string: long lists of cue words read better so than as lists of strings."""
    return frozenset(words.split())
