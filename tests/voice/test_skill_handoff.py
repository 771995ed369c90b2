"""A handler that asks for a person (``Reply(handoff=True)``) hands the conversation over like the dialog's
own triggers do: the session is marked, and a handoff record with the reason reaches the sink."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from voice import Reply, Router, Skill, Turn
from voice.dialog import Dialog, HandoffPolicy, QueueFileSink
from voice.ssml import joined
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


SHOP = {
    "nl": {
        "intents": "Refund: {data: [{sentences: ['ik wil mijn geld terug']}]}\n"
        "  Complaint: {data: [{sentences: ['ik heb een klacht']}]}",
        "responses": "Refund: 'Een collega regelt uw terugbetaling.'\n"
        "  Refund_no_person: 'Er is nu geen collega; mail ons uw rekeningnummer.'",
        "complaint": "<speak>Een collega belt u <emphasis>vandaag</emphasis> terug.</speak>",
        "said": ("ik wil mijn geld terug", "ik heb een klacht"),
        "no_person": "Sorry, ik kan u nu niet met een collega verbinden. Probeert u het later nog eens.",
    },
    "en": {
        "intents": "Refund: {data: [{sentences: ['i want a refund']}]}\n"
        "  Complaint: {data: [{sentences: ['i have a complaint']}]}",
        "responses": "Refund: 'A colleague handles your refund.'\n"
        "  Refund_no_person: 'Nobody is in now; please email us your account number.'",
        "complaint": "<speak>A colleague calls you back <emphasis>today</emphasis>.</speak>",
        "said": ("i want a refund", "i have a complaint"),
        "no_person": "Sorry, I can't put you through to a colleague right now. Please try again later.",
    },
}


def _shop(root: Path, language: str) -> Skill:
    """A skill whose handlers ask for a person: one with a ``<key>_no_person`` response, one without."""
    texts = SHOP[language]
    folder = root / "locales" / language
    folder.mkdir(parents=True)
    (folder / "intents.yaml").write_text(f"language: {language}\nintents:\n  {texts['intents']}\n")
    (folder / "responses.yaml").write_text(f"responses:\n  {texts['responses']}\n")
    shop = Skill(f"shop_{language}", root)

    @shop.intent("Refund")
    def refund(turn: Turn) -> Reply:
        return replace(shop.reply(turn, "Refund"), handoff=True)

    @shop.intent("Complaint")
    def complaint(turn: Turn) -> Reply:
        return Reply(speech=texts["complaint"], handoff=True)

    return shop


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("reachable", [True, False], ids=["sink", "no-sink"])
def test_a_handler_promises_a_colleague_only_when_one_can_be_reached(
    tmp_path: Path, language: str, reachable: bool
) -> None:
    """Without a sink nobody takes the record in time: the reply's ``_no_person`` version is said instead;
    a reply without one is followed by the framework's ``no_person``. Both still hand over (a record),
    but only with a sink does a gateway hear of it (``Reply.handoff``)."""
    shop, texts = _shop(tmp_path, language), SHOP[language]
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        sink = QueueFileSink(tmp_path / "handoff.jsonl") if reachable else None
        dialog = Dialog(Router([shop]), store, sink=sink)
        replies = [
            dialog.respond(Turn(text=text, locale=language, session_id=f"s{index}", time=NOW))
            for index, text in enumerate(texts["said"])
        ]
        assert store.outbox_counts()["pending"] + store.outbox_counts()["delivered"] == 2
        dialog.close()
    refund, complaint = replies
    assert all(reply.handoff is reachable and reply.end_session for reply in replies)
    promise = shop.responses(language).render("Refund", {})
    honest = shop.responses(language).render("Refund_no_person", {})
    assert refund.text == (promise if reachable else honest)
    if reachable:
        assert complaint.speech == texts["complaint"]
    else:  # the promise is put right after it, and its markup kept
        assert complaint.speech == f"{texts['complaint'][: -len('</speak>')]} {texts['no_person']}</speak>"


def test_a_promise_put_right_keeps_the_markup_of_both() -> None:
    number = '<say-as interpret-as="telephone">020 123 4567</say-as>'
    assert (
        joined("Tom & Co.", f"<speak>Bel {number}.</speak>") == f"<speak>Tom &amp; Co. Bel {number}.</speak>"
    )
    assert (
        joined(f"<speak>Bel {number}.</speak>", "<speak>Dag.</speak>") == f"<speak>Bel {number}. Dag.</speak>"
    )
    assert joined("Klaar.", "Dag & tot ziens.") == "Klaar. Dag & tot ziens."


AWAY = {
    "nl": "Sorry, ik kan u nu niet met een collega verbinden. Onze collega's zijn er morgen vanaf 9:00 weer.",
    "en": "Sorry, I can't put you through to a colleague right now. "
    "Our colleagues are back tomorrow from 9:00.",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_handler_outside_the_teams_hours_promises_nobody_and_transfers_nothing(
    tmp_path: Path, language: str
) -> None:
    """Outside ``[handoff] hours`` (Sunday; the team works on weekdays) a handler's promise is put right
    with when the team is back, the gateway gets no handoff or transfer, and the records wait for a
    call back."""
    shop, texts = _shop(tmp_path, language), SHOP[language]
    team = {day: "09:00-17:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    policy = HandoffPolicy.from_settings({"transfer_to": "+31201234567", "hours": team})
    sunday = dt.datetime(2026, 11, 29, 11, 0, tzinfo=dt.UTC)
    queue = tmp_path / "handoff.jsonl"
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        dialog = Dialog(Router([shop]), store, policy=policy, sink=QueueFileSink(queue))
        replies = [
            dialog.respond(Turn(text=text, locale=language, session_id=f"s{index}", time=sunday))
            for index, text in enumerate(texts["said"])
        ]
        assert dialog.sender is not None and dialog.sender.drain()
        dialog.close()
    refund, complaint = replies
    assert refund.text == shop.responses(language).render("Refund_no_person", {})
    assert complaint.speech == f"{texts['complaint'][: -len('</speak>')]} {AWAY[language]}</speak>"
    assert [(reply.handoff, reply.end_session, reply.transfer_to) for reply in replies] == [
        (False, True, "")
    ] * 2
    records = [json.loads(line) for line in queue.read_text().splitlines()]
    assert [(record["reason"], record["after_hours"]) for record in records] == [
        ("skill:Refund", True),
        ("skill:Complaint", True),
    ]
