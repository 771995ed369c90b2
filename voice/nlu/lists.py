"""Slot lists compiled for matching, and the call edges that use them.

Each compiled list reports, for a position in the utterance, every way one of
its values can be said there: a trie walk for plain values, a small graph per
templated value, a regex and a number-word trie for ranges, every word boundary
for wildcards, and the slot types' parsers (numbers, times, dates, durations ...).
Results are memoised per utterance and shared by every template using the list;
replacing a list (``Matcher.set_list``) swaps one object and recompiles nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .graph import LITERAL_WEIGHT, WILDCARD_WEIGHT, Graph, Run, execute
from .needles import Haystack, Needles
from .normalize import normalize_template_text
from .numbers import number_words
from .prefilter import edge_atoms, required_clauses
from .slot_types import SlotType, slot_type
from .slots import ListValue, RangeList, SlotList, SlotTypeList, ValueList, WildcardList
from .starts import StartIndex
from .template import Expr, ListRef, Text

__all__ = [
    "ListMatcher",
    "RangeMatcher",
    "SlotTypeMatcher",
    "ValueMatcher",
    "WildcardMatcher",
    "compile_list",
]

LIST_VALUE, NUMBER, WILDCARD, CAPTURE = 0, 1, 2, -1

Raw = tuple[int, int, bool, int, Any, "ListValue | None", int]
"""(start, end, start of word after, score delta, value, list value, kind)."""

_INTEGER = re.compile(r" *(-?[0-9]+)")
_DECIMAL = re.compile(r" *(-?[0-9]+(?:[.,][0-9]+)?)")
_DIGIT = re.compile("[0-9]")
_END = "\0"
_TRIE_LIMIT = 2000
"""Ranges up to this many numbers get a word trie (hassil's way); larger ones parse words."""

_NEEDLE = 4
"""Characters of a spelled number's first word that the pre-filter searches for."""


def _skip_space(run: Run, pos: int, sow: bool) -> int:
    return pos + 1 if sow and pos < len(run.folded) and run.folded[pos] == " " else pos


def _trie_insert(trie: dict[str, Any], key: str, item: Any) -> None:
    node = trie
    for char in key:
        node = node.setdefault(char, {})
    node.setdefault(_END, []).append(item)


def _trie_walk(trie: dict[str, Any], text: str, pos: int) -> list[tuple[int, list[Any]]]:
    """Every (end, items) for keys that are a prefix of ``text[pos:]``, shortest first."""
    found: list[tuple[int, list[Any]]] = []
    node: dict[str, Any] | None = trie
    for index in range(pos, len(text)):
        node = node.get(text[index]) if node is not None else None
        if node is None:
            break
        if _END in node:
            found.append((index + 1, node[_END]))
    return found


class ListMatcher:
    """Base of compiled lists: ``raw`` lists every way a value is said at ``pos``."""

    def raw(self, run: Run, pos: int, sow: bool, end_of_word: bool) -> list[Raw]:
        raise NotImplementedError

    def present(self, haystack: Haystack, where: int) -> bool:
        """False only if no value can occur in the utterance anywhere (0), at its start (1) or end (2)."""
        return True

    def presence_key(self) -> Hashable:
        """Lists with equal keys answer ``present`` alike, so the pre-filter asks one of them."""
        return self

    def context_keys(self) -> frozenset[str]:
        """Context keys that matching a value of this list can add."""
        return frozenset()

    def offered(self, haystack: Haystack) -> Iterator[Mapping[str, Any]]:
        """The contexts of the values that may occur in ``haystack.text``."""
        return iter(())

    def cached_raw(self, run: Run, pos: int, sow: bool, end_of_word: bool) -> list[Raw]:
        """``raw``, memoised per utterance."""
        key = id(self) * 2 + end_of_word
        return run.cached(key, pos, sow, lambda: self.raw(run, pos, sow, end_of_word))


class ValueMatcher(ListMatcher):
    """Fixed values: plain ones in a trie, templated ones as small graphs."""

    def __init__(self, slot_list: ValueList, compile_value: Callable[[ListValue], Graph]) -> None:
        self.values = slot_list.values
        self.trie: dict[str, Any] = {}
        self.keys: list[str] = []
        self.graphs: list[tuple[ListValue, Graph]] = []
        for value in self.values:
            if not isinstance(value.expr, Text):
                self.graphs.append((value, compile_value(value)))
                continue
            key = normalize_template_text(value.expr.text).strip().lower()
            if key:
                _trie_insert(self.trie, key, value)
                self.keys.append(key)
        self._starts = StartIndex.of([((value, graph), graph) for value, graph in self.graphs])
        self._hints = _Hints.of(self.keys, [value.expr for value, _ in self.graphs])
        # a templated value's text is unknown (""): its context is always offered
        self._contexts = Needles(
            (
                ""
                if not isinstance(value.expr, Text)
                else normalize_template_text(value.expr.text).strip().lower(),
                value.context,
            )
            for value in self.values
            if value.context
        )

    def presence_key(self) -> Hashable:
        """The source list's values: a list whose values use rules is compiled once per data
        block, and the copies answer alike (their hints and plain values are the same)."""
        return id(self.values)

    def present(self, haystack: Haystack, where: int) -> bool:
        hints = self._hints
        if where == 0:
            return hints.inside is None or hints.inside.occur(haystack)
        if where == 1:
            return hints.starts is None or any(
                text.startswith(hints.starts) or _trie_walk(self.trie, text, 0) for text in haystack.texts
            )
        return hints.ends is None or any(text.endswith(hints.ends) for text in haystack.texts)

    def context_keys(self) -> frozenset[str]:
        return frozenset(key for value in self.values for key in value.context)

    def offered(self, haystack: Haystack) -> Iterator[Mapping[str, Any]]:
        return self._contexts.found(haystack)

    def raw(self, run: Run, pos: int, sow: bool, end_of_word: bool) -> list[Raw]:
        start = _skip_space(run, pos, sow)
        found: list[Raw] = []
        texts = [run.folded] if run.broken is None else [run.folded, run.broken]
        for text in texts:
            for end, values in _trie_walk(self.trie, text, start):
                found.extend(self._make(run, start, end, sow, value) for value in values)
        for value, graph in self._starts.at(run, pos, sow):
            for end, _sow in execute(graph, run, pos, sow):
                found.append(self._make(run, start, end, sow, value))
        return found

    @staticmethod
    def _make(run: Run, start: int, end: int, sow: bool, value: ListValue) -> Raw:
        spoken = run.text[start:end].strip()
        return start, end, sow, 0, spoken if value.value is None else value.value, value, LIST_VALUE


@dataclass(frozen=True, slots=True)
class _Hints:
    """What the utterance must contain for a value list to occur (None: no hint, anything may).

    Plain values are searched whole. A templated value ("[de] max|maximaal") contributes
    the fragments of one of its required clauses and the first and last words it can
    start and end with, cut at spaces because its literals may also match "-" or "_".
    """

    inside: Needles[None] | None
    starts: tuple[str, ...] | None
    """Starts of templated values (plain ones are looked up in the trie)."""

    ends: tuple[str, ...] | None

    @classmethod
    def of(cls, keys: list[str], templated: list[Expr]) -> _Hints:
        needles: set[str] | None = set(keys)
        starts: set[str] | None = set()
        ends: set[str] | None = set(keys)
        for expr in templated:
            needles = _add(needles, _needles(expr))
            starts = _add(starts, _edge_words(expr, last=False))
            ends = _add(ends, _edge_words(expr, last=True))
        return cls(
            None if needles is None else Needles((needle, None) for needle in needles),
            None if starts is None else tuple(sorted(starts)),
            None if ends is None else tuple(sorted(ends)),
        )


def _add(found: set[str] | None, more: Iterable[str] | None) -> set[str] | None:
    return None if found is None or more is None else found | set(more)


def _needles(expr: Expr) -> list[str] | None:
    """Fragments of the value's most selective required clause, or None if it requires none."""
    clauses = [
        sorted(map(str, clause))
        for clause in required_clauses(expr, {}, _no_list)
        if all(isinstance(atom, str) for atom in clause)
    ]
    return min(clauses, key=lambda fragments: (len(fragments), fragments)) if clauses else None


def _edge_words(expr: Expr, *, last: bool) -> set[str] | None:
    """First (or last) words the value can start (or end) with, or None if unknown."""
    atoms, empty = edge_atoms(expr, {}, _no_list, last=last)
    if atoms is None or empty or not all(isinstance(atom, str) and atom.split() for atom in atoms):
        return None
    return {str(atom).split()[-1 if last else 0] for atom in atoms}


def _no_list(_ref: ListRef) -> None:
    return None


class RangeMatcher(ListMatcher):
    """Numbers in a range, as digits ("5", "2,5") or words ("vijf", "twenty-five")."""

    def __init__(self, slot_list: RangeList, language: str) -> None:
        self.range = slot_list
        self.language = slot_list.words_language or language
        self.pattern = _INTEGER if slot_list.fractions is None else _DECIMAL

    def raw(self, run: Run, pos: int, sow: bool, end_of_word: bool) -> list[Raw]:
        digits = self.pattern.match(run.folded, pos)
        if digits is not None:
            return self._digits(run, digits, sow)
        if not self.range.words:
            return []
        start = _skip_space(run, pos, sow)
        spec = self.range
        spellings = self._spellings()
        if spellings is None:
            spans = slot_type("number").spans(run.folded, start, self.language, None)
            found: list[tuple[int, Any]] = [(end, number) for end, number in spans if spec.contains(number)]
        else:
            found = [(end, numbers[0]) for end, numbers in _trie_walk(spellings.trie, run.folded, start)]
        return [
            (
                start,
                end,
                False,
                -sum(1 for c in run.folded[start:end] if c != " ") * LITERAL_WEIGHT,
                spec.scaled(number),
                None,
                NUMBER,
            )
            for end, number in found
        ]

    def present(self, haystack: Haystack, where: int) -> bool:
        if where == 0:
            return _DIGIT.search(haystack.text) is not None or self._spelled(haystack)
        return any(self._at_edge(text, where) for text in haystack.texts)

    def _at_edge(self, text: str, where: int) -> bool:
        """True if ``text`` can start (where=1) or end (2) with a number of the range."""
        if where == 1:
            return self.pattern.match(text) is not None or self._spelled_at(text, where)
        return text[-1:].isdigit() or self._spelled_at(text, where)

    def _spelled_at(self, text: str, where: int) -> bool:
        """True if ``text`` can start or end with a number of the range said in words."""
        spellings = self._spellings()
        if spellings is None:
            return self.range.words
        if where == 1:
            return bool(_trie_walk(spellings.trie, text, 0))
        return text.rsplit(" ", 1)[-1] in spellings.last_words

    def _spelled(self, haystack: Haystack) -> bool:
        spellings = self._spellings()
        return self.range.words if spellings is None else spellings.starts.occur(haystack)

    def _spellings(self) -> _Spellings | None:
        """How the range's numbers are said; None if not in words, or too many (words are parsed then)."""
        spec = self.range
        if not spec.words or (spec.stop - spec.start) // spec.step > _TRIE_LIMIT:
            return None
        return _spellings(self.language, spec)

    def presence_key(self) -> Hashable:
        """Everything ``present`` reads: many ranges (0-100) share their answer."""
        spec = self.range
        return self.pattern, self.language, spec.words, spec.start, spec.stop, spec.step, spec.fractions

    def _digits(self, run: Run, found: re.Match[str], sow: bool) -> list[Raw]:
        if not self.range.digits:
            return []
        number = float(found[1].replace(",", "."))
        if not self.range.contains(number):
            return []
        value = int(number) if number == int(number) else number
        return [(found.start(1), found.end(1), sow, 0, self.range.scaled(value), None, NUMBER)]


@dataclass(frozen=True, slots=True)
class _Spellings:
    """How the numbers of a range are said: a trie plus word sets for the pre-filter."""

    trie: dict[str, Any]
    starts: Needles[None]
    """The first characters of each spelling's first word: one of them occurs where a spelling does."""

    last_words: frozenset[str]


@lru_cache(maxsize=256)
def _spellings_cached(language: str, start: int, stop: int, step: int, fractions: str | None) -> _Spellings:
    trie: dict[str, Any] = {}
    spec = RangeList(name="", start=start, stop=stop, step=step, fractions=fractions)
    spelled: set[str] = set()
    for number in spec.numbers():
        for words in number_words(number, language):
            _trie_insert(trie, words, number)
            spelled.add(words)
    # a spelling that occurs brings its first word's start: a few needles instead of every spelling
    starts = {words.split()[0][:_NEEDLE] for words in spelled if words.strip()}
    return _Spellings(
        trie, Needles((start, None) for start in starts), frozenset(words.split()[-1] for words in spelled)
    )


def _spellings(language: str, spec: RangeList) -> _Spellings:
    return _spellings_cached(language, spec.start, spec.stop, spec.step, spec.fractions)


class WildcardMatcher(ListMatcher):
    """Any non-empty text; ends at a word boundary unless the template glues it to a word."""

    def __init__(self, examples: tuple[str, ...] = ()) -> None:
        self.examples = examples
        """The list's ``examples:``, for sample sentences (matching ignores them)."""

    def raw(self, run: Run, pos: int, sow: bool, end_of_word: bool) -> list[Raw]:
        start = _skip_space(run, pos, sow)
        folded = run.folded
        end_of_word = end_of_word and run.spaced
        found: list[Raw] = []
        for end in range(start + 1, len(folded) + 1):
            if end_of_word and end < len(folded) and folded[end - 1] != " ":
                continue
            spoken = run.text[start:end].strip()
            if spoken:
                found.append((start, end, True, WILDCARD_WEIGHT + len(spoken), spoken, None, WILDCARD))
        return found


class SlotTypeMatcher(ListMatcher):
    """A slot type's phrases (see ``slot_types``)."""

    def __init__(self, slot_type: SlotType) -> None:
        self.type = slot_type

    def raw(self, run: Run, pos: int, sow: bool, end_of_word: bool) -> list[Raw]:
        start = _skip_space(run, pos, sow)
        return [
            (start, end, sow, 0, value, None, NUMBER)
            for end, value in self.type.spans(run.folded, start, run.language, run.now)
        ]


def compile_list(
    slot_list: SlotList, language: str, compile_value: Callable[[ListValue], Graph]
) -> ListMatcher:
    """Compile a slot list for matching."""
    if isinstance(slot_list, ValueList):
        return ValueMatcher(slot_list, compile_value)
    if isinstance(slot_list, RangeList):
        return RangeMatcher(slot_list, language)
    if isinstance(slot_list, WildcardList):
        return WildcardMatcher(slot_list.examples)
    assert isinstance(slot_list, SlotTypeList)
    return SlotTypeMatcher(slot_type(slot_list.name))
