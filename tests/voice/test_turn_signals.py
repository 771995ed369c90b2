"""The dialog fills a turn's signals from what the turn did, and the store keeps them with the turn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from voice import Router, Skill, Turn, load_skill
from voice.analytics import Filters, build_report
from voice.dialog import Answerer, Dialog
from voice.dialog.knowledge import knowledge_answerer
from voice.store import Store, open_store

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
COLUMNS = (
    "intent, understood, text, flow, flow_started, flow_step, flow_completed, flow_abandoned, knowledge, "
    "handoff, outcome"
)


@pytest.fixture(scope="module")
def customer_service() -> Skill:
    return load_skill("customer_service")


@pytest.fixture(scope="module")
def answerers(customer_service: Skill) -> list[Answerer]:
    return [found] if (found := knowledge_answerer([customer_service])) else []


@pytest.fixture
def dialog(customer_service: Skill, answerers: list[Answerer]) -> Iterator[Dialog]:
    with open_store("sqlite://:memory:") as store:
        yield Dialog(Router([customer_service]), store, answerers=answerers)


def _say(dialog: Dialog, text: str, session: str = "s1", locale: str = "en") -> None:
    dialog.respond(Turn(text=text, locale=locale, session_id=session, user_id="u1", time=NOW))


def _signals(store: Store) -> list[dict[str, Any]]:
    rows = store.select(f"SELECT {COLUMNS} FROM signals ORDER BY seq")
    return [dict(zip(COLUMNS.split(", "), row, strict=True)) for row in rows]


def _counts(store: Store) -> dict[str, int]:
    return dict(store.select("SELECT metric, sum(count) FROM rollup GROUP BY metric HAVING sum(count) <> 0"))


def test_a_flow_is_started_stepped_and_completed(dialog: Dialog) -> None:
    for text in ("where is my order", "no idea", "one two three four"):
        _say(dialog, text)
    first, missed, done = _signals(dialog.store)
    assert (first["flow"], first["flow_started"], first["flow_step"]) == ("OrderStatus", 1, "order_number")
    assert (missed["understood"], missed["text"], missed["flow_step"]) == ("template", "", "")
    assert (done["flow"], done["flow_completed"], done["outcome"]) == ("OrderStatus", 1, "contained")
    counts = _counts(dialog.store)
    assert counts["conversations"] == 1 and counts["outcome:contained"] == 1
    assert counts["flow:OrderStatus:started"] == counts["flow:OrderStatus:completed"] == 1


def test_not_understood_knowledge_and_a_handoff_asked_by_the_caller(dialog: Dialog) -> None:
    _say(dialog, "purple monkeys dishwasher")
    _say(dialog, "how long does delivery take")
    _say(dialog, "I want to talk to a person")
    missed, asked, handoff = _signals(dialog.store)
    assert (missed["understood"], missed["text"], missed["knowledge"]) == (
        "none",
        "purple monkeys dishwasher",
        "abstain",
    )
    assert asked["understood"] == "knowledge" and asked["knowledge"] in ("answer", "confirm")
    assert (handoff["intent"], handoff["handoff"], handoff["outcome"]) == ("TalkToAgent", "caller", "handoff")
    counts = _counts(dialog.store)
    assert counts["handoff:asked"] == 1 and counts["outcome:handoff"] == 1 and counts["conversations"] == 1
    assert "outcome:gave_up" not in counts and "outcome:contained" not in counts


def test_a_cancelled_flow_is_abandoned_and_a_dutch_conversation_counts_apart(dialog: Dialog) -> None:
    _say(dialog, "ik wil een afspraak maken", session="nl1", locale="nl")
    _say(dialog, "laat maar", session="nl1", locale="nl")
    started, cancelled = _signals(dialog.store)
    assert started["flow_started"] and started["flow_step"] == "date"
    assert (cancelled["flow"], cancelled["flow_abandoned"], cancelled["outcome"]) == (
        "BookAppointment",
        1,
        "contained",
    )
    assert dialog.store.select("SELECT DISTINCT locale, skill FROM rollup") == [("nl", "customer_service")]


@pytest.mark.parametrize(
    ("language", "booking", "question", "order"),
    [
        (
            "nl",
            "ik wil een afspraak maken",
            "hoe laat zijn jullie open",
            "waar is bestelling een twee drie vier",
        ),
        ("en", "I want to book an appointment", "when are you open", "where is order one two three four"),
    ],
    ids=["nl", "en"],
)
def test_a_flow_left_for_another_flow_is_abandoned_but_not_one_interrupted_by_a_question(
    customer_service: Skill,
    answerers: list[Answerer],
    tmp_path: Path,
    language: str,
    booking: str,
    question: str,
    order: str,
) -> None:
    """A question in the middle of a booking keeps the booking open; another flow takes its place."""
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([customer_service]), store, answerers=answerers)
        for text in (booking, question, order):
            _say(dialog, text, locale=language)
        rows = _signals(store)
        assert [(row["flow"], row["flow_abandoned"]) for row in rows] == [
            ("BookAppointment", 0),
            ("BookAppointment", 0),
            ("OrderStatus", 0),
        ]
        report = build_report(store, Filters(start=NOW.date(), end=dt.datetime.now(dt.UTC).date()))
    flows = {flow.flow: (flow.started, flow.completed, flow.abandoned) for flow in report.current.flows}
    assert flows == {"BookAppointment": (1, 0, 1), "OrderStatus": (1, 1, 0)}


@pytest.mark.parametrize(
    ("language", "contained", "handoff", "missed"),
    [
        ("nl", "hoe laat zijn jullie open", "ik wil een medewerker spreken", "kwispel de wasbeer fladder"),
        ("en", "when are you open", "I want to talk to a person", "the neighbours cat is barking"),
    ],
    ids=["nl", "en"],
)
def test_conversations_feed_the_kpis(
    dialog: Dialog, language: str, contained: str, handoff: str, missed: str
) -> None:
    """A contained conversation, a handoff and a not-understood utterance, as the report counts them
    (tests/voice/analytics/test_dashboard.py shows such an utterance understood after a review)."""
    for session, text in (("a", contained), ("b", handoff), ("c", missed)):
        _say(dialog, text, session=session, locale=language)
    # conversations count on the day the store started them (its clock), turns on the turn's day
    today = dt.datetime.now(dt.UTC).date()
    report = build_report(dialog.store, Filters(start=min(NOW.date(), today), end=today, locale=language))
    kpis = report.current
    assert (kpis.conversations, kpis.contained, dict(kpis.handoffs), kpis.gave_up) == (3, 1, {"asked": 1}, 1)
    assert [group.text for group in report.not_understood] == [missed]
