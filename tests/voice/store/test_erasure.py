"""The store contract, GDPR part: a user's replies and outbox items are exported and erased with them.

Runs once per store of ``STORE_URLS`` (conftest.py), like ``test_contract.py``.
"""

from __future__ import annotations

from voice.cli.user_records import user_data
from voice.store import OutboxItem, Session, Speaker, Store, TurnRecord

from .samples import FakeClock


def _turn_with_handoff(store: Store, session_id: str, user_id: str, request_id: str) -> Session:
    """One turn of a new session with a reply to a platform request and a handoff in the outbox."""
    session = store.load_or_start(
        session_id, user_id=user_id, skill="cs", locale="nl", channel="alexa", ttl=600
    )
    turn = TurnRecord(time=store.clock(), speaker=Speaker.USER, text=f"ik ben {user_id}", intent="Handoff")
    handoff = OutboxItem(
        id=f"handoff-{session_id}",
        kind="handoff",
        payload={"user_id": user_id, "session_id": session_id, "transcript": [{"text": f"ik ben {user_id}"}]},
        created_at=store.clock(),
    )
    reply = {"speech": f"Ik verbind u door, {user_id}."}
    return store.record_exchange(
        session_id, (turn,), loaded=session, answer=(request_id, reply), outbox=(handoff,)
    )


def test_the_replies_and_outbox_items_of_a_user_are_theirs(store: Store) -> None:
    _turn_with_handoff(store, "s1", "u1", "req-1")
    _turn_with_handoff(store, "s2", "u2", "req-2")
    assert store.answers_of("u1") == (("req-1", {"speech": "Ik verbind u door, u1."}),)
    assert [item.id for item in store.outbox_of("u1")] == ["handoff-s1"]
    assert store.outbox_of("u1")[0].payload["transcript"] == [{"text": "ik ben u1"}]
    assert store.answers_of("nobody") == () and store.outbox_of("nobody") == ()


def test_delete_user_erases_their_replies_and_outbox_items(store: Store, clock: FakeClock) -> None:
    _turn_with_handoff(store, "s1", "u1", "req-1")
    _turn_with_handoff(store, "s2", "u2", "req-2")
    store.finish_outbox("handoff-s1", delivered=True)  # delivered ones are kept a day: erased too
    clock.advance(700)  # s1 expires and is purged; its reply is kept a day and the log still names it
    assert store.purge_expired() == 2
    _turn_with_handoff(store, "s3", "u1", "req-3")
    # replies of s1 (found through the log) and s3, their handoffs, session s3, no attributes, 2 log rows
    assert store.delete_user("u1") == 2 + 2 + 1 + 0 + 2
    assert store.answered("req-1", "s1") is None and store.answered("req-3", "s3") is None
    assert store.answers_of("u1") == () and store.outbox_of("u1") == ()
    assert store.answered("req-2", "s2") == {"speech": "Ik verbind u door, u2."}
    assert [item.id for item in store.outbox_of("u2")] == ["handoff-s2"]
    assert store.outbox_counts() == {"pending": 1, "delivered": 0}
    assert store.delete_user("u1") == 0


def test_the_export_of_a_user_holds_their_replies_and_outbox_items(store: Store) -> None:
    _turn_with_handoff(store, "s1", "u1", "req-1")
    _turn_with_handoff(store, "s2", "u2", "req-2")
    store.save_user("u1", {"name": "Anna"})
    exported = user_data(store, "u1")
    # when the remembered name was last updated: it goes retention_days after that, unless seen since
    assert exported["attributes_updated_at"] == "2023-11-14T22:13:20+00:00"
    assert exported["replies"] == [{"request_id": "req-1", "reply": {"speech": "Ik verbind u door, u1."}}]
    assert [item["id"] for item in exported["outbox"]] == ["handoff-s1"]
    assert (
        exported["outbox"][0]["payload"]["user_id"] == "u1"
        and exported["outbox"][0]["created_at"] == "2023-11-14T22:13:20+00:00"
    )
    store.delete_user("u1")
    assert user_data(store, "u1") == {
        "user_id": "u1",
        "attributes": {},
        "attributes_updated_at": None,
        "sessions": [],
        "log": [],
        "replies": [],
        "outbox": [],
        "signals": [],
        "reviews": [],
    }
