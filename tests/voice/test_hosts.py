"""Several hosts on one PostgreSQL (issue 13): two gunicorn masters (``-w 2 -k gthread``), every turn
of a conversation to a random host, duplicate requests to both hosts at once, one master killed
with SIGKILL mid-load. The suite runs 50 conversations and 50 pairs; ``bench/hosts.py`` runs 200 + 200.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from hosts import Host, conversations, duplicate_pairs, kill_one_host  # noqa: E402
from loadkit import Stub  # noqa: E402
from pairs import booking_day  # noqa: E402

from voice.store import Store, open_store  # noqa: E402


@pytest.fixture
def stub() -> Iterator[Stub]:
    running = Stub()
    yield running
    running.close()


@pytest.fixture
def url(postgres: PostgresServer) -> str:
    return postgres.new_database("hosts")


@pytest.fixture
def hosts(url: str, stub: Stub, tmp_path: Path) -> Iterator[list[Host]]:
    started: list[Host] = []
    try:
        for k in (1, 2):
            started.append(Host(tmp_path / f"host{k}", url, stub.url))
        yield started
    finally:
        for host in started:
            host.stop()


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with open_store(url) as opened:
        yield opened


def test_turns_on_random_hosts_are_neither_lost_nor_mixed_nor_done_twice(
    hosts: list[Host], store: Store, stub: Stub
) -> None:
    ports, day = [host.port for host in hosts], booking_day()
    whole = conversations(ports, store, day, 50, 8)
    assert whole["completed"] == 50 and whole["log_problems"] == 0, whole
    assert whole["conversations_on_both_hosts"] >= 40 and min(whole["turns_per_host"]) >= 75
    pairs = duplicate_pairs(ports, store, day, 50, 8)
    assert pairs == {"pairs": 50, "setup_failed": 0, "answered_alike": 50, "logged_once": 50}
    assert len(stub.bookings) == 50 + 50  # one per conversation: the pairs booked once


def test_a_host_killed_mid_load_loses_no_answered_turn(hosts: list[Host], store: Store, stub: Stub) -> None:
    killed = kill_one_host(hosts, store, booking_day(), 40, 8, kill_at=0.3)
    assert hosts[0].process.poll() is not None  # the master is gone
    assert killed["completed"] == 40 and killed["answered_turns_missing_from_log"] == 0, killed
    assert killed["other_host_answers_after"] == 5
    assert len(stub.bookings) == 40
