"""Which characters a match of a graph can start with, and tables built on them.

Most positions of an utterance cannot start a given rule or list value: testing the next
character first skips the memo lookup and the walk there (``can_start``), and a list with
many templated values tries only the values that fit (``StartIndex``). This is a filter in
front of the walk, not the walk: it lives apart from ``graph.py`` so each stays one concept
and under ~400 lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .graph import EPS, LIT, Graph, Run, StartChars

__all__ = ["StartIndex", "can_start", "start_chars"]

_T = TypeVar("_T")


def start_chars(graph: Graph) -> StartChars:
    """The characters a match of ``graph`` can start with, per start-of-word flag.

    After a word start the folded text's one space is skipped first, as the walk does.
    None when anything may start it: a blank literal, a list, or a way to match nothing.
    """
    if graph.starts is None:
        graph.starts = _start_chars(graph)
    return graph.starts


def _start_chars(graph: Graph) -> StartChars:
    found: tuple[set[str], set[str]] = (set(), set())
    todo, seen = [0], {0}
    final = graph.final
    while todo:
        for edge in graph.edges[todo.pop()]:
            kind = edge[0]
            if kind == EPS:
                if edge[1] == final:
                    return None, None
                if edge[1] not in seen:
                    seen.add(edge[1])
                    todo.append(edge[1])
            elif kind == LIT:
                if edge[6]:
                    return None, None
                found[0].add(edge[2][0])
                found[1].add(edge[3][0])
            else:
                called = edge[2].start_chars()
                if called[0] is None or called[1] is None:
                    return None, None
                found[0].update(called[0])
                found[1].update(called[1])
    return frozenset(found[0]), frozenset(found[1])


def can_start(graph: Graph, run: Run, pos: int, sow: bool) -> bool:
    """False if no match of ``graph`` can start at ``pos`` (see ``start_chars``)."""
    chars = (graph.starts or start_chars(graph))[sow]
    if chars is None or run.broken is not None:
        return True
    return run.next_char(pos, sow) in chars


@dataclass(frozen=True, slots=True)
class StartIndex(Generic[_T]):
    """Items with graphs, by the character their graph can start with.

    A list with many templated values tries, at a position, only the values that can
    start there instead of walking every value's graph.
    """

    every: tuple[_T, ...]
    tables: tuple[tuple[dict[str, tuple[_T, ...]], tuple[_T, ...]], ...]
    """Per start-of-word flag: (items by next character, items that may start with anything)."""

    @classmethod
    def of(cls, items: Sequence[tuple[_T, Graph]]) -> StartIndex[_T]:
        """Index ``items`` (in their order, which is kept) by their graphs' ``start_chars``."""
        starts = [(item, start_chars(graph)) for item, graph in items]
        tables = []
        for sow in (False, True):
            chars = set().union(*(found[sow] or () for _, found in starts))
            by_char = {
                char: tuple(item for item, found in starts if _may_start(found[sow], char)) for char in chars
            }
            tables.append((by_char, tuple(item for item, found in starts if found[sow] is None)))
        return cls(tuple(item for item, _ in items), tuple(tables))

    def at(self, run: Run, pos: int, sow: bool) -> tuple[_T, ...]:
        """The items whose graph may match at ``pos`` (see ``can_start``)."""
        if run.broken is not None:
            return self.every
        by_char, anything = self.tables[sow]
        return by_char.get(run.next_char(pos, sow), anything)


def _may_start(chars: frozenset[str] | None, char: str) -> bool:
    return chars is None or char in chars
