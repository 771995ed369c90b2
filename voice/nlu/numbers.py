"""Numbers in words and digits, English and Dutch first.

Two directions: ``number_words`` spells a number the way hassil does (via
unicode-rbnf, for any language) so range lists accept "vijf" as well as "5";
``parse_number`` reads what people say -- "honderddrieënzestig", "anderhalf",
"een half", "two and a half", "3,5" -- using text2num for whole numbers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

from text_to_num import text2num
from unicode_rbnf import RbnfEngine

from ..language import language_of

__all__ = ["number_words", "parse_number"]

_LOGGER = logging.getLogger(__name__)

_DIGITS = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_ONE = {"en": ("a", "an", "one"), "nl": ("een", "één", "eén")}
_HALF = {
    "en": (r"(?:(?P<n>.+?) and )??(?:a |one )?half", 0.5),
    "nl": (r"(?:(?P<n>.+?)(?:ën| en |en))??\s*(?:een )?hal(?:f|ve)", 0.5),
}
_QUARTERS = {
    "en": {"a quarter": 0.25, "one quarter": 0.25, "quarter": 0.25, "three quarters": 0.75},
    "nl": {"een kwart": 0.25, "kwart": 0.25, "driekwart": 0.75, "drie kwart": 0.75},
}
_SPECIAL = {"nl": {"anderhalf": 1.5, "anderhalve": 1.5}, "en": {}}


@lru_cache(maxsize=32)
def _engine(language: str) -> RbnfEngine | None:
    for candidate in (language, language.replace("-", "_"), language_of(language)):
        try:
            return RbnfEngine.for_language(candidate)
        except ValueError:
            continue
    _LOGGER.debug("No number words for language %s", language)
    return None


@lru_cache(maxsize=8192)
def number_words(number: int | float, language: str) -> tuple[str, ...]:
    """Every spelling of ``number`` in ``language`` (lower case, hyphens also as spaces)."""
    engine = _engine(language)
    if engine is None:
        return ()
    try:
        spelled = engine.format_number(number).text_by_ruleset.values()
    except (ValueError, KeyError):
        return ()
    found: list[str] = []
    for words in spelled:
        for variant in (words.lower(), words.lower().replace("-", " ").replace("_", " ")):
            if variant not in found:
                found.append(variant)
    return tuple(found)


def _whole(text: str, language: str) -> int | None:
    if text in _ONE.get(language, ()):
        return 1
    try:
        value = text2num(text, language)
    except (ValueError, KeyError, NotImplementedError, IndexError):
        return None
    return value if isinstance(value, int) else None


def _fraction(text: str, language: str) -> float | None:
    family = language_of(language)
    if text in _SPECIAL.get(family, {}):
        return _SPECIAL[family][text]
    if text in _QUARTERS.get(family, {}):
        return _QUARTERS[family][text]
    if family not in _HALF:
        return None
    pattern, fraction = _HALF[family]
    found = re.fullmatch(pattern, text)
    if found is None:
        return None
    whole = 0 if found["n"] is None else parse_number(found["n"], language)
    return None if whole is None else whole + fraction


def language_family(language: str, known: Iterable[str]) -> str:
    """``nl-NL`` -> ``nl`` when that is in ``known``, else ``en``."""
    family = language_of(language)
    return family if family in known else "en"


@lru_cache(maxsize=4096)
def parse_number(text: str, language: str) -> int | float | None:
    """Read a number said as digits or words; None if ``text`` is not exactly one number."""
    text = text.strip().lower()
    if not text:
        return None
    if _DIGITS.match(text):
        number = float(text.replace(",", "."))
        return int(number) if number == int(number) and not re.search(r"[.,]", text) else number
    family = language_of(language)
    whole = _whole(text, family)
    if whole is not None:
        return whole
    return _fraction(text, family)
