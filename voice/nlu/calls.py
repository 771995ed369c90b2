"""The call edges of template graphs: into a shared expansion rule, or into a slot list.

Both report every way they match from a position, memoised per utterance, so a rule
or list used by many templates is matched there once. A rule first checks the next
character against what it can start with, so most positions cost one lookup.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .context import allows_value
from .graph import CALL, PREFERRED_WEIGHT, Capture, Graph, Outcome, Run, StartChars, execute
from .lists import CAPTURE, WILDCARD, ListMatcher
from .starts import can_start, start_chars

__all__ = ["RuleCall", "SlotCall", "slot_calls"]


@dataclass(frozen=True, slots=True, eq=False)
class RuleCall:
    """A call edge into a shared expansion-rule graph."""

    graph: Graph

    def outcomes(self, run: Run, pos: int, sow: bool) -> list[Outcome]:
        if not can_start(self.graph, run, pos, sow):  # most positions end here, before the memo
            return []
        key = (id(self), pos, sow)
        found = run.memo.get(key)
        if found is None:
            found = run.memo[key] = [
                (end, end_sow, cost, caps)
                for (end, end_sow), (cost, caps) in execute(self.graph, run, pos, sow).items()
            ]
        return found

    def start_chars(self) -> StartChars:
        return start_chars(self.graph)


@dataclass(frozen=True, slots=True, eq=False)
class SlotCall:
    """A call edge for ``{list:slot}``: looks the list up at match time, so it can change."""

    lists: Mapping[Any, ListMatcher]
    key: Any
    slot: str
    capture: bool
    end_of_word: bool
    requires: Mapping[str, Any]
    excludes: Mapping[str, Any]

    def outcomes(self, run: Run, pos: int, sow: bool) -> list[Outcome]:
        key = (id(self), pos, sow)
        found = run.memo.get(key)
        if found is None:
            found = run.memo[key] = self._outcomes(run, pos, sow)
        return found

    def _outcomes(self, run: Run, pos: int, sow: bool) -> list[Outcome]:
        matcher = self.lists.get(self.key)
        if matcher is None:
            return []
        seen: set[int] = set()
        found: list[Outcome] = []
        for start, end, end_sow, delta, value, listed, kind in matcher.cached_raw(
            run, pos, sow, self.end_of_word
        ):
            if end in seen or (
                listed is not None and not allows_value(listed.context, self.requires, self.excludes)
            ):
                continue
            seen.add(end)
            capture: Capture = (self.slot, start, end, value, listed, CAPTURE if self.capture else kind)
            if self.slot == run.best_slot and kind != WILDCARD and not self.capture:
                delta -= (1 + len(run.text[start:end].strip())) * PREFERRED_WEIGHT
            found.append((end, end_sow, delta, (capture,)))
        return found

    def start_chars(self) -> StartChars:
        return None, None


def slot_calls(graph: Graph, seen: set[int] | None = None) -> Iterator[SlotCall]:
    """The list calls of ``graph``, rules followed (each rule's graph once)."""
    seen = set() if seen is None else seen
    if id(graph) in seen:
        return
    seen.add(id(graph))
    for edges in graph.edges:
        for edge in edges:
            if edge[0] == CALL and isinstance(edge[2], SlotCall):
                yield edge[2]
            elif edge[0] == CALL and isinstance(edge[2], RuleCall):
                yield from slot_calls(edge[2].graph, seen)
