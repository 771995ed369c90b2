"""What a skill's Python says, read without running it: the response keys its code names, and the
values it gives them. ``voice check`` compares these with the responses (``voice.skill_check``).

Every reading here is cautious: where the code builds a key or a set of values in a way this cannot
follow (a variable key, ``**values`` of unknown origin, ``dict.update``), the answer is "unknown"
(``None``), and the check that asked stays silent rather than raise a false alarm.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "SaidCall",
    "either_half_lines",
    "lines_of",
    "module_file",
    "returned_keys",
    "returned_names",
    "said_calls",
]

_SAYING = frozenset({"reply", "say"})
"""Skill methods whose second argument is a response key."""


@dataclass(frozen=True, slots=True)
class SaidCall:
    """One ``<skill>.reply(turn, "Key", name=...)`` or ``<skill>.say(...)`` in a module."""

    key: str
    line: int
    names: frozenset[str] | None
    """The values it passes by name (its ``**`` arguments followed where they can be); None: unknown."""


def lines_of(function: Callable[..., Any]) -> range:
    """The lines of the function's source in its file (empty when the source cannot be found)."""
    try:
        source, first = inspect.getsourcelines(function)
    except (OSError, TypeError):
        return range(0)
    return range(first, first + len(source))


def returned_keys(function: Callable[..., Any] | None) -> list[str]:
    """The response keys a validator returns as literal strings ("DateInPast", "A" if ... else "B")."""
    tree = _function_tree(function)
    keys: list[str] = []
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Return) and node.value is not None:
            keys += _strings(node.value)
    return keys


def returned_names(function: Callable[..., Any] | None) -> frozenset[str] | None:
    """The keys of the dict a function returns (a flow's ``describe``); None when they cannot be told
    (a lambda, ``values.update(...)``, a dict from elsewhere)."""
    tree = _function_tree(function)
    definition = tree.body[0] if isinstance(tree, ast.Module) and tree.body else None
    if not isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    return _dict_keys(definition)


def module_file(function: Callable[..., Any]) -> str | None:
    """The file of the module that defines ``function``; None when it has none."""
    return getattr(sys.modules.get(getattr(function, "__module__", "") or ""), "__file__", None)


@cache
def _module_tree(path: str) -> ast.Module | None:
    """A module's syntax tree, read once for every check that asks; None when it cannot be read."""
    try:
        return ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


@cache
def said_calls(path: str) -> tuple[SaidCall, ...]:
    """Every ``<skill>.reply(turn, "Key")`` and ``<skill>.say(turn, "Key")`` in a module, one per key
    (``"A" if ... else "B"`` names two)."""
    tree = _module_tree(path)
    if tree is None:
        return ()
    functions = {node.name: node for node in tree.body if isinstance(node, _FUNCTIONS)}
    found: list[SaidCall] = []
    for node in ast.walk(tree):
        if _is_saying(node):
            assert isinstance(node, ast.Call)
            names = _passed_names(node, functions)
            found += [SaidCall(key, node.lineno, names) for key in _strings(node.args[1])]
    return tuple(found)


def either_half_lines(path: str) -> tuple[int, ...]:
    """The lines of a module's ``<hours>.reading(..., either_half=...)`` calls (but ``either_half=False``):
    the call older ``voice init`` skills made, which reads "3 am" as 15:00."""
    tree = _module_tree(path)
    if tree is None:
        return ()
    return tuple(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "reading"
        and any(_either_half(keyword) for keyword in node.keywords)
    )


def _either_half(keyword: ast.keyword) -> bool:
    off = isinstance(keyword.value, ast.Constant) and keyword.value.value is False
    return keyword.arg == "either_half" and not off


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _is_saying(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SAYING
        and len(node.args) >= 2
    )


def _passed_names(call: ast.Call, functions: dict[str, _Function]) -> frozenset[str] | None:
    """The names a call passes: its keywords, and the keys of ``**helper(turn)`` when ``helper`` is a
    function of the module whose returned keys can be told."""
    names: set[str] = set()
    for keyword in call.keywords:
        if keyword.arg is not None:
            names.add(keyword.arg)
            continue
        value = keyword.value
        called = value.func.id if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else ""
        keys = _dict_keys(functions[called]) if called in functions else None
        if keys is None:
            return None
        names |= keys
    return frozenset(names)


def _dict_keys(function: _Function) -> frozenset[str] | None:
    """The keys of every dict the function returns: a literal, ``dict(a=...)``, or a variable filled
    with ``values["a"] = ...``; None when any return is something else."""
    keys: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Return):
            found = _literal_keys(node.value)
            if found is None and isinstance(node.value, ast.Name):
                found = _variable_keys(function, node.value.id)
            if found is None:
                return None
            keys |= found
    return frozenset(keys)


def _literal_keys(node: ast.expr | None) -> frozenset[str] | None:
    if isinstance(node, ast.Dict):
        if not all(isinstance(key, ast.Constant) and isinstance(key.value, str) for key in node.keys):
            return None  # a ** inside, or a key that is not a literal text
        return frozenset(str(key.value) for key in node.keys if isinstance(key, ast.Constant))
    if isinstance(node, ast.IfExp):  # {"subject": ...} if subject else {}
        body, orelse = _literal_keys(node.body), _literal_keys(node.orelse)
        return None if body is None or orelse is None else body | orelse
    if _calls_dict(node) and isinstance(node, ast.Call):
        if any(keyword.arg is None for keyword in node.keywords):
            return None
        return frozenset(str(keyword.arg) for keyword in node.keywords)
    return None


def _calls_dict(node: ast.expr | None) -> bool:
    """``dict(a=..., b=...)``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and not node.args
    )


def _variable_keys(function: _Function, name: str) -> frozenset[str] | None:
    """The keys a local dict ``name`` gets: where it is assigned a literal, and ``name["key"] = ...``;
    None when it is assigned anything else, or changed another way (``name.update``, ``name[key]``)."""
    keys: set[str] = set()
    for node in ast.walk(function):
        if _changed_by_method(node, name):
            return None
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        for target in _targets(node):
            if isinstance(target, ast.Name) and target.id == name:
                found = _literal_keys(value)
            elif isinstance(target, ast.Subscript) and _is_name(target.value, name):
                key = target.slice
                found = (
                    frozenset({key.value})
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    else None
                )
            else:
                continue
            if found is None:
                return None
            keys |= found
    return frozenset(keys)


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    return [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else []


def _changed_by_method(node: ast.AST, name: str) -> bool:
    """``name.update(...)`` and the like: keys this cannot follow."""
    return isinstance(node, ast.Attribute) and _is_name(node.value, name) and node.attr in _CHANGING


_CHANGING = frozenset({"update", "setdefault", "__setitem__", "__ior__"})


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _function_tree(function: Callable[..., Any] | None) -> ast.AST | None:
    if function is None or getattr(function, "__name__", "") == "<lambda>":
        return None
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
