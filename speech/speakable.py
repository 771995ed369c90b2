"""Written forms that espeak-ng misreads, rewritten the way people say them.

espeak-ng reads "9:00" as "nine zero zero", "9.00 uur" as "negen nul nul uur", "t/m" as "te slash em"
and "€ 15,10" as "euroteken vijftien komma een nul". Replies are written for people and for the
platforms' own voices, which say these correctly, so only the local synthesizer rewrites them, and
only in the languages below:

    nl  9:00, 9.00 uur -> 9 uur    17.30 -> 17 uur 30    8.30 - 17.00 uur -> 8 uur 30 tot 17 uur
        € 15,10 -> 15 euro 10      € 15,- -> 15 euro     t/m, i.v.m., o.a. -> tot en met, ...
        di t/m za, ma-vr -> dinsdag tot en met zaterdag, maandag tot en met vrijdag
    en  17:00 -> 5 pm              9:00 - 17:30 -> 9 am to 5:30 pm           9.30am -> 9:30 am
        12:00, 0:00 -> noon, midnight                  9:00 (no time after noon in the text) -> 9 o'clock
        9am-5pm -> 9am to 5pm      €15.10 -> 15 euros 10    e.g. -> for example
        Mon-Fri -> Monday to Friday

A time written with a dot ("9.00") is only read as one where the text says it is a time ("uur",
"am", "van ... tot", a range of two): "2.50" is a number. English says a 24-hour time with am or pm, as
an English voice says "17:00" ("5 pm", not "17 o'clock"); a text whose times could all be either
clock's ("open at 9:00") keeps "9 o'clock". Dutch says the 24-hour clock as written ("17 uur"), as
Dutch announcements do. A day's abbreviation ("zo", "wo", "Sun",
"Wed") is only a day next to another day or a time ("za en zo", "Sun 10:00"): on its own it is a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TIME = r"(?:[01]?\d|2[0-3])[.:][0-5]\d"
_ABBREVIATION_DOT = r"(?:\.(?!\s*$|\s+(?-i:[A-ZÀ-Ý])))?"
"""The dot of "Ma." or "Sun.", unless it also ends the sentence."""
_AMPM = rf"\b(1[0-2]|0?\d)(?:[.:]([0-5]\d))?\s*([ap])(?:\.m\b{_ABBREVIATION_DOT}|m\b)"
_SEPARATOR = r"\s*(?:-|–|/|,|&|t/m|tot en met|en|and|to)\s*"
_WHOLE = r"\d{1,3}(?:[.,]\d{3})+|\d+"
_CENTS = r"[.,](\d{2}(?!\d)|-{1,2}|–)"


@dataclass(frozen=True, slots=True)
class _Language:
    """One language's written forms and how they are said."""

    days: dict[str, str]
    abbreviations: dict[str, str]
    time_words: str
    """Words before a time that make "9.00" one ("om", "at")."""
    clock: Callable[[int, int, bool], str]
    """How a time (hour, minute) is said; the flag: the text writes the 24-hour clock (a time after noon,
    or midnight, or a leading zero)."""
    to: str
    """Said between the two times of a range ("tot", "to")."""
    through: str
    """Said between the two days of a range ("tot en met", "to")."""
    also: str
    """Said between two days written with a slash ("en", "and")."""
    money: Callable[[str, str], str]
    """The spoken euros and cents of an amount."""
    hour_word: str = ""
    """Written behind a time and said by ``clock`` ("uur")."""
    twelve_hour: bool = False
    """Whether times are written with am and pm."""


def speakable(text: str, language: str) -> str:
    """``text`` with times, amounts, day names and abbreviations in the form people say them in
    ``language`` (en, nl; others unchanged)."""
    spoken = _LANGUAGES.get(language.lower()[:2])
    if spoken is None:
        return text
    text = _days(text, spoken)
    text = _abbreviations(text, spoken)
    text = _amounts(text, spoken)
    if spoken.twelve_hour:
        text = _twelve_hour(text, spoken)
    return _times(text, spoken)


