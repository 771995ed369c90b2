"""Reference checks: every ``<rule>`` and ``{list}`` a template reaches must exist in its scope.

hassil resolves names when a data block is matched, with the block's own lists and
rules laid over the file's: a global rule may use ``<class>`` that only some data
blocks define, and a list value may use ``<rule>``. So names are checked here per
data block, for the templates of that block and everything they reach (rule bodies,
templated list values); a rule nobody uses is only parsed. A problem inside a rule
is reported at the sentence that reached it, naming the rule chain and the rule's
own position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from ..suggestions import did_you_mean
from .errors import TemplateError
from .slots import SlotList, ValueList
from .template import ListRef, RuleRef, Template, walk

__all__ = ["ScopeChecker", "has_references"]

KnownList = Callable[[ListRef, Mapping[str, SlotList]], bool]


def has_references(slot_list: SlotList | None) -> bool:
    """True if a value of ``slot_list`` is a template using ``<rules>`` or ``{lists}``."""
    return isinstance(slot_list, ValueList) and slot_list.templated


class ScopeChecker:
    """Checks templates against one data block's lists and rules (memoised per rule and list)."""

    def __init__(
        self,
        lists: Mapping[str, SlotList],
        rules: Mapping[str, Template],
        known_list: KnownList,
        other_names: Iterable[str] = (),
    ) -> None:
        """``other_names``: the names ``known_list`` knows besides ``lists`` (slot types, runtime lists),
        offered with the lists when a reference is misspelt."""
        self.lists = lists
        self.rules = rules
        self.known_list = known_list
        self.other_names = frozenset(other_names)
        self._done: set[str] = set()

    def check(self, template: Template) -> None:
        """Raise TemplateError if ``template`` reaches an unknown name or a rule cycle."""
        for expr in walk(template.expr):
            if not isinstance(expr, RuleRef | ListRef):
                continue
            try:
                self._reference(expr, template, ())
            except TemplateError as error:
                if error.position is not None:
                    raise
                raise TemplateError(error.problem, position=expr.position, token=error.token) from None

    def _reference(self, ref: RuleRef | ListRef, template: Template, chain: tuple[str, ...]) -> None:
        if isinstance(ref, RuleRef):
            self._rule(ref, template, chain)
        else:
            self._list(ref, template, chain)

    def _rule(self, ref: RuleRef, template: Template, chain: tuple[str, ...]) -> None:
        name = ref.name
        if name not in self.rules:
            hint = did_you_mean(name, self.rules, "<{}>")
            raise _problem(f"unknown expansion rule <{name}>{hint}", ref, template, chain)
        if f"<{name}>" in chain:
            cycle = " -> ".join((*chain, f"<{name}>"))
            raise TemplateError(f"expansion rule {chain[0]} refers to itself: {cycle}", token=name)
        self._follow(f"<{name}>", self.rules[name], chain)

    def _list(self, ref: ListRef, template: Template, chain: tuple[str, ...]) -> None:
        if not self.known_list(ref, self.lists):
            hint = did_you_mean(ref.list_name, {*self.lists, *self.other_names}, "{{{}}}")
            raise _problem(f"unknown list {{{ref.list_name}}}{hint}", ref, template, chain)
        bounds = ref.inline_range
        if bounds is not None and (bounds[0] > bounds[1] or bounds[2] <= 0):
            raise _problem(f"bad range {{{ref.list_name}}}", ref, template, chain)
        slot_list = self.lists.get(ref.list_name)
        if isinstance(slot_list, ValueList) and has_references(slot_list):
            for value in slot_list.values:
                self._follow(f"{{{ref.list_name}}}", Template(value.text, value.expr), chain)

    def _follow(self, label: str, body: Template, chain: tuple[str, ...]) -> None:
        """Check a rule body or list value once: a finished check found no cycle through it either."""
        if label in self._done:
            return
        for expr in walk(body.expr):
            if isinstance(expr, RuleRef | ListRef):
                self._reference(expr, body, (*chain, label))
        self._done.add(label)


def _problem(what: str, ref: RuleRef | ListRef, template: Template, chain: tuple[str, ...]) -> TemplateError:
    if not chain:
        return TemplateError(
            f"{what} in template {template.text!r}", position=ref.position, token=_token(ref)
        )
    via = " -> ".join(chain)
    return TemplateError(
        f"{what} in {chain[-1]} {template.text!r} at position {ref.position} (reached through {via})",
        token=_token(ref),
    )


def _token(ref: RuleRef | ListRef) -> str:
    return ref.name if isinstance(ref, RuleRef) else ref.list_name
