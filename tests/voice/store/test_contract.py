"""The store contract: what every store passes, whatever its database (see STORE_URLS in conftest.py).

Each test runs once per store URL. The tests count what the store holds afterwards (sessions, users,
log rows) instead of trusting what a method returned.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, replace
from typing import Any

import pytest

from voice.analytics.review import Reviewed, record_review
from voice.reply import Expect, Reply
from voice.state import Confirming, DialogState
from voice.store import (
    HISTORY_LIMIT,
    ConflictError,
    LogEntry,
    Session,
    Speaker,
    Store,
    StoreError,
    TurnRecord,
    TurnStart,
    open_store,
)
from voice.store.base import unseen_users

from .samples import CEST, START, FakeClock, active_dialog, full_session

DAY = 86400.0
REVIEWED = {"skill": "cs", "locale": "nl", "reviewer": "anna"}


def _start(store: Store, session_id: str = "s1", user_id: str = "u1", ttl: float = 600) -> Session:
    return store.load_or_start(session_id, user_id=user_id, skill="cs", locale="nl", channel="alexa", ttl=ttl)


def _turn(text: str, at: float = START, speaker: Speaker = Speaker.USER) -> TurnRecord:
    return TurnRecord(
        time=at, speaker=speaker, text=text, intent="Book", slots={"time": "20:00"}, confidence=0.9
    )


def _entry(text: str, *, session_id: str = "s1", user_id: str = "u1", at: float = START) -> LogEntry:
    return LogEntry(session_id=session_id, user_id=user_id, time=at, speaker=Speaker.USER, text=text)


def _in_threads(work: Callable[[int], object], count: int) -> None:
    """Run ``work(0)`` .. ``work(count - 1)`` at once, each in its own thread; re-raise what they raise."""
    ready = threading.Barrier(count)

    def started_together(n: int) -> object:
        ready.wait()
        return work(n)

    with ThreadPoolExecutor(count) as pool:
        for result in [pool.submit(started_together, n) for n in range(count)]:
            result.result()


# -- round trips ---------------------------------------------------------------------------------


def test_the_active_dialog_sets_every_field_the_round_trip_checks() -> None:
    """A field left at its default (``withheld_as``, ``offer``, ...) round-trips however the store
    forgets it: the sample the round trip saves must set every one."""
    default, active = DialogState(), active_dialog()
    assert [f.name for f in fields(DialogState) if getattr(active, f.name) == getattr(default, f.name)] == []


@pytest.mark.parametrize(
    "dialog",
    [DialogState(), active_dialog(), DialogState(previous_intent="Help", fallbacks=3)],
    ids=["fresh", "active-flow", "between-flows"],
)
def test_every_session_field_survives_the_store(store: Store, clock: FakeClock, dialog: DialogState) -> None:
    saved = store.save(replace(full_session(), history=(), dialog=dialog))
    saved = store.save(saved.with_turn(full_session().history[0]).with_turn(full_session().history[1]))
    loaded = store.load(saved.id)
    assert loaded == saved
    assert loaded.dialog == dialog and loaded.history == full_session().history
    assert saved.version == 2
    assert (saved.created_at, saved.updated_at, saved.expires_at) == (
        START - 10,
        clock.now,
        clock.now + 305.0,
    )
    assert store.sessions_of("amzn1.ask.account.X") == (saved,)


def test_dialog_slot_values_come_back_typed(store: Store) -> None:
    store.save(full_session())
    loaded = store.load(full_session().id)
    assert loaded is not None and loaded.dialog.flow is not None
    values = {name: slot.value for name, slot in loaded.dialog.flow.slots.items()}
    assert values == {
        "date": dt.date(2025, 5, 2),
        "time": dt.time(20, 30),
        "stay": dt.timedelta(minutes=90),
        "call_back": dt.datetime(2025, 5, 2, 17, tzinfo=CEST),
        "party": 4,
        "budget": 2.5,
        "area": "terrace",
    }
    kinds = [dt.date, dt.time, dt.timedelta, dt.datetime, int, float, str]
    assert [type(value) for value in values.values()] == kinds
    assert loaded.dialog.flow.confirming is Confirming.SLOT
    assert loaded.dialog.last_reply is not None and loaded.dialog.last_reply.expect is Expect.CONFIRMATION


def test_tuples_come_back_as_lists(store: Store) -> None:
    session = _start(store)
    store.save(session.with_attributes({"pair": (1, 2)}))
    store.save_user("u1", {"pair": (3, 4)})
    assert store.load("s1").attributes == {"pair": [1, 2]}  # type: ignore[union-attr]
    assert store.get_user("u1") == {"pair": [3, 4]}


def test_log_entries_keep_every_field(store: Store) -> None:
    full = LogEntry(
        session_id="s1",
        user_id="u1",
        time=START + 0.125,
        speaker=Speaker.ASSISTANT,
        text="Tot ziens, ‘Anneke’!",
        intent="Goodbye",
        confidence=0.75,
        skill="cs",
        locale="nl-NL",
        channel="dialogflow",
        handed_over=True,
    )
    bare = _entry("hallo")
    store.log_turn(full)
    store.log_turn(bare)
    assert store.read_log() == (full, bare)


# -- versions and conflicts ---------------------------------------------------------------------


def test_saves_bump_the_version_and_slide_the_expiry(store: Store, clock: FakeClock) -> None:
    first = _start(store)
    clock.advance(100)
    second = store.save(first.with_attributes({"step": 2}))
    assert (first.version, second.version) == (1, 2)
    assert second.created_at == START and second.expires_at == clock.now + 600
    assert store.load("s1") == second


def test_a_stale_copy_conflicts_and_changes_nothing(store: Store) -> None:
    mine = _start(store)
    theirs = store.load("s1")
    assert theirs is not None
    store.save(theirs.with_attributes({"who": "them"}))
    with pytest.raises(ConflictError):
        store.save(mine.with_attributes({"who": "me"}), log=[_entry("mine")])
    stored = store.load("s1")
    assert stored is not None and stored.attributes == {"who": "them"} and stored.version == 2
    assert store.read_log() == ()  # the conflicting save wrote no log row either


def test_starting_over_a_live_session_conflicts(store: Store) -> None:
    _start(store)
    with pytest.raises(ConflictError):
        store.start("s1", user_id="u2", skill="other", locale="en", channel="local")
    assert [s.user_id for s in store.sessions_of("u1")] == ["u1"] and store.sessions_of("u2") == ()


def test_load_or_start_returns_the_live_session(store: Store) -> None:
    started = _start(store)
    assert _start(store, user_id="someone else") == started == store.load("s1")


def test_update_retries_after_a_conflict(store: Store) -> None:
    _start(store)
    seen: list[int] = []

    def add_mine(session: Session) -> Session:
        seen.append(session.version)
        if len(seen) == 1:  # another worker saves between our load and our save
            store.save(session.with_attributes({"theirs": True}))
        return session.with_attributes({"mine": True})

    updated = store.update("s1", add_mine)
    assert seen == [1, 2]
    assert updated.version == 3
    assert store.load("s1") == updated and updated.attributes == {"theirs": True, "mine": True}


def test_update_gives_up_after_its_retries(store: Store) -> None:
    _start(store)
    calls: list[int] = []

    def always_overtaken(session: Session) -> Session:
        calls.append(session.version)
        store.save(session)
        return session

    with pytest.raises(ConflictError, match="3 times in a row"):
        store.update("s1", always_overtaken, retries=2)
    assert calls == [1, 2, 3] and store.load("s1").version == 4  # type: ignore[union-attr]


def test_update_needs_a_live_session(store: Store) -> None:
    with pytest.raises(StoreError, match="no live session missing"):
        store.update("missing", lambda session: session)
    assert store.sessions_of("u1") == ()


def test_record_turn_writes_history_and_log_together(store: Store) -> None:
    _start(store)
    store.update("s1", Session.handed_over_to_human)
    session = store.record_turn("s1", _turn("mag ik een medewerker spreken"))
    stored = store.load("s1")
    [entry] = store.read_log()
    assert stored == session and [t.text for t in stored.history] == ["mag ik een medewerker spreken"]
    assert entry == LogEntry.from_turn(session, session.history[-1])
    assert entry.handed_over and entry.locale == "nl" and entry.speaker is Speaker.USER


def test_record_exchange_uses_the_loaded_session_and_rereads_a_stale_one(store: Store) -> None:
    loaded = _start(store)
    said = (_turn("hello"), _turn("hi there", speaker=Speaker.ASSISTANT))
    first = store.record_exchange("s1", said, loaded=loaded)
    assert first.version == loaded.version + 1
    # ``loaded`` is stale now: its save conflicts and the exchange lands on the fresh session.
    again = store.record_exchange("s1", said, lambda s: s.with_attributes({"n": 2}), loaded=loaded)
    stored = store.load("s1")
    assert stored == again and again.version == 3 and again.attributes == {"n": 2}
    assert [t.text for t in stored.history] == ["hello", "hi there"] * 2
    assert [e.text for e in store.read_log(session_id="s1")] == ["hello", "hi there"] * 2


# -- lifetime ------------------------------------------------------------------------------------


def test_a_session_expires_ttl_seconds_after_its_last_save(store: Store, clock: FakeClock) -> None:
    old = _start(store, ttl=60)
    clock.advance(59.5)
    assert store.load("s1") == old
    clock.advance(0.5)  # exactly at expires_at: gone
    assert store.load("s1") is None
    assert [s.version for s in store.sessions_of("u1")] == [1]  # still stored until purged
    fresh = _start(store)
    assert fresh.created_at == clock.now and fresh.history == () and fresh.version == old.version + 1
    with pytest.raises(ConflictError):
        store.save(old.with_attributes({"late": True}))  # a copy of the expired one stays stale


def test_an_ended_session_is_kept_until_a_new_one_replaces_it(store: Store) -> None:
    store.record_turn(_start(store).id, _turn("dag"))
    ended = store.end("s1")
    assert ended.ended and store.load("s1") == ended and len(ended.history) == 1
    fresh = _start(store)
    assert not fresh.ended and fresh.history == () and fresh.version == ended.version + 1
    assert store.load("s1") == fresh


def test_purge_expired_deletes_only_expired_sessions(store: Store, clock: FakeClock) -> None:
    for n in range(5):
        _start(store, f"short{n}", ttl=60)
    _start(store, "long", ttl=600)
    clock.advance(60)
    assert store.purge_expired() == 5
    assert [s.id for s in store.sessions_of("u1")] == ["long"]
    assert store.purge_expired() == 0
    assert store.purge_expired(clock.now + 540) == 1
    assert store.sessions_of("u1") == ()


def test_sessions_of_lists_a_users_sessions_oldest_first(store: Store, clock: FakeClock) -> None:
    for session_id, user_id in (("b", "u1"), ("other", "u2"), ("a", "u1"), ("c", "u1")):
        _start(store, session_id, user_id, ttl=60)
        clock.advance(10)
    store.end("a")
    clock.advance(60)  # every one has expired now, and a has ended
    assert [s.id for s in store.sessions_of("u1")] == ["b", "a", "c"]
    assert [s.ended for s in store.sessions_of("u1")] == [False, True, False]
    assert store.sessions_of("nobody") == ()


# -- user attributes -----------------------------------------------------------------------------


def test_user_attributes_outlive_sessions(store: Store, clock: FakeClock) -> None:
    assert store.get_user("u1") == {}
    _start(store, "s1")
    store.save_user("u1", {"name": "Anneke", "language": "nl", "seen": [1, 2], "prefs": {"quiet": True}})
    store.end("s1")
    clock.advance(DAY)
    store.purge_expired()
    assert _start(store, "s2").user_id == "u1"
    assert store.get_user("u1") == {
        "name": "Anneke",
        "language": "nl",
        "seen": [1, 2],
        "prefs": {"quiet": True},
    }
    store.save_user("u1", {"name": "Anne"})  # replaces the whole dict
    assert store.get_user("u1") == {"name": "Anne"}
    assert store.get_user("u2") == {}


def test_update_user_merges(store: Store) -> None:
    store.save_user("u1", {"name": "Anneke"})
    assert store.update_user("u1", {"language": "nl"}) == {"name": "Anneke", "language": "nl"}
    store.update_user("u1", {"postcode": "1011AB", "name": "Anne"})
    assert store.get_user("u1") == {"name": "Anne", "language": "nl", "postcode": "1011AB"}
    assert store.update_user("u2", {"name": "Piet"}) == {"name": "Piet"} == store.get_user("u2")


def test_two_sessions_updating_one_user_at_once_both_keep_theirs(store: Store) -> None:
    store.save_user("u1", {"name": "Anneke"})
    devices = ("phone", "speaker")

    def remember(device: int) -> None:
        for n in range(20):
            store.update_user("u1", {f"{devices[device]}-{n}": n})

    _in_threads(remember, len(devices))
    expected = {f"{device}-{n}": n for device in devices for n in range(20)}
    assert store.get_user("u1") == {"name": "Anneke", **expected}


# -- the conversation log ------------------------------------------------------------------------


def test_read_log_filters_and_keeps_the_order_of_writing(store: Store) -> None:
    rows = [("a", "u1", 2), ("b", "u2", 0), ("c", "u1", 1), ("a", "u1", 3)]  # not written in time order
    for n, (session_id, user_id, day) in enumerate(rows):
        store.log_turn(_entry(f"row {n}", session_id=session_id, user_id=user_id, at=START + day * DAY))
    assert [e.text for e in store.read_log()] == ["row 0", "row 1", "row 2", "row 3"]
    assert [e.text for e in store.read_log(user_id="u1")] == ["row 0", "row 2", "row 3"]
    assert [e.text for e in store.read_log(session_id="a")] == ["row 0", "row 3"]
    assert [e.text for e in store.read_log(since=START + DAY)] == ["row 0", "row 2", "row 3"]
    assert [e.text for e in store.read_log(session_id="c", user_id="u1", since=START + DAY)] == ["row 2"]
    assert store.read_log(session_id="a", user_id="u2") == ()


def test_save_writes_its_log_rows_in_the_same_transaction(store: Store) -> None:
    session = _start(store)
    store.save(session.with_attributes({"n": 1}), log=[_entry("one"), _entry("two")])
    assert [e.text for e in store.read_log(session_id="s1")] == ["one", "two"]


def test_purge_log_keeps_rows_within_retention(store: Store, clock: FakeClock) -> None:
    for day in range(4):
        store.log_turn(_entry(f"day {day}", at=START - day * DAY))
    assert store.purge_log(retention_days=2) == 1  # exactly two days old is kept
    assert [e.text for e in store.read_log()] == ["day 0", "day 1", "day 2"]
    assert store.purge_log(retention_days=0.5, now=START + DAY) == 3
    assert store.read_log() == ()


def test_purge_log_removes_reviews_older_than_retention(store: Store, clock: FakeClock) -> None:
    """A review quotes a caller's words, so it is kept no longer than the log that holds them."""
    for day in range(4):
        clock.now = START - day * DAY
        record_review(store, f"said {day} days ago", Reviewed("out_of_scope", "", None), **REVIEWED)
    clock.now = START
    store.purge_log(retention_days=2)
    assert _count(store, "reviews") == 3  # exactly two days old is kept
    store.purge_log(retention_days=0.5, now=START + DAY)
    assert _count(store, "reviews") == 0


