"""Hesitation sounds ("eh", "ehm", "uh", "um") that callers say and speech recognisers write out, and
the words a caller opens a follow-up with ("en", "and", "nou").

They carry no meaning, and a template cannot expect them everywhere: "eh een twee drie vier" as an
order number or "uh yes" to a question matched nothing. The router reads the words without them, for
every skill and the built-in intents alike (a skill's ``skip_words`` only apply to its own templates).
Said alone, they are the built-in ``Wait`` ("wacht even"): the caller is thinking, and is not yet done.
An opener is dropped only when the whole sentence matches nothing: templates that spell it out ("en
morgen?" after the opening hours) keep it. A "no" that opens a correction in a flow ("nee, om vier uur",
"no, make it friday") is read the same way by the dialog (``corrected``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .language import language_of

__all__ = ["HESITATIONS", "OPENERS", "corrected", "read_in_full", "without_hesitations", "without_opener"]

HESITATIONS: Mapping[str, frozenset[str]] = {
    "en": frozenset({"um", "umm", "uh", "uhh", "uhm", "erm", "hmm"}),
    "nl": frozenset({"eh", "ehh", "ehm", "euh", "uh", "uhm", "hmm"}),
}
OPENERS: Mapping[str, frozenset[str]] = {
    "en": frozenset({"and", "so", "but", "well"}),
    "nl": frozenset({"en", "maar", "nou", "dus"}),
}
_CORRECTIONS: Mapping[str, re.Pattern[str]] = {
    "en": re.compile(r"(?:no|nope)(?:[,.!]? no)?[,.!]? (?:(?:make it|rather|i mean) )?(?P<rest>.+)", re.I),
    "nl": re.compile(r"(?:nee|neen)(?:[,.!]? nee)?[,.!]? (?:(?:liever|ik bedoel|maar) )?(?P<rest>.+)", re.I),
}
"""A no, then what the caller means instead."""
_PUNCTUATION = ",.;:!?…"


def without_hesitations(text: str, locale: str) -> str:
    """``text`` without the hesitation sounds of its language; the text itself when it has none."""
    sounds = HESITATIONS.get(language_of(locale))
    if not sounds:
        return text
    words = text.split()
    kept = [word for word in words if word.strip(_PUNCTUATION).lower() not in sounds]
    return text if len(kept) == len(words) else " ".join(kept)


def without_opener(text: str, locale: str) -> str:
    """``text`` without the one opening word of its language's ``OPENERS``; the text itself without one."""
    first, _, rest = text.strip().partition(" ")
    openers = OPENERS.get(language_of(locale), frozenset())
    return rest.strip() if rest.strip() and first.strip(_PUNCTUATION).lower() in openers else text


def corrected(text: str, locale: str) -> str | None:
    """What a caller says instead after an opening no ("nee, liever om vier uur": "om vier uur"), or None
    when ``text`` does not open with one."""
    pattern = _CORRECTIONS.get(language_of(locale))
    found = pattern.fullmatch(text.strip()) if pattern else None
    return found["rest"].strip() if found else None


def read_in_full(text: str, matched: str, locale: str) -> bool:
    """Whether ``matched`` (the words a template read, ``IntentMatch.text``) is all of ``text`` but what
    the router reads it without: hesitation sounds, an opener, an opening no. Not so for a request for a
    person read from the end of a sentence ("Klaas de Boer, ik wil een mens spreken"), nor for words
    normalised otherwise: then some words went unread, and they may be anything."""
    said = without_hesitations(text, locale)
    read = _words(matched)
    return any(_words(form) == read for form in (said, without_opener(said, locale), corrected(said, locale)))


def _words(text: str | None) -> list[str]:
    return re.findall(r"\w+", text.casefold()) if text else []
