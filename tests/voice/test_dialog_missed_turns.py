"""Turns that never get their session (a hung host holds it): stored, and their callers told, when it is free.

Before, a turn that waited ``TURN_WAIT_S`` for its session in vain was dropped with an error in the log,
although its caller had heard "one moment": nobody answered its words and nothing was stored. And a turn
turned away at once while another turn of its session waited (``SessionBusy``) was neither stored nor
logged. Now both are kept until the session is free (``voice.dialog.missed``), stored as their callers
heard them, and a turn that nobody answers leaves a note for the next turn, or for its request sent
again: it was not answered, say it again. Its handler is not run late: nothing is booked twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from voice import Reply, Router, Skill, Turn
from voice.analytics.kpis import read_totals
from voice.analytics.period import Filters
from voice.dialog import Dialog, waits
from voice.dialog.deadline import wait_for_turns
from voice.store import Store, open_store

BOOKED = "Booked for Tuesday."
MOMENT = "One moment please"
NOTE = "Sorry, I wasn't able to answer what you said before; please say it again if you still need it."
NOTE_NL = "Sorry, op wat u daarnet zei kon ik geen antwoord geven"
APOLOGY = "Sorry, something went wrong on my side."
INTRO = "Here is the answer to your earlier question."


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """An empty store, once on an SQLite file and once on PostgreSQL."""
    with open_store(any_store_url) as opened:
        yield opened


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """A turn waits half a second for its busy session instead of ``TURN_WAIT_S``."""
    monkeypatch.setattr(waits, "TURN_WAIT_S", 0.5)


def _shop(tmp_path: Path, bookings: list[str]) -> Skill:
    """Booking answers at once and counts the bookings made; in English and Dutch."""
    shop = Skill("shop", tmp_path)
    for language, sentence in (("en", "book it"), ("nl", "boek het")):
        (tmp_path / "locales" / language).mkdir(parents=True)
        (tmp_path / "locales" / language / "intents.yaml").write_text(
            f"language: {language}\nintents:\n  Book:\n    data: [{{sentences: ['{sentence}']}}]\n"
        )

    @shop.intent("Book")
    def book(turn: Turn) -> Reply:
        bookings.append(turn.session_id)
        return Reply(speech=BOOKED)

    return shop


def _turn(text: str, request_id: str, seconds: float | None = None, locale: str = "en") -> Turn:
    deadline = None if seconds is None else time.monotonic() + seconds
    return Turn(text=text, locale=locale, session_id="s1", request_id=request_id, deadline=deadline)


def _logged(store: Store) -> list[tuple[str, str]]:
    """The session's log rows: their speakers, and how their texts start."""
    return [(row.speaker.value, _start(row.text)) for row in store.read_log(session_id="s1")]


def _start(text: str) -> str:
    return text[:14]


def _stuck(dialog: Dialog, store: Store, turn: Turn) -> str:
    """What the caller of ``turn`` hears while another host holds the session longer than a turn waits;
    nothing is stored until the session is free."""
    with store.lock_session("s1", timeout=10):
        heard = dialog.respond(turn).text
        assert wait_for_turns(10)  # the turn gave up waiting for its session
        assert store.load("s1") is None and _logged(store) == []
    return heard


@pytest.mark.usefixtures("short_wait")
def test_a_turn_that_never_got_its_session_is_stored_and_told_at_the_next_turn(
    store: Store, tmp_path: Path
) -> None:
    bookings: list[str] = []
    dialog = Dialog(Router([_shop(tmp_path, bookings)]), store)
    assert _stuck(dialog, store, _turn("book it", "r1", seconds=0.35)).startswith(MOMENT)
    told = dialog.respond(_turn("hello", "r2")).text
    assert told.startswith(f"{NOTE} Hello!") and INTRO not in told, told  # no answer: no "here is the answer"
    assert bookings == []  # not booked late: the caller may have asked again meanwhile
    assert dialog.respond(_turn("book it", "r3")).text == BOOKED and bookings == ["s1"]
    assert _logged(store) == [
        ("user", "book it"),
        ("assistant", _start(MOMENT)),
        ("user", "hello"),
        ("assistant", _start(told)),
        ("user", "book it"),
        ("assistant", _start(BOOKED)),
    ]
    # the KPIs see a turn understood (its words are no unknown phrase), late, and a conversation that failed
    rows = store.select("SELECT intent, understood, deadline_overrun FROM signals ORDER BY seq")
    assert [(intent, understood, bool(late)) for intent, understood, late in rows][0] == (
        "Book",
        "template",
        True,
    )
    assert read_totals(store, Filters.last_days(2)).get("overrun") == 1
    session = store.load("s1")
    assert session is not None and session.dialog.failed and session.dialog.pending_replies == ()


