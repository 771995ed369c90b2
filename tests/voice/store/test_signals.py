"""Every store writes a turn's signals with the turn: a ``signals`` row, and its counts in ``rollup``."""

from __future__ import annotations

import pytest

from voice.store import ConflictError, Session, Speaker, Store, TurnRecord
from voice.store.signals import Outcome, TurnSignals, Understood, day_of

from .samples import FakeClock


def _signals(session: Session, **fields: object) -> TurnSignals:
    values: dict[str, object] = {
        "session_id": session.id,
        "user_id": session.user_id,
        "time": session.created_at,
        "channel": "alexa",
        "locale": "nl",
        "skill": "shop",
        "conversation_day": day_of(session.created_at),
        "conversation_skill": "shop",
    }
    return TurnSignals(**(values | fields))  # type: ignore[arg-type]


def _counts(store: Store) -> dict[str, int]:
    return dict(store.select("SELECT metric, sum(count) FROM rollup GROUP BY metric HAVING sum(count) <> 0"))


def test_a_turn_writes_its_signals_row_and_counts(store: Store, clock: FakeClock) -> None:
    session = store.start("s1", user_id="u1", skill="", locale="nl", channel="alexa")
    heard = TurnRecord(time=clock(), speaker=Speaker.USER, text="blabla iets", intent="")
    first = _signals(session, understood=Understood.NONE, text="blabla iets", outcome=Outcome.GAVE_UP)
    session = store.record_exchange("s1", (heard,), signals=(first,))
    second = _signals(
        session,
        intent="OrderStatus",
        flow="OrderStatus",
        flow_started=True,
        flow_step="order_number",
        latency_ms=12.5,
        outcome_before=Outcome.GAVE_UP,
        outcome=Outcome.HANDOFF,
        handoff="caller",
        handoff_reason="asked",
    )
    store.record_exchange("s1", (heard,), signals=(second,))
    rows = store.select(
        "SELECT understood, text, flow_started, latency_ms, outcome FROM signals ORDER BY seq"
    )
    assert [tuple(row) for row in rows] == [
        ("none", "blabla iets", 0, 0.0, "gave_up"),
        ("template", "", 1, 12.5, "handoff"),
    ]
    assert _counts(store) == {
        "turns": 2,
        "conversations": 1,
        "understood:none": 1,
        "understood:template": 1,
        "intent:OrderStatus": 1,
        "flow:OrderStatus:started": 1,
        "flow:OrderStatus:step:order_number": 1,
        "outcome:handoff": 1,
        "handoff:asked": 1,
        "latency:000": 1,
        "latency:026": 1,
    }


def test_a_conflicting_save_writes_no_signals(store: Store) -> None:
    session = store.start("s1", user_id="u1", skill="", locale="nl", channel="alexa")
    store.update("s1", lambda s: s.with_attributes({"a": 1}))
    with pytest.raises(ConflictError):
        store.save(session, signals=(_signals(session),))
    assert store.select("SELECT count(*) FROM signals") == [(0,)]
    assert _counts(store) == {}


def test_erasure_and_retention_remove_the_signals_but_keep_the_counts(store: Store, clock: FakeClock) -> None:
    session = store.start("s1", user_id="u1", skill="", locale="nl", channel="alexa")
    heard = TurnRecord(time=clock(), speaker=Speaker.USER, text="iets")
    store.record_exchange(
        "s1",
        (heard,),
        signals=(
            _signals(
                session,
                understood=Understood.NONE,
                text="iets",
                irritation=True,
                satisfaction=0.0,
                outcome=Outcome.GAVE_UP,
            ),
        ),
    )
    flags = {"irritation": True, "satisfaction": 0.0, "outcome": "gave_up", "text": "iets"}
    assert {
        k: v for k, v in store.signals_of("u1")[0].items() if k in flags
    } == flags  # for an access request
    assert store.signals_of("u1")[0]["flow_started"] is False  # a flag, in every store
    assert store.delete_user("u1") == 1 + 1 + 1  # the session, its log row, the turn's signals (uncounted)
    assert store.select("SELECT count(*) FROM signals") == [(0,)] and store.signals_of("u1") == ()
    session = store.start("s2", user_id="u2", skill="", locale="nl", channel="alexa")
    store.record_exchange("s2", (heard,), signals=(_signals(session),))
    clock.advance(40 * 86400)
    store.purge_log(30)
    assert store.select("SELECT count(*) FROM signals") == [(0,)]
    assert _counts(store)["turns"] == 2


