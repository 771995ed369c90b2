"""How callers really phrase things: the customer-service skill and the built-ins must understand them.

Each line is something a caller says to a shop's phone line or smart speaker, with the intent (and
slots) it must reach. The templates are written for the line, not the other way round; a new
phrasing that callers use belongs here first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from voice import Router, load_skill

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

PHRASINGS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "nl": [
        ("hoe laat gaan jullie morgen open", "OpeningHours", {"day": "tomorrow"}),
        ("tot hoe laat zijn jullie open", "OpeningHours", {}),
        ("tot hoe laat zijn jullie vandaag open", "OpeningHours", {"day": "today"}),
        ("hoe laat sluiten jullie", "OpeningHours", {}),
        ("hoe laat gaat de winkel dicht", "OpeningHours", {}),
        ("wat zijn de openingstijden van de winkel", "OpeningHours", {}),
        ("zijn jullie zaterdag geopend", "OpeningHours", {"day": "saturday"}),
        ("zijn jullie nu open", "OpeningHours", {"day": "today"}),
        ("zijn jullie in het weekend open", "OpeningHours", {}),
        ("openingstijden", "OpeningHours", {}),
        ("hallo, hoe laat zijn jullie open", "OpeningHours", {}),
        ("goedemorgen, wat zijn uw openingstijden op zondag", "OpeningHours", {"day": "sunday"}),
        ("waar is mijn pakket", "OrderStatus", {}),
        ("ik wil weten waar mijn bestelling is", "OrderStatus", {}),
        ("wanneer komt mijn bestelling", "OrderStatus", {}),
        ("wanneer wordt mijn bestelling bezorgd", "OrderStatus", {}),
        ("ik heb mijn bestelling nog niet ontvangen", "OrderStatus", {}),
        ("mijn bestelnummer is 1234", "OrderStatus", {}),
        ("status van bestelling 1234", "OrderStatus", {}),
        ("wat is het telefoonnummer", "ContactOptions", {}),
        ("hoe kan ik jullie bellen", "ContactOptions", {}),
        ("hoe kan ik contact met jullie opnemen", "ContactOptions", {}),
        ("hoe bereik ik de klantenservice", "ContactOptions", {}),
        ("kan ik met jullie chatten", "ContactOptions", {}),
        ("ik wil graag een afspraak", "BookAppointment", {}),
        ("afspraak maken", "BookAppointment", {}),
        ("ik wil een afspraak maken voor morgen", "BookAppointment", {"date": "2026-11-24"}),
        ("ik wil langskomen", "BookAppointment", {}),
        ("kan ik morgen om 10 uur langskomen", "BookAppointment", {"date": "2026-11-24", "time": "10:00:00"}),
        ("wat kan ik je vragen", "Capabilities", {}),
        ("waar kun je mee helpen", "Capabilities", {}),
        ("hallo", "Greeting", {}),
        ("goedemiddag", "Greeting", {}),
        ("bedankt", "Thanks", {}),
        ("dank u wel", "Thanks", {}),
        ("ok bedankt", "Thanks", {}),
        ("oke bedankt", "Thanks", {}),
        ("oké dank je wel", "Thanks", {}),
        ("oke", "Yes", {}),
        ("fijne dag nog", "Stop", {}),
        ("wacht even", "Wait", {}),
        ("momentje", "Wait", {}),
        ("een ogenblikje alstublieft", "Wait", {}),
        ("even kijken", "Wait", {}),
        ("ik denk even na", "Wait", {}),
        ("eh", "Wait", {}),
        ("ik wil iemand spreken", "TalkToAgent", {}),
        ("kan ik een echt mens spreken", "TalkToAgent", {}),
        ("kan ik een echt persoon spreken", "TalkToAgent", {}),
        ("mag ik iemand spreken", "TalkToAgent", {}),
        ("ik wil een medewerker", "TalkToAgent", {}),
        ("verbind me door", "TalkToAgent", {}),
        ("dank u wel, tot ziens", "Stop", {}),
        ("bedankt, doei", "Stop", {}),
        ("dank je wel, doei", "Stop", {}),
        ("nee bedankt", "Stop", {}),
        ("nee, dank u", "Stop", {}),
        ("nee dat was het", "Stop", {}),
        ("ja, dat bedoel ik", "Yes", {}),
        ("ja dat klopt", "Yes", {}),
        ("nee dat bedoel ik niet", "No", {}),
        ("nee, iets anders", "No", {}),
        ("nee, fout", "No", {}),  # not a correction to "Fout" at "Heb ik uw naam goed verstaan: Anna?"
        ("nee dat is niet goed", "No", {}),
        # heard on a phone line (review of 2026-11-29)
        ("ik wil gewoon een mens spreken", "TalkToAgent", {}),
        ("kan ik iemand aan de lijn krijgen", "TalkToAgent", {}),
        ("ik wil met iemand praten", "TalkToAgent", {}),
        ("mag ik een echt persoon", "TalkToAgent", {}),
        ("nee bedankt doei", "Stop", {}),
        ("oke doei", "Stop", {}),
        ("eh ja", "Yes", {}),
        ("ehm, nee", "No", {}),
        ("mijn bestelnummer is eh een twee drie vier", "OrderStatus", {}),
        ("ik heb een vraag over mijn bestelling", "AskQuestion", {"subject": "uw bestelling"}),
        ("ik bel over een retour", "AskQuestion", {"subject": "retourneren"}),
        (
            "ik wil morgen om drie uur een afspraak maken",
            "BookAppointment",
            {"date": "2026-11-24", "time": "15:00:00"},
        ),
        ("kan ik morgen een afspraak maken", "BookAppointment", {"date": "2026-11-24"}),
        ("en wat zijn jullie openingstijden", "OpeningHours", {}),
        ("nou, hoe kan ik jullie bereiken", "ContactOptions", {}),
        # heard by a team reviewing its KPIs (2026-11-29)
        ("dit is belachelijk ik wil een mens spreken", "TalkToAgent", {}),
        ("ja hallo goedemiddag, ik wil graag iemand spreken", "TalkToAgent", {}),
        ("laat maar, stop", "Cancel", {}),
        ("nee laat maar", "Cancel", {}),
        ("stop maar", "Stop", {}),
        ("hoe laat zijn jullie open op zaterdag", "OpeningHours", {"day": "saturday"}),
        ("hoe laat gaan jullie dicht vandaag", "OpeningHours", {"day": "today"}),
        ("ik wil graag een afspraak maken voor advies", "BookAppointment", {"topic": "advice"}),
        # filler that was read as a name (review of 2026-11-29)
        ("oké wacht even", "Wait", {}),
        ("ja wacht even", "Wait", {}),
        ("een ogenblik geduld", "Wait", {}),
        ("wacht even een momentje", "Wait", {}),
        ("even kijken hoor", "Wait", {}),
        ("ik zoek het even op", "Wait", {}),
        ("eventjes", "Wait", {}),
    ],
    "en": [
        ("what time do you open tomorrow", "OpeningHours", {"day": "tomorrow"}),
        ("how late are you open today", "OpeningHours", {"day": "today"}),
        ("what time do you close", "OpeningHours", {}),
        ("when does the shop close", "OpeningHours", {}),
        ("are you open now", "OpeningHours", {"day": "today"}),
        ("are you open on the weekend", "OpeningHours", {}),
        ("opening hours", "OpeningHours", {}),
        ("hi, what are your opening hours", "OpeningHours", {}),
        ("good morning, are you open on sunday", "OpeningHours", {"day": "sunday"}),
        ("where is my package", "OrderStatus", {}),
        ("where's my order", "OrderStatus", {}),
        ("when will my order arrive", "OrderStatus", {}),
        ("i haven't received my order yet", "OrderStatus", {}),
        ("my order number is 1234", "OrderStatus", {}),
        ("order status", "OrderStatus", {}),
        ("what's your phone number", "ContactOptions", {}),
        ("how do i get in touch with you", "ContactOptions", {}),
        ("how can i contact customer service", "ContactOptions", {}),
        ("can i chat with someone online", "ContactOptions", {}),
        ("i'd like an appointment", "BookAppointment", {}),
        ("book an appointment for tomorrow", "BookAppointment", {"date": "2026-11-24"}),
        ("can i come by tomorrow at 10", "BookAppointment", {"date": "2026-11-24", "time": "10:00:00"}),
        ("i want to visit the store", "BookAppointment", {}),
        ("what can i ask you", "Capabilities", {}),
        ("hello", "Greeting", {}),
        ("good afternoon", "Greeting", {}),
        ("thanks", "Thanks", {}),
        ("thank you very much", "Thanks", {}),
        ("okay thanks", "Thanks", {}),
        ("ok thank you", "Thanks", {}),
        ("have a nice day", "Stop", {}),
        ("hold on", "Wait", {}),
        ("wait a moment", "Wait", {}),
        ("one second", "Wait", {}),
        ("let me think", "Wait", {}),
        ("uhm", "Wait", {}),
        ("can i talk to a real person", "TalkToAgent", {}),
        ("i want to speak to someone", "TalkToAgent", {}),
        ("i want to talk to a human", "TalkToAgent", {}),
        ("agent please", "TalkToAgent", {}),
        ("can i speak to a real person", "TalkToAgent", {}),
        ("thanks, bye", "Stop", {}),
        ("thank you goodbye", "Stop", {}),
        ("no thanks", "Stop", {}),
        ("no that's all", "Stop", {}),
        ("yes that's what i mean", "Yes", {}),
        ("no, something else", "No", {}),
        ("no, not that", "No", {}),
        ("no, that's wrong", "No", {}),
        ("no, incorrect", "No", {}),
        ("no thanks bye", "Stop", {}),
        ("ok bye", "Stop", {}),
        ("i just want to talk to a human", "TalkToAgent", {}),
        ("i need to speak with someone", "TalkToAgent", {}),
        ("put me through to someone", "TalkToAgent", {}),
        ("uh yes", "Yes", {}),
        ("um, no", "No", {}),
        ("i have a question about my order", "AskQuestion", {"subject": "your order"}),
        ("i am calling about my invoice", "AskQuestion", {"subject": "your invoice"}),
        (
            "i want to book an appointment tomorrow at three pm",
            "BookAppointment",
            {"date": "2026-11-24", "time": "15:00:00"},
        ),
        ("i would like to make an appointment for tuesday", "BookAppointment", {}),
        ("and what are your opening hours", "OpeningHours", {}),
        ("so how can i contact customer service", "ContactOptions", {}),
        ("this is ridiculous, let me talk to a human", "TalkToAgent", {}),
        ("hi there, i'd like to speak to a person please", "TalkToAgent", {}),
        ("never mind, stop", "Cancel", {}),
        ("no stop", "Stop", {}),
        ("i'd like to book an appointment for advice", "BookAppointment", {"topic": "advice"}),
        # filler that was read as a name (review of 2026-11-29)
        ("ok hold on", "Wait", {}),
        ("yes hold on", "Wait", {}),
        ("okay one second", "Wait", {}),
        ("sure, one moment", "Wait", {}),
        ("a moment please", "Wait", {}),
        ("bear with me", "Wait", {}),
        ("let me think about it", "Wait", {}),
        ("i need a minute", "Wait", {}),
        ("hang on let me check", "Wait", {}),
        ("let me check that", "Wait", {}),
    ],
}


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])  # the built-in intents come with it


@pytest.mark.parametrize(
    ("language", "text", "intent", "slots"),
    [(language, *case) for language, cases in PHRASINGS.items() for case in cases],
    ids=[f"{language}-{case[0]}" for language, cases in PHRASINGS.items() for case in cases],
)
def test_callers_phrasing_is_understood(
    router: Router, language: str, text: str, intent: str, slots: dict[str, Any]
) -> None:
    match = router.parse(text, language, now=MONDAY)
    assert match is not None, f"{text!r} is not understood"
    assert match.intent == intent
    found = {name: str(value.value) for name, value in match.slots.items()}
    assert {name: found.get(name) for name in slots} == slots


def test_an_opening_word_is_dropped_only_where_no_template_has_it(router: Router) -> None:
    """ "en wat zijn jullie openingstijden" matched nothing; "en morgen" after the opening hours is a
    template of its own, and a lone "en" stays a word (no empty sentence to match)."""
    follow_up = router.parse("en morgen", "nl", {"previous": "OpeningHours"}, now=MONDAY)
    assert follow_up is not None and follow_up.intent == "OpeningHours"
    assert str(follow_up.slots["day"].value) == "tomorrow"
    assert router.parse("en", "nl") is None and router.parse("and", "en") is None
    assert router.parse("en morgen", "nl", now=MONDAY) is None  # without the context: "morgen" alone


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("nl", "ik hoef niet met een medewerker te praten"),
        ("nl", "ik wil geen gedoe, kan ik iemand spreken"),  # a negation before the request: not read
        ("nl", "een tafel voor een persoon graag"),  # ends like "persoon graag", too short to be one
        ("en", "i don't want to speak to someone"),
        ("en", "there is no need to talk to an agent"),
    ],
)
def test_a_request_for_a_person_after_other_words_is_not_read_when_negated_or_too_short(
    router: Router, language: str, text: str
) -> None:
    """Venting before "ik wil een mens spreken" is read as the request (above); these are not requests."""
    match = router.parse(text, language, now=MONDAY)
    assert match is None or match.intent != "TalkToAgent", text


def test_only_a_request_for_a_person_is_read_from_the_end_of_a_sentence(router: Router) -> None:
    """A sentence that merely ends like another template says something else."""
    assert router.parse("mijn buurman zei het is morgen open", "nl", now=MONDAY) is None
    assert router.parse("ik begrijp het niet, ik wil een afspraak maken", "nl", now=MONDAY) is None


ASKING_NAME = {"dialog": "BookAppointment", "asking": "name"}


@pytest.mark.parametrize(
    ("language", "text", "slot", "value"),
    [
        ("nl", "Wachter", "name", "Wachter"),
        ("nl", "Mo Menten", "name", "Mo Menten"),
        ("nl", "de tweede", "date", "2026-12-02"),
        ("nl", "om tien uur", "time", "10:00:00"),
        ("en", "Holden", "name", "Holden"),
        ("en", "Waite", "name", "Waite"),
        ("en", "second", "date", "2026-12-02"),  # an ordinal: English bare "second" is no filler
        ("en", "a second", "name", "a second"),  # nor "a second", "a minute": a duration could be asked
        ("en", "at ten", "time", "10:00:00"),
    ],
)
def test_words_near_the_filler_stay_answers(
    router: Router, language: str, text: str, slot: str, value: str
) -> None:
    """The filler templates ("wacht even een momentje", "hold on") must not take names, dates or times
    that sound like them: asked for a name, these are still the booking's answers."""
    match = router.parse(text, language, ASKING_NAME, now=MONDAY)
    assert match is not None and match.intent == "BookAppointment", text
    assert str(match.slots[slot].value) == value


@pytest.mark.parametrize(("language", "text"), [("nl", "ja"), ("nl", "oké"), ("en", "yes"), ("en", "sure")])
def test_an_opener_alone_is_still_a_yes(router: Router, language: str, text: str) -> None:
    """ "oké wacht even" waits, "oké" alone answers the question."""
    match = router.parse(text, language, ASKING_NAME, now=MONDAY)
    assert match is not None and match.intent == "Yes"
