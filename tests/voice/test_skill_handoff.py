"""A handler that asks for a person (``Reply(handoff=True)``) hands the conversation over like the dialog's
own triggers do: the session is marked, and a handoff record with the reason reaches the sink."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from voice import Reply, Router, Skill, Turn
from voice.dialog import Dialog, QueueFileSink
from voice.store import open_store

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def test_a_handler_asking_for_a_person_hands_the_conversation_over(tmp_path: Path) -> None:
    (tmp_path / "locales" / "en").mkdir(parents=True)
    (tmp_path / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Refund:\n    data: [{sentences: ['i want a refund']}]\n"
        "  Balance:\n    data: [{sentences: ['what is my balance']}]\n"
    )
    shop = Skill("shop", tmp_path)

    @shop.intent("Refund")
    def refund(turn: Turn) -> Reply:
        return Reply(speech="A colleague handles refunds.", handoff=True)

    @shop.intent("Balance")
    def balance(turn: Turn) -> Reply:
        return Reply(speech="Your balance is 5 euros.")

    queue = tmp_path / "handoff.jsonl"
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([shop]), store, sink=QueueFileSink(queue))
        said = [
            Turn(text=text, locale="en", session_id="s1", user_id="u1", time=NOW)
            for text in ("what is my balance", "i want a refund")
        ]
        replies = [dialog.respond(turn) for turn in said]
        assert [reply.text for reply in replies] == [
            "Your balance is 5 euros.",
            "A colleague handles refunds.",
        ]
        assert replies[-1].end_session, "the assistant's part of the call is over, as with its own handoff"
        assert dialog.sender is not None and dialog.sender.drain()
        session = store.load("s1")
        dialog.close()
    records = [json.loads(line) for line in queue.read_text().splitlines()]
    assert len(records) == 1 and (records[0]["reason"], records[0]["skill"]) == ("skill:Refund", "shop")
    assert [t["text"] for t in records[0]["transcript"]] == [
        "what is my balance",
        "Your balance is 5 euros.",
        "i want a refund",
        "A colleague handles refunds.",
    ]
    assert session is not None and session.handed_over and session.dialog.handoff_reason == "skill:Refund"
