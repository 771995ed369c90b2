"""Where personal data sits in a text: e-mail addresses, phone numbers, IBANs, BSNs, card numbers,
postcodes with house numbers and dates of birth, written or as a speech recognizer writes them.

Pure functions over one string; ``voice.redaction`` replaces what they find. Numbers count only
when their check passes (IBAN mod-97, BSN 11-proef, card Luhn) or when their form is a phone
number's; dates, times and amounts are fenced off first so their digits never join a number.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from .redaction_dates import BIRTH_WORDS, birth_dates
from .redaction_words import EMAIL_AT_WORDS, MIN_DIGITS, Group, could_hold_number, number_groups

__all__ = ["CHOSEN_KINDS", "Finding", "Kind", "find_personal_data", "is_bsn", "is_iban", "luhn"]


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


# --- check digits -------------------------------------------------------------------------------

_IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "GB": 22, "FR": 27, "ES": 24, "IT": 27, "LU": 20, "AT": 20,
    "CH": 21, "IE": 22, "PL": 28, "PT": 25, "DK": 18, "SE": 24, "NO": 15, "FI": 18,
}  # fmt: skip


def is_iban(text: str) -> bool:
    """An IBAN (spaces allowed) whose length fits its country and whose mod-97 check passes."""
    code = text.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", code):
        return False
    if _IBAN_LENGTHS.get(code[:2], len(code)) != len(code):
        return False
    return int("".join(str(int(c, 36)) for c in code[4:] + code[:4])) % 97 == 1


def is_bsn(digits: str) -> bool:
    """Nine digits that pass the 11-proef (weights 9..2, and -1 for the last digit)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits, (9, 8, 7, 6, 5, 4, 3, 2, -1), strict=True))
    return total % 11 == 0


_DOUBLED = str.maketrans("0123456789", "0246813579")
"""Each digit doubled, less 9 when over 9: the Luhn check's every second digit, by table."""


def luhn(digits: str) -> bool:
    """The Luhn check of card numbers (by table: it is the cost of a long run of number words)."""
    kept, doubled = digits[::-1][::2], digits[::-1][1::2].translate(_DOUBLED)
    return (sum(map(int, kept)) + sum(map(int, doubled))) % 10 == 0


def _words(text: str) -> list[str]:
    return text.split()


# --- written forms -------------------------------------------------------------------------------

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
_EMAIL_CUES = frozenset(
    _words("mail email mailen mailadres emailadres address adres send stuur stuurt sturen reach contact")
)
"""Words that announce an e-mail address said a few words later ("my email is", "send it to")."""
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b", re.IGNORECASE)
_POSTCODE = re.compile(
    r"\b[1-9]\d{3}\s?(?P<letters>[A-Z]\s?[A-Z])\b"
    r"(?P<house>,?\s*(?:(?:huis)?nummer|nr\.?|number|no\.?)?\s*\d{1,5}(?:\s?[A-Z]\b|-\d{1,4})?(?![\d:.,]\d))?",
    re.IGNORECASE,
)
_WORDS_NOT_LETTERS = frozenset(
    _words("en is in op om of te ik je we me at to on it as an by or no so up am be do go he if ja na nu zo")
)
"""Two-letter words after a number ("1234 is") are no postcode letters, unless the caller gives an address."""
_POSTCODE_UNITS = frozenset(_words("KG KM GB MB KB PM AM CM MM"))
"""Units after a number ("1234 KG") are postcode letters only when a house number follows."""
_ADDRESS_CUES = frozenset(
    _words("postcode adres address woon wonen woonachtig live lives deliver bezorgen zip")
)
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


def _written(text: str) -> Iterator[Finding]:
    yield from (Finding(Kind.BIRTHDATE, start, end) for start, end in birth_dates(text))
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
    before = _tail(text, m.start()).rstrip()
    return not before or before[-1] in ",.:;!?" or bool(_EMAIL_CUES & set(_last_words(before, 3)))


_TAIL = 120
"""How far back the words that give a number or an address its meaning are looked for (six words fit)."""