def _count(store: Store, table: str) -> int:
    return int(store.select(f"SELECT count(*) FROM {table}")[0][0])


def test_purge_log_forgets_what_was_remembered_about_users_not_seen_within_retention(
    store: Store, clock: FakeClock
) -> None:
    """A remembered name is personal data: it stayed forever, whatever retention_days said. It goes once
    the caller has not been seen (remembered anew, a session saved, a turn logged) for retention_days."""
    clock.now = START - 90 * DAY
    for user_id in ("gone", "in-session", "in-log", "exactly-30-days"):
        store.save_user(user_id, {"name": "Johan Smit", "last_booking": "B42"})
    clock.now = START - 30 * DAY
    store.update_user("exactly-30-days", {"last_booking": "B43"})
    clock.now = START - 10 * DAY
    _start(store, "s1", user_id="in-session")
    store.log_turn(_entry("hallo", session_id="s2", user_id="in-log", at=clock.now))
    clock.now = START
    assert _count(store, "users") == 4
    assert store.purge_log_rows(retention_days=30)["users"] == 1
    assert _count(store, "users") == 3 and store.get_user("gone") == {}
    assert store.get_user("in-log") == {"name": "Johan Smit", "last_booking": "B42"}
    assert store.purge_log_rows(retention_days=30, now=START + 21 * DAY)["users"] == 3
    assert _count(store, "users") == 0


