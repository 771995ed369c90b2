"""Personal data written in one piece: e-mail addresses (also spoken ones), IBANs and postcodes with
house numbers, and dates of birth (``voice.redaction_dates``); and the dates, times and amounts whose
digits never join a number (fenced off before numbers are read)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .redaction_checks import is_iban
from .redaction_dates import birth_dates
from .redaction_kinds import Finding, Kind, last_words, tail, word_set
from .redaction_words import EMAIL_AT_WORDS

__all__ = ["fenced", "written"]

_TLD = r"(?:com|nl|org|net|be|de|eu|uk|info|io|fr|edu|gov|biz)"
_DOT = r"(?:\s+(?:punt|dot)\s+|\.)"
_SEPARATOR = r"(?:punt|dot|underscore|streepje|dash)"
_NAME = rf"(?!{_SEPARATOR}\b)[a-z0-9]+"
"""A word of a spoken address's name: no separator, so "x dot dot dot ..." reads one way only (when
it could read many, forty words took a second and eighty for ever). A name has at most six separators
("jan punt de vries" has one), so no word of "a dot a dot ..." starts a search to the end of it."""
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}"
    rf"|\b(?P<local>[a-z0-9]+(?P<parts>(?:\s+{_SEPARATOR}\s+{_NAME}(?:\s+{_NAME})?){{0,6}}))"
    rf"\s+(?P<at>{'|'.join(EMAIL_AT_WORDS)})\s+[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*{_DOT}{_TLD}\b",
    re.IGNORECASE,
)
_EMAIL_CUES = word_set(
    "mail email mailen mailadres emailadres address adres send stuur stuurt sturen reach contact"
)
"""Words that announce an e-mail address said a few words later ("my email is", "send it to")."""
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b", re.IGNORECASE)
_POSTCODE = re.compile(
    r"\b[1-9]\d{3}\s?(?P<letters>[A-Z]\s?[A-Z])\b"
    r"(?P<house>,?\s*(?:(?:huis)?nummer|nr\.?|number|no\.?)?\s*\d{1,5}(?:\s?[A-Z]\b|-\d{1,4})?(?![\d:.,]\d))?",
    re.IGNORECASE,
)
_WORDS_NOT_LETTERS = word_set(
    "en is in op om of te ik je we me at to on it as an by or no so up am be do go he if ja na nu zo"
)
"""Two-letter words after a number ("1234 is") are no postcode letters, unless the caller gives an address."""
_POSTCODE_UNITS = word_set("KG KM GB MB KB PM AM CM MM")
"""Units after a number ("1234 KG") are postcode letters only when a house number follows."""
_ADDRESS_CUES = word_set("postcode adres address woon wonen woonachtig live lives deliver bezorgen zip")
_PROTECTED = re.compile(
    # each kind starts with a digit or a currency: looking for one first costs a third of trying each
    r"(?=[\d€$£eu])(?:"
    r"(?<!\d)(?<!\d[-/.])(?P<date>\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(?![-/.]?\d)"
    r"|(?<!\d)(?<!\d[-/.:])(?P<time>\d{1,2}[:.h]\d{2})(?![-/.:]?\d)"
    r"|(?:€|\$|£|\beur\b|\beuro\b|\busd\b)\s?\d[\d.,]*"
    r"|(?<![\d.])\d[\d.]*(?:,\d{1,2})?\s?(?:€|euro|eur|dollars?|pounds?|cents?|ct)\b"
    r"|(?<![\d.,])\d+,\d{2}(?![\d,]))",
    re.IGNORECASE,
)


def written(text: str, *, birth_date_asked: bool = False) -> Iterator[Finding]:
    """Personal data written in one piece; ``birth_date_asked``: every date is a birth date."""
    births = birth_dates(text, asked=birth_date_asked)
    yield from (Finding(Kind.BIRTHDATE, start, end) for start, end in births)
    yield from _emails(text)
    at = 0
    while found := _IBAN.search(text, at):
        stop = _iban_within(text, found.start(), found.end())
        if stop:
            yield Finding(Kind.IBAN, found.start(), stop)
        at = stop or found.start() + 1
    for m in _POSTCODE.finditer(text):
        if _is_postcode(text, m):
            yield Finding(Kind.ADDRESS, m.start(), m.end())


def _emails(text: str) -> Iterator[Finding]:
    at = 0
    while email := _EMAIL.search(text, at):
        address = email["at"] is None or _said_as_address(text, email)
        if address:
            yield Finding(Kind.EMAIL, email.start(), email.end())
        at = email.end() if address else email.start() + 1


def _said_as_address(text: str, m: re.Match[str]) -> bool:
    """A spoken e-mail address, not a web address after "at" in a sentence ("I ordered it at bol.com",
    "the price at example.com"): the '@' is said with a word only e-mail uses, or the part before it
    looks like an address's (dots, digits), or it is said as one: first in the text or a clause, or
    a few words after a word that announces one ("my email is jan at ...", "send it to jan at ...")."""
    if m["at"].lower() != "at" or m["parts"] or any(c.isdigit() for c in m["local"]):
        return True
    before = tail(text, m.start()).rstrip()
    return not before or before[-1] in ",.:;!?" or bool(_EMAIL_CUES & set(last_words(before, 3)))


def _is_postcode(text: str, m: re.Match[str]) -> bool:
    """Four digits and two letters are a postcode unless the letters are a word or a unit alone."""
    letters = m["letters"].replace(" ", "")
    if letters.upper() in ("SA", "SD", "SS") or (letters.upper() in _POSTCODE_UNITS and not m["house"]):
        return False
    if not letters.islower():
        return True
    cue = bool(_ADDRESS_CUES & set(last_words(tail(text, m.start()), 6)))
    return bool(m["house"]) and " " not in m["letters"] and (letters not in _WORDS_NOT_LETTERS or cue)


def _iban_within(text: str, start: int, end: int) -> int | None:
    """The end of the longest IBAN from ``start`` that stops at a word boundary, if any."""
    for stop in range(end, start + 14, -1):
        if (stop == len(text) or not text[stop].isalnum()) and is_iban(text[start:stop]):
            return stop
    return None


def fenced(text: str) -> Iterator[tuple[int, int]]:
    """Dates, times and amounts: their digits never belong to personal data."""
    for m in _PROTECTED.finditer(text):
        if m["date"] and not _plausible_date(m["date"]):
            continue
        if m["time"] and not (int(m["time"][:-3]) < 25 and int(m["time"][-2:]) < 60):
            continue
        yield m.start(), m.end()


def _plausible_date(text: str) -> bool:
    parts = [int(p) for p in re.split(r"[-/.]", text)]
    day, month = (parts[2], parts[1]) if parts[0] > 999 else (parts[0], parts[1])
    return 1 <= month <= 12 and 1 <= day <= 31 or 1 <= day <= 12 and 1 <= month <= 31
