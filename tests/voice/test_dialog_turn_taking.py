"""Turn taking on the phone and after silence, and values heard badly, through the real dialog and a
real SQLite store: a caller always knows it is their turn, hears a short question after silence, and a
value heard badly is read back before it is acted on (docs/dialogs.md, "Turn taking")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from voice import Expect, Reply, Turn
from voice.builtins import LAUNCH
from voice.dialog import Dialog, HandoffPolicy
from voice.dialog.turn_taking import ANYTHING_ELSE
from voice.ssml import followed_by

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
ANYTHING_ELSE_SAID = {"nl": "Kan ik nog iets voor u doen?", "en": "Is there anything else I can do for you?"}
ASK_WHAT = {"nl": "Waarmee kan ik u helpen?", "en": "What can I help you with?"}
STILL_THERE = {"nl": "Bent u er nog?", "en": "Are you still there?"}
HOURS = {"nl": "wat zijn jullie openingstijden", "en": "what are your opening hours"}
ORDER_1234 = {"nl": "waar is mijn bestelling 1234", "en": "where is my order 1234"}
NO = {"nl": "nee", "en": "no"}
YES = {"nl": "ja", "en": "yes"}
HANDOFF = {
    "nl": "Ik verbind u door met een collega. Een ogenblik geduld alstublieft.",
    "en": "I'll put you through to one of my colleagues. Please hold on.",
}
TRANSFER = HandoffPolicy(transfer_to="+31201234567")


@pytest.fixture
def dialog(shop_dialog: Dialog) -> Dialog:
    """Phone calls whose gateway puts a handed-over call through (``transfer_to``): a person is reachable."""
    answerers = shop_dialog.answerers[:-1]  # its own Fallback comes with the policy
    return Dialog(shop_dialog.router, shop_dialog.store, answerers=answerers, policy=TRANSFER)


def _say(dialog: Dialog, locale: str, text: str, *, call: bool = True, confidence: float = 1.0) -> Reply:
    turn = Turn(
        text=text,
        locale=locale,
        channel="dialogflow" if call else "text",
        call=call,
        session_id="s1",
        user_id="u1",
        time=NOW,
        confidence=confidence,
    )
    return dialog.respond(turn)


def _signals(dialog: Dialog, columns: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in dialog.store.select(f"SELECT {columns} FROM signals ORDER BY seq")]


def _handoff_reasons(dialog: Dialog) -> list[str]:
    """The reasons of the handoff records waiting in the outbox (no sink: they stay there)."""
    rows = dialog.store.select("SELECT payload FROM outbox ORDER BY created_at")
    return [json.loads(row[0])["reason"] for row in rows]


# -- 1. a complete answer on a call asks "anything else?" ----------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_on_a_call_a_complete_answer_asks_anything_else_and_no_says_goodbye_contained(
    dialog: Dialog, language: str
) -> None:
    answer = _say(dialog, language, HOURS[language])
    assert answer.text.endswith(f" {ANYTHING_ELSE_SAID[language]}")
    assert (answer.expect, answer.slot, answer.reprompt) == (
        Expect.ANSWER,
        ANYTHING_ELSE,
        ANYTHING_ELSE_SAID[language],
    )
    assert answer.expects_answer and not answer.end_session
    goodbye = _say(dialog, language, NO[language])
    assert goodbye.end_session and ("telefoontje" in goodbye.text or "calling" in goodbye.text)
    assert _signals(dialog, "intent, outcome") == [("OpeningHours", "contained"), ("No", "contained")]
    assert _handoff_reasons(dialog) == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_on_a_call_yes_to_anything_else_asks_what_and_silence_keeps_the_question(
    dialog: Dialog, language: str
) -> None:
    _say(dialog, language, ORDER_1234[language])
    silence = _say(dialog, language, "")
    assert silence.text == f"{STILL_THERE[language]} {ANYTHING_ELSE_SAID[language]}"  # not the whole answer
    assert silence.slot == ANYTHING_ELSE
    what = _say(dialog, language, YES[language])  # "ja" still answers "anything else?" after the silence
    assert (what.text, what.reprompt) == (ASK_WHAT[language], ASK_WHAT[language])
    outcomes = [outcome for _, outcome in _signals(dialog, "intent, outcome")]
    assert outcomes == ["contained", "gave_up", "contained"]  # silence leaves the caller unhelped for now


@pytest.mark.parametrize("language", ["nl", "en"])
def test_off_a_call_a_reply_that_expects_nothing_stays_as_it_was(dialog: Dialog, language: str) -> None:
    """A chat, a smart speaker and the local microphone (which goes back to the wake word) are no call."""
    answer = _say(dialog, language, HOURS[language], call=False)
    assert (answer.expect, answer.reprompt, answer.slot) == (Expect.NOTHING, None, None)
    assert ANYTHING_ELSE_SAID[language] not in answer.text


def test_on_a_call_with_the_satisfaction_question_no_to_anything_else_asks_it(dialog: Dialog) -> None:
    rated = Dialog(dialog.router, dialog.store, answerers=dialog.answerers[:-1], satisfaction="yes_no")
    _say(rated, "nl", HOURS["nl"])
    question = _say(rated, "nl", "nee")
    assert "heeft dit u geholpen?" in question.text and not question.end_session
    assert _say(rated, "nl", "ja").end_session
    assert _signals(rated, "satisfaction, outcome")[-1] == (1.0, "contained")


def test_the_question_after_ssml_stays_ssml() -> None:
    said = followed_by('<speak>Bestelling <say-as interpret-as="digits">1234</say-as>.</speak>', "En <nu>?")
    assert said == '<speak>Bestelling <say-as interpret-as="digits">1234</say-as>. En &lt;nu&gt;?</speak>'
    assert followed_by("Klaar.", "Nog iets?") == "Klaar. Nog iets?"


# -- 2. short reprompts --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("call", [True, False], ids=["call", "chat"])
def test_the_welcome_a_fallback_and_an_faq_answer_carry_a_short_reprompt(
    dialog: Dialog, language: str, call: bool
) -> None:
    launch = Turn(intent=LAUNCH, locale=language, call=call, session_id="s1", user_id="u1", time=NOW)
    welcome = dialog.respond(launch)
    assert welcome.reprompt == ASK_WHAT[language]
    silence = _say(dialog, language, "", call=call)
    assert silence.text == f"{STILL_THERE[language]} {ASK_WHAT[language]}"  # not "Welkom!" again
    fallback = _say(dialog, language, "blabla", call=call)
    assert fallback.expects_answer and fallback.reprompt == ASK_WHAT[language]
    shipping = {"nl": "wat zijn de verzendkosten", "en": "how much does shipping cost"}[language]
    faq = _say(dialog, language, shipping, call=call)
    asked = ANYTHING_ELSE_SAID[language] if call else ASK_WHAT[language]  # an answer from content, on a call:
    assert "euro" in faq.text and faq.reprompt == asked  # "anything else?" follows it, as after any answer
    assert faq.text.endswith(f". {asked}") is call
    silence = _say(dialog, language, "", call=call)
    assert silence.text == f"{STILL_THERE[language]} {asked}"  # not the FAQ answer again
    if call:
        assert _say(dialog, language, NO[language], call=call).end_session  # "no" to it says goodbye


@pytest.mark.parametrize("language", ["nl", "en"])
def test_silence_after_a_long_answer_off_a_call_asks_how_to_help(dialog: Dialog, language: str) -> None:
    _say(dialog, language, HOURS[language], call=False)
    silence = _say(dialog, language, "", call=False)
    assert silence.text == f"{STILL_THERE[language]} {ASK_WHAT[language]}"


# -- 3. values heard badly, and low confidence ---------------------------------------------------


@pytest.mark.parametrize(("language", "check"), [("nl", "Zei u 1 2 3 4?"), ("en", "Did you say 1 2 3 4?")])
def test_an_order_number_heard_badly_is_read_back_before_its_status(
    dialog: Dialog, language: str, check: str
) -> None:
    asked = _say(dialog, language, ORDER_1234[language], confidence=0.31)
    assert (asked.text, asked.expect, asked.reprompt) == (check, Expect.CONFIRMATION, asked.speech)
    told = _say(dialog, language, YES[language], confidence=0.9)
    assert "1 2 3 4" in told.text and told.text.endswith(ANYTHING_ELSE_SAID[language])
    rows = _signals(dialog, "confirmation, flow_completed, outcome")
    assert rows == [("asked", 0, "gave_up"), ("accepted", 1, "contained")]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_spelled_out_number_keeps_its_forms_in_replies_made_of_other_replies(
    dialog: Dialog, language: str
) -> None:
    """The read-back "Zei u 1234?" is SSML, said "1 2 3 4" and shown "1234" (a call only hears it: typed
    text is never heard badly): after help, a "sorry" or a shipping question its tags were read out, and
    after an unknown number it was read as a number."""
    check = {"nl": "Zei u 1 2 3 4?", "en": "Did you say 1 2 3 4?"}[language]
    _say(dialog, language, ORDER_1234[language], confidence=0.31)
    asides = {
        "nl": ["help", "krr zzt bllp", "wat zijn de verzendkosten"],
        "en": ["help", "krr zzt bllp", "how much does shipping cost"],
    }
    for aside in asides[language]:
        reply = _say(dialog, language, aside)
        assert reply.text.endswith(check) and "<" not in reply.display, reply.speech
    _say(dialog, language, NO[language])
    refused = _say(dialog, language, "9999")  # no such order: the flow asks for the number again
    ET.fromstring(refused.speech)  # one SSML document, or this raises
    assert "9 9 9 9" in refused.text and "9999" in refused.display


@pytest.mark.parametrize(("language", "check"), [("nl", "Zei u morgen?"), ("en", "Did you say tomorrow?")])
def test_a_slot_without_its_own_check_is_read_back_in_the_callers_words(
    dialog: Dialog, language: str, check: str
) -> None:
    book = {"nl": "ik wil een afspraak maken", "en": "I'd like to book an appointment"}[language]
    _say(dialog, language, book)
    assert _say(dialog, language, {"nl": "morgen", "en": "tomorrow"}[language], confidence=0.3).text == check
    heard_well = _say(dialog, language, NO[language])
    assert heard_well.expect is Expect.SLOT  # the day is asked again


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_turn_heard_badly_that_was_answered_keeps_its_answer(dialog: Dialog, language: str) -> None:
    """The third turn in a row heard badly is answered; the fourth, which helps nothing, hands over."""
    unclear = {"nl": ["hallo", "blabla"], "en": ["hello", "blah blah"]}[language]
    for text in unclear:
        _say(dialog, language, text, confidence=0.4)
    answer = _say(dialog, language, HOURS[language], confidence=0.4)
    assert not answer.handoff and answer.text.endswith(ANYTHING_ELSE_SAID[language])
    assert _handoff_reasons(dialog) == []
    handoff = _say(dialog, language, "krr zzt bllp", confidence=0.4)
    assert handoff.handoff and handoff.text == HANDOFF[language]
    assert _handoff_reasons(dialog) == ["low_confidence"]
    assert _signals(dialog, "handoff_reason")[-2:] == [("",), ("low_confidence",)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_flow_heard_badly_turn_after_turn_still_reaches_a_person(dialog: Dialog, language: str) -> None:
    """Questions back ("Zei u ...?", the slot asked again) answer nothing: the promise of a person holds."""
    _say(
        dialog,
        language,
        {"nl": "waar is mijn bestelling", "en": "where is my order"}[language],
        confidence=0.3,
    )
    _say(dialog, language, {"nl": "een twee drie vier", "en": "one two three four"}[language], confidence=0.3)
    handoff = _say(dialog, language, NO[language], confidence=0.3)
    assert handoff.handoff and handoff.end_session
    assert _handoff_reasons(dialog) == ["low_confidence"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_filler_heard_badly_neither_adds_to_nor_resets_the_turns_heard_badly(
    dialog: Dialog, language: str
) -> None:
    """ "Uhm" on a poor line is heard badly too, and it counted: a caller who hesitated twice while a
    flow waited was handed over for the line, though filler is no answer (docs/dialogs.md). It now
    leaves the count as it was: the next turn heard badly that does not help still hands over."""
    order = {
        "nl": ["waar is mijn bestelling", "een twee drie vier"],
        "en": ["where is my order", "one two three four"],
    }
    filler = {"nl": ["uhm", "wacht even"], "en": ["uhm", "hold on"]}[language]
    for text in order[language]:
        _say(dialog, language, text, confidence=0.3)
    waited = [_say(dialog, language, text, confidence=0.3) for text in filler]
    assert not any(reply.handoff or reply.end_session for reply in waited)
    assert _handoff_reasons(dialog) == []
    handoff = _say(dialog, language, NO[language], confidence=0.3)
    assert handoff.handoff and _handoff_reasons(dialog) == ["low_confidence"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_offer_replaced_by_a_handoff_is_not_counted_as_offered(dialog: Dialog, language: str) -> None:
    """The third "Bedoelt u ...?" in a row to words heard badly is a question back: the caller hears the
    handoff instead, so the KPIs count no knowledge offer at that turn and the state keeps none."""
    vague = {
        "nl": ["geen idee", "dat weet ik niet", "geen idee"],
        "en": ["I don't know", "what does shipping cost", "how much is shipping"],
    }
    replies = [_say(dialog, language, text, confidence=0.3) for text in vague[language]]
    assert [reply.expect for reply in replies[:2]] == [Expect.CONFIRMATION] * 2
    assert replies[-1].handoff and _handoff_reasons(dialog) == ["low_confidence"]
    assert [row[0] for row in _signals(dialog, "knowledge")] == ["confirm", "confirm", ""]
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.offer is None
