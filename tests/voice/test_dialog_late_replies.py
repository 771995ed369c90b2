"""Two late replies waiting together: what the caller hears of them, and what the KPIs count."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice import Reply, Router, Skill, Turn
from voice.analytics.kpis import read_totals
from voice.analytics.period import Filters
from voice.dialog import Dialog, QueueFileSink
from voice.dialog.deadline import wait_for_turns
from voice.dialog.late import told_first
from voice.ssml import spelled_out
from voice.state import DialogState
from voice.store import Store, open_store

BOOKED, PAID = "Booked for Tuesday.", "Paid by card."
REFUND = "A colleague handles refunds."


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    """An empty store, once on an SQLite file and once on PostgreSQL."""
    with open_store(any_store_url) as opened:
        yield opened


def _shop(tmp_path: Path) -> Skill:
    """Booking answers at once; paying takes a second."""
    shop = Skill("shop", tmp_path)
    (tmp_path / "locales" / "en").mkdir(parents=True)
    (tmp_path / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Book:\n    data: [{sentences: ['book it']}]\n"
        "  Pay:\n    data: [{sentences: ['pay it']}]\n"
        "  Refund:\n    data: [{sentences: ['refund it']}]\n"
    )

    @shop.intent("Book")
    def book(turn: Turn) -> Reply:
        return Reply(speech=BOOKED)

    @shop.intent("Pay")
    def pay(turn: Turn) -> Reply:
        time.sleep(1.0)
        return Reply(speech=PAID)

    @shop.intent("Refund")
    def refund(turn: Turn) -> Reply:
        time.sleep(1.0)
        return Reply(speech=REFUND, handoff=True)

    return shop


def _turn(text: str, request_id: str = "", seconds: float | None = None) -> Turn:
    deadline = None if seconds is None else time.monotonic() + seconds
    return Turn(
        text=text, locale="en", session_id="s1", user_id="u1", request_id=request_id, deadline=deadline
    )


def _two_late_replies(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> Dialog:
    """A dialog whose session keeps two late replies together, each its own request's answer.

    Request r1 is stored in time, but its worker is held up after it let go of the session: its caller
    hears "one moment", and the reply is kept afterwards. Meanwhile r2 hears "one moment" while its
    handler runs, and its turn keeps its reply first: the payment, then the booking, wait together.
    """
    dialog = Dialog(Router([_shop(tmp_path)]), store)
    after_lock, held_up = dialog._housekeeping, []

    def hold_up_once() -> None:
        if not held_up:
            held_up.append(True)
            time.sleep(1.2)  # till r2 holds the session
        after_lock()

    monkeypatch.setattr(dialog, "_housekeeping", hold_up_once)
    assert "One moment" in dialog.respond(_turn("book it", "r1", 1.0)).text
    moment = dialog.respond(_turn("pay it", "r2", 0.35))
    assert "One moment" in moment.text and moment.reprompt == "What can I help you with?"
    assert wait_for_turns(10)
    session = store.load("s1")
    assert session is not None and [r.text for r in session.dialog.pending_replies] == [PAID, BOOKED]
    return dialog


@pytest.mark.parametrize(("request_id", "text"), [("r1", "book it"), ("r2", "pay it")], ids=["r1", "r2"])
def test_a_request_sent_again_tells_every_waiting_reply_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request_id: str, text: str
) -> None:
    """The platform sends one of the two requests again: its answer is every reply that waits (the
    caller heard none of them), the next turn tells none of them again, and a third sending of the
    request hears them all again."""
    dialog = _two_late_replies(tmp_path, store, monkeypatch)
    heard = [dialog.respond(_turn(text, request_id)).text, dialog.respond(_turn("hello")).text]
    assert heard[0] == f"{PAID} {BOOKED}", heard
    # the answer to the retry was lost too: a third sending hears what the second was told
    assert dialog.respond(_turn(text, request_id)).text == heard[0]
    assert [" ".join(heard).count(reply) for reply in (PAID, BOOKED)] == [1, 1], heard
    session = store.load("s1")
    assert session is not None and session.dialog.pending_replies == ()
    # the log says what was heard: "one moment" at r1; at r2 (the latest turn) both replies, which the
    # request sent again told, once
    logged = " ".join(row.text for row in store.read_log(session_id="s1"))
    assert [logged.count(text) for text in (PAID, BOOKED, "One moment")] == [1, 1, 1], logged


def test_a_reply_kept_after_its_turn_was_stored_counts_as_an_overrun(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both callers heard "one moment": r2's turn knew it as it was stored, r1's only after; both
    signals rows say so, and so do the counts the KPIs read."""
    _two_late_replies(tmp_path, store, monkeypatch)
    rows = store.select("SELECT intent, deadline_overrun FROM signals ORDER BY seq")
    assert [(intent, bool(overrun)) for intent, overrun in rows] == [("Book", True), ("Pay", True)]
    assert read_totals(store, Filters.last_days(2)).get("overrun") == 2
    said = [row.text for row in store.read_log(session_id="s1") if row.speaker.value == "assistant"]
    assert all(text.startswith("One moment") for text in said) and len(said) == 2, said


