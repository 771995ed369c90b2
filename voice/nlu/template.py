"""Sentence templates parsed into a small typed expression tree.

The syntax is hassil's, so Home Assistant's intent files load unchanged:
``(a|b)`` alternatives, ``[a]`` optionals, ``(a;b)`` permutations, ``{list}`` and
``{list:slot}`` list references, ``<rule>`` expansion rules, ``\\`` escapes. The tree
is what the compiler, the sampler and the checker share; parsing happens once at load.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import TemplateError
from .normalize import normalize_template_text

__all__ = [
    "Alt",
    "Expr",
    "ListRef",
    "Perm",
    "RuleRef",
    "Seq",
    "Template",
    "Text",
    "check_rule_cycle",
    "is_template",
    "parse_template",
    "walk",
]

_SPECIAL = "()[]{}<>|;"
_SPECIAL_IN = re.compile(r"[()\[\]{}<>|;]")
_CLOSERS = {"(": ")", "[": "]"}
_INLINE_RANGE = re.compile(r"^(-?\d+)\.\.(-?\d+)(?:,(\d+))?$")
_TEMPLATE_SYNTAX = re.compile(r"[(){}<>\[\]|@]")


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text, whitespace-normalised; spaces inside it are significant."""

    text: str


@dataclass(frozen=True, slots=True)
class Seq:
    """Items that must all match, in order."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Alt:
    """Exactly one item matches; an optional ``[a]`` is ``Alt`` with an empty last item."""

    items: tuple[Expr, ...]
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Perm:
    """All items match, in any order (``(a;b)``)."""

    items: tuple[Expr, ...]

    def orders(self) -> tuple[Seq, ...]:
        """Every ordering as a sequence, each item padded with spaces like hassil does."""
        padded = [Seq((Text(" "), item, Text(" "))) for item in self.items]
        return tuple(Seq(tuple(order)) for order in itertools.permutations(padded))


@dataclass(frozen=True, slots=True)
class ListRef:
    """``{list}``, ``{list:slot}`` or ``{list:@capture}``: one value of a slot list."""

    list_name: str
    slot_name: str
    capture: bool = False
    end_of_word: bool = True
    position: int = 0

    @property
    def inline_range(self) -> tuple[int, int, int] | None:
        """(start, stop, step) for ``{1..10:slot}`` references, else None."""
        found = _INLINE_RANGE.match(self.list_name)
        if found is None:
            return None
        return int(found[1]), int(found[2]), int(found[3] or 1)


@dataclass(frozen=True, slots=True)
class RuleRef:
    """``<rule>``: the body of a named expansion rule."""

    name: str
    position: int = 0


Expr = Text | Seq | Alt | Perm | ListRef | RuleRef


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed sentence template and the text it came from."""

    text: str
    expr: Expr


def is_template(text: str) -> bool:
    """True if ``text`` uses template syntax (list values may be templates)."""
    return _TEMPLATE_SYNTAX.search(text) is not None


def parse_template(text: str) -> Template:
    """Parse one sentence template; raise TemplateError with the position of the problem."""
    parser = _Parser(text)
    expr = parser.body(None, 0)
    return Template(text=text, expr=expr)


def walk(expr: Expr) -> list[Expr]:
    """Return ``expr`` and every expression below it (rules are not followed)."""
    found: list[Expr] = []
    todo = [expr]
    while todo:  # a stack, not recursion: loading walks every template several times
        item = todo.pop()
        found.append(item)
        if isinstance(item, Seq | Alt | Perm):
            todo.extend(reversed(item.items))
    return found


def check_rule_cycle(name: str, rules: Mapping[str, Template], path: tuple[str, ...] = ()) -> None:
    """Raise TemplateError if expansion rule ``name`` refers back to itself."""
    path = path or (name,)
    for expr in walk(rules[name].expr):
        if not isinstance(expr, RuleRef) or expr.name not in rules:
            continue
        if expr.name in path:
            chain = " -> ".join(f"<{step}>" for step in (*path, expr.name))
            raise TemplateError(f"expansion rule <{path[0]}> refers to itself: {chain}", token=expr.name)
        check_rule_cycle(expr.name, rules, (*path, expr.name))


def _sequence(items: list[Expr]) -> Expr:
    return items[0] if len(items) == 1 else Seq(tuple(items))


def _combine(kind: str, branches: list[Expr]) -> Expr:
    return Alt(tuple(branches)) if kind == "|" else Perm(tuple(branches))


class _Parser:
    """Recursive descent over the template text, tracking positions for errors."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, problem: str, position: int, token: str) -> TemplateError:
        return TemplateError(f"{problem} in template {self.text!r}", position=position, token=token)

    def body(self, closer: str | None, opened_at: int) -> Expr:
        """Parse items up to ``closer`` (None: end of text), splitting on | and ;."""
        kind: str | None = None
        branches: list[Expr] = []
        current: list[Expr] = []
        while True:
            if self.pos >= len(self.text):
                if closer is not None:
                    raise self.error(f"unbalanced {self.text[opened_at]!r}", opened_at, self.text[opened_at])
                break
            char = self.text[self.pos]
            if char == closer:
                self.pos += 1
                break
            if char in "|;":
                self.pos += 1
                if kind is None or kind == char:
                    branches.append(_sequence(current or [Text("")]))
                else:
                    branches = [_combine(kind, [*branches, _sequence(current or [Text("")])])]
                kind, current = char, []
                continue
            current.append(self.item())
        last = _sequence(current or [Text("")])
        return last if kind is None else _combine(kind, [*branches, last])

    def item(self) -> Expr:
        start, char = self.pos, self.text[self.pos]
        if char in ")]}>":
            raise self.error(f"unexpected {char!r}", start, char)
        if char in _CLOSERS:
            self.pos += 1
            inner = self.body(_CLOSERS[char], start)
            return _optional(inner) if char == "[" else inner
        if char in "{<":
            return self.reference(char, start)
        return Text(normalize_template_text(self.word()))

    def reference(self, char: str, start: int) -> Expr:
        closer = "}" if char == "{" else ">"
        end = self.text.find(closer, start + 1)
        if end < 0:
            raise self.error(f"unbalanced {char!r}", start, char)
        name = self.text[start + 1 : end].strip()
        self.pos = end + 1
        if not name or _SPECIAL_IN.search(name) is not None:
            raise self.error(f"bad reference {char}{name}{closer}", start, name)
        if char == "<":
            return RuleRef(name=name, position=start)
        end_of_word = self.pos >= len(self.text) or self.text[self.pos].isspace()
        return _list_ref(name, start, end_of_word)

    def word(self) -> str:
        chars: list[str] = []
        while self.pos < len(self.text) and self.text[self.pos] not in _SPECIAL:
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                self.pos += 1
                char = self.text[self.pos]
            chars.append(char)
            self.pos += 1
        return "".join(chars)


def _optional(inner: Expr) -> Alt:
    items = inner.items if isinstance(inner, Alt) else (inner,)
    return Alt((*items, Text("")), optional=True)


def _list_ref(name: str, position: int, end_of_word: bool) -> ListRef:
    list_name, _, slot_name = name.partition(":")
    capture = False
    if slot_name.startswith("@"):
        capture, slot_name = True, slot_name[1:]
    elif not slot_name and list_name.startswith("@"):
        capture, list_name = True, list_name[1:]
    return ListRef(
        list_name=list_name,
        slot_name=slot_name or list_name,
        capture=capture,
        end_of_word=end_of_word,
        position=position,
    )
