"""A run of number groups said together, and the stretches of it that are personal data: the
longest from a group on, or the fewest that hold it from a group to its end (``Splits``)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from .redaction_checks import classify
from .redaction_kinds import Finding, Kind
from .redaction_words import Group

__all__ = ["Run", "Splits", "apart", "digits", "found_at", "start_of"]

_LONGEST_DIGITS = 19
"""No number of digits alone is longer (a card has at most 19): in a run without letters no longer
stretch is tried (half the cost of a long run of number words)."""
_LONGEST = 35
"""No kind of personal data has more characters of a number (an IBAN has at most 34), so no stretch
of a run is tried that is longer: the scan costs the same per group however long a run of number
words is (it once tried every stretch of the run, and 400 times "one" took seconds)."""


@dataclass(frozen=True, slots=True)
class Run:
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
    def of(cls, text: str, groups: list[Group]) -> Run:
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


def apart(run: Run, k: int) -> bool:
    """The words give a boundary before group ``k``: a comma, or figures on either side (a number
    written in figures is one of its own; digits said one by one give none)."""
    return run.comma[k] == k or run.groups[k - 1].figures or run.groups[k].figures


def digits(chars: str) -> int:
    return sum(c.isdigit() for c in chars)


@dataclass(frozen=True, slots=True)
class Splits:
    """The fewest stretches of personal data that hold a run's groups from each group on to its end.
    From the last group back: ``count[i]`` numbers hold the groups from ``i`` on, the first of them
    ``step[i]`` (its kind, and the group after it), known for every later group when ``i`` is reached."""

    run: Run
    count: list[int]
    step: list[tuple[Kind | None, int]]

    @classmethod
    def of(cls, run: Run, before: str) -> Splits:
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
                split.append(Finding(kind, start_of(text, self.run.groups[i]), self.run.groups[j - 1].end))
            i = j
        return split


def found_at(text: str, run: Run, i: int, before: str) -> tuple[Finding, int] | None:
    """The personal data a stretch from group ``i`` is, and the group after it; None when none is."""
    for j in run.ends(i):
        kind = _kind_of(run, i, j, before)
        if kind:
            return Finding(kind, start_of(text, run.groups[i]), run.groups[j - 1].end), j
    return None


def _kind_of(run: Run, i: int, j: int, before: str) -> Kind | None:
    """The kind of personal data groups ``i`` to ``j`` are, if any."""
    chars = run.stretch(i, j)
    if "+" in chars[1:] or not run.groups[j - 1].chars:
        return None
    # a BSN's check passes for one number in eleven: only a number said on its own counts
    return classify(chars, before if run.alone(i, j) else None)


def start_of(text: str, group: Group) -> int:
    """Where a number starting with ``group`` starts: at its opening bracket, if any ("(010) ...")."""
    return group.start - (group.start > 0 and text[group.start - 1] == "(")
