"""A handoff outside the team's ``[handoff] hours`` promises nobody: the caller hears when the team is back
and what they can do, the record waits for a call back (marked ``after_hours``), no call is transferred,
and the KPIs count it apart (the review of a Dutch team: "Ik verbind u door" on a Sunday)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from voice import Reply, Router, Skill, Turn, load_skill
from voice.analytics.kpis import read_totals
from voice.analytics.period import Filters
from voice.dialog import Dialog, Fallback, HandoffPolicy, QueueFileSink
from voice.dialog.step import TurnStep
from voice.state import DialogState
from voice.store import Store, open_store

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NUMBER = "+31201234567"
TEAM = {day: "09:00-17:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
"""The team's hours: weekdays only, shorter than the shop's opening hours (data/company.yaml)."""
SUNDAY = dt.datetime(2026, 11, 29, 11, 0)  # the review's case: readings of the business's clock
MONDAY = dt.datetime(2026, 11, 30, 10, 0)

SAID = {
    "asked": {"nl": ["ik wil een medewerker spreken"], "en": ["i want to talk to a person"]},
    "fallbacks": {"nl": ["blabla"] * 3, "en": ["blah blah"] * 3},
    "irritation": {"nl": ["dit is belachelijk"], "en": ["this is useless"]},
    "low_confidence": {  # heard badly: answered twice, then a miss
        "nl": ["wat zijn jullie openingstijden", "hoe kan ik jullie bereiken", "blabla"],
        "en": ["what are your opening hours", "how can i contact you", "blah blah"],
    },
    "refusals": {
        "nl": ["ik wil een afspraak maken", *["zondag om tien uur"] * 3],
        "en": ["i want to book an appointment", *["sunday at ten"] * 3],
    },
}
"""What the caller says, per trigger; the last turn hands over."""
AWAY = {
    "nl": "Sorry, ik kan u nu niet met een collega verbinden. Onze collega's zijn er morgen vanaf 9:00 weer. "
    "U kunt ons tijdens onze openingstijden bellen op 020 123 4567.",
    "en": "Sorry, I can't put you through to a colleague right now. Our colleagues are back tomorrow from "
    "9:00. You can call us on 020 123 4567 during our opening hours.",
}
PUT_THROUGH = {
    "nl": "Ik verbind u door met een collega. Een ogenblik geduld alstublieft.",
    "en": "I'll put you through to one of my colleagues. Please hold on.",
}


@pytest.fixture(scope="module")
def customer_service() -> Skill:
    return load_skill("customer_service")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as opened:
        yield opened


def _conversation(
    store: Store,
    skill: Skill,
    queue: Path,
    said: list[str],
    language: str,
    at: dt.datetime,
    *,
    confidence: float = 1.0,
) -> tuple[Reply, list[dict[str, Any]]]:
    """The last reply of a conversation at ``at`` (every turn heard with ``confidence``), and the handoff
    records delivered to the queue file."""
    policy = HandoffPolicy.from_settings({"transfer_to": NUMBER, "hours": TEAM})
    sink = QueueFileSink(queue)
    dialog = Dialog(Router([skill]), store, policy=policy, sink=sink, time_zone=AMSTERDAM)
    replies = [
        dialog.respond(
            Turn(text=text, locale=language, session_id="s1", user_id="u1", time=at, confidence=confidence)
        )
        for text in said
    ]
    assert dialog.sender is not None and dialog.sender.drain()
    dialog.close()
    records = [json.loads(line) for line in queue.read_text().splitlines()] if queue.exists() else []
    return replies[-1], records


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("reason", sorted(SAID))
def test_outside_the_teams_hours_a_handoff_promises_nobody_and_waits_for_a_call_back(
    store: Store, customer_service: Skill, tmp_path: Path, language: str, reason: str
) -> None:
    said, confidence = SAID[reason][language], 0.2 if reason == "low_confidence" else 1.0
    queue = tmp_path / "handoff.jsonl"
    reply, records = _conversation(
        store, customer_service, queue, said, language, SUNDAY, confidence=confidence
    )
    assert reply.text == AWAY[language]
    assert reply.end_session and not reply.handoff, "nobody takes the call: the gateway is not told to"
    assert reply.transfer_to == ""
    (record,) = records  # the team sees it in the morning, with why the caller needed a person
    assert (record["reason"], record["after_hours"]) == (reason, True)
    totals = read_totals(store, Filters.last_days(2, today=SUNDAY.date()))
    assert totals.get("handoff:after_hours") == 1 and f"handoff:{reason}" not in totals
    assert totals.get("outcome:handoff") == 1
    who = [row["handoff"] for row in store.signals_of("u1") if row["handoff"]]
    assert who == ["caller" if reason == "asked" else "assistant"], "who asked stays, after hours too"


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("reason", ["asked", "fallbacks"])
def test_within_the_teams_hours_a_handoff_is_put_through(
    store: Store, customer_service: Skill, tmp_path: Path, language: str, reason: str
) -> None:
    queue = tmp_path / "handoff.jsonl"
    reply, records = _conversation(store, customer_service, queue, SAID[reason][language], language, MONDAY)
    assert reply.text == PUT_THROUGH[language]
    assert reply.handoff and reply.transfer_to == NUMBER
    (record,) = records
    assert (record["reason"], record["after_hours"]) == (reason, False)
    totals = read_totals(store, Filters.last_days(2, today=MONDAY.date()))
    assert totals.get(f"handoff:{reason}") == 1 and "handoff:after_hours" not in totals


@pytest.mark.parametrize(
    ("at", "language", "back"),
    [
        (dt.datetime(2026, 11, 30, 3, 0), "nl", "Onze collega's zijn er vandaag vanaf 9:00 weer."),
        (dt.datetime(2026, 11, 30, 3, 0), "en", "Our colleagues are back today from 9:00."),
        (dt.datetime(2026, 11, 27, 18, 0), "nl", "Onze collega's zijn er maandag vanaf 9:00 weer."),
        (dt.datetime(2026, 11, 27, 18, 0), "en", "Our colleagues are back on Monday from 9:00."),
        (dt.datetime(2026, 11, 27, 17, 0), "en", "Our colleagues are back on Monday from 9:00."),
    ],
)
def test_the_caller_hears_when_the_team_is_back(
    store: Store, customer_service: Skill, tmp_path: Path, at: dt.datetime, language: str, back: str
) -> None:
    reply, records = _conversation(
        store, customer_service, tmp_path / "h.jsonl", SAID["asked"][language], language, at
    )
    assert back in reply.text and not reply.handoff
    assert [record["after_hours"] for record in records] == [True]


def test_without_hours_colleagues_take_over_at_any_time(
    store: Store, customer_service: Skill, tmp_path: Path
) -> None:
    """The default ("always") is the behaviour before ``[handoff] hours``: a deployment that does not set
    them keeps promising a colleague on a Sunday night."""
    policy = HandoffPolicy.from_settings({"transfer_to": NUMBER})
    assert policy.hours is None
    dialog = Dialog(
        Router([customer_service]), store, policy=policy, sink=QueueFileSink(tmp_path / "h.jsonl")
    )
    night = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)
    reply = dialog.respond(Turn(text="i want to talk to a person", session_id="s1", time=night))
    dialog.close()
    assert reply.text == PUT_THROUGH["en"] and reply.transfer_to == NUMBER


def test_a_caller_kept_on_the_line_past_the_teams_hours_is_not_promised_a_colleague(
    store: Store, customer_service: Skill, tmp_path: Path
) -> None:
    """Handed over at 16:59 on a Friday; the gateway kept the caller on the line, and at 17:01 nobody is
    there: "A colleague will be with you shortly." and another transfer would promise the team."""
    policy = HandoffPolicy.from_settings({"transfer_to": NUMBER, "hours": TEAM})
    dialog = Dialog(
        Router([customer_service]),
        store,
        policy=policy,
        sink=QueueFileSink(tmp_path / "h.jsonl"),
        time_zone=AMSTERDAM,
    )
    friday = dt.datetime(2026, 11, 27, 16, 59)
    first = dialog.respond(Turn(text="i want to talk to a person", session_id="s1", time=friday, call=True))
    later = friday + dt.timedelta(minutes=2)
    waiting = dialog.respond(Turn(text="hello?", session_id="s1", time=later, call=True, handed_over=True))
    dialog.close()
    assert first.transfer_to == NUMBER and first.handoff
    assert "Our colleagues are back on Monday from 9:00. You can email us" in waiting.text
    assert (waiting.handoff, waiting.end_session, waiting.transfer_to) == (False, True, "")


@pytest.mark.parametrize(("at", "reachable"), [(SUNDAY, True), (MONDAY, False)], ids=["away", "no sink"])
def test_the_fallback_hands_over_as_the_turns_step_found_a_colleague_available(
    customer_service: Skill, at: dt.datetime, reachable: bool
) -> None:
    """The fallback worked out who could take over again, from settings of its own: it takes the turn's
    (``TurnStep.available``), so the misses' handoff promises nobody the turn found no one for."""
    policy = HandoffPolicy.from_settings({"max_fallbacks": 1, "hours": TEAM})
    router = Router([customer_service])
    turn = Turn(text="blah blah", session_id="s1", time=at)
    step = TurnStep(
        router, policy, (Fallback(policy, router.skills),), turn, DialogState(), reachable=reachable
    )
    reply = step.run()
    assert step.state.handoff_reason == "fallbacks" and not step.available.present
    assert reply.text.startswith("Sorry, I can't put you through to a colleague right now.")
    assert not reply.handoff
