"""A sound pre-filter: skip templates whose required words are not in the utterance.

For every template we derive, through its rules, what any matching utterance
must contain, in conjunctive normal form (at least one atom of every clause). An
atom is a literal fragment ("lamp") or a value list ("some {area} value occurs"),
which is checked against the list's current values, so runtime lists filter too.
Templates are indexed under the first three letters of the fragments of their
most selective clause, so an utterance only visits templates that share a
trigram with it; the full clause test then runs on those few. A template is only
skipped when it provably cannot match.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from .needles import TRIGRAM, Haystack
from .template import Alt, Expr, ListRef, Perm, RuleRef, Seq, Template, Text

__all__ = ["Clauses", "Ends", "RuleMemo", "TemplateIndex", "edge_atoms", "required_clauses"]

Atom = Hashable
"""A fragment (``str``) or a list key (``tuple``)."""

Clauses = frozenset[frozenset[Atom]]
ListAtom = Callable[[ListRef], "tuple[str, ...] | None"]

_KEY = TRIGRAM
"""Anchors are looked up among the utterance's trigrams."""
_SUFFIX = 2


Ends = frozenset[Atom] | None
"""What a match can start (or end) with: literal texts and list keys; None means anything."""


@dataclass(slots=True)
class RuleMemo:
    """What each rule requires and starts or ends with, for one set of rules and list keys.

    Many templates use the same rules; without it they are derived again for each template.
    """

    clauses: dict[str, AbstractSet[frozenset[Atom]]] = field(default_factory=dict)
    edges: dict[tuple[str, bool], tuple[Ends, bool]] = field(default_factory=dict)


def required_clauses(
    expr: Expr,
    rules: Mapping[str, Template],
    list_atom: ListAtom,
    depth: int = 0,
    memo: RuleMemo | None = None,
) -> AbstractSet[frozenset[Atom]]:
    """Atoms any match of ``expr`` must contain, as a set of OR-clauses."""
    if depth > 32:
        return set()
    if isinstance(expr, Text):
        # a literal matches as written, so every piece of it is required, whatever its letters
        # (Devanagari vowel signs are not alphanumeric: Nepali templates had no required words)
        return {frozenset((piece.lower(),)) for piece in expr.text.split()}
    if isinstance(expr, Alt):
        return _alternative(expr, rules, list_atom, depth, memo)
    if isinstance(expr, Seq | Perm):
        found: set[frozenset[Atom]] = set()
        for item in expr.items:
            found |= required_clauses(item, rules, list_atom, depth + 1, memo)
        return found
    if isinstance(expr, RuleRef):
        if expr.name not in rules:
            return set()
        known = None if memo is None else memo.clauses.get(expr.name)
        if known is None:
            known = frozenset(required_clauses(rules[expr.name].expr, rules, list_atom, depth + 1, memo))
            if memo is not None:
                memo.clauses[expr.name] = known
        return known
    atom = list_atom(expr)
    return set() if atom is None else {frozenset((atom,))}


def _alternative(
    expr: Alt, rules: Mapping[str, Template], list_atom: ListAtom, depth: int, memo: RuleMemo | None
) -> AbstractSet[frozenset[Atom]]:
    if expr.optional:
        return set()
    merged: set[Atom] = set()
    for item in expr.items:
        branch = required_clauses(item, rules, list_atom, depth + 1, memo)
        if not branch:
            return set()
        merged |= min(branch, key=lambda clause: (len(clause), _order(clause)))
    return {frozenset(merged)}


def _order(clause: AbstractSet[Atom]) -> list[str]:
    """A fixed order among equal choices: set order changes with PYTHONHASHSEED, results must not."""
    return sorted(map(repr, clause))


def edge_atoms(
    expr: Expr,
    rules: Mapping[str, Template],
    list_atom: ListAtom,
    *,
    last: bool,
    depth: int = 0,
    memo: RuleMemo | None = None,
) -> tuple[Ends, bool]:
    """(atoms a match of ``expr`` can start or end with, whether ``expr`` can be empty)."""
    if depth > 32:
        return None, True
    if isinstance(expr, Text):
        text = expr.text.strip().lower()
        return (frozenset((text,)), False) if text else (frozenset(), True)
    if isinstance(expr, Seq):
        items = expr.items[::-1] if last else expr.items
        return _sequence_atoms(items, rules, list_atom, last, depth, memo)
    if isinstance(expr, Alt | Perm):
        parts = [
            edge_atoms(item, rules, list_atom, last=last, depth=depth + 1, memo=memo) for item in expr.items
        ]
        atoms = _union(part[0] for part in parts)
        empty = any(part[1] for part in parts) if isinstance(expr, Alt) else all(part[1] for part in parts)
        return atoms, empty
    if isinstance(expr, RuleRef):
        if expr.name not in rules:
            return None, True
        known = None if memo is None else memo.edges.get((expr.name, last))
        if known is None:
            known = edge_atoms(rules[expr.name].expr, rules, list_atom, last=last, depth=depth + 1, memo=memo)
            if memo is not None:
                memo.edges[(expr.name, last)] = known
        return known
    atom = list_atom(expr)
    return (None if atom is None else frozenset((atom,))), False