def test_a_turn_late_after_its_commit_is_marked_and_counted_once(store: Store, clock: FakeClock) -> None:
    """The caller heard "one moment" only after the turn was stored: the save that keeps its reply marks
    the turn's row (not an earlier turn's at the same time) and counts it; a save that conflicts does
    neither, and marking it again changes nothing."""
    session = store.start("s1", user_id="u1", skill="", locale="nl", channel="alexa")
    heard = TurnRecord(time=clock(), speaker=Speaker.USER, text="iets")
    session = store.record_exchange("s1", (heard,), signals=(_signals(session, intent="Earlier"),))
    late = _signals(session, intent="Late")
    stale = store.record_exchange("s1", (heard,), signals=(late,))
    store.update("s1", lambda s: s.with_attributes({"kept": 1}))
    with pytest.raises(ConflictError):
        store.save(stale, overrun=late)
    assert "overrun" not in _counts(store)
    for kept in (2, 3):
        store.update("s1", lambda s, kept=kept: s.with_attributes({"kept": kept}), overrun=late)
    rows = store.select("SELECT intent, deadline_overrun FROM signals ORDER BY seq")
    assert [(intent, bool(overrun)) for intent, overrun in rows] == [("Earlier", False), ("Late", True)]
    assert _counts(store)["overrun"] == 1


def test_a_flow_left_for_another_counts_as_abandoned_under_its_skill(store: Store, clock: FakeClock) -> None:
    session = store.start("s1", user_id="u1", skill="", locale="nl", channel="alexa")
    heard = TurnRecord(time=clock(), speaker=Speaker.USER, text="waar is bestelling 1234")
    left = _signals(
        session,
        intent="OrderStatus",
        flow="OrderStatus",
        flow_started=True,
        flow_completed=True,
        flow_left="BookAppointment",
        flow_left_skill="agenda",
    )
    store.record_exchange("s1", (heard,), signals=(left,))
    rows = store.select("SELECT skill, metric, count FROM rollup WHERE metric LIKE 'flow:%' ORDER BY metric")
    assert [tuple(row) for row in rows] == [
        ("agenda", "flow:BookAppointment:abandoned", 1),
        ("shop", "flow:OrderStatus:completed", 1),
        ("shop", "flow:OrderStatus:started", 1),
    ]
    assert store.select("SELECT flow, flow_abandoned FROM signals") == [("OrderStatus", 0)]


def test_a_yes_that_answers_one_confirmation_and_asks_the_next_counts_both(
    store: Store, clock: FakeClock
) -> None:
    session = store.start("s1", user_id="u1", skill="", locale="nl", channel="alexa")
    heard = TurnRecord(time=clock(), speaker=Speaker.USER, text="ja", intent="Yes")
    turns = (_signals(session, confirmation="asked"), _signals(session, confirmation="accepted asked"))
    for turn in turns:
        session = store.record_exchange("s1", (heard,), signals=(turn,))
    assert {k: v for k, v in _counts(store).items() if k.startswith("confirm:")} == {
        "confirm:asked": 2,
        "confirm:accepted": 1,
    }
    assert store.select("SELECT confirmation FROM signals ORDER BY seq") == [("asked",), ("accepted asked",)]


def test_a_turn_heard_otherwise_says_so_in_its_log_row(store: Store, clock: FakeClock) -> None:
    """The save that keeps a late turn's reply rewrites that turn's assistant row (not its caller's, not
    an earlier turn's, not one of another session at the same time) to what the caller heard, and the
    session's history says the same."""
    now = clock()
    for session_id in ("s1", "s2"):
        store.start(session_id, user_id="u1", skill="", locale="nl", channel="alexa")
        for at, text in ((now, "Earlier."), (now + 1, "Booked.")):
            said = (TurnRecord(time=at, speaker=Speaker.USER, text="boek"),)
            store.record_exchange(
                session_id, (*said, TurnRecord(time=at, speaker=Speaker.ASSISTANT, text=text))
            )
    late = TurnRecord(time=now + 1, speaker=Speaker.ASSISTANT, text="Een ogenblik.")
    store.update("s1", lambda s: s.with_heard(late), heard=late)
    expected = ["boek", "Earlier.", "boek", "Een ogenblik."]
    assert [row.text for row in store.read_log(session_id="s1")] == expected
    assert [turn.text for turn in store.load("s1").history] == expected  # type: ignore[union-attr]
    assert [row.text for row in store.read_log(session_id="s2")][-1] == "Booked."
