"""What only the PostgreSQL store has: its URL, its pool per process, its locks across processes,
a database that goes away and comes back. The contract itself runs in test_contract.py."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
from collections.abc import Iterator

import psycopg
import pytest
from postgres_server import PostgresServer

from voice import Dialog, Router, Turn, load_skill
from voice.store import Session, Speaker, Store, StoreError, TurnRecord, open_store
from voice.store.postgres import PostgresStore
from voice.store.postgres_lock import session_key

from .samples import START


@pytest.fixture
def url(postgres: PostgresServer) -> str:
    return postgres.new_database()


@pytest.fixture
def store(url: str) -> Iterator[PostgresStore]:
    with PostgresStore(url) as opened:
        yield opened


def _start(store: Store, session_id: str = "s1") -> Session:
    return store.load_or_start(session_id, user_id="u1", skill="cs", locale="nl", channel="alexa")


def _backends(url: str) -> int:
    """Connections to ``url``'s database other than this one."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_urls_and_their_pool_options(url: str) -> None:
    with open_store(f"{url}?pool_size=3&pool_timeout=0.5&application_name=voice-test") as store:
        assert isinstance(store, PostgresStore)
        assert _start(store).version == 1
    with pytest.raises(StoreError, match="pool_sise"):
        open_store(f"{url}?pool_sise=3")
    with pytest.raises(StoreError, match="not numbers"):
        open_store(f"{url}?pool_size=many")


_KEEPALIVE_SETTINGS = (
    "tcp_keepalives_idle",
    "tcp_keepalives_interval",
    "tcp_keepalives_count",
    "tcp_user_timeout",
)


def _keepalives(store: PostgresStore) -> tuple[list[str], dict[str, str]]:
    """The server's keepalive settings of a connection of ``store`` (its end, which must notice a host
    that is gone), and libpq's (the client's end)."""
    with store._db.connection() as conn:
        server = [str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in _KEEPALIVE_SETTINGS]  # type: ignore[index]
        return server, conn.info.get_parameters()


def test_connections_drop_a_silent_peer_within_a_minute(url: str) -> None:
    """A host that crashed or was cut off holds its sessions' advisory locks until the server sees its
    connections are dead: the keepalive settings make that about half a minute, not Linux's 2 hours."""
    with PostgresStore(url) as store:
        server, client = _keepalives(store)
    assert server == ["10", "5", "3", "30000"]
    assert {key: client.get(key) for key in ("keepalives", "keepalives_idle", "tcp_user_timeout")} == {
        "keepalives": "1",
        "keepalives_idle": "10",
        "tcp_user_timeout": "30000",
    }


def test_keepalive_settings_in_the_url_win(url: str) -> None:
    given = f"{url}?keepalives_idle=60&tcp_user_timeout=90000&options=-c%20tcp_keepalives_count%3D7"
    with PostgresStore(given) as store:
        server, client = _keepalives(store)
    assert server == ["60", "5", "7", "90000"]  # the server's end follows the URL's libpq settings
    assert (client["keepalives_idle"], client["keepalives_count"], client["tcp_user_timeout"]) == (
        "60",
        "3",
        "90000",
    )


def test_an_unreachable_server_is_a_store_error_without_the_password() -> None:
    started = time.monotonic()
    with pytest.raises(StoreError, match="127.0.0.1:1/voice") as caught:
        open_store("postgresql://voice:secret@127.0.0.1:1/voice")
    assert "secret" not in str(caught.value) and time.monotonic() - started < 5


def test_connections_go_back_to_the_pool(url: str) -> None:
    with open_store(f"{url}?pool_size=4") as store:
        for n in range(50):
            with store.lock_session(f"s{n % 3}", timeout=5):
                session = store.load(f"s{n % 3}") or _start(store, f"s{n % 3}")
                store.record_exchange(session.id, (TurnRecord(time=START, speaker=Speaker.USER, text="x"),))
            with pytest.raises(StoreError):
                store.save_user("u1", {"bad": float("nan")})
        assert 1 <= _backends(url) <= 4
    assert _backends(url) == 0, "close() closes every connection of the pool"


def test_a_turn_uses_the_connection_that_holds_its_session(store: PostgresStore) -> None:
    _start(store)
    with store.lock_session("s1", timeout=5):
        with store._db.connection() as inside:
            row = inside.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            ).fetchone()
        assert row == (1,)
    assert session_key("s1") != session_key("s2")


def test_text_postgresql_cannot_hold_is_refused_with_a_sentence(store: PostgresStore) -> None:
    _start(store)
    with pytest.raises(StoreError, match="NUL"):
        store.save_user("u1", {"name": "a\x00b"})
    with pytest.raises(StoreError, match="refused a value"):
        store.record_turn("s1", TurnRecord(time=START, speaker=Speaker.USER, text="a\x00b"))
    assert store.load("s1").history == ()  # type: ignore[union-attr]