def _days(text: str, spoken: _Language) -> str:
    """Day abbreviations next to another day or a time, as days; a dash between two days as "through"."""
    names = "|".join(spoken.days)
    day = rf"\b(?:{names})\b\.?"
    beside_day = re.compile(rf"{_SEPARATOR}{day}", re.IGNORECASE)
    after_day = re.compile(rf"{day}{_SEPARATOR}$", re.IGNORECASE)
    beside_time = re.compile(rf"\s*:?\s*(?:{_TIME}|\d{{1,2}}\s*[ap]\.?m\b)", re.IGNORECASE)

    def say(found: re.Match[str]) -> str:
        after, before = text[found.end() :], text[: found.start()]
        if not (beside_day.match(after) or beside_time.match(after) or after_day.search(before)):
            return found[0]
        name = spoken.days[found[1].lower()]
        return name[0].upper() + name[1:] if found[0][0].isupper() else name

    text = re.sub(rf"\b({names})\b{_ABBREVIATION_DOT}", say, text, flags=re.IGNORECASE)
    full = "|".join(dict.fromkeys(spoken.days.values()))
    text = re.sub(rf"\b({full})\s*[-–]\s*({full})\b", rf"\1 {spoken.through} \2", text, flags=re.IGNORECASE)
    return re.sub(rf"\b({full})\s*/\s*({full})\b", rf"\1 {spoken.also} \2", text, flags=re.IGNORECASE)


def _abbreviations(text: str, spoken: _Language) -> str:
    written = "|".join(re.escape(a) for a in sorted(spoken.abbreviations, key=len, reverse=True))

    def say(found: re.Match[str]) -> str:
        said = spoken.abbreviations[found[0].lower()]
        return said[0].upper() + said[1:] if found[0][0].isupper() else said

    return re.sub(rf"(?<![\w/.])(?:{written})(?![\w/])", say, text, flags=re.IGNORECASE)


def _amounts(text: str, spoken: _Language) -> str:
    """Euro amounts ("€ 15,10", "€ 15,-", "€15.10", "15,10 euro") as euros and cents: two digits after
    the mark are cents, three a thousand ("€ 1.250,-")."""

    def say(found: re.Match[str]) -> str:
        cents = found[2] if found[2] and found[2].isdigit() else ""
        return spoken.money(re.sub(r"[.,]", "", found[1]), cents)

    text = re.sub(rf"€\s?({_WHOLE})(?:{_CENTS})?(?![.,]?\d)", say, text)
    return re.sub(rf"\b({_WHOLE}){_CENTS}\s+euros?\b", say, text)


def _twelve_hour(text: str, spoken: _Language) -> str:
    """ "9am - 5.30pm" as "9 am to 5:30 pm"."""
    text = re.sub(rf"({_AMPM})\s*[-–]\s*(?={_AMPM})", rf"\1 {spoken.to} ", text, flags=re.IGNORECASE)
    return re.sub(_AMPM, _said_ampm, text, flags=re.IGNORECASE)


def _said_ampm(found: re.Match[str]) -> str:
    minutes = f":{found[2]}" if found[2] and found[2] != "00" else ""
    return f"{int(found[1])}{minutes} {found[3].lower()}m"