def _union(parts: Iterable[Ends]) -> Ends:
    merged: set[Atom] = set()
    for part in parts:
        if part is None:
            return None
        merged |= part
    return frozenset(merged)


def _sequence_atoms(
    items: Sequence[Expr],
    rules: Mapping[str, Template],
    list_atom: ListAtom,
    last: bool,
    depth: int,
    memo: RuleMemo | None,
) -> tuple[Ends, bool]:
    found: list[Ends] = []
    for item in items:
        atoms, empty = edge_atoms(item, rules, list_atom, last=last, depth=depth + 1, memo=memo)
        found.append(atoms)
        if not empty:
            return _union(found), False
    return _union(found), True


def _fragments(clause: frozenset[Atom]) -> list[str] | None:
    """The clause's fragments, or None if it also has list atoms (no index key)."""
    fragments = [atom for atom in clause if isinstance(atom, str)]
    return fragments if len(fragments) == len(clause) else None


def _anchor_keys(clauses: Clauses) -> frozenset[Atom] | None:
    """Index keys for the most selective clause: trigrams of fragments, or list keys."""
    usable = [f for f in map(_fragments, clauses) if f and min(map(len, f)) >= _KEY]
    if usable:
        best = min(
            usable,
            key=lambda fragments: (
                len({f[:_KEY] for f in fragments}),
                -min(map(len, fragments)),
                sorted(fragments),
            ),
        )
        return frozenset(fragment[:_KEY] for fragment in best)
    lists = [clause for clause in clauses if not any(isinstance(atom, str) for atom in clause)]
    return min(lists, key=lambda clause: (len(clause), _order(clause))) if lists else None


class TemplateIndex:
    """Maps an utterance to the templates (by number) that might match it.

    Buckets are bit masks over template numbers, so combining them costs a few
    integer operations however many templates share a common word.
    """

    def __init__(self) -> None:
        self._checks: list[tuple[int, ...]] = []
        """Per template, the tests (by number) it must pass, in the order they are tried."""

        self._tests: list[_Test] = []
        self._test_numbers: dict[_Test, int] = {}
        self._anchors: dict[Atom, int] = {}
        self._anchorless = 0
        self._suffixes: dict[Atom, int] = {}
        self._suffixless = 0
        self._list_anchors: dict[Atom, int] = {}
        self._list_suffixes: dict[Atom, int] = {}
        self._prefixes: dict[Atom, int] = {}
        self._list_prefixes: dict[Atom, int] = {}
        self._prefixless = 0
        self._list_masks: tuple[int, ...] | None = None
        """Union of the list buckets for anchors, prefixes and suffixes (found on first use)."""

    def add(self, clauses: Clauses, first: Ends = None, last: Ends = None) -> int:
        """Index one template's clauses and what it starts and ends with; return its number."""
        number = len(self._checks)
        bit = 1 << number
        self._checks.append(self._checks_of(clauses, first, last))
        self._suffixless |= _index_edge(
            last, bit, self._suffixes, self._list_suffixes, lambda a: a[-_SUFFIX:]
        )
        self._prefixless |= _index_edge(
            first, bit, self._prefixes, self._list_prefixes, lambda a: a[:_SUFFIX]
        )
        keys = _anchor_keys(clauses)
        if keys is None:
            self._anchorless |= bit
        for key in keys or ():
            bucket = self._anchors if isinstance(key, str) else self._list_anchors
            bucket[key] = bucket.get(key, 0) | bit
        self._list_masks = None
        return number

    def _checks_of(self, clauses: Clauses, first: Ends, last: Ends) -> tuple[int, ...]:
        """Number a template's tests, sharing equal tests between templates (one verdict each).

        A failed test ends a template's verification, so the likeliest to fail go first:
        selective clauses, then what the utterance must end and start with.
        """
        tests = sorted((_test(clause, 0) for clause in clauses), key=_selectivity)
        tests += [_test(atoms, where) for atoms, where in ((last, 2), (first, 1)) if atoms is not None]
        return tuple(map(self._number, tests))

    def _number(self, test: _Test) -> int:
        number = self._test_numbers.get(test)
        if number is None:
            number = self._test_numbers[test] = len(self._tests)
            self._tests.append(test)
        return number

    def candidates(self, haystack: Haystack, present: Callable[[Atom, int], bool]) -> list[int]:
        """Template numbers, in order, that might match one of the utterance variants.

        ``present(list_key, where)`` answers for list atoms: does a value of that list occur
        anywhere (where=0), at the start (1) or at the end (2) of a text?
        """
        texts = haystack.texts
        anchored = self._anchorless | _masks(self._anchors, haystack.trigrams)
        ending = self._suffixless | _masks(self._suffixes, {text[-_SUFFIX:] for text in texts})
        starting = self._prefixless | _masks(self._prefixes, {text[:_SUFFIX] for text in texts})
        lists = self._list_masks
        if lists is None:  # once, after the last template is added
            buckets = (self._list_anchors, self._list_prefixes, self._list_suffixes)
            lists = self._list_masks = tuple(_or_all(bucket.values()) for bucket in buckets)
        possible = (anchored | lists[0]) & (starting | lists[1]) & (ending | lists[2])
        anchored |= _list_masks(self._list_anchors, possible & ~anchored, present, 0)
        ending |= _list_masks(self._list_suffixes, possible & anchored & ~ending, present, 2)
        survivors = anchored & ending
        starting |= _list_masks(self._list_prefixes, possible & survivors & ~starting, present, 1)
        return self._verified(survivors & starting, haystack, present)

    def _verified(
        self, survivors: int, haystack: Haystack, present: Callable[[Atom, int], bool]
    ) -> list[int]:
        """The template numbers in ``survivors`` (a bit mask) that pass all their tests, in order."""
        tests = self._tests
        verdicts: list[bool | None] = [None] * len(tests)
        checks = self._checks
        found: list[int] = []
        while survivors:
            low = survivors & -survivors
            survivors ^= low
            number = low.bit_length() - 1
            for test in checks[number]:
                verdict = verdicts[test]
                if verdict is None:
                    verdict = verdicts[test] = _passes(tests[test], haystack, present)
                if not verdict:
                    break
            else:
                found.append(number)
        return found


