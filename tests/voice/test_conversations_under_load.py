"""Issue 12's "done when", small: conversations at once and faults through the real gunicorn on loopback.

The same checks as ``bench/conversations.py`` (which runs them at full size and reports figures):
``gunicorn -w 2 'voice.server:create_app()'`` with sync and gthread workers, a booking API and a
handoff endpoint stubbed on 127.0.0.1 that count what they get. Counts are asserted exactly;
times only against the channel's deadline, with slack for a busy machine.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from faults import hung_booking, store_lock  # noqa: E402
from loadkit import DEADLINES, Gunicorn, Stub, skill_without_knowledge  # noqa: E402
from pairs import booking_day, different_answers, duplicate_pairs, fallback_pairs  # noqa: E402

from voice.store import Store, open_store  # noqa: E402

PAIRS = 20
SLACK_S = 1.5
"""Added to a deadline before an answer counts as late here: the machine may be busy."""


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    found = Stub()
    yield found
    found.close()


def _serve(folder: Path, stub: Stub, threads: int) -> Iterator[Gunicorn]:
    """The shipped skill without its FAQ: with this test session's empty index folder, each worker
    would build the knowledge index (about 25 s) on its first unmatched turn."""
    skill = skill_without_knowledge(folder)
    server = Gunicorn(folder, stub.url, workers=2, threads=threads, skill=str(skill))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sync_server(stub: Stub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    yield from _serve(tmp_path_factory.mktemp("sync"), stub, 0)


@pytest.fixture(scope="module")
def gthread_server(stub: Stub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gunicorn]:
    yield from _serve(tmp_path_factory.mktemp("gthread"), stub, 4)


@pytest.fixture(params=["sync_server", "gthread_server"], ids=["sync", "gthread"])
def server(request: pytest.FixtureRequest) -> Gunicorn:
    found: Gunicorn = request.getfixturevalue(request.param)
    return found


@pytest.fixture
def store(server: Gunicorn) -> Iterator[Store]:
    with open_store(f"sqlite:///{server.db}") as found:
        yield found


def test_a_request_sent_twice_at_once_books_once_and_both_copies_hear_it(
    server: Gunicorn, stub: Stub
) -> None:
    found = duplicate_pairs(server, stub, PAIRS, booking_day())
    assert found == {
        "pairs": PAIRS,
        "setup_failed": 0,
        "bookings": PAIRS,
        "double_bookings": 0,
        "missed_bookings": 0,
        "lost_answers": 0,
    }


def test_two_names_at_once_leave_the_name_the_last_reply_asked_about(server: Gunicorn, store: Store) -> None:
    found = different_answers(server, store, PAIRS, booking_day())
    assert found == {"pairs": PAIRS, "setup_failed": 0, "state_mismatches": 0, "lost_answers": 0}


def test_two_misunderstood_turns_at_once_are_two_fallbacks(
    server: Gunicorn, stub: Stub, store: Store
) -> None:
    found = fallback_pairs(server, stub, store, PAIRS)
    assert found == {"pairs": PAIRS, "miscounted": 0, "handed_over_at_third": PAIRS, "handoff_records": PAIRS}


def test_a_locked_store_answers_before_the_deadline_and_tells_the_turn_later(
    gthread_server: Gunicorn,
) -> None:
    """A 6 s write lock: past Dialogflow's 5 s, so its callers hear "one moment"; nothing is lost."""
    found = store_lock(gthread_server, 6.0, 4)
    for channel in ("alexa", "dialogflow"):
        assert found[channel]["n"] == 2
        assert found[channel]["max_ms"] < 1000 * (DEADLINES[channel] + SLACK_S), found
    assert found["late_turns"] >= 2, found  # the Dialogflow callers at least
    assert found["late_turns_lost"] == 0, found


def test_a_hung_booking_api_keeps_the_deadline_and_other_callers_fast(
    gthread_server: Gunicorn, stub: Stub
) -> None:
    found = hung_booking(gthread_server, stub, booking_day(), 2, 2)
    assert found["set_up"] == 2 and found["heard_one_moment"] == 2, found
    assert found["confirmations"]["max_ms"] < 1000 * (DEADLINES["dialogflow"] + SLACK_S), found
    assert found["late_turns_lost"] == 0, found  # each was told the booking is not confirmed...
    assert found["bookings_at_api"] == 2 and found["handed_to_a_colleague"] == 2, found  # ...and why
    others = found["opening_hours_of_others"]
    assert others["n"] >= 4 and others["in_time_pct"] == 100.0, found
    assert others["p50_ms"] < 1000, found  # not held behind the hung calls (those take 4.7 s)
