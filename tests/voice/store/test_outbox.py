"""The store's outbox (issue 12): saved with the turn, claimed by one sender at a time, retried, purged.

Contract tests, run against every store of ``STORE_URLS``.
"""

from __future__ import annotations

import threading

import pytest

from voice.store import OutboxItem, Session, Store, StoreError
from voice.store.base import REQUEST_MEMORY_S

from .samples import START, FakeClock


def _item(number: int, at: float = START) -> OutboxItem:
    return OutboxItem(
        id=f"h{number}", kind="handoff", payload={"reason": "asked", "n": number}, created_at=at
    )


def _save_with(store: Store, *items: OutboxItem, session_id: str = "s1") -> None:
    session = Session.new(
        id=session_id, user_id="u1", skill="", locale="nl", channel="test", now=START, ttl=600
    )
    store.save(session, outbox=items)


def test_items_saved_with_a_turn_are_claimed_oldest_first(store: Store) -> None:
    _save_with(store, _item(2, START + 1), _item(1, START))
    claimed = store.claim_outbox(START + 2, limit=10, lease_s=60)
    assert [item.id for item in claimed] == ["h1", "h2"] and claimed[0].payload == {"reason": "asked", "n": 1}
    assert store.claim_outbox(START + 3, limit=10, lease_s=60) == (), "claimed items are nobody else's"
    assert store.outbox_counts() == {"pending": 2, "delivered": 0}


def test_a_failed_turn_saves_no_item(store: Store) -> None:
    _save_with(store, _item(1))
    stale = Session.new(id="s1", user_id="u1", skill="", locale="nl", channel="test", now=START, ttl=600)
    with pytest.raises(StoreError):
        store.save(stale, outbox=(_item(2),))  # a new session over a live one conflicts
    assert [item.id for item in store.claim_outbox(START, limit=10, lease_s=60)] == ["h1"]


def test_a_failed_delivery_comes_due_again_and_a_delivered_one_never(store: Store, clock: FakeClock) -> None:
    _save_with(store, _item(1), _item(2))
    first, second = store.claim_outbox(START, limit=10, lease_s=60)
    store.finish_outbox(first.id, delivered=True)
    store.finish_outbox(second.id, delivered=False, next_at=START + 30, error="HTTP 500")
    assert store.claim_outbox(START + 29, limit=10, lease_s=60) == ()
    (again,) = store.claim_outbox(START + 30, limit=10, lease_s=60)
    assert (again.id, again.attempts) == ("h2", 1)
    assert store.outbox_counts() == {"pending": 1, "delivered": 1}


def test_an_item_whose_sender_died_comes_due_when_its_lease_ends(store: Store) -> None:
    _save_with(store, _item(1))
    assert len(store.claim_outbox(START, limit=10, lease_s=60)) == 1
    assert store.claim_outbox(START + 59, limit=10, lease_s=60) == ()
    assert len(store.claim_outbox(START + 60, limit=10, lease_s=60)) == 1


def test_concurrent_senders_never_claim_the_same_item(store: Store) -> None:
    _save_with(store, *(_item(n, START + n / 1000) for n in range(200)))
    claimed: list[str] = []
    lock = threading.Lock()

    def sender() -> None:
        while items := store.claim_outbox(START + 1, limit=7, lease_s=60):
            with lock:
                claimed.extend(item.id for item in items)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(f"h{n}" for n in range(200))


def test_delivered_items_are_purged_after_a_day(store: Store, clock: FakeClock) -> None:
    _save_with(store, _item(1), _item(2))
    first, _ = store.claim_outbox(START, limit=10, lease_s=60)
    store.finish_outbox(first.id, delivered=True)
    clock.advance(REQUEST_MEMORY_S + 1)
    store.purge_expired()
    assert store.outbox_counts() == {"pending": 1, "delivered": 0}, "pending items are never purged"
