"""The customer-service skill in English and Dutch, through the real router and handlers."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest

from voice import Dialog, Expect, Router, SlotValue, Turn, load_skill
from voice.store import open_store


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.fixture
def dialog(router: Router) -> Dialog:
    """The real dialog over the skill, with a private in-memory store; each turn is a new session."""
    return Dialog(router, open_store("sqlite://:memory:"))


MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("locale", "text", "intent", "reply"),
    [
        ("en", "What are your opening hours?", "OpeningHours", r"Monday to Friday from 9:00 to 17:30"),
        ("en", "are you open on sunday", "OpeningHours", r"^On Sunday we are closed\.$"),
        ("en", "when are you open on thursday", "OpeningHours", r"Thursday we are open from 9:00 to 21:00"),
        ("en", "are you open tomorrow", "OpeningHours", r"^On Tuesday we are open from 9:00 to 17:30\.$"),
        (
            "en",
            "where is order one two three four",
            "OrderStatus",
            r"^Order 1 2 3 4 has been shipped and should arrive on Thursday 26 November\.$",
        ),
        ("en", "what's the status of my order 5678", "OrderStatus", r"Order 5 6 7 8 is being prepared"),
        ("en", "track my order", "OrderStatus", r"^What is your order number\?$"),
        ("en", "where is order 9999", "OrderStatus", r"can't find order 9 9 9 9"),
        ("en", "how can I contact you", "ContactOptions", r"call us on 020 123 4567, email klantenservice@"),
        ("en", "what can you do", "Capabilities", r"opening hours, check the status of your order"),
        (
            "nl",
            "Wat zijn jullie openingstijden?",
            "OpeningHours",
            r"maandag tot en met vrijdag open van 9:00",
        ),
        (
            "nl",
            "zijn jullie zaterdag open",
            "OpeningHours",
            r"^Op zaterdag zijn we open van 10:00 tot 16:00\.$",
        ),
        (
            "nl",
            "hoe laat zijn jullie vandaag open",
            "OpeningHours",
            r"^Op maandag zijn we open van 9:00 tot 17:30\.$",
        ),
        ("nl", "waar is bestelling een twee drie vier", "OrderStatus", r"Bestelling 1 2 3 4 is verzonden"),
        (
            "nl",
            "wat is de status van mijn bestelling 4321",
            "OrderStatus",
            r"^Bestelling 4 3 2 1 is op vrijdag 20 november bezorgd\.$",
        ),
        ("nl", "waar blijft mijn bestelling", "OrderStatus", r"^Wat is uw bestelnummer\?$"),
        ("nl", "hoe kan ik contact opnemen", "ContactOptions", r"bellen op 020 123 4567"),
        ("nl", "wat is jullie telefoonnummer", "ContactOptions", r"bellen op 020 123 4567"),
        ("nl", "waarmee kunt u mij helpen", "Capabilities", r"openingstijden vertellen"),
    ],
    ids=lambda value: value if isinstance(value, str) and " " not in value else None,
)
def test_answers(router: Router, dialog: Dialog, locale: str, text: str, intent: str, reply: str) -> None:
    match = router.parse(text, locale)
    assert match is not None and (match.intent, match.skill) == (intent, "customer_service")
    answer = dialog.respond(Turn(text=text, locale=locale, time=MONDAY))
    assert re.search(reply, answer.text), answer.text


def test_asking_for_the_order_number_expects_it(dialog: Dialog) -> None:
    reply = dialog.respond(Turn(text="where is my order", locale="en"))
    assert reply.expect is Expect.SLOT and not reply.end_session


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("en", "what is the weather like"),
        ("nl", "hoe laat is het in tokio"),
        ("nl", "x" * 10_000),
    ],
    ids=["en-weather", "nl-tokyo", "very-long"],
)
def test_anything_else_gets_the_polite_fallback(dialog: Dialog, locale: str, text: str) -> None:
    reply = dialog.respond(Turn(text=text, locale=locale))
    assert reply.expect is Expect.ANSWER and "Sorry" in reply.text


def test_contact_reply_carries_a_card(dialog: Dialog) -> None:
    reply = dialog.respond(Turn(text="how can I reach you", locale="en"))
    assert reply.card is not None and reply.card.title == "Contact" and "020 123 4567" in reply.card.text


@pytest.mark.parametrize(
    ("locale", "text", "told"),
    [
        (
            "nl",
            "mag ik een medewerker spreken",
            "U kunt ons tijdens onze openingstijden bellen op 020 123 4567.",
        ),
        ("en", "can I talk to a real person", "You can call us on 020 123 4567 during our opening hours."),
    ],
)
def test_when_nobody_can_take_the_call_the_caller_hears_the_shops_number(
    dialog: Dialog, locale: str, text: str, told: str
) -> None:
    """No handoff sink, no transfer: the skill's own ``no_person`` names the number of data/company.yaml,
    read digit by digit (``say-as telephone``)."""
    reply = dialog.respond(Turn(text=text, locale=locale))
    assert not reply.handoff and reply.text.startswith("Sorry") and reply.text.endswith(told), reply.text
    assert '<say-as interpret-as="telephone">020 123 4567</say-as>' in reply.speech


@pytest.mark.parametrize(
    ("locale", "text", "told"),
    [
        (
            "nl",
            "mag ik een medewerker spreken",
            "U kunt ons mailen op klantenservice@example.com of met ons chatten via www.example.com/chat.",
        ),
        (
            "en",
            "can I talk to a real person",
            "You can email us at klantenservice@example.com or chat with us at www.example.com/chat.",
        ),
    ],
)
def test_a_caller_on_the_phone_line_is_not_told_to_ring_it(
    dialog: Dialog, locale: str, text: str, told: str
) -> None:
    """On the phone (``Turn.call``: Dialogflow telephony) the caller already rang the shop's number; when
    nobody can take the call, they hear how else to reach us, not that number."""
    reply = dialog.respond(Turn(text=text, locale=locale, call=True))
    assert not reply.handoff and reply.text.startswith("Sorry") and reply.text.endswith(told), reply.text
    assert "020 123 4567" not in reply.speech


def test_a_booking_without_a_configured_api_is_refused_with_a_clear_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from skills.customer_service import book_appointment, skill

    monkeypatch.setattr(skill, "settings", {})
    slots = {
        "date": SlotValue(text="morgen", value=dt.date(2026, 11, 24)),
        "time": SlotValue(text="tien uur", value=dt.time(10, 0)),
        "name": SlotValue(text="anna", value="anna"),
        "topic": SlotValue(text="retour", value="return"),
    }
    turn = Turn(text="ja", locale="nl", intent="BookAppointment", slots=slots, time=MONDAY)
    with caplog.at_level(logging.WARNING):
        reply = book_appointment(turn)
    assert reply.text.startswith("Sorry, ik kon de afspraak niet boeken") and reply.expect is Expect.ANSWER
    assert "set booking_url in [skill.customer_service]" in caplog.text