def test_the_purge_of_unseen_users_reads_them_by_their_last_update(store: Store, store_url: str) -> None:
    """The users table had no index on updated_at: every hourly purge read each remembered caller."""
    if store_url.startswith("postgresql"):
        found = store.select("SELECT indexdef FROM pg_indexes WHERE tablename = 'users'")
        assert any(row[0].endswith("(updated_at)") for row in found), found
        return
    inner = unseen_users(10).split(" IN (", 1)[1].removesuffix(")")
    plan = " ".join(row[-1] for row in store.select(f"EXPLAIN QUERY PLAN {inner}", (START,) * 3))
    assert "SEARCH users USING INDEX users_by_update (updated_at<?)" in plan, plan


def test_purges_remove_more_rows_than_fit_in_one_batch(store: Store, clock: FakeClock) -> None:
    session = _start(store, "recent")
    old = [_entry(f"{n}", at=START - 2 * DAY) for n in range(4500)]
    store.save(session, log=[*old, _entry("recent", at=START)])
    assert len(store.read_log()) == 4501
    assert store.purge_log(retention_days=1) == 4500
    assert [e.text for e in store.read_log()] == ["recent"]


def test_a_long_conversation_keeps_its_latest_turns_and_logs_every_one(store: Store) -> None:
    _start(store)
    said = [f"zin {n}" for n in range(HISTORY_LIMIT + 10)]
    for text in said:
        store.record_exchange("s1", (_turn(text), _turn(f"antwoord op {text}", speaker=Speaker.ASSISTANT)))
    session = store.load("s1")
    assert session is not None and len(session.history) == HISTORY_LIMIT
    assert [turn.text for turn in session.history[-2:]] == [said[-1], f"antwoord op {said[-1]}"]
    assert session.history[0].text == said[-HISTORY_LIMIT // 2]
    assert [entry.text for entry in store.read_log(session_id="s1")][::2] == said


# -- erasure -------------------------------------------------------------------------------------


def test_delete_user_erases_sessions_attributes_and_log(store: Store) -> None:
    for session_id, user_id in (("s1", "u1"), ("s2", "u1"), ("s3", "u2")):
        _start(store, session_id, user_id)
        store.record_turn(session_id, _turn("hallo"))
        store.save_user(user_id, {"name": user_id})
    assert store.delete_user("u1") == 2 + 1 + 2
    assert store.sessions_of("u1") == () and store.load("s1") is None
    assert store.get_user("u1") == {} and store.read_log(user_id="u1") == ()
    assert len(store.sessions_of("u2")) == 1 and store.get_user("u2") and len(store.read_log()) == 1
    assert store.delete_user("u1") == 0


def test_a_copy_of_a_deleted_session_is_not_resurrected(store: Store) -> None:
    session = _start(store)
    store.delete_user("u1")
    with pytest.raises(ConflictError, match="deleted"):
        store.save(session.with_turn(_turn("nog iets")), log=[_entry("nog iets")])
    with pytest.raises(StoreError, match="no live session"):
        store.record_exchange("s1", (_turn("nog iets"),), loaded=session)
    assert store.sessions_of("u1") == () and store.read_log() == ()


# -- refusals and errors -------------------------------------------------------------------------

_NOT_JSON: dict[str, Callable[[Store, Session], Any]] = {
    "attribute-object": lambda store, s: store.save(s.with_attributes({"when": object()})),
    "attribute-nan": lambda store, s: store.save(s.with_attributes({"ratio": float("nan")})),
    "attribute-infinity": lambda store, s: store.update(
        "s1", lambda now: now.with_attributes({"x": float("inf")})
    ),
    "turn-slot-date": lambda store, s: store.record_turn(
        "s1", TurnRecord(time=START, speaker=Speaker.USER, text="morgen", slots={"date": dt.date(2025, 5, 2)})
    ),
    "reply-remember": lambda store, s: store.save(
        s.with_dialog(DialogState(last_reply=Reply(speech="ok", remember={"at": dt.datetime(2025, 5, 2)})))
    ),
    "save-user": lambda store, s: store.save_user("u1", {"ratio": float("nan")}),
    "update-user": lambda store, s: store.update_user("u1", {"tags": {"a", "b"}}),
}


@pytest.mark.parametrize("write", _NOT_JSON.values(), ids=_NOT_JSON.keys())
def test_values_that_are_not_json_are_refused_and_change_nothing(
    store: Store, write: Callable[[Store, Session], Any]
) -> None:
    session = _start(store)
    store.save_user("u1", {"name": "Anneke"})
    with pytest.raises(StoreError, match="JSON values"):
        write(store, session)
    assert store.load("s1") == session
    assert store.get_user("u1") == {"name": "Anneke"} and store.read_log() == ()


_CALLS: dict[str, Callable[[Store], object]] = {
    "load": lambda store: store.load("s1"),
    "save": lambda store: store.save(Session(id="s2", user_id="u1", skill="cs", locale="nl", channel="x")),
    "load_or_start": lambda store: _start(store, "s2"),
    "record_turn": lambda store: store.record_turn("s1", _turn("hallo")),
    "get_user": lambda store: store.get_user("u1"),
    "save_user": lambda store: store.save_user("u1", {}),
    "update_user": lambda store: store.update_user("u1", {}),
    "log_turn": lambda store: store.log_turn(_entry("hallo")),
    "read_log": lambda store: store.read_log(),
    "purge_expired": lambda store: store.purge_expired(),
    "purge_log": lambda store: store.purge_log(30),
    "sessions_of": lambda store: store.sessions_of("u1"),
    "delete_user": lambda store: store.delete_user("u1"),
}


@pytest.mark.parametrize("call", _CALLS.values(), ids=_CALLS.keys())
def test_a_closed_store_says_so(store_url: str, clock: FakeClock, call: Callable[[Store], object]) -> None:
    with open_store(store_url, clock=clock) as store:
        _start(store)
    with pytest.raises(StoreError, match="closed"):
        call(store)
    store.close()  # closing twice is harmless


# -- several threads -----------------------------------------------------------------------------


def test_threads_sharing_one_store_lose_no_turn(store: Store) -> None:
    _start(store, "shared")
    workers, turns = 4, 12
    assert workers * turns <= HISTORY_LIMIT  # the history then holds every turn, as the log does

    def work(worker: int) -> None:
        for n in range(turns):
            store.record_turn("shared", _turn(f"{worker}:{n}"), retries=1000)

    _in_threads(work, workers)
    shared = store.load("shared")
    expected = sorted(f"{w}:{n}" for w in range(workers) for n in range(turns))
    assert shared is not None and shared.version == 1 + workers * turns
    assert sorted(t.text for t in shared.history) == expected
    assert sorted(e.text for e in store.read_log(session_id="shared")) == expected
    for w in range(workers):  # each worker's turns keep their order
        assert [t.text for t in shared.history if t.text.startswith(f"{w}:")] == [
            f"{w}:{n}" for n in range(turns)
        ]


def test_threads_starting_one_session_at_once_share_it(store: Store) -> None:
    started: list[Session] = []
    _in_threads(lambda n: started.append(_start(store, "shared", user_id=f"u{n}")), 4)
    stored = store.load("shared")
    assert stored is not None and stored.version == 1
    assert started == [stored] * 4


def test_threads_saving_one_new_session_at_once_keep_every_turn(store: Store) -> None:
    """The dialog's first turn saves an unsaved ``Session.new``; a concurrent creator makes it conflict,
    and ``record_exchange`` reapplies the turn to the stored session."""

    def first_turn(n: int) -> None:
        fresh = Session.new(
            id="shared", user_id=f"u{n}", skill="cs", locale="nl", channel="alexa", now=START, ttl=600
        )
        store.record_exchange("shared", (_turn(f"hello {n}"),), loaded=fresh, retries=100)

    _in_threads(first_turn, 4)
    stored = store.load("shared")
    assert stored is not None and stored.version == 4
    assert sorted(t.text for t in stored.history) == [f"hello {n}" for n in range(4)]
    assert len(store.read_log(session_id="shared")) == 4


# -- one read per turn ---------------------------------------------------------------------------


def test_load_turn_reads_the_session_the_users_attributes_and_an_earlier_reply(store: Store) -> None:
    assert store.load_turn("s1", "u1") == TurnStart(None, {})
    started = _start(store)
    store.save_user("u1", {"name": "Ann"})
    assert store.load_turn("s1", "u1") == TurnStart(started, {"name": "Ann"})
    assert store.load_turn("s1", "") == TurnStart(started, {})
    assert store.load_turn("missing", "u1") == TurnStart(None, {"name": "Ann"})
    saved = store.save(started, answer=("req-1", {"speech": "Done!"}))
    assert store.load_turn("s1", "u1", "req-1") == TurnStart(saved, {"name": "Ann"}, {"speech": "Done!"})
    assert store.load_turn("s1", "u1", "req-2").earlier is None
    assert store.load_turn("s2", "u1", "req-1").earlier is None, "a reply goes back to its own session only"


def test_load_turn_skips_an_expired_session(store: Store, clock: FakeClock) -> None:
    _start(store, ttl=60)
    clock.advance(60)
    assert store.load_turn("s1", "u1") == TurnStart(None, {})


def test_a_new_session_saved_over_a_live_one_conflicts(store: Store) -> None:
    live = _start(store)
    fresh = Session.new(id="s1", user_id="u2", skill="cs", locale="nl", channel="alexa", now=START, ttl=600)
    with pytest.raises(ConflictError):
        store.save(fresh, log=[_entry("mine")])
    assert store.load("s1") == live and store.read_log() == ()
