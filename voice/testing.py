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
        shown: /^Op welke dag/              # as a screen shows it (B42, said "B 4 2"); as reply
        expect: slot                        # nothing, answer, slot, confirmation
        reprompt: Op welke dag wilt u komen?   # said after silence (null: none); as reply
      - user: morgen
        slots: {date: "2026-11-24"}
      - user: ""                            # silence
      - user: mag ik een medewerker spreken
        handoff: asked                      # the reason in the handoff record (after_hours: recorded
        end: true                           # outside the team's [handoff] hours, nobody put through)
        state: {handed_over: true}          # keys of the dialog state

Each turn may also set ``confidence`` (of the recognition), ``deadline`` (seconds the
channel allows) and ``wait`` (seconds to let pass before the turn). ``run_script`` plays a
script against an assistant (``assistant_for_tests`` builds one per skill) and returns the
failures as sentences; pytest and ``voice test`` both use it. ``check_script`` does both for
one script file, the few lines a project's own pytest needs (docs/skills.md). Reading a script
is ``voice.testing_scripts``, checking a turn ``voice.testing_checks``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from .assistant import Assistant, build_assistant
from .config import Config, only_skills
from .dialog.handoff import POLICY_SETTINGS
from .testing_checks import check_turn
from .testing_fit import played_locale, refuse_unknown_stubs
from .testing_scripts import Script, ScriptTurn, load_script
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
    locale = played_locale(script.path, script.locale, assistant.router, assistant.config)
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
            problems = [*_failed(errors), *check_turn(step.expected, reply, state, _records(queue, session))]
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
