"""Name resolution for one data block, and what a rule's compiled graph depends on.

A data block sees its own lists and rules laid over its skill's. A rule's graph
only has to be compiled again for another block when it reaches something that
differs between them: a block-local rule or list, or (through a list, whose values
are filtered by the block's context rules) the block's ``requires_context`` and
``excludes_context``. Rules that reach neither, such as ``<turn_on>``, get one graph
per skill, so their matches are memoised once per utterance for every template.
The same holds for a list whose values are templates: one compiled list per skill
unless its values reach a block-local name or a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .intents import IntentData, IntentSet
from .references import has_references
from .slot_types import find_slot_type
from .slots import RangeList, SlotList, ValueList
from .template import Expr, ListRef, RuleRef, Template, walk

__all__ = ["ListKey", "Scope", "list_key"]

ListKey = tuple[str, ...]


def list_key(scope: str, name: str) -> ListKey:
    """The key of a list in the matcher's list table."""
    return (scope, name)


@dataclass(frozen=True, slots=True)
class _Reach:
    """What a rule reaches, rules followed: block-local names, lists, lists of templated values."""

    local: bool = False
    lists: bool = False
    templated: bool = False

    def __or__(self, other: _Reach) -> _Reach:
        return _Reach(self.local or other.local, self.lists or other.lists, self.templated or other.templated)


class Scope:
    """Name resolution for one data block of one skill."""

    def __init__(self, intent_set: IntentSet, block: IntentData, reach_memo: dict[Any, _Reach]) -> None:
        self.set = intent_set
        self.block = block
        self.lists: Mapping[str, SlotList] = {**intent_set.lists, **block.lists}
        self.rules: Mapping[str, Template] = {**intent_set.rules, **block.rules}
        self.local = bool(block.lists or block.rules)
        self.context = (
            repr(sorted(block.requires_context.items())),
            repr(sorted(block.excludes_context.items())),
        )
        self.signature = (intent_set.skill, id(block) if self.local else 0, self.context)
        self._memo = reach_memo

    def rule_key(self, name: str, counted: bool) -> tuple[Any, ...]:
        """The key under which rule ``name``'s graph is shared with other blocks."""
        reach = self._reach(name, frozenset())
        if reach.templated:
            return (name, counted, *self.signature)
        owner = id(self.block) if reach.local else 0
        return (name, counted, self.set.skill, owner, self.context if reach.lists else None)

    def _reach(self, name: str, seen: frozenset[str]) -> _Reach:
        """What rule ``name`` reaches, rules followed (``seen``: the rules on the way here)."""
        return self._memoised(
            ("rule", name),
            lambda: (
                _Reach(local=name in self.block.rules)
                | self._walk_reach((self.rules[name].expr,), seen | {name})
            ),
        )

    def _values_reach(self, name: str) -> _Reach:
        """What the templated values of list ``name`` reach, rules followed."""
        slot_list = self.lists[name]
        assert isinstance(slot_list, ValueList)
        exprs = [value.expr for value in slot_list.values]
        return self._memoised(("values", name), lambda: self._walk_reach(exprs, frozenset(), in_list=True))

    def _memoised(self, what: tuple[str, str], compute: Callable[[], _Reach]) -> _Reach:
        """One answer per name and scope: blocks without local names share their skill's answers."""
        key = (id(self.block) if self.local else id(self.set), *what)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = compute()
        return found

    def _walk_reach(self, exprs: Iterable[Expr], seen: frozenset[str], in_list: bool = False) -> _Reach:
        """What ``exprs`` reach, rules followed.

        A rule unknown here is ignored in a rule's body; in a list's values (``in_list``) it counts
        as block-local, so the block keeps its own copy of the list.
        """
        found = _Reach()
        for expr in exprs:
            for item in walk(expr):
                if isinstance(item, RuleRef) and item.name in self.rules:
                    if item.name not in seen:
                        found |= self._reach(item.name, seen)
                elif isinstance(item, RuleRef):
                    found |= _Reach(local=in_list)
                elif isinstance(item, ListRef):
                    found |= self._list_reach(item)
        return found

    def _list_reach(self, ref: ListRef) -> _Reach:
        name = ref.list_name
        return _Reach(
            local=name in self.block.lists,
            lists=True,
            templated=name in self.lists and has_references(self.lists[name]),
        )

    def list_key(self, ref: ListRef) -> ListKey:
        """The key of the list ``ref`` names, as this block resolves it."""
        name = ref.list_name
        if name in self.block.lists or name in self.set.lists:
            owner = f"block:{id(self.block)}" if name in self.block.lists else f"skill:{self.set.skill}"
            if has_references(self.lists[name]) and self._values_reach(name) != _Reach():
                # values using block-local names or {lists} resolve them in the data block that uses
                # the list; values using only the skill's rules compile alike in every block
                return (owner, name, repr(self.signature))
            return list_key(owner, name)
        if find_slot_type(name) is not None:
            return list_key("slot_type", name)
        if ref.inline_range is not None:
            return list_key("inline", name)
        return list_key("runtime", name)

    def atom_key(self, ref: ListRef) -> ListKey | None:
        """The key of a value or range list (a pre-filter atom), or None for wildcards and slot types."""
        key = self.list_key(ref)
        if key[0] in ("runtime", "inline"):
            return key
        if key[0] == "slot_type":
            return None
        return key if isinstance(self.lists[ref.list_name], ValueList | RangeList) else None
