"""Dates of birth: a date said as one, written or as a speech recognizer writes it, in Dutch and English.

A date is personal data only when the caller says it is a birth date: a word next to it makes it one
("mijn geboortedatum is 12 maart 1985", "geboren op 3-4-1990", "ik ben op 12 maart 1985 geboren",
"born on the twelfth of March nineteen eighty five"), and so does a year or a month and year said
with such a word ("ik ben geboren in 1985", "born in March 1985"), and the day said apart from its year
("geboren in 1985 op 12 maart": both go). Every other date stays, so bookings
("op 12 maart om tien uur") keep what the team measures. "birthday" and "verjaardag" announce a
booking as often ("a table for my birthday on 12 March"), so next to them only a full date with a year
before this one counts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .redaction_words import NUMBER_WORDS

__all__ = ["BIRTH_WORDS", "birth_dates", "names_birth_date"]

BIRTH_WORDS = frozenset(
    {"geboren", "geboortedatum", "geboortedag", "born", "birth", "birthdate", "dob", "geb", "verjaardag"}
    | {"birthday", "jarig"}
)
"""Words that can announce a birth date: a text without one holds none (``could_hold_number``)."""

_CUE = re.compile(
    r"\b(?:(?:geboren|geboortedatum|geboortedag|born|birthdate|birth\s+date|date\s+of\s+birth|dob|geb"
    r"|(?P<weak>verjaardag|birthday|jarig))\b|d\.o\.b\b)\.?",
    re.IGNORECASE,
)
_REACH = 120
"""How far from its cue a date is looked for ("born in London on the twenty-first of September
nineteen eighty five" fits): a cue costs the same however long the text is."""
_BETWEEN = 3
"""At most this many words between a cue and its date ("born in London on", "is mijn geboortedatum")."""
_LONGEST = 9
"""No date has more words ("the twenty first of september nineteen eighty five")."""
_CLAUSE_END = re.compile(r"[,;?!]|\.(?:\s|$)")
_CONJUNCTIONS = frozenset({"en", "and", "maar", "but", "or"})
"""A cue's clause ends at these: "ik ben geboren en wil op 12 maart komen" books the 12th of March."""
_TOKEN = re.compile(r"\d{1,4}(?:[-/.]\d{1,4}){2}|[^\W_]+(?:-[^\W_]+)*")

_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            "januari january jan",
            "februari february feb",
            "maart march mrt mar",
            "april apr",
            "mei may",
            "juni june jun",
            "juli july jul",
            "augustus august aug",
            "september sep sept",
            "oktober october okt oct",
            "november nov",
            "december dec",
        ],
        start=1,
    )
    for name in names.split()
}
_ORDINALS = {
    "eerste": 1, "derde": 3, "first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8, "ninth": 9,
    "twelfth": 12, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_ORDINAL_ENDINGS = ("ste", "de", "e", "st", "nd", "rd", "th")
"""Of a number said as a day: "twaalfde", "twintigste", "12e", "sixteenth", "12th", "1st"."""
_BEFORE_DAY = frozenset({"the", "de"})
_OF = frozenset({"of", "van"})
_HUNDRED = frozenset({"hundred", "honderd"})
_AND = frozenset({"and", "en"})
_ZERO = frozenset({"oh", "nul"})
_STARTS = {
    "tweeduizend": 2000, "negentien": 1900, "nineteen": 1900, "achttien": 1800, "eighteen": 1800,
    "twintig": 2000, "twenty": 2000,
}  # fmt: skip
"""The first word of a year said in words, or its start ("negentienvijfentachtig")."""
_THOUSAND = "tweeduizend"


@dataclass(frozen=True, slots=True)
class _Date:
    """A date said in words ``start`` up to ``end``, with its year when one was said."""

    start: int
    end: int
    year: int | None
    dayless: bool = False
    """A year, or a month and year, without a day ("geboren in 1985"): a birth date only next to a
    word that says so ("in 1985 opgericht" stays), never a birthday's ("jarig in 2027")."""


_HINTS = ("geb", "born", "birth", "dob", "d.o.b", "verjaardag", "jarig")
"""What every cue holds: most texts hold none, and looking for these costs less than the expression."""
_BIRTH_SLOT = re.compile(r"birth|geboorte|geboren|born|(?:^|_)(?:dob|geb)(?:_|$)")


def names_birth_date(slot: str) -> bool:
    """A slot's name says it holds a date of birth ("birth_date", "geboortedatum", "dob")."""
    return bool(_BIRTH_SLOT.search(slot.lower()))


def birth_dates(text: str, *, asked: bool = False) -> Iterator[tuple[int, int]]:
    """The spans of the dates in ``text`` said as a date of birth; ``asked``: the text answers a
    question for one ("Wat is uw geboortedatum?"), so every date in it is one, cue or not."""
    if asked:
        yield from _answered(text)
        return
    lowered = text.lower()
    if not any(hint in lowered for hint in _HINTS):
        return
    for cue in _CUE.finditer(text):
        spans = _cued(text, cue.start(), cue.end())
        if not spans:
            continue
        date = spans[0][0]
        year = next((d.year for d, _, _ in spans if d.year is not None), None)
        dayless = len(spans) == 1 and date.dayless
        if cue["weak"] and (year is None or year >= dt.date.today().year or dayless):
            continue
        if dayless and year is not None and year > dt.date.today().year:
            continue
        yield from ((start, end) for _, start, end in spans)


_Span = tuple[_Date, int, int]


def _cued(text: str, start: int, end: int) -> list[_Span]:
    """The date said with the cue at ``text[start:end]``, and the rest of it when the caller said its
    year and its day apart ("geboren in 1985 op 12 maart", "ik ben op 12 maart in 1985 geboren", "ik
    ben in 1985 geboren op 12 maart"): the day is as much part of the date of birth as the year."""
    after = _after(text, end)
    first = after or _before(text, start)
    if first is None:
        return []
    rest = _rest_after(text, first)
    if rest is None and after is not None:
        before = _before(text, start)
        rest = before if before is not None and _completes(first[0], before[0]) else None
    return [first] if rest is None else [first, rest]


_APART = 2
"""At most this many words between a year and the day said apart from it ("1985 op", "1985 on the")."""


def _rest_after(text: str, span: _Span) -> _Span | None:
    """The rest of a date said right after its part ``span``, in the same clause ("in 1985 op 12 maart",
    "on March 12th in 1985")."""
    tokens = list(_TOKEN.finditer(text, span[2], span[2] + _REACH))
    words = [t.group().lower() for t in tokens]
    for k in range(min(len(words), _APART + 1)):
        if k and words[k - 1] in _CONJUNCTIONS:
            return None
        date = _date_at(words, k)
        if date is not None:
            start = tokens[k].start()
            apart = _CLAUSE_END.search(text, span[2], start)
            if apart or not _completes(span[0], date):
                return None
            return date, start, tokens[date.end - 1].end()
    return None


def _completes(part: _Date, other: _Date) -> bool:
    """``other`` is the rest of the date ``part`` is part of: a day and month without a year to a year
    without a day, or a year to a day and month."""
    if part.dayless:
        return not other.dayless and other.year is None
    return part.year is None and other.dayless and other.year is not None


def _answered(text: str) -> Iterator[tuple[int, int]]:
    """Every date in ``text``, a year or month and year on its own too ("twaalf maart negentientachtig",
    "12-03-1980", "1980"), but a year still to come."""
    tokens = list(_TOKEN.finditer(text))
    words = [t.group().lower() for t in tokens]
    k = 0
    while k < len(words):
        date = _date_at(words, k)
        if date is None or (date.dayless and date.year is not None and date.year > dt.date.today().year):
            k += 1
            continue
        yield tokens[k].start(), tokens[date.end - 1].end()
        k = date.end


def _after(text: str, at: int) -> tuple[_Date, int, int] | None:
    """The date said a few words after a cue that ends at ``at`` ("geboren op 12 maart")."""
    tokens = list(_TOKEN.finditer(text, at, at + _REACH))
    words = [t.group().lower() for t in tokens]
    for k in range(min(len(words), _BETWEEN + 1)):
        if k and words[k - 1] in _CONJUNCTIONS:
            return None
        date = _date_at(words, k)
        if date is not None:
            start, end = tokens[k].start(), tokens[date.end - 1].end()
            return (date, start, end) if _joined(text[at:start], words=k) else None
    return None


def _before(text: str, at: int) -> tuple[_Date, int, int] | None:
    """The date said right before a cue that starts at ``at`` ("op 12 maart 1985 geboren", "12-03-1985
    is mijn geboortedatum"), the one that starts first when more end there."""
    tokens = list(_TOKEN.finditer(text, max(0, at - _REACH), at))
    words = [t.group().lower() for t in tokens]
    for k in range(max(0, len(words) - _BETWEEN - _LONGEST), len(words)):
        date = _date_at(words, k)
        if date is None or date.end < len(words) - _BETWEEN:
            continue
        start, end = tokens[k].start(), tokens[date.end - 1].end()
        gap = words[date.end :]
        if not _CONJUNCTIONS & set(gap) and _joined(text[end:at], words=len(gap)):
            return date, start, end
    return None


def _joined(gap: str, *, words: int) -> bool:
    """A cue and a date with ``gap`` (of so many ``words``) between them are said in one clause: a
    comma only stands between them alone ("date of birth: 12-03-1985", "geboren, 12 maart"), as
    "mijn zoon is geboren, kan ik op 12 maart komen" books an appointment."""
    return not _CLAUSE_END.search(gap if words else gap.strip(" ,:-"))


def _date_at(words: list[str], k: int) -> _Date | None:
    """A date from word ``k``: "12-03-1985", "(the) 12(th) (of) March (1985)", "March (the) 12th (1985)"."""
    year = _written_year(words[k])
    if year is not None:
        return _Date(k, k + 1, year)
    day = _day(words, k + (words[k] in _BEFORE_DAY))
    if day is not None:
        month = day + (day < len(words) and words[day] in _OF)
        if month < len(words) and words[month] in _MONTHS:
            return _with_year(words, k, month + 1)
    if words[k] in _MONTHS:
        day = _day(words, k + 1 + (k + 1 < len(words) and words[k + 1] in _BEFORE_DAY))
        if day is not None:
            return _with_year(words, k, day)
    return _dayless(words, k)


def _dayless(words: list[str], k: int) -> _Date | None:
    """A year said from word ``k``, with the month before it if one was said ("(maart) 1985")."""
    year = _year(words, k + (words[k] in _MONTHS))
    return None if year is None else _Date(k, year[1], year[0], dayless=True)


def _written_year(word: str) -> int | None:
    """The year of a date written in figures ("3-4-1990", "12/03/85", "1985-03-12"), if it is one."""
    parts = re.split(r"[-/.]", word)
    if len(parts) != 3:
        return None
    if len(parts[0]) == 4 and len(parts[1]) <= 2 and len(parts[2]) <= 2:
        year, month, day = (int(p) for p in parts)
    elif len(parts[0]) <= 2 and len(parts[1]) <= 2 and len(parts[2]) in (2, 4):
        day, month, year = (int(p) for p in parts)
        day, month = (month, day) if month > 12 else (day, month)
        if len(parts[2]) == 2:
            year += 2000 if year <= dt.date.today().year % 100 else 1900
    else:
        return None
    return year if 1 <= month <= 12 and 1 <= day <= 31 else None


def _with_year(words: list[str], start: int, end: int) -> _Date:
    """The date from ``start`` to ``end``, with the year said after it if any."""
    year = _year(words, end)
    return _Date(start, end, None) if year is None else _Date(start, year[1], year[0])


def _day(words: list[str], k: int) -> int | None:
    """The end of a day of the month said from word ``k`` ("12", "12th", "twaalfde", "twenty first")."""
    if k >= len(words):
        return None
    tens = NUMBER_WORDS.get(words[k])
    if tens in (20, 30) and k + 1 < len(words):
        unit = _day_value(words[k + 1])
        if unit is not None and 0 < unit < 10 and tens + unit <= 31:
            return k + 2
    value = _day_value(words[k])
    return k + 1 if value is not None and 1 <= value <= 31 else None


def _day_value(word: str) -> int | None:
    """The number a day is said as, in figures or words, as an ordinal or not ("twenty-first": 21)."""
    head, _, last = word.rpartition("-")
    if head:
        tens, unit = NUMBER_WORDS.get(head), _day_value(last)
        return tens + unit if tens in (20, 30) and unit is not None and unit < 10 else None
    if word in _ORDINALS:
        return _ORDINALS[word]
    for stem in (word, *(word.removesuffix(e) for e in _ORDINAL_ENDINGS if word.endswith(e))):
        if stem.isdigit() and len(stem) <= 2:
            return int(stem)
        if stem in NUMBER_WORDS:
            return NUMBER_WORDS[stem]
    return None


def _year(words: list[str], k: int) -> tuple[int, int] | None:
    """A year said from word ``k``, and the word after it: "1985", "negentienvijfentachtig",
    "nineteen eighty five", "two thousand and three", "tweeduizend drie"; None for no year."""
    if k >= len(words):
        return None
    word = words[k]
    if word.isdigit():
        return (int(word), k + 1) if len(word) == 4 and 1800 <= int(word) <= 2100 else None
    if word == "two" and k + 1 < len(words) and words[k + 1] == "thousand":
        return _after_century(words, k + 2, 2000, alone=True)
    head = next((h for h in _STARTS if word.startswith(h)), None)
    if head is None:
        return None
    base, rest = _STARTS[head], word.removeprefix(head)
    alone = head == _THOUSAND or rest.startswith("honderd")
    rest = rest.removeprefix("honderd")
    rest = rest[2:] if rest.startswith("en") and rest[2:] in NUMBER_WORDS else rest
    if not rest:
        return _after_century(words, k + 1, base, alone=alone)
    return (base + NUMBER_WORDS[rest], k + 1) if rest in NUMBER_WORDS else None


def _after_century(words: list[str], k: int, base: int, *, alone: bool) -> tuple[int, int] | None:
    """The year of a century said before word ``k`` and the years said from it ("eighty five", "oh
    five", "hundred and five"); ``alone``: the century is a year without them ("two thousand")."""
    if k < len(words) and words[k] in _HUNDRED:
        k, alone = k + 1, True
    if k + 1 < len(words) and words[k] in _AND and words[k + 1] in NUMBER_WORDS:
        k += 1
    value = _two_digits(words, k)
    if value is None:
        return (base, k) if alone else None
    return base + value[0], value[1]


def _two_digits(words: list[str], k: int) -> tuple[int, int] | None:
    """0-99 said from word ``k``, and the word after it ("oh five", "eighty five", "vijfentachtig")."""
    if k >= len(words):
        return None
    following = NUMBER_WORDS.get(words[k + 1]) if k + 1 < len(words) else None
    if words[k] in _ZERO:
        return (following, k + 2) if following is not None and following < 10 else None
    value = NUMBER_WORDS.get(words[k])
    if value is None:
        return None
    if value >= 20 and value % 10 == 0 and following is not None and 0 < following < 10:
        return value + following, k + 2
    return value, k + 1
