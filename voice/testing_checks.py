"""What a conversation script's turn is checked against: the reply, the dialog state, the handoff.

An expected ``reply``, ``shown`` or ``reprompt`` is the exact text, or a regular expression written
``/.../``. ``reply`` is the reply as it is said (a booking number spelled out, "B 4 2"), ``shown`` as a
screen shows it (typed chat, Dialogflow's display text, Alexa's card: "B42").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .dialog.handoff import AFTER_HOURS
from .reply import Reply
from .ssml import spoken_text
from .store import Session

__all__ = ["check_turn", "pattern_problem"]


def check_turn(
    expected: Mapping[str, Any], reply: Reply, session: Session | None, records: list[dict[str, Any]]
) -> Iterator[str]:
    """What of ``expected`` (a script turn's keys) the reply, the stored ``session`` and the turn's
    handoff ``records`` do not meet, each as a sentence."""
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
    if "shown" in expected and not _text_matches(str(expected["shown"]), reply.display):
        yield f"shown {reply.display!r}, expected {expected['shown']!r}"
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


def _check_handoff(expected: Any, reply: Reply, records: list[dict[str, Any]]) -> Iterator[str]:
    """``handoff: <reason>`` expects a colleague to take over now (the reply hands over, the record
    gives the reason); ``handoff: after_hours`` a handoff outside the team's ``[handoff] hours``, which
    puts nobody through (the record waits for a call back); false, none."""
    record = records[-1] if records else None
    if not expected:
        if reply.handoff or record:
            yield "handed over, expected no handoff"
        return
    if expected == AFTER_HOURS:
        if record is None or not record.get("after_hours"):
            yield f"handoff record {_handoff_of(record)!r}, expected one after the team's hours"
        return
    if record is not None and record.get("after_hours"):
        yield (
            f"handed over after the team's hours (nobody put through), expected a colleague to take over "
            f"({expected!r}); expect this with handoff: {AFTER_HOURS}"
        )
        return
    if not reply.handoff:
        yield "no handoff, expected one"
    if record is None or record["reason"] != expected:
        yield f"handoff record {_handoff_of(record)!r}, expected {expected!r}"


def _handoff_of(record: Mapping[str, Any] | None) -> str | None:
    """A record as a script would expect it: its reason, or ``after_hours``."""
    if record is None:
        return None
    return AFTER_HOURS if record.get("after_hours") else str(record["reason"])


def _slot_text(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:  # an encoded date, time or duration
        value = next(iter(value.values()))
    return None if value is None else str(value)


def pattern_problem(expected: str) -> str | None:
    """Why ``/.../`` is no regular expression (``re``'s reason), or None."""
    if not _is_pattern(expected):
        return None
    try:
        re.compile(expected[1:-1])
    except re.error as exc:
        return f"{expected} is not a regular expression ({exc})"
    return None


def _reprompt_matches(expected: Any, reprompt: str | None) -> bool:
    """``reprompt: null`` expects none; else as ``reply``: its words as said (SSML without markup)."""
    if expected is None or reprompt is None:
        return expected is None and reprompt is None
    return _text_matches(str(expected), spoken_text(reprompt))


def _text_matches(expected: str, text: str) -> bool:
    if _is_pattern(expected):
        return re.search(expected[1:-1], text) is not None
    return expected == text


def _is_pattern(expected: str) -> bool:
    return len(expected) > 1 and expected.startswith("/") and expected.endswith("/")