def _or_all(masks: Iterable[int]) -> int:
    found = 0
    for mask in masks:
        found |= mask
    return found


def _index_edge(
    atoms: Ends, bit: int, buckets: dict[Atom, int], list_buckets: dict[Atom, int], cut: Callable[[str], str]
) -> int:
    """Put a template in the buckets of its edge atoms; return ``bit`` if it cannot be indexed."""
    if atoms is None or any(isinstance(atom, str) and len(atom) < _SUFFIX for atom in atoms):
        return bit
    for atom in atoms:
        bucket, key = (buckets, cut(atom)) if isinstance(atom, str) else (list_buckets, atom)
        bucket[key] = bucket.get(key, 0) | bit
    return 0


def _masks(buckets: Mapping[Atom, int], keys: AbstractSet[str]) -> int:
    """OR of the buckets under ``keys``."""
    mask = 0
    for key in keys & buckets.keys():
        mask |= buckets[key]
    return mask


def _list_masks(
    buckets: Mapping[Atom, int], needed: int, present: Callable[[Atom, int], bool], where: int
) -> int:
    """OR of the list buckets whose list is present, asking only about buckets that could still matter."""
    mask = 0
    for key, bits in buckets.items():
        if bits & needed and present(key, where):
            mask |= bits
    return mask


_Test = tuple[int, tuple[str, ...], tuple[Atom, ...]]
"""(where: 0 anywhere, 1 at the start, 2 at the end; fragments; list keys): one must occur there."""


def _test(atoms: frozenset[Atom], where: int) -> _Test:
    """A clause or edge-atom set as a test; sorted, so equal sets share one test and verdict."""
    strings = tuple(sorted(atom for atom in atoms if isinstance(atom, str)))
    return where, strings, tuple(sorted((atom for atom in atoms if not isinstance(atom, str)), key=repr))


def _selectivity(test: _Test) -> tuple[int, int]:
    """Try clauses of few, long fragments first: they are the least likely to hold."""
    _, strings, lists = test
    return len(strings) + 4 * len(lists), -min(map(len, strings), default=0)


def _passes(test: _Test, haystack: Haystack, present: Callable[[Atom, int], bool]) -> bool:
    """True if one of the test's fragments or lists occurs where it must in some utterance variant."""
    where, strings, lists = test
    if where == 0:
        for fragment in strings:
            if fragment in haystack.text:
                return True
    elif strings:
        for text in haystack.texts:
            if text.startswith(strings) if where == 1 else text.endswith(strings):
                return True
    return bool(lists) and any(present(atom, where) for atom in lists)
