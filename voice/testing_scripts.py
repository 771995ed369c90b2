"""Reading conversation scripts (``skills/<name>/tests/*.yaml``, the format in ``voice.testing``):
``load_script`` turns one into a ``Script``, and a malformed one into a ``SkillError`` naming the
file, the line and the key."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SkillError, yaml_problem
from .strict_yaml import UniqueKeyLoader
from .testing_checks import pattern_problem
from .testing_fit import line_of

__all__ = ["Script", "ScriptTurn", "load_script"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptTurn:
    """One line of the caller and what is expected back."""

    user: str
    expected: Mapping[str, Any]
    confidence: float = 1.0
    deadline: float | None = None
    wait: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Script:
    name: str
    path: Path
    locale: str | None
    """None: the language of the skill, when it speaks one."""
    now: dt.datetime
    turns: tuple[ScriptTurn, ...]
    call: bool = False
    """The caller rang in on a phone line (``Turn.call``)."""
    stubs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


_EXPECTATIONS = {"intent", "slots", "reply", "shown", "reprompt", "expect", "end", "handoff", "state"}


class _ScriptLoader(UniqueKeyLoader):
    """YAML where only true/false are booleans: callers say "yes", "no" and "nee", not True and False."""


_ScriptLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in UniqueKeyLoader.yaml_implicit_resolvers.items()
}
_ScriptLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_script(path: str | Path) -> Script:
    """Read a conversation script; a malformed one is a ``SkillError`` naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=_ScriptLoader)  # noqa: S506 - a SafeLoader
        if not isinstance(raw, dict):
            raise _ShapeProblem(
                "turns", "the script must be a mapping with name, locale, now, stubs and turns"
            )
        unknown = sorted(set(raw) - _SCRIPT_KEYS)
        if unknown:
            raise _KeyProblem(unknown[0], f"known keys: {', '.join(sorted(_SCRIPT_KEYS))}")
        if not isinstance(raw.get("turns"), list) or not raw["turns"]:
            raise _ShapeProblem("turns", "it must be a list of turns, each like - user: hallo")
        turns = tuple(_turn(item) for item in raw["turns"])
        now = raw.get("now", dt.datetime.now(dt.UTC))
        now = now if isinstance(now, dt.datetime) else dt.datetime.fromisoformat(str(now))
        return Script(
            name=str(raw.get("name", path.stem)),
            path=path,
            locale=_locale(raw["locale"], path) if "locale" in raw else None,
            now=now,
            turns=turns,
            stubs=_stubs(raw.get("stubs") or {}),
            call=_call(raw.get("call", False)),
        )
    except _ShapeProblem as exc:
        line = line_of(text, exc.key)
        raise SkillError(
            f"{path}{f' line {line}' if line else ''}: {exc.key}: {exc.form}; see docs/skills.md, "
            "Conversation tests."
        ) from None
    except _KeyProblem as exc:
        line = line_of(text, exc.key)
        raise SkillError(
            f"{path}{f' line {line}' if line else ''}: unknown key {exc.key!r} ({exc.known}); fix the key."
        ) from None
    except yaml.YAMLError as exc:
        raise SkillError(
            f"{path} is not valid YAML ({yaml_problem(exc)}); see docs/skills.md, Conversation tests."
        ) from None
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise SkillError(
            f"{path} is not a valid conversation script ({exc}); see docs/skills.md, Conversation tests."
        ) from exc


class _KeyProblem(Exception):
    def __init__(self, key: str, known: str) -> None:
        super().__init__(key)
        self.key, self.known = key, known


class _ShapeProblem(Exception):
    """A known key whose value has the wrong shape: ``form`` says the shape it needs."""

    def __init__(self, key: str, form: str) -> None:
        super().__init__(key)
        self.key, self.form = key, form


_SCRIPT_KEYS = frozenset({"name", "locale", "now", "stubs", "turns", "call"})
_TURN_KEYS = frozenset(_EXPECTATIONS | {"user", "confidence", "deadline", "wait"})
_LOCALE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?")


def _locale(value: Any, path: Path) -> str:
    if not isinstance(value, str) or not _LOCALE.fullmatch(value):
        raise SkillError(f"{path}: locale {value!r} is not a language code; write locale: nl, en or nl-NL.")
    return value


def _call(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _ShapeProblem("call", f"it must be true or false, not {value!r}")
    return value


def _turn(item: Any) -> ScriptTurn:
    if not isinstance(item, dict):
        raise _ShapeProblem("turns", f"a turn must be a mapping like - user: hallo, not {item!r}")
    unknown = set(item) - _TURN_KEYS
    if unknown:
        raise _KeyProblem(sorted(unknown)[0], f"a turn knows {', '.join(sorted(_TURN_KEYS))}")
    if "user" not in item:
        raise _ShapeProblem("turns", 'every turn needs user: what the caller says ("" for silence)')
    for key in ("slots", "state"):
        if item.get(key) is not None and not isinstance(item[key], dict):
            raise _ShapeProblem(key, f"it must be a mapping like {key}: {{name: value}}, not {item[key]!r}")
    for key in ("reply", "shown", "reprompt"):
        if item.get(key) is not None and (problem := pattern_problem(str(item[key]))):
            raise _ShapeProblem(key, f"{problem}; write the exact text, or a regular expression as /.../")
    return ScriptTurn(
        user=str(item["user"] or ""),
        expected={k: v for k, v in item.items() if k in _EXPECTATIONS},
        confidence=_number(item, "confidence", 1.0),
        deadline=_number(item, "deadline", None),
        wait=_number(item, "wait", 0.0),
    )


def _number(item: Mapping[str, Any], key: str, default: float | None) -> Any:
    """A turn's number of seconds (or confidence): not below 0."""
    value = item.get(key, default)
    if value is default:
        return value
    if not _seconds(value):
        raise _ShapeProblem(key, f"it must be a number of 0 or more, not {value!r}")
    return float(value)


def _status(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value < 600


def _seconds(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _anything(_value: Any) -> bool:
    return True


_STUB_KEYS: Mapping[str, tuple[Callable[[Any], bool], str]] = {
    "status": (_status, "an HTTP status like status: 201"),
    "json": (_anything, "the JSON body"),
    "delay": (_seconds, "seconds, a number of 0 or more, like delay: 0.5"),
}


def _stubs(value: Any) -> dict[str, Mapping[str, Any]]:
    """``stubs:``, setting -> {status, json, delay}; a wrong shape names the key."""
    if not isinstance(value, dict):
        raise _ShapeProblem(
            "stubs", f"it must be a mapping like stubs: {{booking_url: {{status: 201}}}}, not {value!r}"
        )
    for setting, behaviour in value.items():
        if not isinstance(behaviour, dict):
            raise _ShapeProblem(
                str(setting),
                f"a stub must be a mapping like {setting}: {{status: 201, json: {{}}}}, not {behaviour!r}",
            )
        for key, given in behaviour.items():
            if key not in _STUB_KEYS:
                raise _KeyProblem(str(key), f"a stub knows {', '.join(_STUB_KEYS)}")
            fits, form = _STUB_KEYS[key]
            if not fits(given):
                raise _ShapeProblem(str(key), f"in the stub {setting} it must be {form}, not {given!r}")
    return value
