"""What the store tests share: a fake clock, a session and dialog state with every field set, a forked
child that must not hang, and a fresh interpreter for a test that forks."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pytest

from voice.nlu import SlotValue
from voice.reply import Card, Expect, Reply
from voice.state import ActiveFlow, Confirming, DialogState, Offer
from voice.store import Session, Speaker, TurnRecord

START = 1_700_000_000.0
"""The fake clock's first reading, in seconds since the epoch."""
CEST = dt.timezone(dt.timedelta(hours=2))
FRESH_PROCESS_S = 120.0
"""The longest a test may run in its fresh process (``in_a_fresh_process``)."""


def run_forked(target: Callable[..., object], *args: object, hung: str) -> None:
    """Run ``target(*args)`` in a child forked from this process; the test fails with ``hung`` if the child
    has not ended within 10 s (it is killed), or if it failed."""
    child = multiprocessing.get_context("fork").Process(target=target, args=args)
    child.start()
    child.join(10)
    if child.exitcode is None:
        child.kill()
        child.join(10)
        pytest.fail(hung)
    assert child.exitcode == 0


def in_a_fresh_process(body: Callable[[Path], None], tmp_path: Path) -> None:
    """Run ``body(tmp_path)`` (a module-level function) in a spawned interpreter; the test fails as it
    fails there (its traceback is in the captured stderr).

    For a test that forks: the child inherits the state of every thread of the forking process, and in the
    pytest worker other tests leave threads running (a server app that is never closed keeps its outbox
    sender, which writes to its SQLite store every 5 s). One inside SQLite at the fork leaves SQLite's
    global mutexes held in the child, which then hangs at its first SQLite call: the test would fail for
    another test's thread. A spawned interpreter has only the test's own threads."""
    process = multiprocessing.get_context("spawn").Process(target=body, args=(tmp_path,))
    process.start()
    process.join(FRESH_PROCESS_S)
    if process.exitcode is None:
        process.kill()
        process.join(10)
        pytest.fail(f"the test's fresh process did not end within {FRESH_PROCESS_S:g} s")
    assert process.exitcode == 0, "the test failed in its fresh process (see its traceback in stderr)"


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def active_dialog() -> DialogState:
    """A dialog in the middle of a flow, with a slot value of every typed kind and a reply."""
    return DialogState(
        flow=ActiveFlow(
            intent="BookTable",
            skill="restaurant",
            slots={
                "date": SlotValue(text="morgen", value=dt.date(2025, 5, 2)),
                "time": SlotValue(text="om half negen", value=dt.time(20, 30)),
                "stay": SlotValue(text="anderhalf uur", value=dt.timedelta(minutes=90)),
                "call_back": SlotValue(text="vrijdag 17u", value=dt.datetime(2025, 5, 2, 17, tzinfo=CEST)),
                "party": SlotValue(text="vier", value=4),
                "budget": SlotValue(text="tweeënhalf", value=2.5),
                "area": SlotValue(text="het terras", value="terrace", id="TERRACE"),
            },
            asking="name",
            confirming=Confirming.SLOT,
            confirming_slot="party",
            confirmed=("date", "time"),
            checks=("time", "party"),
            checked={"date": (), "time": ("date",)},
        ),
        previous_intent="OpeningHours",
        previous_slots={"day": SlotValue(text="zondag", value="sunday")},
        last_reply=Reply(
            speech="<speak>Voor <emphasis>vier</emphasis> personen?</speak>",
            reprompt="Klopt het, vier personen?",
            card=Card(title="Reservering", text="Vier personen, 2 mei, 20:30"),
            expect=Expect.CONFIRMATION,
            slot="party",
            intent="BookTable",
            remember={"name": "Anneke", "seats": ["raam"]},
        ),
        fallbacks=1,
        low_confidence=2,
        no_input=1,
        pending_replies=(
            Reply(speech="Uw tafel is gereserveerd."),
            Reply(speech="Sorry, dat duurde te lang.", end_session=True, handoff=True),
        ),
        handed_over=True,
        handoff_reason="fallbacks",
        handoff_id="5f0c3a9e1b2d4c6f8a7e9d0b1c2a3f4e",
        offer=Offer(
            by="knowledge",
            source="customer_service",
            candidates=("Hoe stuur ik iets terug?", "Wat kost verzending?"),
            resume=Reply(speech="Voor hoeveel personen?", expect=Expect.SLOT, slot="party"),
        ),
        outcome="handoff",
        failed=True,
        satisfaction_asked=True,
        withheld_as="name",
    )


def full_session() -> Session:
    """A never-saved session with a non-default value in every field."""
    return Session(
        id="amzn1.echo-api.session.1'; --",
        user_id="amzn1.ask.account.X",
        skill="customer_service",
        locale="nl-NL",
        channel="alexa",
        attributes={"naam": "Anneke", "party": 4, "vip": True, "tags": ["a", "b"], "nested": {"x": None}},
        dialog=active_dialog(),
        history=(
            TurnRecord(
                time=START + 0.25,
                speaker=Speaker.USER,
                text="een tafel om half negen, café ’t Hoekje",
                intent="BookTable",
                slots={"time": "20:30", "party": 4},
                confidence=0.83,
            ),
            TurnRecord(time=START + 1.5, speaker=Speaker.ASSISTANT, text="Voor hoeveel personen?"),
        ),
        created_at=START - 10,
        updated_at=START - 5,
        expires_at=START + 300,
        ttl=305.0,
        handed_over=True,
        ended=False,
        version=0,
    )
