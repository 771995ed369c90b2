"""The customer-service booking books what the caller said, once: a time said with its part of the day
keeps it ("drie uur 's nachts" is no 15:00), a no is never a yes at the check of the name, and the words
before a name ("het is", "I am") are no part of it. Whole conversations against the booking API on
loopback, which counts what reaches it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from booking_api import BookingApi, serving_booking_api

from skills.customer_service import skill
from voice import Router, SlotValue, Turn
from voice.dialog import Dialog
from voice.store import open_store

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
"""The clock of the conversations: "morgen" / "tomorrow" is Tuesday 24 November, open 9:00-17:30."""


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BookingApi]:
    with serving_booking_api() as (state, url):
        monkeypatch.setattr(skill, "settings", {"booking_url": url})
        yield state


@pytest.fixture
def dialog(tmp_path: Path) -> Iterator[Dialog]:
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        made = Dialog(Router([skill]), store)
        yield made
        made.close()


def conversation(dialog: Dialog, locale: str, lines: list[str]) -> list[str]:
    """What the assistant answers to each line of one conversation."""
    turns = (Turn(text=line, locale=locale, session_id="s1", user_id="u1", time=MONDAY) for line in lines)
    return [dialog.respond(turn).text for turn in turns]


def booked(api: BookingApi) -> list[tuple[str, str]]:
    """The (time, name) of every booking that reached the API."""
    return [(body["time"], body["name"]) for _, body in api.bookings]


NIGHT = {
    "nl": (
        ["ik wil een afspraak maken over een retour", "morgen", "om drie uur 's nachts"],
        "Op dinsdag zijn we open van 9:00 tot 17:30. Hoe laat?",
        ["om tien uur 's ochtends", "jan de vries", "ja", "ja"],
    ),
    "en": (
        ["book an appointment about a return", "tomorrow", "at 3 am"],
        "On Tuesday we are open from 9:00 to 17:30. At what time?",
        ["at ten in the morning", "my name is anna smith", "yes", "yes"],
    ),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_time_said_in_the_night_is_refused_not_read_as_the_afternoon(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """ "3 am" was booked at 15:00: the skill read every time from 1:00 to 12:59 in either half of the day,
    as if it came from Alexa, which sends "three" as 03:00."""
    start, refused, rest = NIGHT[locale]
    replies = conversation(dialog, locale, [*start, *rest])
    assert replies[len(start) - 1] == refused
    assert replies[-1].startswith(("Gelukt!", "Done!"))
    assert booked(api) == [("10:00", "Jan de Vries" if locale == "nl" else "Anna Smith")]


SAME_NAME = {
    "nl": (
        ["ik wil een afspraak maken over een retour", "morgen", "om drie", "Daan", "nee, mijn naam is Daan"],
        "Ik versta opnieuw Daan; klopt dat, ja of nee?",
    ),
    "en": (
        ["book an appointment about a return", "tomorrow", "at 3", "my name is Daan", "no, my name is Daan"],
        "I heard Daan again; is that right, yes or no?",
    ),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_no_with_the_same_name_asks_again_and_is_no_yes(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """ "Nee, mijn naam is Daan" to "Heb ik uw naam goed verstaan: Daan?" moved on as if the caller said
    yes. It asks again, and counts as a miss; a yes then books, once."""
    lines, asked_again = SAME_NAME[locale]
    replies = conversation(dialog, locale, lines)
    assert replies[-1] == asked_again and api.bookings == []
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.fallbacks == 1
    yes = {"nl": "ja", "en": "yes"}[locale]
    replies = conversation(dialog, locale, [yes, yes])
    assert replies[0].startswith(("Dus een afspraak", "So that's an appointment")), replies[0]
    assert booked(api) == [("15:00", "Daan")]


def test_a_plain_no_after_the_same_name_asks_for_the_name(dialog: Dialog, api: BookingApi) -> None:
    replies = conversation(dialog, "nl", [*SAME_NAME["nl"][0], "nee", "Dean", "ja", "ja"])
    assert replies[-4:-2] == ["En wat is uw naam?", "Heb ik uw naam goed verstaan: Dean?"]
    assert replies[-1].startswith("Gelukt!") and booked(api) == [("15:00", "Dean")]


CARRIED = {
    "nl": [
        "ik wil een afspraak maken over een retour",
        "morgen",
        "om drie",
        "ik ben Anna",
        "nee, het is Daan",
    ],
    "en": ["book an appointment about a return", "tomorrow", "at 3", "i am Anna", "no, this is Daan"],
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_words_before_a_name_are_no_part_of_it(dialog: Dialog, api: BookingApi, locale: str) -> None:
    """ "Nee, het is Daan" was refused by name_check for its "het", and "ik ben Anna" too."""
    yes = {"nl": "ja", "en": "yes"}[locale]
    replies = conversation(dialog, locale, [*CARRIED[locale], yes, yes])
    confirm = {"nl": "Heb ik uw naam goed verstaan: {}?", "en": "Did I get your name right: {}?"}[locale]
    assert replies[3:5] == [confirm.format("Anna"), confirm.format("Daan")]
    assert booked(api) == [("15:00", "Daan")]


def test_a_platforms_three_oclock_is_booked_at_the_time_confirmed(dialog: Dialog, api: BookingApi) -> None:
    """Alexa sends "three" as 03:00, and "3 am" too: read within the hours (15:00) when it arrives, as the
    router reads "om drie", so the booking a later turn makes is at the time the caller confirmed."""
    said = {"date": "2026-11-24", "time": "03:00", "name": "anna", "topic": "return"}
    slots = {name: SlotValue(text=value, value=value) for name, value in said.items()}
    first = Turn(
        intent="BookAppointment", slots=slots, locale="nl", session_id="s1", user_id="u1", time=MONDAY
    )
    replies = [dialog.respond(first).text, *conversation(dialog, "nl", ["ja", "ja"])]
    assert "om 15:00" in replies[1] and replies[-1].startswith("Gelukt!"), replies
    assert booked(api) == [("15:00", "Anna")]


def test_the_name_said_again_without_a_no_confirms_it(dialog: Dialog, api: BookingApi) -> None:
    """It moved on as before, but left the check of the name open: a "ja" to the next question was
    taken as the answer to it."""
    lines = ["ik wil een afspraak maken", "morgen", "om drie", "Daan", "mijn naam is Daan"]
    replies = conversation(dialog, "nl", lines)
    assert replies[-1].startswith("Waar gaat de afspraak over")
    session = dialog.store.load("s1")
    flow = session.dialog.flow if session is not None else None
    assert flow is not None and flow.confirmed == ("name",) and flow.confirming_slot is None


def appointments(api: BookingApi) -> list[tuple[str, str, str, str]]:
    """The (date, time, name, topic) of every booking that reached the API."""
    return [(body["date"], body["time"], body["name"], body["topic"]) for _, body in api.bookings]


CONFIRM_NAME = {"nl": "Heb ik uw naam goed verstaan: {}?", "en": "Did I get your name right: {}?"}
ASK_NAME = {"nl": "En wat is uw naam?", "en": "And what is your name?"}
UP_TO_THE_NAME = {
    "nl": ["ik wil een afspraak maken over een retour", "morgen", "om tien uur"],
    "en": ["book an appointment about a return", "tomorrow", "at ten"],
}
CORRECTIONS_AT_THE_NAME = {
    "nl": ["nee, om elf uur", "over een factuur", "nee, woensdag", "nee, een retour", "elf uur"],
    "en": ["no, at eleven", "about an invoice", "no, wednesday", "no, a return", "eleven"],
}
NOTED_AT_THE_NAME = {
    "nl": [
        "Goed, om 11:00.",
        "Goed, over een factuur.",
        "Goed, op woensdag 25 november.",
        "Goed, over een retour.",
    ],
    "en": [
        "Okay, at 11:00.",
        "Okay, about an invoice.",
        "Okay, on Wednesday 25 November.",
        "Okay, about a return.",
    ],
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_correction_said_to_the_name_question_is_no_name(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """ "Nee, om elf uur" to "En wat is uw naam?" became the name ("Heb ik uw naam goed verstaan: Nee Om
    Elf Uur?"): the name's any-words template won over the flow's own sentences. A sentence that reads
    every word with typed slots corrects them, the name is asked again after the change is acknowledged as
    the confirmation reads it (the question alone sounded as if it was not heard; the time said again is no
    change), and the booking has it all."""
    yes = {"nl": "ja", "en": "yes"}[locale]
    corrections = CORRECTIONS_AT_THE_NAME[locale]
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], *corrections, "Klaas van Dam", yes, yes])
    noted = [f"{said} {ASK_NAME[locale]}" for said in NOTED_AT_THE_NAME[locale]]
    assert replies[3 : 3 + len(corrections)] == [*noted, ASK_NAME[locale]]
    assert replies[-2].startswith(("Dus een afspraak op woensdag", "So that's an appointment on Wednesday"))
    assert appointments(api) == [("2026-11-25", "11:00", "Klaas van Dam", "return")]


NAMES = [
    ("Piet de Boer", "Piet de Boer"),
    ("Daan", "Daan"),
    ("Klaas van Dam", "Klaas van Dam"),
    ("Annemiek de Wit", "Annemiek de Wit"),
    ("Piet Zondag", "Piet Zondag"),
]


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize(("said", "heard"), NAMES)
def test_a_name_with_words_of_the_flow_is_still_a_name(
    dialog: Dialog, locale: str, said: str, heard: str
) -> None:
    """Only a sentence that reads every word with typed slots outranks the name: a name with a day or a
    number in it is the name."""
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], said])
    assert replies[-1] == CONFIRM_NAME[locale].format(heard)


CARRIED_NAMES = {"nl": ["mijn naam is Daan", "ik ben Elf"], "en": ["my name is Daan", "i am Elf"]}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_name_said_with_its_carrier_words_is_the_name(dialog: Dialog, locale: str) -> None:
    first, second = CARRIED_NAMES[locale]
    no = {"nl": "nee", "en": "no"}[locale]
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], first, no, second])
    assert [replies[3], replies[-1]] == [
        CONFIRM_NAME[locale].format("Daan"),
        CONFIRM_NAME[locale].format("Elf"),
    ]


NO_NAMES = {
    "nl": [("stop", "Tot ziens"), ("een medewerker", "Sorry, ik kan u nu niet met een collega verbinden")],
    "en": [("stop", "Goodbye"), ("an agent", "Sorry, I can't put you through to a colleague")],
}


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("which", [0, 1])
def test_a_built_in_request_at_the_name_question_is_no_name(dialog: Dialog, locale: str, which: int) -> None:
    """ "Een medewerker" was refused as a name ("Sorry, ik heb alleen uw naam nodig"): no built-in read it."""
    said, answer = NO_NAMES[locale][which]
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], said])
    assert replies[-1].startswith(answer), replies[-1]


NAME_AT_THE_CONFIRMATION = {
    "nl": ["Piet de Boer", "ja", "nee, de naam is Klaas de Boer", "ja", "ja"],
    "en": ["Piet de Boer", "yes", "no, the name is Klaas de Boer", "yes", "yes"],
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_name_corrected_at_the_confirmation_is_booked(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """ "Dus een afspraak ... voor Piet de Boer. Zal ik hem boeken?" "Nee, de naam is Klaas de Boer": Dutch
    had no sentence for it (English had "the name is"), so the caller was not understood."""
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], *NAME_AT_THE_CONFIRMATION[locale]])
    assert replies[-3] == CONFIRM_NAME[locale].format("Klaas de Boer")
    assert booked(api) == [("10:00", "Klaas de Boer")]


OTHER_NAME_AT_THE_CHECK = {"nl": ["Dan", "Daan", "ja", "ja"], "en": ["Dan", "Daan", "yes", "yes"]}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_another_name_said_at_the_check_of_the_name_is_checked_again(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """A bare "Daan" to "Heb ik uw naam goed verstaan: Dan?" was not understood ("Sorry, dat begreep ik
    niet"): it is the name corrected, as "nee, Daan" is, and checked again; a yes still is a yes."""
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], *OTHER_NAME_AT_THE_CHECK[locale]])
    assert replies[3:5] == [CONFIRM_NAME[locale].format("Dan"), CONFIRM_NAME[locale].format("Daan")]
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.fallbacks == 0
    assert booked(api) == [("10:00", "Daan")]


