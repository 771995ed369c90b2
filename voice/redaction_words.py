"""Numbers as a speech recognizer writes them, in figures and in Dutch and English words, as groups of
characters.

"nul zes twaalf vierendertig" -> 0 6 12 34; "oh seven double seven" -> 0 7 77; "plus drie een" ->
+ 3 1; "n l" -> N L (spelled letters of an IBAN or postcode); "+31 6 1234" -> +31 6 1234; "nul zes
1234" -> 0 6 1234. ``voice.redaction_numbers`` joins the groups of neighbouring words into runs and
checks each run as a phone number, BSN, card or IBAN.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

__all__ = ["EMAIL_AT_WORDS", "NUMBER_WORDS", "Group", "could_hold_number", "number_groups"]


@dataclass(frozen=True, slots=True)
class Group:
    """One piece of a number: its characters (digits, a letter, or "+"), where it was said, and
    whether it was written in figures."""

    chars: str
    start: int
    end: int
    figures: bool = False


def _dutch() -> dict[str, int]:
    units = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
    teens = [
        "tien",
        "elf",
        "twaalf",
        "dertien",
        "veertien",
        "vijftien",
        "zestien",
        "zeventien",
        "achttien",
        "negentien",
    ]
    tens = ["twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig", "negentig"]
    words = {word: n for n, word in enumerate(units)} | {word: 10 + n for n, word in enumerate(teens)}
    words["één"] = 1
    for t, ten in enumerate(tens, start=2):
        words[ten] = 10 * t
        for u, unit in enumerate(units[1:], start=1):
            for joint in ("en", "ën"):
                words[f"{unit}{joint}{ten}"] = 10 * t + u
    return words


def _english() -> dict[str, int]:
    units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    teens = [
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ]
    tens = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    words = {word: n for n, word in enumerate(units)} | {word: 10 + n for n, word in enumerate(teens)}
    for t, ten in enumerate(tens, start=2):
        words[ten] = 10 * t
        for u, unit in enumerate(units[1:], start=1):
            words[f"{ten}-{unit}"] = 10 * t + u
    return words


NUMBER_WORDS: dict[str, int] = _dutch() | _english()
"""Number words from 0 to 99 in Dutch and English (``"vierendertig"``, ``"thirty-four"``)."""

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?|\+")
_FIGURES_OR_WORD = re.compile(rf"\+?\d+|{_WORD.pattern}")
"""Figures and words: "nul zes 1234 5678" is one number said two ways."""
_ZERO_LETTER = frozenset({"oh"})
"""A zero in English phone numbers; a lone "o" is a letter (of RABO), read as zero when a number needs it."""
_REPEAT = {"double": 2, "dubbel": 2, "triple": 3, "trippel": 3}
_HUNDRED = frozenset({"hundred", "honderd"})
_PLUS = frozenset({"+", "plus"})
_HOUSE = frozenset({"nummer", "huisnummer", "number", "nr"})
_LETTER = re.compile(r"[a-z]")


def _number(words: list[str], i: int, *, after_number: bool) -> tuple[str, int] | None:
    """The digits said from word ``i`` on, and how many words they took; None for no number.

    ``after_number``: the word before was part of a number (so "oh" is a zero, not a sigh).
    """
    word, following = words[i], words[i + 1] if i + 1 < len(words) else ""
    after = NUMBER_WORDS.get(following)
    if word in _ZERO_LETTER:
        zero = after_number or after is not None or following in _ZERO_LETTER
        return ("0", 1) if zero else None
    if word in _REPEAT and after is not None and after < 10:
        return str(after) * _REPEAT[word], 2
    if word in _REPEAT and following in _ZERO_LETTER:
        return "0" * _REPEAT[word], 2
    value = NUMBER_WORDS.get(word)
    if value is None:
        return None
    if following in _HUNDRED:
        return str(value * 100), 2
    if value >= 20 and value % 10 == 0 and after is not None and 0 < after < 10:
        return str(value + after), 2  # "thirty four"
    return str(value), 1


def number_groups(text: str, free: Callable[[int, int], bool]) -> Iterator[Group | None]:
    """The number groups of ``text``'s figures and words in order; ``None`` for a word that is no
    part of a number.

    Words whose span is not ``free`` (found already, or a date, time or amount) are no part of one,
    nor are figures written on to a letter ("A12").
    """
    matches = list(_FIGURES_OR_WORD.finditer(text))
    words = [m.group().lower() for m in matches]
    i, after_number = 0, False
    while i < len(words):
        start = matches[i].start()
        if not free(start, matches[i].end()):
            yield None
            i, after_number = i + 1, False
            continue
        if words[i][-1].isdigit():
            glued = start > 0 and text[start - 1].isalpha()
            yield None if glued else Group(words[i], start, matches[i].end(), figures=True)
            i, after_number = i + 1, False
            continue
        number = _number(words, i, after_number=after_number)
        after_number = number is not None
        if number is not None:
            chars, used = number
            yield Group(chars, start, matches[i + used - 1].end())
            i += used
            continue
        word = words[i]
        if word in _PLUS:
            yield Group("+", start, matches[i].end())
        elif word in _HOUSE:
            yield Group("", start, matches[i].end())
        elif len(word) == 1 and _LETTER.fullmatch(word):
            yield Group(word.upper(), start, matches[i].end())
        else:
            yield None
        i += 1


EMAIL_AT_WORDS = ("at", "apenstaartje", "apestaartje", "apestaart", "at-sign")
"""How callers say the '@' of an e-mail address; ``voice.redaction_written`` builds its pattern from them."""
_EMAIL_WORDS = frozenset(EMAIL_AT_WORDS)
MIN_DIGITS = 4
"""No kind of personal data has fewer characters of a number (a postcode has four digits)."""


def could_hold_number(text: str, cues: Collection[str] = ()) -> bool:
    """False when ``text`` cannot hold personal data: no '@', e-mail word or word of ``cues`` (those
    that make a date a birth date), and fewer than four characters of a number, written or said.
    Most texts (replies, questions) stop here, at the cost of one pass over their words instead of
    the whole search."""
    if "@" in text:
        return True
    count = sum(character.isdigit() for character in text)
    if count >= MIN_DIGITS:
        return True
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if word in _EMAIL_WORDS or word in cues:
            return True
        if word in NUMBER_WORDS or word in _ZERO_LETTER or word in _REPEAT:
            count += 2
        elif len(word) == 1 or word in _PLUS:
            count += 1
        if count >= MIN_DIGITS:
            return True
    return False