INTRO = "Here is the answer to your earlier question."


def test_late_turns_in_a_row_are_told_once_each_with_one_introduction(store: Store, tmp_path: Path) -> None:
    """The payment stalls; the caller says "hello" twice meanwhile, and hears "one moment" three times.
    The first hello's turn waits for the payment's, tells the payment first, and is late itself; the
    second is turned away at once, as the first one waits (``voice.dialog.waits``), and is stored after
    it as heard, with no answer of its own: the first one answers for it. The next turn tells the
    payment, then the greeting, then its own answer, each once, after one introduction (they nested,
    the intro repeated). The log says what the caller heard at each turn: the payment once, where it
    was told."""
    dialog = Dialog(Router([_shop(tmp_path)]), store)
    for text in ("pay it", "hello", "hello"):
        assert "One moment" in dialog.respond(_turn(text, seconds=0.35)).text
    assert wait_for_turns(10)
    session = store.load("s1")
    assert session is not None
    pending = [reply.text for reply in session.dialog.pending_replies]
    assert pending[0] == PAID and len(pending) == 2, pending
    hello = pending[1]
    told = dialog.respond(_turn("book it")).text
    assert told == f"{INTRO} {PAID} {hello} {BOOKED}", told
    assert "earlier question" not in dialog.respond(_turn("book it")).text
    logged = [(row.speaker.value, row.text) for row in store.read_log(session_id="s1")]
    moment = logged[1][1]
    assert moment.startswith("One moment"), logged
    assert logged[:8] == [
        ("user", "pay it"),
        ("assistant", moment),
        ("user", "hello"),
        ("assistant", moment),
        ("user", "hello"),
        ("assistant", moment),
        ("user", "book it"),
        ("assistant", told),
    ], logged
    session = store.load("s1")
    assert session is not None and [(t.speaker.value, t.text) for t in session.history][:8] == logged[:8]


def test_the_handoff_record_of_a_late_turn_shows_what_the_caller_heard(store: Store, tmp_path: Path) -> None:
    """The refund's handler asks for a person after the caller heard "one moment": the colleague's
    transcript ends with "one moment", as the log does, not with words the caller has not heard."""
    queue = tmp_path / "handoff.jsonl"
    dialog = Dialog(Router([_shop(tmp_path)]), store, sink=QueueFileSink(queue))
    moment = dialog.respond(_turn("refund it", seconds=0.35)).text
    assert moment.startswith("One moment")
    assert wait_for_turns(10) and dialog.sender is not None and dialog.sender.drain()
    dialog.close()
    (record,) = [json.loads(line) for line in queue.read_text().splitlines()]
    assert [t["text"] for t in record["transcript"]] == ["refund it", moment]
    logged = [row.text for row in store.read_log(session_id="s1")]
    assert logged == ["refund it", moment], logged


def test_a_late_reply_keeps_its_spelled_out_number() -> None:
    """Told late, a booking number was joined as words: shown "B 4 2", as it is said."""
    late = Reply(speech=f"<speak>Your booking number is {spelled_out('B42')}.</speak>")
    state = DialogState().with_pending(late)
    told, _ = told_first(Reply(speech="We are open until 17:30."), state, lambda: "Sorry for the wait.")
    assert told.text == "Sorry for the wait. Your booking number is B 4 2. We are open until 17:30."
    assert told.display == "Sorry for the wait. Your booking number is B42. We are open until 17:30."
