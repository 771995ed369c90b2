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

__all__ = [
    "CALL",
    "EPS",
    "LIT",
    "LITERAL_WEIGHT",
    "WILDCARD_WEIGHT",
    "Callee",
    "Capture",
    "Graph",
    "Outcome",
    "Run",
    "execute",
]

LIT, CALL, EPS = 0, 1, 2
WILDCARD_WEIGHT = 1 << 40
LITERAL_WEIGHT = 1 << 20

Capture = tuple[str, int, int, Any, Any, int]
"""(slot name, start, end, value, list value or None, kind); kinds are in ``lists.py``."""

Outcome = tuple[int, bool, int, tuple[Capture, ...]]
"""(end position, start of word, score delta, captures) reported by a callee."""

State = tuple[int, bool]
_T = TypeVar("_T")


class Callee(Protocol):
    """Anything a CALL edge can call: reports every way it matches from a position."""

    def outcomes(self, run: Run, pos: int, sow: bool) -> list[Outcome]: ...


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

    memo: dict[tuple[int, int, bool], list[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, folded: str, text: str, language: str, now: Any = None) -> Run:
        """Prepare ``folded`` (already normalised) for matching."""
        padded = folded + " "
        broken = padded.translate(_BREAK) if ("-" in folded or "_" in folded) else None
        return cls(padded, text + " ", language, now, broken, len(folded.rstrip()))

    def cached(self, key: int, pos: int, sow: bool, compute: Callable[[], list[_T]]) -> list[_T]:
        """Memoise a callee's outcomes (or a list's raw matches) at a position for this utterance."""
        slot = (key, pos, sow)
        found = self.memo.get(slot)
        if found is None:
            found = self.memo[slot] = compute()
        return found


_BREAK = str.maketrans("-_", "  ")


@dataclass(slots=True)
class Graph:
    """A DAG whose nodes are numbered so every edge goes to a higher node."""

    edges: list[list[tuple[Any, ...]]] = field(default_factory=lambda: [[]])
    counted: bool = True
    """False for list-value templates: hassil does not score text inside a list value."""

    @property
    def final(self) -> int:
        """The accepting node (always the last one)."""
        return len(self.edges) - 1

    def node(self) -> int:
        """Allocate a node."""
        self.edges.append([])
        return len(self.edges) - 1

    def literal(self, start: int, text: str) -> int:
        """Add a literal edge from ``start`` to a new node; return the new node."""
        end = self.node()
        count = sum(1 for char in text if not char.isspace()) if self.counted else 0
        self.edges[start].append((LIT, end, text, text.lstrip(), text.endswith((" ", "'")), count))
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


def execute(graph: Graph, run: Run, pos: int, sow: bool) -> dict[State, tuple[int, tuple[Capture, ...]]]:
    """Walk ``graph`` from (pos, sow); return the best (score, captures) per final state."""
    edges = graph.edges
    final = len(edges) - 1
    states: dict[int, dict[State, tuple[int, tuple[Capture, ...]]]] = {0: {(pos, sow): (0, ())}}
    queue = [0]
    while queue:
        node = heappop(queue)
        if node == final:
            return states[node]
        here = states.pop(node)
        for edge in edges[node]:
            if edge[0] == LIT:
                moved = _literal(run, edge, here)
            elif edge[0] == EPS:
                moved = list(here.items())
            else:
                moved = _call(run, edge[2], here)
            if moved:
                _relax(states, queue, edge[1], moved)
    return {}


Moved = list[tuple[State, tuple[int, tuple[Capture, ...]]]]


def _relax(
    states: dict[int, dict[State, tuple[int, tuple[Capture, ...]]]],
    queue: list[int],
    target: int,
    moved: Moved,
) -> None:
    """Keep the better of each state reaching ``target``."""
    dest = states.get(target)
    if dest is None:
        dest = states[target] = {}
        heappush(queue, target)
    for key, found in moved:
        old = dest.get(key)
        if old is None or found[0] < old[0]:
            dest[key] = found


def _literal(run: Run, edge: tuple[Any, ...], here: dict[State, tuple[int, tuple[Capture, ...]]]) -> Moved:
    """Advance every state over a literal, the way hassil matches a text chunk."""
    folded, broken = run.folded, run.broken
    _, _, full, stripped, ends_word, count = edge
    moved: Moved = []
    for (pos, sow), found in here.items():
        if sow:
            text = stripped
            if folded.startswith(" ", pos):
                pos += 1
        else:
            text = full
        if folded.startswith(text, pos):
            moved.append(((pos + len(text), ends_word), (found[0] - count * LITERAL_WEIGHT, found[1])))
        elif pos >= run.blank_from and text.isspace():
            moved.append(((pos, sow), found))
        elif broken is not None and broken.startswith(text, pos):
            moved.append(((pos + len(text), sow), found))
    return moved


def _call(run: Run, callee: Callee, here: dict[State, tuple[int, tuple[Capture, ...]]]) -> Moved:
    """Advance every state over a call edge (rule, list, range, wildcard, built-in)."""
    moved: Moved = []
    for (pos, sow), (cost, caps) in here.items():
        for end, end_sow, delta, more in callee.outcomes(run, pos, sow):
            moved.append(((end, end_sow), (cost + delta, caps + more if more else caps)))
    return moved
