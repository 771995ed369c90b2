"""Where personal data sits in a text: e-mail addresses, phone numbers, IBANs, BSNs, card numbers,
postcodes with house numbers and dates of birth, written or as a speech recognizer writes them.

Pure functions over one string; ``voice.redaction`` replaces what they find. Numbers count only
when their check passes (IBAN mod-97, BSN 11-proef, card Luhn) or when their form is a phone
number's; dates, times and amounts are fenced off first so their digits never join a number.

This module puts the pieces together; each kind of rule has its own module:
``redaction_written`` (e-mail, IBAN, postcode, birth dates, and what is fenced off),
``redaction_dates`` (dates said as a date of birth), ``redaction_words`` (numbers as a recognizer
writes them, in groups), ``redaction_numbers`` (runs of groups read as numbers), ``redaction_runs``
(the stretches of a run), ``redaction_checks`` (check digits and the forms of numbers) and
``redaction_kinds`` (the kinds, a finding, and the words before it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .redaction_checks import is_bsn, is_iban, luhn
from .redaction_dates import BIRTH_WORDS
from .redaction_kinds import CHOSEN_KINDS, Finding, Kind
from .redaction_numbers import number_runs, scan_runs
from .redaction_words import could_hold_number, number_groups
from .redaction_written import fenced, written

__all__ = ["CHOSEN_KINDS", "Finding", "Kind", "find_personal_data", "is_bsn", "is_iban", "luhn"]

_NUMBER_KINDS = frozenset(CHOSEN_KINDS) - {Kind.EMAIL, Kind.BIRTHDATE}


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


def find_personal_data(
    text: str, kinds: frozenset[Kind] | None = None, *, birth_date_asked: bool = False
) -> list[Finding]:
    """Personal data of ``kinds`` (all when None) in ``text``, in order, never overlapping.

    ``birth_date_asked``: the text answers a question for a date of birth, so every date in it is one
    ("twaalf maart negentientachtig" said to "Wat is uw geboortedatum?").
    """
    if not birth_date_asked and not could_hold_number(text, BIRTH_WORDS):
        return []
    found: list[Finding] = []
    taken = _Taken()
    for finding in written(text, birth_date_asked=birth_date_asked):
        if taken.free(finding.start, finding.end):
            found.append(finding)
            taken.add(finding.start, finding.end)
    for start, end in fenced(text):
        taken.add(start, end)
    runs = number_runs(text, number_groups(text, taken.free))
    for finding in scan_runs(text, runs):
        if taken.free(finding.start, finding.end):
            found.append(finding)
            taken.add(finding.start, finding.end)
    wanted = [f for f in found if kinds is None or _wanted(f.kind, kinds)]
    return sorted(wanted, key=lambda f: f.start)


def _wanted(kind: Kind, kinds: frozenset[Kind]) -> bool:
    return bool(kinds & _NUMBER_KINDS) if kind is Kind.NUMBER else kind in kinds
