"""Compile intent sets into template graphs, once, at load.

Each template becomes a ``Graph``; expansion rules become shared graphs behind
call edges; list references become call edges that look their list up by key at
match time (so runtime lists can be replaced without recompiling). A rule that
contains list references is compiled once per distinct data-block context,
because list values are filtered by the block's ``requires_context``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Mapping, MutableMapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from .bulk import collector_paused
from .calls import RuleCall, SlotCall
from .errors import TemplateError
from .graph import Graph, Run, execute
from .intents import IntentData, IntentSet
from .lists import ListMatcher, compile_list
from .normalize import squeeze_cjk
from .prefilter import RuleMemo, TemplateIndex, edge_atoms, required_clauses
from .scope import ListKey, Scope
from .slots import ListValue, RangeList, SlotList, SlotTypeList, WildcardList
from .template import Alt, Expr, ListRef, Perm, RuleRef, Seq, Template, Text, walk

__all__ = ["Entry", "compile_sets"]

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One compiled template with everything needed to report a match of it."""

    number: int
    skill: str
    intent: str
    block: IntentData
    template: Template
    graph: Graph
    skip_words: tuple[str, ...]
    wildcard_edge: str
    """Where a wildcard sits at the template's edge: "", "start", "end" or "whole"."""

    literal_skip: bool
    """True if a skip word occurs in the template's own words (try the raw text too)."""

    def best(self, run: Run) -> tuple[int, tuple[Any, ...]] | None:
        """The best (score, captures) of this template on ``run``, or None."""
        best: tuple[int, tuple[Any, ...]] | None = None
        for (end, _sow), found in execute(self.graph, run, 0, True).items():
            if end >= run.blank_from and (best is None or found[0] < best[0]):
                best = found
        return best


class _Compiler:
    """Builds graphs; owns the shared rule graphs and the list table."""

    def __init__(self, lists: MutableMapping[ListKey, ListMatcher], language: str, spaced: bool) -> None:
        self.lists = lists
        self.language = language
        self.spaced = spaced
        self.rules: dict[tuple[Any, ...], RuleCall] = {}

    def _text(self, text: str) -> str:
        return text if self.spaced else squeeze_cjk(text)

    def graph(self, expr: Expr, scope: Scope | None, *, counted: bool = True) -> Graph:
        graph = Graph(counted=counted)
        end = self.emit(graph, expr, 0, scope)
        if end != graph.final or end == 0:
            graph.epsilon(end, graph.node())
        graph.skip_epsilons()
        return graph

    def emit(self, graph: Graph, expr: Expr, start: int, scope: Scope | None) -> int:
        if isinstance(expr, Text):
            text = self._text(expr.text)
            return graph.literal(start, text.lower(), spaced=self.spaced) if text else start
        if isinstance(expr, Seq):
            return self._sequence(graph, expr, start, scope)
        if isinstance(expr, Alt | Perm):
            return self._alternative(graph, expr, start, scope)
        if scope is None:
            raise TemplateError(f"list values cannot use {{lists}} or <rules>: {expr!r}")
        if isinstance(expr, RuleRef):
            return graph.call(start, self._rule(expr.name, scope, graph.counted))
        return graph.call(start, self._slot(expr, scope))

    def _sequence(self, graph: Graph, expr: Seq, start: int, scope: Scope | None) -> int:
        node, pending = start, ""
        for item in expr.items:
            if isinstance(item, Text):
                pending = _join(pending, self._text(item.text))
                continue
            if pending:
                node, pending = graph.literal(node, pending.lower(), spaced=self.spaced), ""
            node = self.emit(graph, item, node, scope)
        return graph.literal(node, pending.lower(), spaced=self.spaced) if pending else node

    def _alternative(self, graph: Graph, expr: Alt | Perm, start: int, scope: Scope | None) -> int:
        if isinstance(expr, Perm):
            ends = self._orders(graph, expr, start, scope)
        else:
            ends = [self.emit(graph, branch, start, scope) for branch in expr.items]
        join = graph.node()
        for end in ends:
            graph.epsilon(end, join)
        return join

    def _orders(self, graph: Graph, expr: Perm, start: int, scope: Scope | None) -> list[int]:
        """Every order of a permutation's parts; each part is one shared graph behind call edges,
        so it is compiled once (not once per order) and matched once per position."""
        parts = [
            RuleCall(self.graph(Seq((Text(" "), item, Text(" "))), scope, counted=graph.counted))
            for item in expr.items
        ]
        ends = []
        for order in itertools.permutations(parts):
            node = start
            for part in order:
                node = graph.call(node, part)
            ends.append(node)
        return ends

    def _rule(self, name: str, scope: Scope, counted: bool) -> RuleCall:
        """A shared rule graph; inside list values text is not counted, as in hassil."""
        key = scope.rule_key(name, counted)
        call = self.rules.get(key)
        if call is None:
            call = self.rules[key] = RuleCall(self.graph(scope.rules[name].expr, scope, counted=counted))
        return call

    def _slot(self, ref: ListRef, scope: Scope) -> SlotCall:
        key = scope.list_key(ref)
        if key not in self.lists and key[0] != "runtime":
            self.lists[key] = self.compile_list(self._slot_list(ref, scope, key), scope)
        return SlotCall(
            self.lists,
            key,
            ref.slot_name,
            ref.capture,
            ref.end_of_word,
            scope.block.requires_context,
            scope.block.excludes_context,
        )

    @staticmethod
    def _slot_list(ref: ListRef, scope: Scope, key: ListKey) -> SlotList:
        if key[0] == "slot_type":
            return SlotTypeList(ref.list_name)
        if key[0] == "inline":
            return RangeList.inline(ref)
        return scope.lists[ref.list_name]

    def compile_list(self, slot_list: SlotList, scope: Scope | None = None) -> ListMatcher:
        """Compile a list; templated values resolve <rules> and {lists} in ``scope``."""

        def value_graph(value: ListValue) -> Graph:
            return self.graph(value.expr, scope, counted=False)

        return compile_list(slot_list, self.language, value_graph)


