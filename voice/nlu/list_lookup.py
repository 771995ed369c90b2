"""A skill's value list read on its own: the value that all of a text says, for a slot a platform sent.

A platform that could not resolve a list slot sends the caller's words (Alexa without entity resolution);
they are read by the same compiled list a template's ``{name}`` uses, so a channel reads them as typed chat
does. The context rules of the data blocks that use the list rule values out, as in a match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .calls import slot_calls
from .compile import Entry
from .context import allows_value
from .graph import Run
from .lists import LIST_VALUE, ListMatcher
from .normalize import Utterance
from .scope import ListKey
from .slots import ListValue
from .types import SlotValue

__all__ = ["ListLookup"]

_Rules = tuple[Mapping[str, Any], Mapping[str, Any]]
"""A data block's ``requires_context`` and ``excludes_context``."""


def _fits(listed: ListValue, rules: tuple[_Rules, ...]) -> bool:
    """Whether a list value's own context fits the rules of some block that uses it (no rules: any)."""
    return not rules or any(allows_value(listed.context, requires, excludes) for requires, excludes in rules)


class ListLookup:
    """The value lists of a matcher's skills, read one at a time (``Matcher.list_value``).

    It shares the matcher's ``lists``: values set at run time are read here too.
    """

    def __init__(
        self, entries: Sequence[Entry], lists: Mapping[ListKey, ListMatcher], language: str, *, spaced: bool
    ) -> None:
        self._entries = entries
        self._lists = lists
        self._language = language
        self._spaced = spaced
        self._list_owners: dict[str, tuple[str, ...]] = {}
        """Per skill, the scopes of the lists its templates use (``_compiled_list``), found on first use."""
        self._rules: dict[tuple[str, str, str], tuple[_Rules, ...]] = {}
        """Per skill, intent and list, the context rules of the blocks that use it (``_context_rules``)."""

    def value(self, skill: str, name: str, text: str, *, intent: str | None = None) -> SlotValue | None:
        """The value of ``skill``'s list ``name`` that all of ``text`` says, or None; with the ``intent``
        it fills, a value whose own context every data block of it that uses the list rules out is none."""
        compiled = self._compiled_list(skill, name)
        utterance = Utterance.of(text)
        if compiled is None or not utterance.folded:
            return None
        rules = self._context_rules(skill, intent, name) if intent is not None else ()
        run = Run.of(utterance.folded, utterance.text, self._language, spaced=self._spaced)
        for start, end, _sow, _delta, value, listed, kind in compiled.raw(run, 0, True, False):
            if kind == LIST_VALUE and listed is not None and end >= run.blank_from and _fits(listed, rules):
                return SlotValue(text=run.text[start:end].strip(), value=value, id=listed.id)
        return None

    def _context_rules(self, skill: str, intent: str, name: str) -> tuple[_Rules, ...]:
        """The (requires, excludes) context rules of the data blocks of ``intent`` that use list ``name``;
        found once per intent and list."""
        key = (skill, intent, name)
        found = self._rules.get(key)
        if found is None:
            calls = (
                call
                for entry in self._entries
                if entry.skill == skill and entry.intent == intent
                for call in slot_calls(entry.graph)
                if call.key[1] == name
            )
            rules = {(id(call.requires), id(call.excludes)): (call.requires, call.excludes) for call in calls}
            found = self._rules[key] = tuple(rules.values())
        return found

    def _compiled_list(self, skill: str, name: str) -> ListMatcher | None:
        """The skill's list as its templates use it: its own, a data block's, or one set at run time."""
        owners = self._list_owners.get(skill)
        if owners is None:  # the templates are compiled once; only the lists' values change at run time
            blocks = dict.fromkeys(f"block:{id(e.block)}" for e in self._entries if e.skill == skill)
            owners = self._list_owners[skill] = (f"skill:{skill}", *blocks)
        for owner in owners:
            found = next((m for key, m in self._lists.items() if key[:2] == (owner, name)), None)
            if found is not None:
                return found
        return self._lists.get(("runtime", name))