@pytest.mark.usefixtures("short_wait")
def test_its_request_sent_again_hears_the_note_once(store: Store, tmp_path: Path) -> None:
    bookings: list[str] = []
    dialog = Dialog(Router([_shop(tmp_path, bookings)]), store)
    _stuck(dialog, store, _turn("boek het", "r1", seconds=0.35, locale="nl"))
    again = [dialog.respond(_turn("boek het", "r1", locale="nl")).text for _ in range(2)]
    assert all(text.startswith(NOTE_NL) for text in again), again  # each sending hears the same
    assert bookings == []
    assert NOTE_NL not in dialog.respond(_turn("hallo", "r2", locale="nl")).text  # told once
    assert [text for _, text in _logged(store)][:2] == ["boek het", _start(NOTE_NL)]


@pytest.mark.usefixtures("short_wait")
def test_when_the_next_turn_goes_to_another_process_the_note_waits_there(
    store: Store, tmp_path: Path
) -> None:
    """No further turn of the session comes to this process: its thread stores the turn as soon as the
    session is free, and another process's dialog tells the note."""
    bookings: list[str] = []
    dialog = Dialog(Router([_shop(tmp_path, bookings)]), store)
    _stuck(dialog, store, _turn("book it", "r1", seconds=0.35))
    assert dialog.missed.wait(10)
    other = Dialog(Router([_shop(tmp_path / "other", bookings)]), store)
    assert other.respond(_turn("book it", "r2")).text == f"{NOTE} {BOOKED}"
    assert bookings == ["s1"] and len(_logged(store)) == 4


@pytest.mark.usefixtures("short_wait")
def test_a_caller_without_deadline_hears_the_apology_and_the_turn_is_stored_as_such(
    store: Store, tmp_path: Path
) -> None:
    bookings: list[str] = []
    dialog = Dialog(Router([_shop(tmp_path, bookings)]), store)
    assert _stuck(dialog, store, _turn("book it", "r1")).startswith(APOLOGY)
    assert dialog.missed.wait(10)
    assert _logged(store) == [("user", "book it"), ("assistant", _start(APOLOGY))]
    assert dialog.respond(_turn("book it", "r2")).text == BOOKED  # heard already: no note


def test_a_turn_turned_away_while_another_waits_is_logged_and_answered_once(
    store: Store, tmp_path: Path
) -> None:
    """While "book it" waits for the session, the caller says it again and then says "hello": both are
    turned away at once and logged (before, neither was); the one that waits counts as heard late. The
    next turn tells the booking once, and that "hello" was not answered; nothing is booked twice."""
    bookings: list[str] = []
    dialog = Dialog(Router([_shop(tmp_path, bookings)]), store)
    with ThreadPoolExecutor(1) as caller:
        with store.lock_session("s1", timeout=10):
            waiting = caller.submit(dialog.respond, _turn("book it", "r1", seconds=5.0))
            while not dialog._waits._waiting:  # until it waits for the session
                time.sleep(0.01)
            again = [
                dialog.respond(_turn(text, r, 5.0)).text for text, r in (("book it", "r2"), ("hello", "r3"))
            ]
        heard = [waiting.result().text, *again]
    assert all(text.startswith(MOMENT) for text in heard), heard
    assert wait_for_turns(10) and dialog.missed.wait(10)
    assert bookings == ["s1"]
    assert _logged(store) == [("user", "book it"), ("assistant", _start(MOMENT))] * 2 + [
        ("user", "hello"),
        ("assistant", _start(MOMENT)),
    ]
    answers = [store.answered(r, "s1") for r in ("r1", "r2", "r3")]
    assert [a and a["speech"][:10] for a in answers] == [BOOKED[:10], None, NOTE[:10]], answers
    told = dialog.respond(_turn("thanks", "r4")).text
    assert told.startswith(f"{INTRO} {BOOKED} {NOTE} You're welcome"), told
    assert bookings == ["s1"]