def _join(left: str, right: str) -> str:
    return (
        (left.rstrip() + " " + right.lstrip())
        if left.endswith(" ") and right.startswith(" ")
        else left + right
    )


def _wildcard_edge(expr: Expr, lists: Mapping[str, SlotList]) -> str:
    def is_wild(item: Expr) -> bool:
        return isinstance(item, ListRef) and isinstance(lists.get(item.list_name), WildcardList)

    if is_wild(expr):
        return "whole"
    if not isinstance(expr, Seq) or len(expr.items) < 2:
        return ""
    return "start" if is_wild(expr.items[0]) else "end" if is_wild(expr.items[-1]) else ""


def _says_any(
    expr: Expr,
    wanted: AbstractSet[str],
    rules: Mapping[str, Template],
    memo: dict[str, bool],
    seen: frozenset[str] = frozenset(),
) -> bool:
    """True if ``expr`` has a literal word in ``wanted``, rules followed (``memo``: each rule's answer)."""
    for item in walk(expr):
        if isinstance(item, Text):
            if not wanted.isdisjoint(item.text.lower().split()):
                return True
        elif isinstance(item, RuleRef) and item.name in rules and item.name not in seen:
            known = memo.get(item.name)
            if known is None:
                known = memo[item.name] = _says_any(
                    rules[item.name].expr, wanted, rules, memo, seen | {item.name}
                )
            if known:
                return True
    return False


def _chunk_count(expr: Expr) -> int:
    return sum(max(1, len(item.text.split())) for item in walk(expr) if isinstance(item, Text))


def _ordered(block: IntentData, lists: Mapping[str, SlotList]) -> list[Template]:
    """hassil tries templates with wildcards and more text first."""

    wildcards = {name for name, slot_list in lists.items() if isinstance(slot_list, WildcardList)}

    def key(template: Template) -> int:
        wild = any(isinstance(item, ListRef) and item.list_name in wildcards for item in walk(template.expr))
        return -_chunk_count(template.expr) if wild else 0

    return sorted(block.templates, key=key) if wildcards else list(block.templates)


@dataclass(slots=True)
class _Memos:
    """What the templates of blocks that resolve names alike share while they are compiled."""

    rules: RuleMemo
    says_skip_word: dict[str, bool]


@collector_paused
def compile_sets(
    intent_sets: list[IntentSet], lists: MutableMapping[ListKey, ListMatcher], language: str
) -> tuple[list[Entry], TemplateIndex, _Compiler]:
    """Compile every template of every set, in hassil's order."""
    compiler = _Compiler(lists, language, spaced=not any(s.ignore_whitespace for s in intent_sets))
    entries: list[Entry] = []
    index = TemplateIndex()
    memos: dict[tuple[Any, ...], _Memos] = {}
    reach: dict[Any, Any] = {}
    for intent_set in intent_sets:
        skip = tuple(intent_set.skip_words)
        skip_words = {word for phrase in skip for word in phrase.lower().split()}
        for intent in intent_set.intents.values():
            for block in intent.data:
                scope = Scope(intent_set, block, reach)
                # the skip-word answers depend on the set's skip words too
                memo = memos.setdefault((*scope.signature, skip), _Memos(RuleMemo(), {}))
                for template in _ordered(block, scope.lists):
                    clauses = frozenset(
                        required_clauses(template.expr, scope.rules, scope.atom_key, memo=memo.rules)
                    )
                    first, last = (
                        edge_atoms(template.expr, scope.rules, scope.atom_key, last=at_end, memo=memo.rules)[
                            0
                        ]
                        for at_end in (False, True)
                    )
                    entries.append(
                        Entry(
                            number=index.add(clauses, first, last),
                            skill=intent_set.skill,
                            intent=intent.name,
                            block=block,
                            template=template,
                            graph=compiler.graph(template.expr, scope),
                            skip_words=skip,
                            wildcard_edge=_wildcard_edge(template.expr, intent_set.lists),
                            literal_skip=bool(skip_words)
                            and _says_any(template.expr, skip_words, scope.rules, memo.says_skip_word),
                        )
                    )
    _LOGGER.debug("Compiled %d templates, %d rule graphs", len(entries), len(compiler.rules))
    return entries, index, compiler