FAILED_CHECKS = {
    "nl": [
        ["nee, Daan", "nee, Daan", "nee, Daan"],
        ["Daan", "nee, mijn naam is Daan", "nee"],
        ["nee", "Daan", "nee", "Dean", "nee"],
    ],
    "en": [
        ["no, Daan", "no, Daan", "no, Daan"],
        ["Daan", "no, my name is Daan", "no"],
        ["no", "Daan", "no", "Dean", "no"],
    ],
}


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("which", [0, 1, 2])
def test_the_third_failed_check_of_the_name_hands_over(
    dialog: Dialog, api: BookingApi, locale: str, which: int
) -> None:
    """ "Nee, Daan" said again and again to the check of the name reached a person only by the miss count,
    and a plain "nee" in between reset it: a caller who could not get the name across was asked for ever.
    Each check that fails (another name, the same one with a no, a no) is an answer refused for the name:
    the third in a row hands over (``max_refusals``), with one handoff record and nothing booked."""
    checks = FAILED_CHECKS[locale][which]
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], "Dan", *checks])
    assert not any("collega" in reply or "colleague" in reply for reply in replies[:-1])
    assert replies[-1].startswith(
        ("Sorry, ik kan u nu niet met een collega", "Sorry, I can't put you through")
    )
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.handoff_reason == "refusals"
    assert dialog.store.outbox_counts()["pending"] == 1 and api.bookings == []
    assert dialog.store.select("SELECT handoff_reason FROM signals WHERE handoff <> ''") == [("refusals",)]


