"""Every turn that leaves the caller unhelped counts towards ``max_fallbacks`` in a row, and only a turn
that helps resets the count: the caller reaches a person, as docs/dialogs.md says. Yes or no after
"anything else?" and questions asked instead of a flow's value are answered, not missed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from booking_api import BookingApi, serving_booking_api

from skills.customer_service import booking
from voice import Expect, Reply, Turn
from voice.dialog import Dialog

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def dialog(shop_dialog: Dialog) -> Dialog:
    return shop_dialog


def _say(dialog: Dialog, locale: str, *texts: str) -> list[Reply]:
    return [
        dialog.respond(Turn(text=text, locale=locale, session_id="s1", user_id="u1", time=NOW))
        for text in texts
    ]


def _handoffs(dialog: Dialog) -> int:
    """The handoff records kept for delivery (no sink: they wait in the outbox, and a handed-over reply names
    its record, ``Reply.handoff_reason``, but tells no gateway to hand over)."""
    return dialog.store.outbox_counts()["pending"]


def _outcomes(dialog: Dialog) -> list[str]:
    return [row[0] for row in dialog.store.select("SELECT outcome FROM signals ORDER BY seq")]


UNHELPED = {
    "stray-no-nl": ("nl", ["nee", "nee", "nee"]),
    "stray-no-en": ("en", ["no", "no", "no"]),
    "ignored-offers-nl": ("nl", ["geen idee", "dat weet ik niet", "geen idee", "dat weet ik niet"]),
    "ignored-offers-en": (
        "en",
        ["I don't know", "what does shipping cost", "how much is shipping", "no idea"],
    ),
    "refused-order-numbers-nl": (
        "nl",
        ["waar is mijn bestelling", "negen negen negen negen", "geen idee", "blabla"],
    ),
    "refused-order-numbers-en": ("en", ["where is my order", "nine nine nine nine", "no idea", "blah blah"]),
}


@pytest.mark.parametrize(("locale", "texts"), UNHELPED.values(), ids=UNHELPED.keys())
def test_the_third_unhelped_turn_in_a_row_hands_over(dialog: Dialog, locale: str, texts: list[str]) -> None:
    """A stray no is "not understood", an offer the caller ignores did not help, an order number the
    flow refuses is asked again: each is a miss, and the third in a row goes to a person, once."""
    before = _say(dialog, locale, *texts[:-1])
    assert not any(reply.handoff_reason for reply in before) and _handoffs(dialog) == 0
    (last,) = _say(dialog, locale, texts[-1])
    assert last.handoff_reason and last.end_session
    assert _handoffs(dialog) == 1
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.handoff_reason == "fallbacks"


def test_the_offers_the_caller_ignores_are_offers(dialog: Dialog) -> None:
    """The turns of ``ignored-offers`` ask "Do you mean ...?" until the handoff (else the test above
    would test plain fallbacks)."""
    replies = _say(dialog, "en", *UNHELPED["ignored-offers-en"][1])
    assert [reply.expect for reply in replies[:3]] == [Expect.CONFIRMATION] * 3


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        ("nl", ["nee", "nee", "hoe laat zijn jullie open", "nee", "nee"]),
        ("en", ["no", "no", "opening hours", "no", "no"]),
    ],
    ids=["nl", "en"],
)
def test_a_turn_that_helps_starts_the_count_again(dialog: Dialog, locale: str, texts: list[str]) -> None:
    replies = _say(dialog, locale, *texts)
    assert not any(reply.handoff_reason for reply in replies) and _handoffs(dialog) == 0


ANYTHING_ELSE = {
    "nl-thanks-no": ("nl", "bedankt", "nee", "Tot ziens, en dank u wel."),
    "nl-cancel-no": ("nl", "annuleren", "nee dank je", "Tot ziens, en dank u wel."),
    "nl-thanks-yes": ("nl", "dank je wel", "ja", "Waarmee kan ik u helpen?"),
    "en-thanks-no": ("en", "thanks", "no", "Goodbye, and thank you."),
    "en-cancel-no": ("en", "cancel", "no thanks", "Goodbye, and thank you."),
    "en-thanks-yes": ("en", "thank you", "yes", "What can I help you with?"),
}


@pytest.mark.parametrize(
    ("locale", "first", "answer", "expected"), ANYTHING_ELSE.values(), ids=ANYTHING_ELSE.keys()
)
def test_yes_or_no_answers_anything_else(
    dialog: Dialog, locale: str, first: str, answer: str, expected: str
) -> None:
    """ "Anything else I can do for you?" is a yes/no question: no says goodbye (a satisfied caller who
    did not give up), yes asks what."""
    asked, reply = _say(dialog, locale, first, answer)
    assert asked.expects_answer
    assert reply.text == expected
    assert reply.end_session is (answer != "ja" and answer != "yes")
    assert _outcomes(dialog)[-1] == "contained" and _handoffs(dialog) == 0


QUESTIONS_IN_FLOW = {
    "nl": (
        "nl",
        ["waar is mijn bestelling", "wat zijn de verzendkosten eigenlijk", "het is vier drie twee een"],
        "Verzending binnen Nederland kost",
        "Wat is uw bestelnummer?",
        "Bestelling 4 3 2 1 is op vrijdag 20 november bezorgd.",
    ),
    "en": (
        "en",
        ["where is my order", "how much does shipping cost", "four three two one"],
        "Shipping within the Netherlands costs",
        "What is your order number?",
        "Order 4 3 2 1 was delivered on Friday 20 November.",
    ),
}


@pytest.mark.parametrize(
    ("locale", "texts", "answer", "question", "done"),
    QUESTIONS_IN_FLOW.values(),
    ids=QUESTIONS_IN_FLOW.keys(),
)
def test_a_question_instead_of_an_order_number_is_answered_and_the_number_asked_again(
    dialog: Dialog, locale: str, texts: list[str], answer: str, question: str, done: str
) -> None:
    """Any words fill the order number's wildcard; a question the flow refuses as a number goes on to the
    knowledge, and the flow's question follows the answer."""
    _, answered, finished = _say(dialog, locale, *texts)
    assert answered.text.startswith(answer) and answered.text.endswith(question)
    assert (answered.expect, answered.slot) == (Expect.SLOT, "order_number")
    assert finished.text == done
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.fallbacks == 0


