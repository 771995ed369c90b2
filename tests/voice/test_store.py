"""The session store: round trips, expiry, users, conflicts, purges, errors, several processes at once."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import voice.store
from voice.errors import ConfigError
from voice.store import (
    ConflictError,
    LogEntry,
    Session,
    Speaker,
    SqliteStore,
    StoreError,
    TurnRecord,
    open_store,
)

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("store_worker.py")
START = 1_700_000_000.0
DAY = 86400.0


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "state" / "sessions.db", clock=clock) as opened:
        yield opened


def _start(store: SqliteStore, session_id: str = "s1", user_id: str = "u1", ttl: float = 600) -> Session:
    return store.load_or_start(session_id, user_id=user_id, skill="cs", locale="nl", channel="alexa", ttl=ttl)


def _turn(text: str, at: float = START, speaker: Speaker = Speaker.USER) -> TurnRecord:
    return TurnRecord(
        time=at, speaker=speaker, text=text, intent="Book", slots={"time": "20:00"}, confidence=0.9
    )


def _full_session() -> Session:
    """A session with a non-default value in every field."""
    return Session(
        id="amzn1.echo-api.session.1",
        user_id="amzn1.ask.account.X",
        skill="customer_service",
        locale="nl-NL",
        channel="alexa",
        attributes={"naam": "Anneke", "party": 4, "vip": True, "tags": ["a", "b"], "nested": {"x": None}},
        dialog={"intent": "BookTable", "slots": {"date": "2025-05-01"}, "expecting": "time", "fallbacks": 1},
        history=(
            TurnRecord(
                time=START + 0.25,
                speaker=Speaker.USER,
                text="een tafel om acht uur",
                intent="BookTable",
                slots={"time": "20:00", "party": 4},
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


def test_exports_are_sorted_and_exist() -> None:
    assert voice.store.__all__ == sorted(voice.store.__all__)
    assert all(hasattr(voice.store, name) for name in voice.store.__all__)


def test_session_dict_round_trip() -> None:
    session = _full_session()
    assert Session.from_dict(session.to_dict()) == session


def test_every_field_survives_the_database(store: SqliteStore, clock: FakeClock) -> None:
    saved = store.save(_full_session())
    loaded = store.load(saved.id)
    assert loaded == saved
    assert saved.version == 1
    assert (saved.updated_at, saved.expires_at) == (clock.now, clock.now + 305.0)
    assert loaded is not None and loaded.history == _full_session().history


def test_with_methods_change_copies() -> None:
    session = _full_session()
    changed = session.with_attributes({"party": 5}).with_dialog({"expecting": "name"}).with_turn(_turn("ja"))
    assert changed.attributes["party"] == 5 and changed.attributes["naam"] == "Anneke"
    assert changed.dialog == {"expecting": "name"}
    assert changed.history[-1].text == "ja" and len(session.history) == 2
    assert session.attributes["party"] == 4


def test_saves_bump_the_version_and_slide_the_expiry(store: SqliteStore, clock: FakeClock) -> None:
    first = _start(store)
    clock.advance(100)
    second = store.save(first.with_attributes({"step": 2}))
    assert (first.version, second.version) == (1, 2)
    assert second.created_at == START and second.expires_at == clock.now + 600


def test_expired_sessions_are_absent(store: SqliteStore, clock: FakeClock) -> None:
    old = _start(store, ttl=60)
    clock.advance(59)
    assert store.load("s1") is not None
    clock.advance(1)
    assert store.load("s1") is None
    fresh = _start(store)
    assert fresh.created_at == clock.now and fresh.version == old.version + 1 and fresh.history == ()


def test_purge_expired(store: SqliteStore, clock: FakeClock) -> None:
    _start(store, "short", ttl=60)
    _start(store, "long", ttl=600)
    clock.advance(120)
    assert store.purge_expired() == 1
    assert store.purge_expired(clock.now + 600) == 1
    assert store.load("long") is None


def test_user_attributes_outlive_sessions(store: SqliteStore, clock: FakeClock) -> None:
    assert store.get_user("u1") == {}
    _start(store, "s1")
    store.save_user("u1", {"name": "Anneke", "language": "nl"})
    store.end("s1")
    clock.advance(DAY)
    store.purge_expired()
    assert _start(store, "s2").user_id == "u1"
    assert store.get_user("u1") == {"name": "Anneke", "language": "nl"}
    store.save_user("u1", {"name": "Anne"})
    assert store.get_user("u1") == {"name": "Anne"}


def test_a_background_thread_checkpoints_the_wal_soon_after_writes(tmp_path: Path) -> None:
    path = tmp_path / "sessions.db"
    before = _checkpoint_threads()  # other tests' stores may still be open
    with SqliteStore(path) as store:
        for n in range(300):  # about 300 pages: well under the turns' own safety-net checkpoint
            session = _start(store, f"s{n}")
            store.save(session.with_attributes({"note": "x" * 1000}))
        deadline = time.monotonic() + 10
        while path.stat().st_size < 300_000 and time.monotonic() < deadline:
            time.sleep(0.05)  # the pages are still only in the write-ahead log
        assert path.stat().st_size >= 300_000, "no checkpoint copied the log into the database file"
        assert len(_checkpoint_threads() - before) == 1
    assert _checkpoint_threads() <= before  # close stops it


def _checkpoint_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == "voice-store-checkpoint"}


def test_update_user_merges_so_two_sessions_of_one_caller_both_keep_theirs(store: SqliteStore) -> None:
    store.save_user("u1", {"name": "Anneke"})
    assert store.update_user("u1", {"language": "nl"}) == {"name": "Anneke", "language": "nl"}  # phone
    store.update_user("u1", {"postcode": "1011AB", "name": "Anne"})  # speaker, from what it read before
    assert store.get_user("u1") == {"name": "Anne", "language": "nl", "postcode": "1011AB"}
    assert store.update_user("u2", {"name": "Piet"}) == {"name": "Piet"} == store.get_user("u2")
    with pytest.raises(StoreError, match="JSON values"):
        store.update_user("u1", {"ratio": float("nan")})
    assert store.get_user("u1")["postcode"] == "1011AB"  # a refused update changes nothing


def test_ended_session_is_replaced_by_a_new_one(store: SqliteStore) -> None:
    _start(store)
    ended = store.end("s1")
    assert ended.ended and store.load("s1") == ended
    assert not _start(store).ended


def test_a_stale_copy_conflicts(store: SqliteStore) -> None:
    mine = _start(store)
    theirs = store.load("s1")
    assert theirs is not None
    store.save(theirs.with_attributes({"who": "them"}))
    with pytest.raises(ConflictError, match="another worker"):
        store.save(mine.with_attributes({"who": "me"}))
    assert store.load("s1").attributes == {"who": "them"}  # type: ignore[union-attr]


def test_starting_over_a_live_session_conflicts(store: SqliteStore) -> None:
    _start(store)
    with pytest.raises(ConflictError):
        store.start("s1", user_id="u2", skill="cs", locale="en", channel="local")


def test_update_retries_after_a_conflict(store: SqliteStore) -> None:
    _start(store)
    calls = []

    def add_mine(session: Session) -> Session:
        calls.append(session.version)
        if len(calls) == 1:  # another worker saves between our load and our save
            store.save(session.with_attributes({"theirs": True}))
        return session.with_attributes({"mine": True})

    updated = store.update("s1", add_mine)
    assert calls == [1, 2]
    assert updated.attributes == {"theirs": True, "mine": True} and updated.version == 3


def test_record_exchange_uses_the_loaded_session_and_rereads_a_stale_one(store: SqliteStore) -> None:
    loaded = _start(store)
    said = TurnRecord(time=START, speaker=Speaker.ASSISTANT, text="hello")
    first = store.record_exchange("s1", (said,), loaded=loaded)
    assert first.version == loaded.version + 1 and [t.text for t in first.history] == ["hello"]
    # ``loaded`` is now stale: the save conflicts and the exchange lands on the fresh session.
    again = store.record_exchange("s1", (said,), lambda s: s.with_attributes({"n": 2}), loaded=loaded)
    assert [t.text for t in again.history] == ["hello", "hello"] and again.attributes == {"n": 2}
    assert [e.text for e in store.read_log(session_id="s1")] == ["hello", "hello"]


def test_update_gives_up_after_its_retries(store: SqliteStore) -> None:
    _start(store)

    def always_overtaken(session: Session) -> Session:
        store.save(session)
        return session

    with pytest.raises(ConflictError, match="3 times in a row"):
        store.update("s1", always_overtaken, retries=2)


def test_update_needs_a_live_session(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="no live session missing"):
        store.update("missing", lambda session: session)


def test_record_turn_writes_history_and_log(store: SqliteStore, clock: FakeClock) -> None:
    _start(store)
    store.update("s1", Session.handed_over_to_human)
    session = store.record_turn("s1", _turn("mag ik een medewerker spreken"))
    [entry] = store.read_log(session_id="s1")
    assert session.history[-1].text == entry.text == "mag ik een medewerker spreken"
    assert entry == LogEntry.from_turn(session, session.history[-1])
    assert entry.handed_over and entry.locale == "nl" and entry.speaker is Speaker.USER


def test_read_log_filters_and_purge_log_keeps_recent_rows(store: SqliteStore, clock: FakeClock) -> None:
    for n, (session_id, user_id) in enumerate([("a", "u1"), ("b", "u2"), ("c", "u1")]):
        store.log_turn(
            LogEntry(
                session_id=session_id,
                user_id=user_id,
                time=START + n * DAY,
                speaker=Speaker.ASSISTANT,
                text=f"reply {n}",
            )
        )
    assert [e.session_id for e in store.read_log(user_id="u1")] == ["a", "c"]
    assert [e.text for e in store.read_log(since=START + DAY)] == ["reply 1", "reply 2"]
    assert store.purge_log(retention_days=1.5, now=START + 2 * DAY) == 1
    assert [e.session_id for e in store.read_log()] == ["b", "c"]


def test_purges_delete_in_batches_until_nothing_is_left(
    store: SqliteStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(voice.store.sqlite, "PURGE_BATCH_ROWS", 3)
    for n in range(10):
        store.log_turn(
            LogEntry(session_id="a", user_id="u1", time=START - DAY, speaker=Speaker.USER, text=f"{n}")
        )
        _start(store, f"s{n}", ttl=60)
    store.log_turn(LogEntry(session_id="b", user_id="u1", time=START, speaker=Speaker.USER, text="recent"))
    assert store.purge_log(retention_days=0.5) == 10
    assert [e.text for e in store.read_log()] == ["recent"]
    clock.advance(120)
    assert store.purge_expired() == 10


def test_delete_user_erases_everything_of_theirs(store: SqliteStore) -> None:
    for session_id, user_id in (("s1", "u1"), ("s2", "u1"), ("s3", "u2")):
        _start(store, session_id, user_id)
        store.record_turn(session_id, _turn("hallo"))
        store.save_user(user_id, {"name": user_id})
    assert store.delete_user("u1") == 2 + 1 + 2
    assert store.load("s1") is None and store.get_user("u1") == {} and store.read_log(user_id="u1") == ()
    assert store.load("s3") is not None and store.get_user("u2") and store.read_log(user_id="u2")


def test_a_copy_of_a_deleted_session_is_not_resurrected(store: SqliteStore) -> None:
    session = _start(store)
    store.delete_user("u1")
    with pytest.raises(ConflictError, match="deleted"):
        store.save(session)


def test_values_that_are_not_json_are_refused(store: SqliteStore) -> None:
    session = _start(store)
    with pytest.raises(StoreError, match="JSON values"):
        store.save(session.with_attributes({"when": object()}))
    with pytest.raises(StoreError, match="JSON values"):
        store.save_user("u1", {"ratio": float("nan")})


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("postgresql://user:secret@db/voice", "PostgreSQL is planned"),
        ("redis://localhost", "scheme 'redis' is not supported"),
        ("sessions.db", "has no scheme"),
        ("sqlite://", "names no file"),
    ],
    ids=["postgres", "redis", "no-scheme", "no-path"],
)
def test_bad_urls(url: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as caught:
        open_store(url)
    assert "secret" not in str(caught.value)


def test_urls_that_open(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/a/b.db") as store:
        _start(store)  # type: ignore[arg-type]
    assert (tmp_path / "a" / "b.db").exists()
    with open_store("sqlite://:memory:") as store:
        assert _start(store).version == 1  # type: ignore[arg-type]


def test_wal_mode_and_schema_version(store: SqliteStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()


def test_paths_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError, match="cannot create the folder"):
        SqliteStore(tmp_path / "a-file" / "sessions.db")
    with pytest.raises(StoreError, match="cannot open the session database"):
        SqliteStore(tmp_path)


def test_a_file_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(path)


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        pass
    with pytest.raises(StoreError, match="closed"):
        store.load("s1")


@pytest.mark.parametrize("where", ["file", "memory"])
def test_threads_share_one_store(tmp_path: Path, where: str) -> None:
    path = tmp_path / "threads.db" if where == "file" else ":memory:"
    with SqliteStore(path) as store:
        _start(store, "shared")

        def work(worker: int) -> None:
            for n in range(25):
                store.record_turn("shared", _turn(f"{worker}:{n}"), retries=1000)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(store.load("shared").history) == 100  # type: ignore[union-attr]


def test_processes_writing_the_same_file_lose_nothing(tmp_path: Path) -> None:
    """The done-when test: separate processes append to one session (and their own) at the same time."""
    database, go_file, workers, turns = tmp_path / "shared.db", tmp_path / "go", 4, 150
    with SqliteStore(database) as store:
        store.load_or_start("shared", user_id="caller", skill="demo", locale="nl", channel="alexa")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(database), str(w), str(turns), str(go_file)], env=env
        )
        for w in range(workers)
    ]
    go_file.touch()
    assert [child.wait(timeout=60) for child in children] == [0] * workers

    expected = Counter(f"{w}:{n}" for w in range(workers) for n in range(turns))
    with SqliteStore(database) as store:
        shared = store.load("shared")
        assert shared is not None and shared.version == 1 + workers * turns
        assert Counter(turn.text for turn in shared.history) == expected
        writers = [turn.text.split(":")[0] for turn in shared.history]
        switches = sum(a != b for a, b in itertools.pairwise(writers))
        assert switches > workers, "the workers did not write at the same time"
        assert Counter(entry.text for entry in store.read_log(session_id="shared")) == expected
        for w in range(workers):
            own = store.load(f"own-{w}")
            assert own is not None and [t.text for t in own.history] == [f"{w}:{n}" for n in range(turns)]
