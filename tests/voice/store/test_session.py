"""The store's value types without a database: exports, and Session's dict form and copies."""

from __future__ import annotations

import voice.store
from voice.state import DialogState
from voice.store import HISTORY_LIMIT, Session, Speaker, TurnRecord

from .samples import full_session


def test_exports_are_sorted_and_exist() -> None:
    assert voice.store.__all__ == sorted(voice.store.__all__)
    assert all(hasattr(voice.store, name) for name in voice.store.__all__)


def test_session_dict_round_trip() -> None:
    session = full_session()
    assert Session.from_dict(session.to_dict()) == session


def test_with_methods_change_copies() -> None:
    session = full_session()
    said = TurnRecord(time=0.0, speaker=Speaker.USER, text="ja")
    changed = session.with_attributes({"party": 5}).with_dialog(DialogState(fallbacks=2)).with_turn(said)
    assert changed.attributes["party"] == 5 and changed.attributes["naam"] == "Anneke"
    assert changed.dialog == DialogState(fallbacks=2)
    assert changed.history[-1] == said and len(session.history) == 2
    assert session.attributes["party"] == 4 and session.dialog.flow is not None


def test_the_history_keeps_the_latest_turns_up_to_its_limit() -> None:
    turns = [
        TurnRecord(time=float(n), speaker=Speaker.USER, text=f"zin {n}") for n in range(HISTORY_LIMIT + 7)
    ]
    session = full_session().with_turns(turns[: HISTORY_LIMIT - 1]).with_turn(turns[HISTORY_LIMIT - 1])
    assert len(session.history) == HISTORY_LIMIT and session.history[-1] == turns[HISTORY_LIMIT - 1]
    longer = session.with_turns(turns[HISTORY_LIMIT:])
    assert longer.history == tuple(turns[7:]) and len(session.history) == HISTORY_LIMIT


def test_a_new_session_starts_now_and_lives_its_ttl() -> None:
    fresh = Session.new(id="s1", user_id="u1", skill="cs", locale="nl", channel="chat", now=100.0, ttl=60.0)
    assert (fresh.created_at, fresh.updated_at, fresh.expires_at, fresh.version) == (100.0, 100.0, 160.0, 0)
    assert fresh.dialog == DialogState() and fresh.history == () and not fresh.handed_over
    assert fresh.handed_over_to_human().handed_over and fresh.ended_now().ended and not fresh.ended