def _tail(text: str, at: int) -> str:
    """The text before ``at``, as far back as a few words reach, less a word cut in two: reading all
    of it for every number made a text packed with numbers cost the square of its length."""
    start = max(0, at - _TAIL)
    tail = text[start:at]
    return re.sub(r"^\w+", "", tail) if start and re.match(r"\w", text[start - 1]) else tail


def _last_words(text: str, n: int) -> list[str]:
    return re.findall(r"\w+", text.lower())[-n:]


def _is_postcode(text: str, m: re.Match[str]) -> bool:
    """Four digits and two letters are a postcode unless the letters are a word or a unit alone."""
    letters = m["letters"].replace(" ", "")
    if letters.upper() in ("SA", "SD", "SS") or (letters.upper() in _POSTCODE_UNITS and not m["house"]):
        return False
    if not letters.islower():
        return True
    cue = bool(_ADDRESS_CUES & set(_last_words(_tail(text, m.start()), 6)))
    return bool(m["house"]) and " " not in m["letters"] and (letters not in _WORDS_NOT_LETTERS or cue)


def _iban_within(text: str, start: int, end: int) -> int | None:
    """The end of the longest IBAN from ``start`` that stops at a word boundary, if any."""
    for stop in range(end, start + 14, -1):
        if (stop == len(text) or not text[stop].isalnum()) and is_iban(text[start:stop]):
            return stop
    return None


def _fenced(text: str) -> Iterator[tuple[int, int]]:
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


# --- numbers, written and spoken ---------------------------------------------------------------

_LITERAL_GAP = re.compile(r"[\s\-./()]*,?\s*")
_SPOKEN_GAP = re.compile(r"[\s,\-]*")
_BSN_WORDS = frozenset(_words("bsn burgerservicenummer sofinummer sofi citizen social"))
_ORDER_WORDS = frozenset(
    _words(
        "bestelling bestelnummer ordernummer order ordernumber zending factuur factuurnummer invoice "
        "tracking pakket referentie reference referentienummer"
    )
)


def _classify(chars: str, before: str | None) -> Kind | None:
    """The kind of personal data a run of digits (and letters) is, if any; a spoken "o" may be a zero.

    ``before``: the text before the number, when it was said on its own (a BSN only then).
    """
    kind = _classify_as_said(chars, before)
    if kind is None and "O" in chars:
        return _classify_as_said(chars.replace("O", "0"), before)
    return kind


def _classify_as_said(chars: str, before: str | None) -> Kind | None:
    if chars.startswith("+"):
        digits = chars[1:]
        return Kind.PHONE if digits.isdigit() and 8 <= len(digits) <= 15 and digits[0] != "0" else None
    if not chars.isdigit():
        if is_iban(chars):
            return Kind.IBAN
        postcode = re.fullmatch(r"[1-9]\d{3}([A-Z]{2})\d{0,5}[A-Z]?", chars)
        return Kind.ADDRESS if postcode and postcode[1] not in ("SA", "SD", "SS") else None
    n = len(chars)
    if n == 9 and before is not None and not _said_order(before):
        if is_bsn(chars):
            return Kind.BSN
        if chars[0] == "0" and chars[1] != "0":
            return Kind.PHONE  # a number a digit short ("06 1234 567"), said on its own, not an order's
    if (chars.startswith("00") and 10 <= n <= 17 and chars[2] != "0") or (
        chars[0] == "0" and chars[1:2] != "0" and n in (10, 11)
    ):
        return Kind.PHONE
    return Kind.CARD if 13 <= n <= 19 and luhn(chars) else None


def _said_order(before: str) -> bool:
    """The caller just named an order ("bestelling 123456782"), not a BSN, in the last three words."""
    for word in reversed(_last_words(before, 3)):
        if word in _BSN_WORDS:
            return False
        if word in _ORDER_WORDS:
            return True
    return False


