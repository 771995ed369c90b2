"""A small conversation log with known KPIs, written through the store's real save path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from voice.store import Session, Speaker, Store, TurnRecord
from voice.store.signals import Outcome, TurnSignals, Understood, day_of

DAY = dt.date(2026, 11, 23)
NOW_TURN = dt.datetime.combine(DAY, dt.time(12), dt.UTC)
"""A time on DAY for turns of the tests."""
"""The seeded period's day; the period before it holds one conversation, a week earlier."""


@dataclass(frozen=True)
class Said:
    text: str
    understood: Understood = Understood.TEMPLATE
    intent: str = ""
    outcome: Outcome = Outcome.CONTAINED
    extra: dict[str, object] = field(default_factory=dict)
    reply: str = "..."
    """What the assistant answered (its question, for the turn after it)."""


CONVERSATIONS: dict[str, tuple[str, str, int, tuple[Said, ...]]] = {
    # id: channel, locale, days before DAY, turns
    "c1": ("alexa", "nl", 0, (Said("hoe laat zijn jullie open", intent="OpeningHours"),)),
    "c2": (
        "alexa",
        "nl",
        0,
        (
            Said("waar is mijn pakket nou", Understood.NONE, outcome=Outcome.GAVE_UP),
            Said(
                "ik wil een medewerker",
                intent="TalkToAgent",
                outcome=Outcome.HANDOFF,
                extra={"handoff": "caller", "handoff_reason": "asked"},
            ),
        ),
    ),
    "c3": ("alexa", "nl", 0, (Said("waar is mijn pakket", Understood.NONE, outcome=Outcome.GAVE_UP),)),
    "c4": (
        "chat",
        "en",
        0,
        (Said("how long does delivery take", Understood.KNOWLEDGE, extra={"knowledge": "answer"}),),
    ),
    "c0": ("alexa", "nl", 7, (Said("hoe laat zijn jullie open", intent="OpeningHours"),)),
}
"""Seeded KPIs of DAY: 4 conversations, 2 contained, 1 handoff (asked), 1 gave up; 5 turns, 2 not
understood (one group), 2 recognised, 1 knowledge question answered. Alexa alone: 3 conversations."""


def seed(store: Store, skill: str = "customer_service") -> None:
    """Write the conversations of ``CONVERSATIONS`` with their signals."""
    for session_id, (channel, locale, days_before, turns) in CONVERSATIONS.items():
        start = dt.datetime.combine(DAY - dt.timedelta(days=days_before), dt.time(10), dt.UTC).timestamp()
        conversation(store, session_id, channel, locale, start, turns, skill=skill)


def conversation(
    store: Store,
    session_id: str,
    channel: str,
    locale: str,
    start: float,
    turns: tuple[Said, ...],
    *,
    skill: str = "customer_service",
) -> None:
    """One conversation of ``turns``, a minute apart from ``start``, with their signals."""
    session = Session.new(
        id=session_id,
        user_id=f"u-{session_id}",
        skill=skill,
        locale=locale,
        channel=channel,
        now=start,
        ttl=1e9,
    )
    before: Outcome | None = None
    for n, said in enumerate(turns):
        when = start + 60 * n
        heard = TurnRecord(time=when, speaker=Speaker.USER, text=said.text, intent=said.intent)
        answer = TurnRecord(time=when, speaker=Speaker.ASSISTANT, text=said.reply)
        signals = TurnSignals(
            session_id=session_id,
            user_id=session.user_id,
            time=when,
            channel=channel,
            locale=locale,
            skill=skill,
            intent=said.intent,
            understood=said.understood,
            text=said.text,
            latency_ms=40.0 + 10 * n,
            conversation_day=day_of(start),
            conversation_skill=skill,
            outcome_before=before,
            outcome=said.outcome,
            **said.extra,  # type: ignore[arg-type]
        )
        if said.outcome is Outcome.HANDOFF:
            session = session.handed_over_to_human()
        session = store.record_exchange(
            session_id, (heard, answer), loaded=session, signals=(signals,), retries=0
        )
        before = said.outcome


def missed(store: Store, *said: tuple[str, str], at: float) -> None:
    """Not-understood turns (locale, text) at ``at``, one conversation each, through the store's save path."""
    for number, (locale, text) in enumerate(said):
        session = Session.new(
            id=f"m{number}-{at}",
            user_id="u",
            skill="customer_service",
            locale=locale,
            channel="chat",
            now=at,
            ttl=600.0,
        )
        signals = TurnSignals(
            session_id=session.id,
            user_id="u",
            time=at,
            channel="chat",
            locale=locale,
            skill="customer_service",
            understood=Understood.NONE,
            text=text,
            conversation_started=True,
            conversation_day=day_of(at),
            conversation_skill="customer_service",
            outcome=Outcome.GAVE_UP,
        )
        turns = (
            TurnRecord(time=at, speaker=Speaker.USER, text=text),
            TurnRecord(time=at, speaker=Speaker.ASSISTANT, text="Sorry?"),
        )
        store.record_exchange(session.id, turns, loaded=session, signals=(signals,), retries=0)