def test_a_yes_at_the_check_ends_the_failed_checks(dialog: Dialog, api: BookingApi) -> None:
    """Two failed checks of the name, then a yes: the name is taken, so a name corrected at the
    confirmation starts its own count (a no to its check is the first, and nobody is handed the call)."""
    checks = ["Dan", "nee, Daan", "nee, mijn naam is Daan", "ja"]
    again = ["nee, de naam is Dean", "nee", "Dean", "ja", "ja"]
    replies = conversation(dialog, "nl", [*UP_TO_THE_NAME["nl"], *checks, *again])
    assert replies[-4] == ASK_NAME["nl"] and dialog.store.outbox_counts()["pending"] == 0
    assert booked(api) == [("10:00", "Dean")]


CORRECTION_AT_THE_CHECK = {
    "nl": ["Dan", "nee, om elf uur", "nee", "Daan", "ja", "ja"],
    "en": ["Dan", "no, at eleven", "no", "Daan", "yes", "yes"],
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_another_slot_corrected_at_the_check_of_the_name_keeps_the_check(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """ "Nee, om elf uur" to "Heb ik uw naam goed verstaan: Dan?" corrected the time silently and took the
    name without its yes (the topic was asked next). The correction is acknowledged and the check asked
    again, so the no that follows still asks for the name."""
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], *CORRECTION_AT_THE_CHECK[locale]])
    noted = NOTED_AT_THE_NAME[locale][0]
    assert replies[4:7] == [
        f"{noted} {CONFIRM_NAME[locale].format('Dan')}",
        ASK_NAME[locale],
        CONFIRM_NAME[locale].format("Daan"),
    ]
    assert booked(api) == [("11:00", "Daan")]