_LONGEST_DIGITS = 19
"""No number of digits alone is longer (a card has at most 19): in a run without letters no longer
stretch is tried (half the cost of a long run of number words)."""
_LONGEST = 35
"""No kind of personal data has more characters of a number (an IBAN has at most 34), so no stretch
of a run is tried that is longer: the scan costs the same per group however long a run of number
words is (it once tried every stretch of the run, and 400 times "one" took seconds)."""


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of groups with what every stretch of it needs, counted once: the stretch's characters are
    a slice of ``chars``; ``digits[k]`` groups before group ``k`` start with a digit; ``comma[k]``
    is the first group at or after ``k`` that a comma separates from the group before it,
    ``part[k]`` the first group of the part between commas that holds group ``k``, and ``lettered``
    whether a letter was said (only an IBAN or a postcode holds one)."""

    groups: list[Group]
    chars: str
    offsets: list[int]
    digits: list[int]
    comma: list[int]
    part: list[int]
    lettered: bool

    @classmethod
    def of(cls, text: str, groups: list[Group]) -> _Run:
        offsets, digits = [0], [0]
        for group in groups:
            offsets.append(offsets[-1] + len(group.chars))
            digits.append(digits[-1] + group.chars[:1].isdigit())
        comma = [len(groups)] * (len(groups) + 1)
        for k in range(len(groups) - 1, 0, -1):
            comma[k] = k if "," in text[groups[k - 1].end : groups[k].start] else comma[k + 1]
        part = [0] * len(groups)
        for k in range(1, len(groups)):
            part[k] = k if comma[k] == k else part[k - 1]
        chars = "".join(g.chars for g in groups)
        lettered = any(c.isalpha() for c in chars)
        return cls(groups, chars, offsets, digits, comma, part, lettered)

    def stretch(self, i: int, j: int) -> str:
        return self.chars[self.offsets[i] : self.offsets[j]]

    def ends(self, i: int) -> Iterator[int]:
        """The ends of the stretches from group ``i`` worth classifying, longest first, but those that
        stop at the next comma before those that go on past it: a comma ends a number ("06 24 91 60 69,
        06 70 60 50 81" is two), unless the part before it is no number on its own ("nul zes, twaalf")."""
        longest = _LONGEST if self.lettered else _LONGEST_DIGITS
        last = bisect_right(self.offsets, self.offsets[i] + longest) - 1
        comma = min(self.comma[i + 1], last)
        yield from range(comma, i, -1)
        yield from range(last, comma, -1)

    def alone(self, i: int, j: int) -> bool:
        """Groups ``i`` to ``j`` hold every digit said in their part of the run (between commas: "mijn
        bsn is 111222333, 06 ..." says the BSN on its own), but for a leading "een" (an article, as
        often)."""
        start = self.part[i]
        after = self.digits[self.comma[j]] - self.digits[j]
        before = self.digits[i] - self.digits[start]
        if after or not before:
            return not after
        first = self.groups[start].chars
        return before == 1 and len(first) == 1 and first.isdigit()


def _scan_runs(text: str, runs: Iterator[list[Group]]) -> Iterator[Finding]:
    """Per run of groups, the longest stretches (leftmost first) that classify as personal data; a run
    they leave digits of is split into numbers, or else redacted whole: the digits left over are most
    likely the rest of a number found in part ("06 24 91 60 69 06 70 60 50 8" is no card and "60 50 8"),
    and a digit stored of a phone number is one a caller did not want stored. A run right after an
    order is read first as an order number and what follows it (``_after_order_number``)."""
    for groups in runs:
        if sum(len(g.chars) for g in groups) < MIN_DIGITS:  # most runs: one word, "een" or "a"
            continue
        run = _Run.of(text, groups)
        before = _tail(text, groups[0].start)
        after_order = _after_order_number(text, run, before) if _said_order(before) else None
        yield from _read_run(text, run, before) if after_order is None else after_order


_COUNTED = re.compile(r"\s*(?:o'clock\b|[ap]\.m\.|(?P<word>[^\W\d_]+))", re.IGNORECASE)
_UNITS = frozenset(
    _words(
        "uur uurtje uren hour hours oclock pm am keer maal times minuut minuten minute minutes min "
        "seconden seconds dag dagen day days week weken weeks maand maanden month months jaar year years "
        "stuks stuk pieces items pakket pakketten package packages parcel parcels euro euros cent cents "
        "dollar dollars pond pounds"
    )
)
"""Words that make the number before them a time, a count or an amount ("3 uur", "12 keer", "drie pm")."""


def _read_run(text: str, run: _Run, before: str) -> list[Finding]:
    """The personal data of a run. A short number at its end is no part of it when a word after it
    makes it a time, count or amount ("0612345678 3 uur", "... acht drie keer"), like the times and
    amounts fenced off before; nor when it is said apart (in figures, or after a comma), the run holds
    no personal data with it, and without it the run ends in a number said on its own ("mijn bsn is
    111222333 12": a BSN counts only said on its own). Without a word after it a short number next to
    personal data goes with it ("bel 0612345678 12" is ``[number]``): it may be the rest of a number."""
    short_end = _short_end(run)
    if short_end and _counted(text, run.groups[-1].end):
        return _read(text, _Run.of(text, run.groups[:-1]), before)[0]
    found = _read(text, run, before)[0]
    if found or not short_end or not _on_its_own_before_end(run):
        return found
    without, whole = _read(text, _Run.of(text, run.groups[:-1]), before)
    return without if whole else found


def _short_end(run: _Run) -> bool:
    """The run ends in a number of one or two digits that starts no phone number (not a "0")."""
    last = run.groups[-1].chars
    return len(run.groups) > 1 and last.isdigit() and len(last) <= 2 and last[0] != "0"


_ON_ITS_OWN = 10
"""The most digits of a number that counts only said on its own: a BSN or a phone number a digit short
has nine, and "een" before it may be an article."""


def _on_its_own_before_end(run: _Run) -> bool:
    """The last group is said apart from the part of the run before it, and that part is short enough
    to be a number that counts only said on its own (reading it again costs nothing on long runs)."""
    end = len(run.groups) - 1
    return _apart(run, end) and _digits(run.stretch(run.part[end - 1], end)) <= _ON_ITS_OWN


def _counted(text: str, at: int) -> bool:
    """A word right after ``at`` makes the number before it a time, count or amount."""
    after = _COUNTED.match(text, at)
    return after is not None and (not after["word"] or after["word"].lower() in _UNITS)


def _read(text: str, run: _Run, before: str) -> tuple[list[Finding], bool]:
    """The personal data of a run, and whether it holds every digit of it: the longest stretches, or
    else the fewest numbers that hold all of it, or else the whole run as one generic number."""
    found = list(_longest_first(text, run, before))
    if not found:
        return [], False
    if _covers(run, [(i, j) for _, i, j in found]):
        return [f for f, _, _ in found], True
    return _split_or_whole(text, run, before)


def _apart(run: _Run, k: int) -> bool:
    """The words give a boundary before group ``k``: a comma, or figures on either side (a number
    written in figures is one of its own; digits said one by one give none)."""
    return run.comma[k] == k or run.groups[k - 1].figures or run.groups[k].figures


def _after_order_number(text: str, run: _Run, before: str) -> list[Finding] | None:
    """The personal data said after an order number in one breath ("ordernummer 12345678 0612345678"),
    the order number kept; None when the run holds no such boundary, and it is read like any other.

    The order number ends where the words give a boundary (``_apart``): next to written numbers, or at a
    comma between spoken ones (digits said one by one give none: "order one two ... oh six ..." is redacted
    whole, as it cannot be told which digits are the order's). The rest must be personal data to its
    end; a rest that starts with a phone number or IBAN is taken before one that is only a card or BSN
    (their check passes by chance for one run in ten), and a shorter order number before a longer
    one, so when unsure more is redacted; but where figures turn into words or words into figures, the
    clearest boundary, comes first ("order 8769 006066 nul zes ..."). An order number that is itself a
    phone number, card or IBAN ("order 0612345678 ...") is no boundary either: it is redacted, as a
    caller may call anything an order.
    """
    said = [k for k, group in enumerate(run.groups) if group.chars]
    ends = [k for k in said[1:] if _apart(run, k)]
    if not ends:
        return None
    splits = _Splits.of(run, before)
    kept = [k for k in ends if splits.first_kind(k) and not _classify(run.stretch(said[0], k), None)]
    strong = [k for k in kept if splits.first_kind(k) in (Kind.PHONE, Kind.IBAN)]
    chosen = strong or kept
    turns = [k for k in chosen if run.groups[k - 1].figures != run.groups[k].figures]
    return splits.findings(text, (turns or chosen)[0]) if chosen else None


def _longest_first(text: str, run: _Run, before: str) -> Iterator[tuple[Finding, int, int]]:
    """The longest stretches (leftmost first) that are personal data, with their first and end group."""
    i = 0
    while i < len(run.groups):
        # "nummer" joins a house number to its postcode, but starts nothing
        found = _found_at(text, run, i, before) if run.groups[i].chars else None
        if found is None:
            i += 1
            continue
        yield found[0], i, found[1]
        i = found[1]


def _covers(run: _Run, spans: list[tuple[int, int]]) -> bool:
    """Stretches ``spans`` (first and end group) hold every digit of the run, but for a leading "een"
    (an article, as often); a letter left over is a word ("..., I ordered"), no part of a number."""
    left = _digits(run.chars) - sum(_digits(run.stretch(i, j)) for i, j in spans)
    return left == 0 or left == 1 == run.offsets[spans[0][0]] and run.chars[0].isdigit()


def _digits(chars: str) -> int:
    return sum(c.isdigit() for c in chars)


def _split_or_whole(text: str, run: _Run, before: str) -> tuple[list[Finding], bool]:
    """A run whose longest stretches leave digits behind ("06 24 91 60 69 06 70 60 50 81" read as a
    card and "60 50 81"): the fewest numbers that hold all of it, or else the whole run as one
    generic number, so no digit of a partial match is stored; and whether the numbers hold it all."""
    splits = _Splits.of(run, before)
    for start in (0, 1) if len(run.groups[0].chars) == 1 else (0,):
        split = splits.findings(text, start)
        if split is not None:
            return split, True
    said = [group for group in run.groups if group.chars]
    return [Finding(Kind.NUMBER, _start(text, said[0]), said[-1].end)], False


@dataclass(frozen=True, slots=True)
class _Splits:
    """The fewest stretches of personal data that hold a run's groups from each group on to its end.
    From the last group back: ``count[i]`` numbers hold the groups from ``i`` on, the first of them
    ``step[i]`` (its kind, and the group after it), known for every later group when ``i`` is reached."""

    run: _Run
    count: list[int]
    step: list[tuple[Kind | None, int]]

    @classmethod
    def of(cls, run: _Run, before: str) -> _Splits:
        n = len(run.groups)
        count = [n + 1] * n + [0]  # more numbers than a run has groups: no split
        step: list[tuple[Kind | None, int]] = [(None, k + 1) for k in range(n)]
        for i in range(n - 1, -1, -1):
            if not run.groups[i].chars:  # "nummer" holds no digit: nothing is left of it when skipped
                count[i] = count[i + 1]
                continue
            for j in run.ends(i):
                if count[j] + 1 < count[i] and (kind := _kind_of(run, i, j, before)):
                    count[i], step[i] = count[j] + 1, (kind, j)
        return cls(run, count, step)

    def first_kind(self, start: int) -> Kind | None:
        """The kind of the first number of the split from group ``start``; None when there is none."""
        return self.step[start][0] if self.count[start] <= len(self.run.groups) else None

    def findings(self, text: str, start: int) -> list[Finding] | None:
        """The split of the groups from ``start`` on, if they split into personal data."""
        if self.count[start] > len(self.run.groups):
            return None
        split, i = [], start
        while i < len(self.run.groups):
            kind, j = self.step[i]
            if kind:
                split.append(Finding(kind, _start(text, self.run.groups[i]), self.run.groups[j - 1].end))
            i = j
        return split


def _found_at(text: str, run: _Run, i: int, before: str) -> tuple[Finding, int] | None:
    """The personal data a stretch from group ``i`` is, and the group after it; None when none is."""
    for j in run.ends(i):
        kind = _kind_of(run, i, j, before)
        if kind:
            return Finding(kind, _start(text, run.groups[i]), run.groups[j - 1].end), j
    return None


def _kind_of(run: _Run, i: int, j: int, before: str) -> Kind | None:
    """The kind of personal data groups ``i`` to ``j`` are, if any."""
    chars = run.stretch(i, j)
    if "+" in chars[1:] or not run.groups[j - 1].chars:
        return None
    # a BSN's check passes for one number in eleven: only a number said on its own counts
    return _classify(chars, before if run.alone(i, j) else None)


def _start(text: str, group: Group) -> int:
    """Where a number starting with ``group`` starts: at its opening bracket, if any ("(010) ...")."""
    return group.start - (group.start > 0 and text[group.start - 1] == "(")


def _runs(groups: Iterator[Group | None], joined: Callable[[Group, Group], bool]) -> Iterator[list[Group]]:
    """Groups split into runs: neighbours ``joined`` (only separators between them); ``None`` ends a run."""
    run: list[Group] = []
    for group in groups:
        if group is None or (run and not joined(run[-1], group)):
            if len(run) > 0:
                yield run
            run = [] if group is None else [group]
        else:
            run.append(group)
    if run:
        yield run


@dataclass(slots=True)
class _Taken:
    """The parts of a text found already or fenced off, merged and in order: whether a span is free
    costs a binary search. (A list read whole for every piece made a text packed with personal data
    cost the square of its findings: 1,500 BSNs in 25 KB took 1.2 s.)"""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        k = bisect_right(self.ends, start)
        return k == len(self.starts) or self.starts[k] >= end

    def add(self, start: int, end: int) -> None:
        lo, hi = bisect_left(self.ends, start), bisect_right(self.starts, end)
        if lo < hi:
            start, end = min(start, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi], self.ends[lo:hi] = [start], [end]


def _said_together(text: str, a: Group, b: Group) -> bool:
    """Neighbouring groups of one number said or written as a recognizer writes it ("nul zes 1234
    5678"): joined by spaces, commas or dashes, figures also by what joins written ones. A spelled
    letter joins no figures: a postcode or IBAN in figures is found written whole."""
    if a.figures and b.figures:
        return bool(_LITERAL_GAP.fullmatch(text, a.end, b.start))
    if a.figures != b.figures and (a.chars.isalpha() or b.chars.isalpha()):
        return False
    return bool(_SPOKEN_GAP.fullmatch(text, a.end, b.start))


def find_personal_data(text: str, kinds: frozenset[Kind] | None = None) -> list[Finding]:
    """Personal data of ``kinds`` (all when None) in ``text``, in order, never overlapping."""
    if not could_hold_number(text, BIRTH_WORDS):
        return []
    found: list[Finding] = []
    taken = _Taken()
    for finding in _written(text):
        if taken.free(finding.start, finding.end):
            found.append(finding)
            taken.add(finding.start, finding.end)
    for start, end in _fenced(text):
        taken.add(start, end)
    runs = _runs(number_groups(text, taken.free), lambda a, b: _said_together(text, a, b))
    for finding in _scan_runs(text, runs):
        if taken.free(finding.start, finding.end):
            found.append(finding)
            taken.add(finding.start, finding.end)
    wanted = [f for f in found if kinds is None or _wanted(f.kind, kinds)]
    return sorted(wanted, key=lambda f: f.start)


def _wanted(kind: Kind, kinds: frozenset[Kind]) -> bool:
    return bool(kinds & _NUMBER_KINDS) if kind is Kind.NUMBER else kind in kinds