@pytest.mark.parametrize(
    ("locale", "texts", "reason"),
    [
        ("nl", ["waar is mijn bestelling", "ik wil een mens spreken"], "asked"),
        ("en", ["where is my order", "can I talk to a real person"], "asked"),
    ],
    ids=["nl", "en"],
)
def test_asking_for_a_person_instead_of_an_order_number_hands_over(
    dialog: Dialog, locale: str, texts: list[str], reason: str
) -> None:
    """A built-in intent said exactly wins over the wildcard that takes any words as the order number."""
    *_, last = _say(dialog, locale, *texts)
    assert last.handoff_reason and _handoffs(dialog) == 1
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.handoff_reason == reason


BOOK_AND_CONFIRM = {
    "nl": (
        "ik wil een afspraak maken over een retour",
        "volgende dinsdag",
        "om tien uur",
        "jan de vries",
        "ja",
    ),
    "en": ("book an appointment about a return", "tomorrow at 10 am", "my name is anna smith", "yes"),
}
BETWEEN = {
    "nl": ("wat zijn de verzendkosten eigenlijk", "Verzending binnen Nederland kost", "Zal ik hem boeken?"),
    "en": ("how much does shipping cost", "Shipping within the Netherlands costs", "Shall I book it?"),
}


@pytest.fixture
def crashing_calendar(dialog: Dialog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The booking handler raises (a defect in the company's calendar client, not a refusal)."""

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("calendar client bug")

    skill = dialog.router.skills["customer_service"]
    monkeypatch.setattr(skill, "settings", {"booking_url": "http://127.0.0.1:9/api"})
    monkeypatch.setattr(booking.BookingClient, "book", broken)


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.usefixtures("crashing_calendar")
def test_after_a_handler_crash_a_question_in_between_asks_the_flows_question_again(
    dialog: Dialog, locale: str
) -> None:
    """The apology was appended to the answer as if it were the flow's open question."""
    yes = BOOK_AND_CONFIRM[locale][-1]
    question, answer, ask_again = BETWEEN[locale]
    *_, crashed = _say(dialog, locale, *BOOK_AND_CONFIRM[locale], yes)
    assert "iets mis" in crashed.text or "went wrong" in crashed.text
    assert (crashed.reprompt or "").endswith(ask_again)  # the flow's question, still open, after silence
    (answered,) = _say(dialog, locale, question)
    assert answered.text.startswith(answer) and answered.text.endswith(ask_again), answered.text
    assert "mis" not in answered.text and "wrong" not in answered.text


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.usefixtures("crashing_calendar")
def test_a_handler_that_keeps_crashing_ends_at_a_person(dialog: Dialog, locale: str) -> None:
    """Each try of a flow whose handler raises heard the apology, for ever: the third in a row goes to a
    person, with the flow's slots in the handoff record."""
    yes = BOOK_AND_CONFIRM[locale][-1]
    *_, first, second, third = _say(dialog, locale, *BOOK_AND_CONFIRM[locale], yes, yes, yes)
    assert not first.handoff_reason and not second.handoff_reason and _handoffs(dialog) == 1
    assert third.handoff_reason and third.end_session
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.handoff_reason == "fallbacks"
    ((payload,),) = dialog.store.select("SELECT payload FROM outbox")
    record = json.loads(payload)
    assert (record["reason"], record["skill"]) == ("fallbacks", "customer_service")
    assert record["slots"]["topic"] == "return" and record["slots"]["date"] == {"$date": "2026-11-24"}


REFUSED = {
    "closed-day-nl": ("nl", ["ik wil een afspraak maken over een retour"], ["zondag", "op zondag", "zondag"]),
    "closed-day-en": ("en", ["book an appointment about a return"], ["sunday", "on sunday", "sunday please"]),
    "after-hours-nl": (
        "nl",
        ["ik wil een afspraak maken over een retour", "dinsdag"],
        ["om elf uur 's avonds", "om elf uur 's avonds", "om elf uur 's avonds"],
    ),
    "after-hours-en": (
        "en",
        ["book an appointment about a return", "tuesday"],
        ["at 11 pm", "at 11 pm", "at 11 pm"],
    ),
}


@pytest.fixture
def booking_api(dialog: Dialog, monkeypatch: pytest.MonkeyPatch) -> Iterator[BookingApi]:
    """The company's booking API on loopback, counting the bookings that reach it."""
    with serving_booking_api() as (api, url):
        monkeypatch.setattr(dialog.router.skills["customer_service"], "settings", {"booking_url": url})
        yield api


@pytest.mark.parametrize(("locale", "start", "refused"), REFUSED.values(), ids=REFUSED.keys())
def test_the_third_refused_answer_to_the_same_question_hands_over(
    dialog: Dialog, booking_api: BookingApi, locale: str, start: list[str], refused: list[str]
) -> None:
    """A caller who kept naming a closed day (or a time after closing) heard "we are closed then" for
    ever: an understood refusal is no miss, so the miss count never reached a person."""
    *before, last = _say(dialog, locale, *start, *refused)
    assert not any(reply.handoff_reason for reply in before) and all(
        reply.expect is Expect.SLOT for reply in before
    )
    assert last.handoff_reason and last.end_session
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.handoff_reason == "refusals"
    assert session.dialog.fallbacks == 0  # no turn was a miss
    ((payload,),) = dialog.store.select("SELECT payload FROM outbox")
    assert json.loads(payload)["reason"] == "refusals" and _handoffs(dialog) == 1
    assert booking_api.bookings == []
    assert dialog.store.select("SELECT handoff_reason FROM signals WHERE handoff <> ''") == [("refusals",)]


REFUSED_THEN_BOOKED = {
    "nl": (
        "ik wil een afspraak maken over een retour",
        "zondag",
        "zondag",
        "dinsdag",
        "om elf uur 's avonds",
        "om elf uur 's avonds",
        "om tien uur",
        "jan de vries",
        "ja",
        "ja",
    ),
    "en": (
        "book an appointment about a return",
        "sunday",
        "sunday",
        "tuesday",
        "at 11 pm",
        "at 11 pm",
        "at 10 am",
        "my name is anna smith",
        "yes",
        "yes",
    ),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_refusals_of_one_question_end_when_it_is_answered(
    dialog: Dialog, booking_api: BookingApi, locale: str
) -> None:
    """Two closed days, then an open one, then two times after closing: no question was refused three
    times in a row, so the caller books, once, and nobody is handed the call."""
    replies = _say(dialog, locale, *REFUSED_THEN_BOOKED[locale])
    assert not any(reply.handoff_reason for reply in replies) and _handoffs(dialog) == 0
    assert len(booking_api.bookings) == 1
    assert dialog.store.select("SELECT count(*) FROM signals WHERE flow_completed") == [(1,)]


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        ("nl", ["ik wil een afspraak maken over een retour", "zondag", "zondag", "dinsdag", "zondag"]),
        ("en", ["book an appointment about a return", "sunday", "sunday", "tuesday", "sunday"]),
    ],
    ids=["nl", "en"],
)
def test_a_closed_day_after_an_open_one_starts_the_refusals_again(
    dialog: Dialog, locale: str, texts: list[str]
) -> None:
    """Two closed days, an open one, then a closed day said to the question for the time: the day is
    refused once in a row, not three times."""
    *_, last = _say(dialog, locale, *texts)
    assert not last.handoff_reason and (last.expect, last.slot) == (Expect.SLOT, "date")
    assert _handoffs(dialog) == 0