def _forked_turn(store: PostgresStore, done: multiprocessing.queues.Queue[object]) -> None:
    try:
        store.record_turn("s1", TurnRecord(time=START, speaker=Speaker.USER, text=f"child {os.getpid()}"))
        done.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test
        done.put(repr(exc))


def test_a_forked_worker_opens_its_own_pool(store: PostgresStore) -> None:
    _start(store)  # the parent's pool is open now, as in a gunicorn master that used the store
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    children = [context.Process(target=_forked_turn, args=(store, done)) for _ in range(2)]
    for child in children:
        child.start()
    results = [done.get(timeout=30) for _ in children]
    for child in children:
        child.join(30)
    assert results == ["ok", "ok"]
    assert len(store.load("s1").history) == 2  # type: ignore[union-attr]
    _start(store, "s2")  # the parent's own connections still work


def _hold(url: str, session_id: str, ready: object, seconds: float) -> None:
    store = open_store(url)
    with store.lock_session(session_id, timeout=10):
        ready.set()  # type: ignore[attr-defined]
        time.sleep(seconds)
    store.close()


def test_processes_take_turns_and_a_killed_one_leaves_no_lock(url: str) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold, args=(url, "s1", ready, 0.5))
    holder.start()
    assert ready.wait(30)
    with open_store(url) as store:
        started = time.monotonic()
        with store.lock_session("s1", timeout=10):
            waited = time.monotonic() - started
        holder.join(30)
        assert 0.2 < waited < 5, "it waited for the other process, and was woken when it let go"
        ready.clear()
        killed = context.Process(target=_hold, args=(url, "s1", ready, 60))
        killed.start()
        assert ready.wait(30)
        with pytest.raises(StoreError, match="busy"), store.lock_session("s1", timeout=0.2):
            pass
        killed.kill()
        killed.join(30)
        with store.lock_session("s1", timeout=5):  # the server dropped the dead process's lock
            pass


def test_the_store_survives_a_database_restart() -> None:
    server = PostgresServer.start()
    try:
        url = server.new_database()
        with open_store(f"{url}?pool_timeout=1") as store:
            _start(store)
            server._run("pg_ctl", "-D", str(server.folder / "data"), "-m", "fast", "-w", "stop")
            started = time.monotonic()
            with pytest.raises(StoreError, match="PostgreSQL is running"):
                store.load("s1")
            assert time.monotonic() - started < 4, "a down database fails the turn within seconds"
            server._run("pg_ctl", "-D", str(server.folder / "data"), "-l", "server.log", "-w", "start")
            # The pool checks a connection before handing it out: the restart costs no turn.
            assert store.load("s1") is not None and _start(store, "s2").version == 1
    finally:
        server.stop()


def test_a_call_while_the_database_is_down_hears_an_apology_within_seconds() -> None:
    server = PostgresServer.start()
    try:
        url = server.new_database()
        router = Router([load_skill("customer_service")])
        with open_store(url) as store:
            dialog = Dialog(router, store)
            ask = Turn(text="wat zijn jullie openingstijden", locale="nl", session_id="s1", user_id="u1")
            assert "open" in dialog.respond(ask).text
            server._run("pg_ctl", "-D", str(server.folder / "data"), "-m", "fast", "-w", "stop")
            started = time.monotonic()
            reply = dialog.respond(ask)
            assert time.monotonic() - started < 3 and reply.text.startswith("Sorry")
            assert not reply.end_session, "the apology keeps the session"
            server._run("pg_ctl", "-D", str(server.folder / "data"), "-l", "server.log", "-w", "start")
            assert "open" in dialog.respond(ask).text, "the next turn works without a restart"
    finally:
        server.stop()


def test_a_pg_dump_restores_into_an_empty_database_with_everything(postgres: PostgresServer) -> None:
    source, target = postgres.new_database(), postgres.new_database()
    with open_store(source) as store:
        for n in range(5):
            _start(store, f"s{n}")
            store.record_turn(f"s{n}", TurnRecord(time=START, speaker=Speaker.USER, text=f"hallo {n}"))
        store.update_user("u1", {"name": "Anneke"})
        kept = (store.sessions_of("u1"), store.read_log(), store.get_user("u1"))
    dump = postgres.folder / "backup.dump"
    subprocess.run([str(postgres.bin / "pg_dump"), "-Fc", "-f", str(dump), source], check=True)
    subprocess.run([str(postgres.bin / "pg_restore"), "-d", target, str(dump)], check=True)
    with open_store(target) as store:
        assert (store.sessions_of("u1"), store.read_log(), store.get_user("u1")) == kept
        store.record_turn("s1", TurnRecord(time=START, speaker=Speaker.USER, text="na de restore"))
        assert [e.text for e in store.read_log()][-2:] == ["hallo 4", "na de restore"]