def _times(text: str, spoken: _Language) -> str:
    """Clock times ("9:00", and "9.00" where the text says it is a time), a dash between two as "to"."""
    text = re.sub(rf"\b({_TIME})\s*[-–]\s*(?={_TIME}(?!\d))", rf"\1 {spoken.to} ", text)
    hour = rf"(\s*\b{spoken.hour_word}\b)?" if spoken.hour_word else "()"
    clock = re.compile(rf"(?<![\d.,])\b([01]?\d|2[0-3])([.:])([0-5]\d)\b(?![.,]?\d){hour}")
    named = re.compile(rf"(?:\b(?:{spoken.time_words})|{_TIME}\s*{spoken.to})\s*$", re.IGNORECASE)
    ranged = re.compile(rf"\s*{spoken.to}\s*{_TIME}", re.IGNORECASE)

    def is_time(found: re.Match[str]) -> bool:
        before, after = text[: found.start()], text[found.end() :]
        return bool(found[2] == ":" or found[4] or named.search(before) or ranged.match(after))

    times = [found for found in clock.finditer(text) if is_time(found)]
    day_clock = any(int(found[1]) > 12 or found[1].startswith("0") for found in times)
    said = {found.start(): spoken.clock(int(found[1]), int(found[3]), day_clock) for found in times}
    return clock.sub(lambda found: said.get(found.start(), found[0]), text)


def _english_clock(hour: int, minute: int, day_clock: bool) -> str:
    """A time as an English voice says it: with am or pm when the text writes the 24-hour clock ("17:00"
    is "5 pm", "12:00" "noon"), else "9 o'clock" (the text does not say whether morning or evening)."""
    if not day_clock:
        return f"{hour} o'clock" if minute == 0 else f"{hour}:{minute:02d}"
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    said = f"{hour % 12 or 12}" + (f":{minute:02d}" if minute else "")
    return f"{said} {'am' if hour < 12 else 'pm'}"


def _dutch_money(euros: str, cents: str) -> str:
    if euros == "0" and cents.isdigit():
        return f"{int(cents)} cent"
    return f"{euros} euro" + (f" {int(cents)}" if cents.isdigit() and int(cents) else "")


def _english_money(euros: str, cents: str) -> str:
    unit = "euro" if euros == "1" else "euros"
    if euros == "0" and cents:
        return f"{int(cents)} cents"
    return f"{euros} {unit}" + (f" {int(cents)}" if cents and int(cents) else "")


_LANGUAGES = {
    "nl": _Language(
        days={
            "ma": "maandag",
            "di": "dinsdag",
            "wo": "woensdag",
            "do": "donderdag",
            "vr": "vrijdag",
            "za": "zaterdag",
            "zo": "zondag",
        },
        abbreviations={
            "t/m": "tot en met",
            "i.v.m.": "in verband met",
            "o.a.": "onder andere",
            "m.b.t.": "met betrekking tot",
            "d.w.z.": "dat wil zeggen",
            "z.s.m.": "zo snel mogelijk",
            "m.u.v.": "met uitzondering van",
            "a.u.b.": "alstublieft",
            "bijv.": "bijvoorbeeld",
            "ca.": "circa",
            "max.": "maximaal",
            "incl.": "inclusief",
            "excl.": "exclusief",
            "nr.": "nummer",
            "tel.": "telefoon",
            "e.d.": "en dergelijke",
        },
        time_words="om|van|vanaf|tot|voor|vóór|na|tussen|en|tot en met",
        clock=lambda hour, minute, _day_clock: f"{hour} uur" + (f" {minute}" if minute else ""),
        to="tot",
        through="tot en met",
        also="en",
        money=_dutch_money,
        hour_word="uur",
    ),
    "en": _Language(
        days={
            "mon": "Monday",
            "tue": "Tuesday",
            "tues": "Tuesday",
            "wed": "Wednesday",
            "thu": "Thursday",
            "thur": "Thursday",
            "thurs": "Thursday",
            "fri": "Friday",
            "sat": "Saturday",
            "sun": "Sunday",
        },
        abbreviations={
            "e.g.": "for example",
            "i.e.": "that is",
            "approx.": "approximately",
            "incl.": "including",
            "excl.": "excluding",
            "max.": "maximum",
            "tel.": "telephone",
        },
        time_words="at|from|until|till|between|and|before|after|opens|closes",
        clock=_english_clock,
        to="to",
        through="to",
        also="and",
        money=_english_money,
        twelve_hour=True,
    ),
}