HEARD_BADLY_AT_THE_TIME = {
    "nl": ("Zei u tien uur?", ["nee, woensdag", "ja", "Daan", "ja", "ja"]),
    "en": ("Did you say ten?", ["no, wednesday", "yes", "Daan", "yes", "yes"]),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_another_slot_corrected_at_the_check_of_a_time_heard_badly_keeps_the_check(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """A time heard badly is checked ("Zei u tien uur?"); "nee, woensdag" to that check corrected the day
    and took the time without its yes (the name was asked next), since only a slot that always asks to
    confirm kept its check."""
    check, rest = HEARD_BADLY_AT_THE_TIME[locale]
    *before, badly = UP_TO_THE_NAME[locale]
    turns = [(line, 1.0) for line in before] + [(badly, 0.3)] + [(line, 1.0) for line in rest]
    replies = [
        dialog.respond(
            Turn(text=text, locale=locale, session_id="s1", user_id="u1", time=MONDAY, confidence=heard)
        ).text
        for text, heard in turns
    ]
    assert replies[2:5] == [check, f"{NOTED_AT_THE_NAME[locale][2]} {check}", ASK_NAME[locale]]
    assert booked(api) == [("10:00", "Daan")]
    assert api.bookings[0][1]["date"] == "2026-11-25"


FILLERS = {
    "nl": ["wacht even", "momentje", "eh", "even kijken", "ik denk even na"],
    "en": ["hold on", "wait a moment", "one second", "uhm", "let me think"],
}
TAKE_YOUR_TIME = {"nl": "Natuurlijk, neemt u de tijd. {}", "en": "Of course, take your time. {}"}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_filler_at_the_name_question_and_its_check_is_no_name(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """ "Wacht even" / "hold on" was read back as a name ("Did I get your name right: Hold On?"), "wait a
    moment" refused as one, "uhm" not understood, and each counted toward the refusals of the name: the
    third handed over. Filler waits: the open question is asked again politely, nothing is filled, and
    neither a refusal nor a miss is counted."""
    fillers, no = FILLERS[locale], {"nl": "nee, Daan", "en": "no, Daan"}[locale]
    yes = {"nl": "ja", "en": "yes"}[locale]
    lines = [*UP_TO_THE_NAME[locale], *fillers, "Dan", *fillers, no, *fillers, yes, yes]
    replies = conversation(dialog, locale, lines)
    waiting = TAKE_YOUR_TIME[locale].format
    dan, daan = CONFIRM_NAME[locale].format("Dan"), CONFIRM_NAME[locale].format("Daan")
    assert replies[3:-2] == [
        *[waiting(ASK_NAME[locale])] * len(fillers),
        dan,
        *[waiting(dan)] * len(fillers),
        daan,
        *[waiting(daan)] * len(fillers),
    ]
    session = dialog.store.load("s1")
    assert session is not None and session.dialog.fallbacks == 0 and not session.dialog.handoff_reason
    assert booked(api) == [("10:00", "Daan")]


PERSON_AT_THE_CHECK = {
    "nl": "weet je wat, ik wil een mens spreken",
    "en": "you know what, I want to speak to a person",
}


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_request_for_a_person_at_the_check_of_the_name_is_that_request(
    dialog: Dialog, api: BookingApi, locale: str
) -> None:
    """A sentence ending in a request for a person is that request, at the check of the name too: read
    first as another name it was refused by the name's check and heard as a miss ("Sorry, dat begreep
    ik niet. Heb ik uw naam goed verstaan: Dan?"), and the caller was never put through."""
    replies = conversation(dialog, locale, [*UP_TO_THE_NAME[locale], "Dan", PERSON_AT_THE_CHECK[locale]])
    assert replies[-1].startswith(
        ("Sorry, ik kan u nu niet met een collega", "Sorry, I can't put you through")
    )
    assert dialog.store.select("SELECT handoff_reason FROM signals WHERE handoff <> ''") == [("asked",)]
    assert dialog.store.outbox_counts()["pending"] == 1 and api.bookings == []
