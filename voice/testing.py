"""Conversation tests: YAML scripts of what the caller says and what must come back.

A script (``skills/<name>/tests/*.yaml``)::

    name: Book with a correction
    locale: nl                              # without: the skill's language, if it speaks one
    call: true                              # a phone call (Turn.call); without: typed text
    now: 2026-11-23T10:00:00+00:00          # the clock of the conversation ("morgen" = 24 Nov)
    stubs:                                  # local HTTP stand-ins for the company's APIs
      booking_url: {status: 201, json: {id: "A1"}, delay: 0}   # a setting of the skill
    turns:
      - user: ik wil een afspraak maken
        intent: BookAppointment
        reply: Op welke dag wilt u komen?   # exact text, or /a regular expression/
        expect: slot                        # nothing, answer, slot, confirmation
        reprompt: Op welke dag wilt u komen?   # said after silence (null: none); as reply
      - user: morgen
        slots: {date: "2026-11-24"}
      - user: ""                            # silence
      - user: mag ik een medewerker spreken
        handoff: asked                      # the reason in the handoff record
        end: true
        state: {handed_over: true}          # keys of the dialog state

Each turn may also set ``confidence`` (of the recognition), ``deadline`` (seconds the
channel allows) and ``wait`` (seconds to let pass before the turn). ``run_script`` plays a
script against an assistant (``assistant_for_tests`` builds one per skill) and returns the
failures as sentences; pytest and ``voice test`` both use it. ``check_script`` does both for
one script file, the few lines a project's own pytest needs (docs/skills.md).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .assistant import Assistant, build_assistant
from .config import Config, only_skills
from .dialog.handoff import POLICY_SETTINGS
from .errors import SkillError, yaml_problem
from .reply import Reply
from .store import Session
from .strict_yaml import UniqueKeyLoader
from .testing_fit import line_of, played_locale, refuse_unknown_stubs
from .testing_stubs import stubbed_setting
from .turn import Turn

__all__ = [
    "Script",
    "ScriptTurn",
    "assistant_for_tests",
    "check_script",
    "load_script",
    "run_script",
    "scripts_of",
]


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


_EXPECTATIONS = {"intent", "slots", "reply", "reprompt", "expect", "end", "handoff", "state"}


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
    for key in ("reply", "reprompt"):
        if item.get(key) is not None and (problem := _pattern_problem(str(item[key]))):
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


def scripts_of(skill_root: Path) -> list[Path]:
    """The conversation scripts of the skill folder ``skill_root``: its ``tests/*.yaml``."""
    return sorted((skill_root / "tests").glob("*.yaml"))


def check_script(path: Path, skill: str | Path, workdir: Path) -> list[str]:
    """What went wrong in the script at ``path``, played as ``voice test`` plays it on an assistant of
    its own with only ``skill`` (a folder or a name), its store and handoff queue in ``workdir``
    (pytest's ``tmp_path``); a script that cannot be read or does not fit is a ``SkillError``."""
    assistant = assistant_for_tests(str(skill), workdir)
    try:
        return run_script(load_script(path), assistant)
    finally:
        assistant.close()


def assistant_for_tests(reference: str, workdir: Path, config: Config | None = None) -> Assistant:
    """An assistant with only the skill ``reference``, a store and a handoff queue in ``workdir``.
    The config's handoff triggers (``max_fallbacks`` ...) stay; its records go to the queue only."""
    name = Path(reference).name
    chosen = only_skills(config or Config(), (reference,))
    triggers = {key: value for key, value in chosen.handoff.items() if key in POLICY_SETTINGS}
    settings = replace(
        chosen,
        store=f"sqlite:///{workdir / f'{name}.db'}",
        handoff={**triggers, "queue": str(workdir / f"handoff-{name}.jsonl")},
    )
    return build_assistant(settings)


def run_script(script: Script, assistant: Assistant) -> list[str]:
    """Play the script as a new session of ``assistant``; returns what did not go as expected. A script
    that does not fit the assistant (``voice.testing_fit``) is a ``SkillError`` before its first turn."""
    locale = played_locale(script.path, script.locale, assistant.router)
    refuse_unknown_stubs(script.path, script.stubs, assistant.router)
    failures: list[str] = []
    queue = Path(str(assistant.config.handoff.get("queue", "")))
    with ExitStack() as stack:
        for setting, behaviour in script.stubs.items():
            stack.enter_context(stubbed_setting(assistant.router, setting, behaviour))
        session = f"test-{script.path.stem}-{time.monotonic_ns()}"
        for number, step in enumerate(script.turns, 1):
            time.sleep(step.wait)
            deadline = time.monotonic() + step.deadline if step.deadline else None
            turn = Turn(
                text=step.user,
                locale=locale,
                channel="test",
                call=script.call,
                session_id=session,
                user_id="tester",
                time=script.now,
                confidence=step.confidence,
                deadline=deadline,
            )
            with _errors_logged(session) as errors:
                reply = assistant.respond(turn)
            _deliver_handoffs(assistant)
            state = assistant.store.load(session)
            problems = [*_failed(errors), *_check(step.expected, reply, state, _records(queue, session))]
            failures += [f"{script.path.name} turn {number} ({step.user!r}): {p}" for p in problems]
    return failures


@contextmanager
def _errors_logged(session: str) -> Iterator[list[logging.LogRecord]]:
    """The errors the dialog logs meanwhile about ``session``'s turn: a handler or a response that
    raised. The caller only hears an apology, which a script's expectations could let pass; the test
    must not. (The handoff sender's errors name sessions too, but come from another module.)"""
    errors: list[logging.LogRecord] = []
    catcher, framework = _Collect(errors, session), logging.getLogger("voice.dialog.manager")
    framework.addHandler(catcher)
    try:
        yield errors
    finally:
        framework.removeHandler(catcher)


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord], session: str) -> None:
        super().__init__(level=logging.ERROR)
        self.into, self.session = into, session

    def emit(self, record: logging.LogRecord) -> None:
        if self.session in record.getMessage():
            self.into.append(record)


def _failed(errors: list[logging.LogRecord]) -> Iterator[str]:
    for record in errors:
        cause = record.exc_info[1] if record.exc_info else None
        yield f"the skill failed: {record.getMessage()}" + (f" ({cause!r})" if cause else "")


def _deliver_handoffs(assistant: Assistant) -> None:
    """Handoff records go out after the turn; a script checks them at once, so wait for them."""
    sender = getattr(assistant.dialog, "sender", None)
    if sender is not None:
        sender.drain()


def _records(queue: Path, session: str) -> list[dict[str, Any]]:
    """The handoff records of ``session`` in the queue file."""
    if not queue.is_file():
        return []
    records = [json.loads(line) for line in queue.read_text(encoding="utf-8").splitlines()]
    return [record for record in records if record.get("session_id") == session]


def _check(
    expected: Mapping[str, Any], reply: Reply, session: Session | None, records: list[dict[str, Any]]
) -> Iterator[str]:
    history: tuple[Any, ...] = session.history if session else ()
    heard = history[-2] if len(history) >= 2 else None
    if "intent" in expected and (heard is None or heard.intent != (expected["intent"] or "")):
        yield f"intent {heard.intent if heard else None!r}, expected {expected['intent']!r}"
    for name, value in (expected.get("slots") or {}).items():
        got = heard.slots.get(name) if heard else None
        if _slot_text(got) != str(value):
            yield f"slot {name} = {_slot_text(got)!r}, expected {str(value)!r}"
    if "reply" in expected and not _text_matches(str(expected["reply"]), reply.text):
        yield f"reply {reply.text!r}, expected {expected['reply']!r}"
    if "reprompt" in expected and not _reprompt_matches(expected["reprompt"], reply.reprompt):
        yield f"reprompt {reply.reprompt!r}, expected {expected['reprompt']!r}"
    if "expect" in expected and reply.expect.value != expected["expect"]:
        yield f"expects {reply.expect.value!r}, expected {expected['expect']!r}"
    if "end" in expected and reply.end_session != bool(expected["end"]):
        yield f"end of session {reply.end_session}, expected {bool(expected['end'])}"
    if "handoff" in expected:
        yield from _check_handoff(expected["handoff"], reply, records)
    state = session.dialog.to_json() if session else {}
    for key, value in (expected.get("state") or {}).items():
        if state.get(key) != value:
            yield f"state {key} = {state.get(key)!r}, expected {value!r}"


def _check_handoff(reason: Any, reply: Reply, records: list[dict[str, Any]]) -> Iterator[str]:
    if not reason:
        if reply.handoff or records:
            yield "handed over, expected no handoff"
        return
    if not reply.handoff:
        yield "no handoff, expected one"
    if not records or records[-1]["reason"] != reason:
        yield f"handoff record {records[-1]['reason'] if records else None!r}, expected {reason!r}"


def _slot_text(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:  # an encoded date, time or duration
        value = next(iter(value.values()))
    return None if value is None else str(value)


def _is_pattern(expected: str) -> bool:
    return len(expected) > 1 and expected.startswith("/") and expected.endswith("/")


def _pattern_problem(expected: str) -> str | None:
    """Why ``/.../`` is no regular expression (``re``'s reason), or None."""
    if not _is_pattern(expected):
        return None
    try:
        re.compile(expected[1:-1])
    except re.error as exc:
        return f"{expected} is not a regular expression ({exc})"
    return None


def _reprompt_matches(expected: Any, reprompt: str | None) -> bool:
    """``reprompt: null`` expects none; else as ``reply``."""
    if expected is None or reprompt is None:
        return expected is None and reprompt is None
    return _text_matches(str(expected), reprompt)


def _text_matches(expected: str, text: str) -> bool:
    if _is_pattern(expected):
        return re.search(expected[1:-1], text) is not None
    return expected == text
