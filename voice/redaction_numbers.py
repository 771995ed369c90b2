"""Numbers, written and spoken: the text's number groups joined into runs, and the personal data of
each run, read as a whole, split into numbers, after an order number, or redacted whole (``[number]``)
so no digit of a number found in part is stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .redaction_checks import classify, said_order
from .redaction_kinds import Finding, Kind, tail, word_set
from .redaction_runs import Run, Splits, apart, digits, found_at, start_of
from .redaction_words import MIN_DIGITS, Group

__all__ = ["number_runs", "scan_runs"]

_LITERAL_GAP = re.compile(r"[\s\-./()]*,?\s*")
_SPOKEN_GAP = re.compile(r"[\s,\-]*")


def scan_runs(text: str, runs: Iterator[list[Group]]) -> Iterator[Finding]:
    """Per run of groups, the longest stretches (leftmost first) that classify as personal data; a run
    they leave digits of is split into numbers, or else redacted whole: the digits left over are most
    likely the rest of a number found in part ("06 24 91 60 69 06 70 60 50 8" is no card and "60 50 8"),
    and a digit stored of a phone number is one a caller did not want stored. A run right after an
    order is read first as an order number and what follows it (``_after_order_number``)."""
    for groups in runs:
        if sum(len(g.chars) for g in groups) < MIN_DIGITS:  # most runs: one word, "een" or "a"
            continue
        run = Run.of(text, groups)
        before = tail(text, groups[0].start)
        after_order = _after_order_number(text, run, before) if said_order(before) else None
        yield from _read_run(text, run, before) if after_order is None else after_order


_COUNTED = re.compile(r"\s*(?:o'clock\b|[ap]\.m\.|(?P<word>[^\W\d_]+))", re.IGNORECASE)
_UNITS = word_set(
    "uur uurtje uren hour hours oclock pm am keer maal times minuut minuten minute minutes min "
    "seconden seconds dag dagen day days week weken weeks maand maanden month months jaar year years "
    "stuks stuk pieces items pakket pakketten package packages parcel parcels euro euros cent cents "
    "dollar dollars pond pounds"
)
"""Words that make the number before them a time, a count or an amount ("3 uur", "12 keer", "drie pm")."""


def _read_run(text: str, run: Run, before: str) -> list[Finding]:
    """The personal data of a run. A short number at its end is no part of it when a word after it
    makes it a time, count or amount ("0612345678 3 uur", "... acht drie keer"), like the times and
    amounts fenced off before; nor when it is said apart (in figures, or after a comma), the run holds
    no personal data with it, and without it the run ends in a number said on its own ("mijn bsn is
    111222333 12": a BSN counts only said on its own). Without a word after it a short number next to
    personal data goes with it ("bel 020 1234567 12" is ``[number]``): it may be the rest of a number."""
    short_end = _short_end(run)
    if short_end and _counted(text, run.groups[-1].end):
        return _read(text, Run.of(text, run.groups[:-1]), before)[0]
    found = _read(text, run, before)[0]
    if found or not short_end or not _on_its_own_before_end(run):
        return found
    without, whole = _read(text, Run.of(text, run.groups[:-1]), before)
    return without if whole else found


def _short_end(run: Run) -> bool:
    """The run ends in a number of one or two digits that starts no phone number (not a "0")."""
    last = run.groups[-1].chars
    return len(run.groups) > 1 and last.isdigit() and len(last) <= 2 and last[0] != "0"


_ON_ITS_OWN = 10
"""The most digits of a number that counts only said on its own: a BSN or a phone number a digit short
has nine, and "een" before it may be an article."""


def _on_its_own_before_end(run: Run) -> bool:
    """The last group is said apart from the part of the run before it, and that part is short enough
    to be a number that counts only said on its own (reading it again costs nothing on long runs)."""
    end = len(run.groups) - 1
    return apart(run, end) and digits(run.stretch(run.part[end - 1], end)) <= _ON_ITS_OWN


def _counted(text: str, at: int) -> bool:
    """A word right after ``at`` makes the number before it a time, count or amount."""
    after = _COUNTED.match(text, at)
    return after is not None and (not after["word"] or after["word"].lower() in _UNITS)


def _read(text: str, run: Run, before: str) -> tuple[list[Finding], bool]:
    """The personal data of a run, and whether it holds every digit of it: the longest stretches, or
    else the fewest numbers that hold all of it, or else the whole run as one generic number."""
    found = list(_longest_first(text, run, before))
    if not found:
        return [], False
    if _covers(run, [(i, j) for _, i, j in found]):
        return [f for f, _, _ in found], True
    return _split_or_whole(text, run, before)


def _after_order_number(text: str, run: Run, before: str) -> list[Finding] | None:
    """The personal data said after an order number in one breath ("ordernummer 12345678 0612345678"),
    the order number kept; None when the run holds no such boundary, and it is read like any other.

    The order number ends where the words give a boundary (``apart``): next to written numbers, or at a
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
    ends = [k for k in said[1:] if apart(run, k)]
    if not ends:
        return None
    splits = Splits.of(run, before)
    kept = [k for k in ends if splits.first_kind(k) and not classify(run.stretch(said[0], k), None)]
    strong = [k for k in kept if splits.first_kind(k) in (Kind.PHONE, Kind.IBAN)]
    chosen = strong or kept
    turns = [k for k in chosen if run.groups[k - 1].figures != run.groups[k].figures]
    return splits.findings(text, (turns or chosen)[0]) if chosen else None


def _longest_first(text: str, run: Run, before: str) -> Iterator[tuple[Finding, int, int]]:
    """The longest stretches (leftmost first) that are personal data, with their first and end group."""
    i = 0
    while i < len(run.groups):
        # "nummer" joins a house number to its postcode, but starts nothing
        found = found_at(text, run, i, before) if run.groups[i].chars else None
        if found is None:
            i += 1
            continue
        yield found[0], i, found[1]
        i = found[1]


def _covers(run: Run, spans: list[tuple[int, int]]) -> bool:
    """Stretches ``spans`` (first and end group) hold every digit of the run, but for a leading "een"
    (an article, as often); a letter left over is a word ("..., I ordered"), no part of a number."""
    left = digits(run.chars) - sum(digits(run.stretch(i, j)) for i, j in spans)
    return left == 0 or left == 1 == run.offsets[spans[0][0]] and run.chars[0].isdigit()


def _split_or_whole(text: str, run: Run, before: str) -> tuple[list[Finding], bool]:
    """A run whose longest stretches leave digits behind ("06 24 91 60 69 06 70 60 50 81" read as a
    card and "60 50 81"): the fewest numbers that hold all of it, or else the whole run as one
    generic number, so no digit of a partial match is stored; and whether the numbers hold it all."""
    splits = Splits.of(run, before)
    for start in (0, 1) if len(run.groups[0].chars) == 1 else (0,):
        split = splits.findings(text, start)
        if split is not None:
            return split, True
    said = [group for group in run.groups if group.chars]
    return [Finding(Kind.NUMBER, start_of(text, said[0]), said[-1].end)], False


def number_runs(text: str, groups: Iterator[Group | None]) -> Iterator[list[Group]]:
    """Groups split into runs: neighbours said together (only separators between); ``None`` ends a run."""
    run: list[Group] = []
    for group in groups:
        if group is None or (run and not _said_together(text, run[-1], group)):
            if len(run) > 0:
                yield run
            run = [] if group is None else [group]
        else:
            run.append(group)
    if run:
        yield run


def _said_together(text: str, a: Group, b: Group) -> bool:
    """Neighbouring groups of one number said or written as a recognizer writes it ("nul zes 1234
    5678"): joined by spaces, commas or dashes, figures also by what joins written ones. A spelled
    letter joins no figures: a postcode or IBAN in figures is found written whole."""
    if a.figures and b.figures:
        return bool(_LITERAL_GAP.fullmatch(text, a.end, b.start))
    if a.figures != b.figures and (a.chars.isalpha() or b.chars.isalpha()):
        return False
    return bool(_SPOKEN_GAP.fullmatch(text, a.end, b.start))
