"""The compiled form of a template: a small DAG walked once per utterance.

A template becomes nodes joined by edges: literal text, epsilon, or a *call* to
something that reports where it can end (an expansion rule, a slot list, a
range, a wildcard, a built-in type). Walking the DAG in node order keeps, per
(node, position, start-of-word) state, only the best-scoring way to get there,
so nothing is re-expanded per utterance and no path is explored twice. Calls are
memoised per utterance, so ``<area>`` or ``{name}`` is matched at a position once
for every template that uses it.

Scores follow hassil's ranking, folded into one integer (lower is better): fewer
wildcards, then more literal characters matched, then less wildcard text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any, Protocol, TypeVar

from .normalize import content_end, read_breaks

__all__ = [
    "CALL",
    "EPS",
    "LIT",
    "LITERAL_WEIGHT",
    "PREFERRED_WEIGHT",
    "WILDCARD_WEIGHT",
    "Callee",
    "Capture",
    "Graph",
    "Outcome",
    "Run",
    "StartChars",
    "execute",
]

LIT, CALL, EPS = 0, 1, 2
PREFERRED_WEIGHT = 1 << 50
"""Per character of the preferred slot's text (hassil's ``best_slot_name``): outranks everything else."""

WILDCARD_WEIGHT = 1 << 40
LITERAL_WEIGHT = 1 << 20

Capture = tuple[str, int, int, Any, Any, int]
"""(slot name, start, end, value, list value or None, kind); kinds are in ``lists.py``."""

Outcome = tuple[int, bool, int, tuple[Capture, ...]]
"""(end position, start of word, score delta, captures) reported by a callee."""

State = tuple[int, bool]
Best = tuple[int, tuple[Capture, ...]]
"""(score, captures) of the best way found to reach a state."""

_T = TypeVar("_T")

_Dispatch = tuple[dict[str, list[tuple[Any, ...]]], list[tuple[Any, ...]]]
"""Per start-of-word flag: (edges by next character, edges whatever the character)."""


StartChars = tuple[frozenset[str] | None, frozenset[str] | None]
"""Per start-of-word flag (False, True): the characters a match can start with; None: any, or empty."""


class Callee(Protocol):
    """Anything a CALL edge can call: reports every way it matches from a position."""

    def outcomes(self, run: Run, pos: int, sow: bool) -> list[Outcome]: ...

    def start_chars(self) -> StartChars:
        """What a match can start with (see ``StartChars``)."""
        ...


@dataclass(slots=True)
class Run:
    """One utterance being matched: its text and the memo shared by all templates."""

    folded: str
    """Normalised, lower-cased text plus a trailing space (hassil's word boundary)."""

    text: str
    """The same text with its case kept (slot text is cut from here)."""

    language: str
    now: Any = None
    broken: str | None = None
    """``folded`` with "-" and "_" as spaces, when it has any ("living-room")."""

    blank_from: int = 0
    """Positions at or after this are only whitespace: a template may end there."""

    best_slot: str | None = None
    """A slot whose (longest) filling beats any match without it (hassil's ``best_slot_name``)."""

    spaced: bool = True
    """False for hassil's ``ignore_whitespace`` languages: no word boundaries, no padding space."""

    memo: dict[tuple[int, int, bool], list[Any]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        folded: str,
        text: str,
        language: str,
        now: Any = None,
        best_slot: str | None = None,
        *,
        spaced: bool = True,
    ) -> Run:
        """Prepare ``folded`` (already normalised) for matching."""
        pad = " " if spaced else ""
        padded = folded + pad
        broken = read_breaks(padded)
        return cls(padded, text + pad, language, now, broken, content_end(folded), best_slot, spaced)

    def next_char(self, pos: int, sow: bool) -> str:
        """The character a match at ``pos`` starts with ("" at the end); after a word start, past a space."""
        if sow and self.folded.startswith(" ", pos):
            pos += 1
        return self.folded[pos : pos + 1]

    def cached(self, key: int, pos: int, sow: bool, compute: Callable[[], list[_T]]) -> list[_T]:
        """Memoise a callee's outcomes (or a list's raw matches) at a position for this utterance."""
        slot = (key, pos, sow)
        found = self.memo.get(slot)
        if found is None:
            found = self.memo[slot] = compute()
        return found


@dataclass(slots=True)
class Graph:
    """A DAG whose nodes are numbered so every edge goes to a higher node."""

    edges: list[list[tuple[Any, ...]]] = field(default_factory=lambda: [[]])
    counted: bool = True
    """False for list-value templates: hassil does not score text inside a list value."""

    dispatch: dict[int, tuple[_Dispatch, _Dispatch] | None] = field(default_factory=dict)
    """Per node with many literal edges, its edges by the next character (built on first visit)."""

    starts: StartChars | None = None
    """What a match can start with, found on first use (``starts.start_chars``)."""

    @property
    def final(self) -> int:
        """The accepting node (always the last one)."""
        return len(self.edges) - 1

    def node(self) -> int:
        """Allocate a node."""
        self.edges.append([])
        return len(self.edges) - 1

    def literal(self, start: int, text: str, *, spaced: bool = True) -> int:
        """Add a literal edge from ``start`` to a new node; return the new node.

        ``spaced`` False (hassil's ``ignore_whitespace``): the text's spaces are matched as
        written, never skipped at a word start.
        """
        end = self.node()
        count = len("".join(text.split())) if self.counted else 0
        stripped, ends_word = (text.lstrip(), text.endswith((" ", "'"))) if spaced else (text, False)
        self.edges[start].append(
            (LIT, end, text, stripped, ends_word, count * LITERAL_WEIGHT, text.isspace())
        )
        return end

    def call(self, start: int, callee: Callee) -> int:
        """Add a call edge from ``start`` to a new node; return the new node."""
        end = self.node()
        self.edges[start].append((CALL, end, callee))
        return end

    def epsilon(self, start: int, end: int) -> None:
        """Add an empty edge."""
        self.edges[start].append((EPS, end))

    def skip_epsilons(self) -> None:
        """Point edges past nodes whose only way out is an empty edge (alternative joins)."""
        forward = list(range(len(self.edges)))
        for node in range(len(self.edges) - 1, -1, -1):
            out = self.edges[node]
            if len(out) == 1 and out[0][0] == EPS:
                forward[node] = forward[out[0][1]]
        for out in self.edges:
            out[:] = [(edge[0], forward[edge[1]], *edge[2:]) for edge in out]


def execute(graph: Graph, run: Run, pos: int, sow: bool) -> dict[State, Best]:
    """Walk ``graph`` from (pos, sow); return the best (score, captures) per final state.

    Edge steps build their own state dicts, so the first arrival at a node adopts
    one without copying (most nodes are reached once, with one state); only an
    empty edge passes the node's own dict on, which is still read by its other edges.
    A node reached with one state tries only the literals that start with its next
    character (the rest of an alternative cannot match there).
    """
    edges = graph.edges
    final = len(edges) - 1
    states: dict[int, dict[State, Best]] = {0: {(pos, sow): (0, ())}}
    queue = [0]
    while queue:
        node = heappop(queue)
        here = states.pop(node)
        if node == final:
            return here
        out = edges[node]
        if len(out) >= _DISPATCH_FROM and len(here) == 1 and run.broken is None:
            out = _dispatched(graph, node, run, here)
        for edge in out:
            kind = edge[0]
            if kind == LIT:
                moved = _literal(run, edge, here)
            elif kind == EPS:
                moved = here
            else:
                moved = _call(run, edge[2], here)
            if not moved:
                continue
            dest = states.get(edge[1])
            if dest is None:
                states[edge[1]] = moved.copy() if moved is here else moved
                heappush(queue, edge[1])
            else:
                _merge(dest, moved)
    return {}


_DISPATCH_FROM = 3
"""Nodes with at least this many edges get a dispatch table."""


def _dispatched(graph: Graph, node: int, run: Run, here: dict[State, Best]) -> list[tuple[Any, ...]]:
    """The node's edges that can move its one state, in their original order."""
    if node not in graph.dispatch:
        graph.dispatch[node] = _tables(graph.edges[node])
    tables = graph.dispatch[node]
    if tables is None:
        return graph.edges[node]
    ((pos, sow),) = here
    by_char, rest = tables[sow]
    return by_char.get(run.next_char(pos, sow), rest)


def _tables(out: list[tuple[Any, ...]]) -> tuple[_Dispatch, _Dispatch] | None:
    """Dispatch tables for a node's edges (None if too few say what they start with to gain).

    A literal starts with its first character, a rule call with its rule's ``start_chars``:
    a rule that cannot start at the next character is skipped without being called.
    """
    found: list[_Dispatch] = []
    for sow in (False, True):
        starts = [_edge_starts(edge, sow) for edge in out]
        known = [chars for chars in starts if chars is not None]
        if len(known) < _DISPATCH_FROM:
            return None
        by_char = {
            char: [edge for edge, chars in zip(out, starts, strict=True) if chars is None or char in chars]
            for char in frozenset().union(*known)
        }
        found.append((by_char, [edge for edge, chars in zip(out, starts, strict=True) if chars is None]))
    return found[0], found[1]


def _edge_starts(edge: tuple[Any, ...], sow: bool) -> frozenset[str] | None:
    """The characters a move over ``edge`` can start with (None: any, or it may move without one)."""
    if edge[0] == LIT:
        return None if edge[6] else frozenset((edge[3 if sow else 2][:1],))
    if edge[0] == CALL:
        callee: Callee = edge[2]
        return callee.start_chars()[sow]
    return None


def _merge(dest: dict[State, Best], moved: dict[State, Best]) -> None:
    """Keep the better of each state (the earlier one on a tie)."""
    for key, found in moved.items():
        old = dest.get(key)
        if old is None or found[0] < old[0]:
            dest[key] = found


def _literal(run: Run, edge: tuple[Any, ...], here: dict[State, Best]) -> dict[State, Best]:
    """Advance every state over a literal, the way hassil matches a text chunk."""
    folded = run.folded
    _, _, full, stripped, ends_word, weight, blank = edge
    moved: dict[State, Best] = {}
    for (pos, sow), found in here.items():
        if sow:
            text = stripped
            if folded.startswith(" ", pos):
                pos += 1
        else:
            text = full
        if folded.startswith(text, pos):
            key = (pos + len(text), ends_word)
            found = (found[0] - weight, found[1])
        elif blank and not sow and pos >= run.blank_from:
            key = (pos, sow)
        elif run.broken is not None and run.broken.startswith(text, pos):
            key = (pos + len(text), sow)
        else:
            continue
        old = moved.get(key)
        if old is None or found[0] < old[0]:
            moved[key] = found
    return moved


def _call(run: Run, callee: Callee, here: dict[State, Best]) -> dict[State, Best]:
    """Advance every state over a call edge (rule, list, range, wildcard, built-in)."""
    moved: dict[State, Best] = {}
    for (pos, sow), (cost, caps) in here.items():
        for end, end_sow, delta, more in callee.outcomes(run, pos, sow):
            key = (end, end_sow)
            score = cost + delta
            old = moved.get(key)
            if old is None or score < old[0]:
                moved[key] = (score, caps + more if more else caps)
    return moved
