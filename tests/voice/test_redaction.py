"""Personal data is redacted before it is stored: each kind, written and spoken, in Dutch and English,
what must survive (order numbers, dates, times, amounts), the config, and the dialog's commit."""

from __future__ import annotations

import datetime as dt
import json
import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner

from voice import Router, SlotValue, Turn, load_skill, redaction
from voice.cli import cli
from voice.config import Config, load_config
from voice.dialog import Dialog, QueueFileSink, waits
from voice.dialog.deadline import wait_for_turns
from voice.errors import ConfigError
from voice.redaction import Kind, RedactionSettings, Redactor, find_personal_data, redact_slots, redact_text
from voice.redaction_rules import is_bsn, is_iban, luhn
from voice.redaction_words import EMAIL_AT_WORDS, NUMBER_WORDS
from voice.store import Speaker, open_store

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

REDACTED = [
    # e-mail
    ("mijn e-mail is jan.devries@example.com", "mijn e-mail is [email]"),
    ("mail naar j.jansen@bakkerij-jansen.nl graag", "mail naar [email] graag"),
    ("jan punt de vries apenstaartje gmail punt com", "[email]"),
    ("you can email me at john dot smith at outlook dot co dot uk", "you can email me at [email]"),
    ("jan at example dot nl", "[email]"),
    ("my email is sarah at hotmail dot com", "my email is [email]"),
    ("send it to sarah at hotmail dot com please", "send it to [email] please"),
    ("ja, pieter at ziggo punt nl", "ja, [email]"),
    ("it is jan12 at gmail.com", "it is [email]"),
    # phone, Dutch and international, written and spoken
    ("bel me op 06-12345678", "bel me op [phone]"),
    ("mijn nummer is 020 123 4567", "mijn nummer is [phone]"),
    ("bereikbaar op +31 6 1234 5678 na vijven", "bereikbaar op [phone] na vijven"),
    ("of 0031 6 12345678", "of [phone]"),
    ("(010) 123 45 67 is mijn vaste nummer", "[phone] is mijn vaste nummer"),
    ("call me on +44 20 7946 0958", "call me on [phone]"),
    ("my number is +1 (555) 123-4567", "my number is [phone]"),
    ("mijn nummer is nul zes een twee drie vier vijf zes zeven acht", "mijn nummer is [phone]"),
    ("nul zes twaalf vierendertig zesenvijftig achtenzeventig", "[phone]"),
    ("plus drie een zes een twee drie vier vijf zes zeven acht", "[phone]"),
    ("it's oh six one two three four five six seven oh", "it's [phone]"),
    ("oh two oh double seven nine four six oh nine five", "[phone]"),
    # two phone numbers said without a pause, the second cut short: no digit of either stays (part of
    # them once read as a card and the rest was stored: "[card] 60 50 8")
    ("06 24 91 60 69 06 70 60 50 8", "[number]"),
    (
        "nul zes twee vier negen een zes nul zes negen nul zes zeven nul zes nul vijf nul acht",
        "[number]",
    ),
    ("oh six two four nine one six oh six nine oh six seven oh six oh five oh eight", "[number]"),
    ("bel 06 24 91 60 69 06 70 60 graag", "bel [number] graag"),
    ("mijn nummer is 06 1234 567", "mijn nummer is [phone]"),  # one digit short is a number said wrong
    # one digit too many goes whole with it: which digit is extra is unknown, and one left would be stored
    ("mijn nummer is nul zes een twee drie vier vijf zes zeven acht negen", "mijn nummer is [phone]"),
    ("my number is 06 1234 56789 thanks", "my number is [phone] thanks"),
    ("my number is oh six one two three four five six seven", "my number is [phone]"),
    ("bsn 111222333 06 12345678", "bsn [number]"),  # a BSN in a run is no BSN alone, but still goes
    # an order number before a phone number: the order stays where the words give a boundary
    ("ordernummer 12345678 en mijn nummer is 0612345678", "ordernummer 12345678 en mijn nummer is [phone]"),
    ("ordernummer 12345678 0612345678", "ordernummer 12345678 [phone]"),
    ("my order number is 1234567890 06-12345678", "my order number is 1234567890 [phone]"),
    ("order 1234 5678 06 12 34 56 78", "order 1234 5678 [phone]"),
    ("order 12345678 4111 1111 1111 1111", "order 12345678 [card]"),
    ("bestelling 7654321 +31 6 12345678", "bestelling 7654321 [phone]"),
    (
        "ordernummer een twee drie vier, nul zes een twee drie vier vijf zes zeven acht",
        "ordernummer een twee drie vier, [phone]",
    ),
    (
        "order one two three four, oh six one two three four five six seven eight",
        "order one two three four, [phone]",
    ),
    # digits said one by one give no boundary: when unsure, the order number goes too
    (
        "order number one two three four five six seven eight oh six one two three four five six seven eight",
        "order number [number]",
    ),
    ("bestelling 0612345678 0687654321", "bestelling [phone] [phone]"),  # called an order, but a phone's
    # IBAN (mod-97)
    ("mijn iban is NL91 ABNA 0417 1643 00", "mijn iban is [iban]"),
    ("refund to gb29nwbk60161331926819 please", "refund to [iban] please"),
    ("iban BE68 5390 0754 7034", "iban [iban]"),
    ("n l negen een a b n a nul vier een zeven een zes vier drie nul nul", "[iban]"),
    (  # a long run, but the letter after it is a word, no digit left of a number
        "refund to d e eight nine three seven zero four zero zero four four zero five three two zero one "
        "three zero zero zero, I ordered it",
        "refund to [iban], I ordered it",
    ),
    # BSN (11-proef)
    ("mijn bsn is 111222333", "mijn bsn is [bsn]"),
    ("burgerservicenummer 1234.56.782", "burgerservicenummer [bsn]"),
    ("mijn bsn is 111222333, 06 12345678 is mijn nummer", "mijn bsn is [bsn], [phone] is mijn nummer"),
    (
        "bsn een een een twee twee twee drie drie drie, nul zes een twee drie vier vijf zes zeven acht",
        "bsn [bsn], [phone]",
    ),
    (
        "my citizen service number is one two three four five six seven eight two",
        "my citizen service number is [bsn]",
    ),
    # card (Luhn)
    ("kaartnummer 4111 1111 1111 1111", "kaartnummer [card]"),
    ("I paid with card 3782-822463-10005", "I paid with card [card]"),
    ("five five oh oh oh oh oh oh oh oh oh oh oh oh oh four", "[card]"),
    # postcode + house number
    ("ik woon op 1234 AB 12", "ik woon op [address]"),
    ("postcode 1234AB, nummer 12", "postcode [address]"),
    ("bezorgen op 3511 ls 7a graag", "bezorgen op [address] graag"),
    ("I live at 1011 AB number 5", "I live at [address]"),
    ("twaalf vierendertig a b nummer twaalf", "[address]"),
    # a date said as a date of birth (a date was once only ever a date, kept)
    ("mijn geboortedatum is 12 maart 1985", "mijn geboortedatum is [birthdate]"),
    ("geboren op 3-4-1990", "geboren op [birthdate]"),
    ("ik ben geboren op twaalf maart negentienvijfentachtig", "ik ben geboren op [birthdate]"),
    ("ik ben op 12 maart 1985 geboren", "ik ben op [birthdate] geboren"),
    ("12-03-1985 is mijn geboortedatum", "[birthdate] is mijn geboortedatum"),
    ("geboren op de eerste mei negentien negentig", "geboren op [birthdate]"),
    ("mijn geboortedatum is vijf juli tweeduizend een", "mijn geboortedatum is [birthdate]"),
    ("geb. 12-03-1985, bel me op 0612345678", "geb. [birthdate], bel me op [phone]"),
    ("my date of birth is March 12th 1985", "my date of birth is [birthdate]"),
    ("born on 12/03/1985", "born on [birthdate]"),
    (
        "I was born in London on the twenty first of September nineteen eighty five",
        "I was born in London on [birthdate]",
    ),
    ("DOB: 1985-03-12", "DOB: [birthdate]"),
    ("my birthday is March 12th 1985", "my birthday is [birthdate]"),
    # a year of birth on its own, or with its month (a year was once only ever a year, kept)
    ("ik ben geboren in 1985", "ik ben geboren in [birthdate]"),
    ("geboren in negentien vijfentachtig", "geboren in [birthdate]"),
    ("ik ben in negentientachtig geboren", "ik ben in [birthdate] geboren"),
    ("geboren in Utrecht in maart 1985, bel 0612345678", "geboren in Utrecht in [birthdate], bel [phone]"),
    ("I was born in 1985", "I was born in [birthdate]"),
    ("born in nineteen eighty five in London", "born in [birthdate] in London"),
    ("I was born in March 1985", "I was born in [birthdate]"),
    # a year of birth and its day said apart: both are the date of birth (the day was once stored)
    ("geboren in 1985 op 12 maart", "geboren in [birthdate] op [birthdate]"),
    (
        "ik ben geboren in negentien vijfentachtig op twaalf maart",
        "ik ben geboren in [birthdate] op [birthdate]",
    ),
    ("ik ben op 12 maart in 1985 geboren", "ik ben op [birthdate] in [birthdate] geboren"),
    ("ik ben in 1985 geboren op 12 maart", "ik ben in [birthdate] geboren op [birthdate]"),
    ("born in 1985 on March 12th", "born in [birthdate] on [birthdate]"),
    ("I was born in 1985 on the twelfth of March", "I was born in [birthdate] on [birthdate]"),
    ("I was born on March 12th in 1985", "I was born on [birthdate] in [birthdate]"),
    # but a date said in another clause is another date: an appointment
    (
        "ik ben geboren in 1985 en wil op 12 maart komen",
        "ik ben geboren in [birthdate] en wil op 12 maart komen",
    ),
    ("geboren in 1985, op 12 maart kom ik langs", "geboren in [birthdate], op 12 maart kom ik langs"),
    ("born in 1985 and coming on March 12th", "born in [birthdate] and coming on March 12th"),
    # a phone number said partly in words and partly in figures is one number (it was two runs, neither
    # a phone number, and stored as said)
    ("nul zes 1234 5678", "[phone]"),
    ("mijn nummer is nul zes 12 34 56 78", "mijn nummer is [phone]"),
    ("06 twaalf vierendertig 56 78", "[phone]"),
    ("plus drie een 6 12345678", "[phone]"),
    ("zero six 1234 5678", "[phone]"),
    ("call me on oh six 1234 5678 please", "call me on [phone] please"),
    ("bestelling 5678 nul zes 1234 5678", "bestelling 5678 [phone]"),
    ("order 8769 006066 nul zes een een zes acht een acht vier vijf", "order 8769 006066 [phone]"),
    # a time, count or amount right after a phone number is no part of it (the phone number was once
    # "[phone] uur" with the hour in it, or "[number] uur")
    ("bel me op 0612345678 3 uur", "bel me op [phone] 3 uur"),
    ("bel me op 0612345678 om 3 uur", "bel me op [phone] om 3 uur"),
    ("bel me 0612345678 12 uur", "bel me [phone] 12 uur"),
    ("nul zes een twee drie vier vijf zes zeven acht drie uur", "[phone] drie uur"),
    ("call me on 0612345678 3 pm", "call me on [phone] 3 pm"),
    ("I called 0612345678 12 times", "I called [phone] 12 times"),
    ("bel 0612345678 twintig euro", "bel [phone] twintig euro"),
    # a short number said apart after a number that is personal data only without it
    ("mijn bsn is 111222333 12", "mijn bsn is [bsn] 12"),
    # but without a word that says what it is, a short number may be the rest of a number: it goes too
    ("bel 020 1234567 12", "bel [number]"),
    # a mobile number with two or three digits too many is one (it was stored as said), also after an
    # order number; and so is a mobile number with a short number after it
    ("mijn nummer is 06 1234567890", "mijn nummer is [phone]"),
    ("bel me op 061234567890 graag", "bel me op [phone] graag"),
    ("my number is 06-123456789 01 thanks", "my number is [phone] thanks"),
    ("mijn nummer is nul zes een twee drie vier vijf zes zeven acht negen nul", "mijn nummer is [phone]"),
    ("my number is oh six one two three four five six seven eight nine oh one", "my number is [phone]"),
    ("order 12345678 06 1234567890", "order 12345678 [phone]"),
    ("bestelling 1234, 06 1234567890", "bestelling 1234, [phone]"),
    ("bel 0612345678 12", "bel [phone]"),
]

KEPT = [
    "bestelling 1234 is nog niet binnen",
    "order 5678 arrived broken",
    "mijn ordernummer is 12345678",
    "order number 7654321 please",
    "bestelling 123456782 is kwijt",  # passes the 11-proef, but the caller named an order
    "bestelling een twee drie vier vijf zes",
    "order one two three four five six seven",
    "ik heb op 12-03-2026 besteld",
    "delivered on 2026-03-12",
    "op 3 december om half drie",
    "on the 3rd of December at ten thirty",
    "om 10:30 of 14.15 uur",
    "at 9:45 am",
    "dat kost 49,95 euro",
    "it was € 12.50",
    "er is € 1.250,00 afgeschreven",
    "you charged me £30.99",
    "ik heb 1234 euro betaald",
    "order 1234 is at the door",  # four digits and "is": no postcode
    "kaart 4111 1111 1111 1112",  # fails the Luhn check
    "bsn 123456789",  # fails the 11-proef
    "iban NL91ABNA0417164301",  # fails mod-97
    "bel 0900 1234",  # a service number is no caller's
    # long numbers are a phone number's with digits too many only when they start with 06
    "bestelling 123456789012 is kwijt",
    "order 0123456789012 arrived broken",
    "de streepjescode is 036000291452",
    "ik heet Jan",
    # dates that are no birth date: appointments, and a birthday without a year before this one
    "morgen om drie uur",
    "ik wil op 12 maart om tien uur een afspraak maken",
    "can I book a table for my birthday on March 12th",
    "mijn verjaardag is 12 maart, kan ik dan komen",
    "ik ben geboren en wil op 12 maart komen",
    "mijn zoon is geboren, kan ik op 12 maart om tien uur komen",
    "geboren in Utrecht. Kan ik op 12 maart komen",
    "op 12 maart, ik ben geboren",
    "I was born in Borneo",
    # a year is a year of birth only next to a word that says so, and never a year still to come
    "het bedrijf is in 1985 opgericht",
    "order 1985 is kwijt",
    "ik ben geboren en bestelling 1985 is kwijt",
    "the company was founded in 1985",
    "order 1985 arrived broken",
    "my birthday party is in 2099",
    "ik ben jarig in 2099",
    # a number said in words next to one in figures joins it only as a number would
    "bestelling 5678",
    "ik heb 12345678 twee keer gebeld",
    "twintig euro",
    "1234 a b 12",
    # a unit after four digits is no postcode without a house number (the units were once shadowed by
    # the words that make a number a count, and "1234 KG" was an address)
    "het pakket weegt 1234 KG",
    "the upgrade adds 2048 MB",
    # a web address after "at" in a sentence is no e-mail address
    "I ordered it at bol.com last week",
    "the price at example.com was lower",
    "chat with us at www.example.com/chat.",
    "I bought it at bol dot com",
    "ik heb het bij bol.com besteld",
    "de prijs was lager bij bol punt com",
    "",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED, ids=[t[:40] for t, _ in REDACTED])
def test_personal_data_is_replaced_by_its_placeholder(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", KEPT, ids=[t[:40] or "empty" for t in KEPT])
def test_order_numbers_dates_times_amounts_and_web_addresses_survive(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (
            is_iban,
            ["NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00", "BE68539007547034"],
            ["NL91ABNA0417164301", "NL91ABNA041716430"],
        ),
        (is_bsn, ["111222333", "123456782"], ["123456789", "000000000", "11122233"]),
        (luhn, ["4111111111111111", "378282246310005", "5500000000000004"], ["4111111111111112"]),
    ],
    ids=["iban mod-97", "bsn 11-proef", "card luhn"],
)
def test_check_digits(check: object, good: list[str], bad: list[str]) -> None:
    assert callable(check)
    assert all(check(value) for value in good)
    assert not any(check(value) for value in bad)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_birthday_is_a_birth_date_only_with_a_year_before_this_one(language: str) -> None:
    """ "birthday" and "verjaardag" announce bookings as often as birth dates: this year's or next
    year's date stays, one said with an earlier year goes."""
    said = {"nl": "mijn verjaardag is {}", "en": "my birthday is {}"}[language]
    date = {"nl": "12 maart {}", "en": "March 12th {}"}[language]
    year = dt.date.today().year
    for kept in (year, year + 1):
        assert redact_text(said.format(date.format(kept))) == said.format(date.format(kept))
    assert redact_text(said.format(date.format(year - 30))) == said.format("[birthdate]")


def test_only_the_configured_kinds_are_redacted() -> None:
    settings = RedactionSettings.from_config({"redact": ["email"]})
    assert redact_text("jan@example.com, 06-12345678", settings) == "[email], 06-12345678"
    off = RedactionSettings.from_config({"redact": False})
    assert redact_text("jan@example.com", off) == "jan@example.com"
    assert RedactionSettings.from_config({}).kinds == frozenset(Kind)
    births = RedactionSettings.from_config({"redact": ["birthdate"]})
    said = "geboren op 12-03-1985, bel 06-12345678"
    assert redact_text(said, births) == "geboren op [birthdate], bel 06-12345678"


def test_texts_are_remembered_by_digest_only_and_per_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redaction, "_clean", {})
    monkeypatch.setattr(redaction, "KNOWN_CLEAN", 3)
    email_only = RedactionSettings.from_config({"redact": ["email"]})
    for _ in range(2):  # the second time from memory where a text was clean
        assert redact_text("bel 06-12345678", email_only) == "bel 06-12345678"
        assert redact_text("bel 06-12345678") == "bel [phone]"
        assert redact_text("mail jan@example.com") == "mail [email]"
        assert redact_text("we are open until five") == "we are open until five"
    assert len(redaction._clean) == 2  # the clean texts for their kinds; never one with personal data
    kept = repr(redaction._clean)
    assert not any(word in kept for word in ("06-1234", "jan@", "open until")), "no words are kept"
    for n in range(5):
        redact_text(f"text {n}")
    assert len(redaction._clean) <= 3


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"redcat": True}, "unknown setting 'redcat' in \\[privacy\\]"),
        ({"redact": ["mail"]}, "redact must be true, false or a list of email, phone"),
        ({"redact": "email"}, "redact must be true, false or a list"),
    ],
)
def test_bad_privacy_settings_are_one_sentence(
    tmp_path: Path, table: dict[str, object], message: str
) -> None:
    path = tmp_path / "voice.toml"
    path.write_text(f"[privacy]\n{next(iter(table))} = {json.dumps(next(iter(table.values())))}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_the_config_carries_the_privacy_table() -> None:
    config = Config.from_dict({"privacy": {"redact": ["phone", "iban"]}})
    assert config.privacy.kinds == {Kind.PHONE, Kind.IBAN}
    assert Config().privacy.kinds == frozenset(Kind)


def test_sensitive_slots_are_stored_as_their_name_and_others_are_redacted() -> None:
    slots = {"name": "Jan de Vries", "question": "mail jan@example.com", "count": 3, "items": ["06-12345678"]}
    assert redact_slots(slots, {"name"}) == {
        "name": "[name]",
        "question": "mail [email]",
        "count": 3,
        "items": ["[phone]"],
    }


def test_a_sensitive_slot_is_taken_out_of_what_either_side_said() -> None:
    hide = Redactor().for_turn({"name": SlotValue(text="jan de vries", value="jan de vries")}, {"name"})
    assert hide.text("Heb ik uw naam goed verstaan: Jan de Vries?") == "Heb ik uw naam goed verstaan: [name]?"
    assert hide.text("mijn naam is jan  de vries, 06-12345678") == "mijn naam is [name], [phone]"


@pytest.mark.parametrize(
    ("slot", "said", "stored"),
    [
        ("Zoë de Vries", "Zoë eh de Vries", "[name]"),
        ("Zoë de Vries met trema", "Zoë de Vries, met trema", "[name]"),
        ("De Vries Zoë", "De Vries, Zoë.", "[name]."),
        ("Mary O'Brien", "it's uh Mary uh O'Brien", "it's uh [name]"),
    ],
)
def test_a_sensitive_slot_is_found_with_the_commas_and_hesitations_the_caller_said(
    slot: str, said: str, stored: str
) -> None:
    """The router reads the words without punctuation and "eh"; the log keeps what was said."""
    hide = Redactor().for_turn({"name": SlotValue(text=slot, value=slot)}, {"name"})
    assert hide.text(said) == stored


def test_the_skill_marks_the_name_of_a_booking_sensitive() -> None:
    skill = load_skill("customer_service")
    assert skill.sensitive_slots("BookAppointment") == {"name"}
    assert skill.sensitive_slots("OrderStatus") == frozenset()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_what_the_dialog_stores_is_redacted(tmp_path: Path, language: str) -> None:
    """A real SQLite file: the log, the history and the handoff record hold no planted e-mail,
    phone number or name; the file itself holds no e-mail or phone number. The assistant's contact
    answer keeps its chat address ("chat with us at www.example.com/chat" was once an e-mail)."""
    said = {
        "nl": [
            "hoe kan ik jullie bereiken",
            "mijn e-mail is jan.devries@example.com en bel me op 06-12345678",
            "ik wil een afspraak maken",
            "morgen om tien uur",
            "jan de vries",
            "klopt",
            "mijn nummer is nul zes een twee drie vier vijf zes zeven acht",
            "ik wil een medewerker spreken",
        ],
        "en": [
            "how can i contact you",
            "my email is jan.devries@example.com, call me on 06-12345678",
            "I'd like to book an appointment",
            "tomorrow at 10 am",
            "jan de vries",
            "yes",
            "my number is oh six one two three four five six seven eight",
            "I want to speak to a person",
        ],
    }[language]
    database, queue = tmp_path / "sessions.db", tmp_path / "handoff.jsonl"
    with open_store(f"sqlite:///{database}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store, sink=QueueFileSink(queue))
        for text in said:
            dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=NOW))
        assert dialog.sender is not None and dialog.sender.drain()
        dialog.close()
        log = store.read_log(session_id="s1")
        session = store.load("s1")
        assert session is not None
        stored = json.dumps([[e.text for e in log], [(t.text, t.slots) for t in session.history]])
    handoff = queue.read_text()
    for secret in (
        "jan.devries@example.com",
        "12345678",
        "1234 5678",
        "twee drie vier",
        "three four",
        "Vries",
    ):
        assert secret.lower() not in stored.lower(), secret
        assert secret.lower() not in handoff.lower(), secret
    assert "[email]" in stored and "[phone]" in stored and "[name]" in stored and "[phone]" in handoff
    assert "www.example.com/chat" in stored, "the assistant's own chat address is no e-mail address"
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("sessions.db*"))
    assert b"jan.devries@example.com" not in raw and b"12345678" not in raw


REGISTER_CODE = """
from voice import Reply, Skill, Slot, Turn
skill = Skill("register", __file__)
skill.flow("Register", slots=[Slot("{slot}", prompt="AskDate"), Slot("city", prompt="AskCity")])


@skill.intent("Register")
def register(turn: Turn) -> Reply:
    return skill.reply(turn, "Registered")
"""
REGISTER = {
    "nl": ("ik wil me inschrijven", "Wat is uw geboortedatum?", "Waar woont u?", "{slot}", "stad"),
    "en": ("I want to register", "What is your date of birth?", "Where do you live?", "{slot}", "town"),
}


def _register_skill(root: Path, slot: str, *, sensitive: bool = False) -> Path:
    """A skill whose flow asks for a date (``slot``, of the ``date`` type, marked ``sensitive`` or not)
    and then a place."""
    folder = root / "register"
    folder.mkdir(parents=True)
    code = REGISTER_CODE.replace("{slot}", slot)
    if sensitive:
        code = code.replace('prompt="AskDate"', 'prompt="AskDate", sensitive=True')
    (folder / "__init__.py").write_text(code)
    for language, (start, ask_date, ask_city, _, city) in REGISTER.items():
        (folder / "locales" / language).mkdir(parents=True)
        (folder / "locales" / language / "intents.yaml").write_text(
            f"language: {language}\nintents:\n  Register:\n    data:\n"
            f"      - sentences: ['{start}']\n"
            f"      - requires_context: {{dialog: Register}}\n"
            f"        sentences: ['{{date:{slot}}}', '{{{city}:city}}']\n"
            f"lists:\n  {city}: {{values: [utrecht, leeds]}}\n"
        )
        (folder / "locales" / language / "responses.yaml").write_text(
            f"responses:\n  AskDate: '{ask_date}'\n  AskCity: '{ask_city}'\n  Registered: 'OK.'\n"
        )
    return folder


def _stored_answers(root: Path, slot: str, language: str, answer: str) -> str:
    """What the log and history hold after the caller answers a flow's question for ``slot``."""
    skill = load_skill(_register_skill(root, slot))
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([skill]), store)
        for text in (REGISTER[language][0], answer, "utrecht"):
            dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=NOW))
        session = store.load("s1")
        assert session is not None
        log = [e.text for e in store.read_log(session_id="s1")]
        return json.dumps([log, [(t.text, t.slots) for t in session.history]])


BIRTH_ANSWERS = {
    "nl": ["twaalf maart negentientachtig", "12-03-1980", "op 12 maart 1980"],
    "en": ["the twelfth of March nineteen eighty", "12-03-1980", "March 12th 1980"],
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_date_said_to_the_question_for_a_date_of_birth_is_redacted(tmp_path: Path, language: str) -> None:
    """The answer to "Wat is uw geboortedatum?" says no "geboren": the dialog knows the slot it asked
    for, a date named like a date of birth, so every date in the answer goes (it was once stored as
    said, unless the skill marked the slot sensitive)."""
    for n, answer in enumerate(BIRTH_ANSWERS[language]):
        slot = ("geboortedatum", "date_of_birth", "dob")[n]
        stored = _stored_answers(tmp_path / str(n), slot, language, answer)
        assert "1980" not in stored and "tachtig" not in stored and "eighty" not in stored, stored
        assert f"[{slot}]" in stored or "[birthdate]" in stored, stored
    booking = _stored_answers(tmp_path / "booking", "datum", language, BIRTH_ANSWERS[language][1])
    assert "12-03-1980" in booking, "a date asked for under another name is no date of birth"


UNREAD_ANSWERS = {
    "nl": "de dertigste van de dertiende, Piet Jansen",
    "en": "the thirtieth of the thirteenth, Pete Johnson",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_answer_to_a_sensitive_slots_question_that_fills_no_slot_is_redacted(
    tmp_path: Path, language: str
) -> None:
    """A date of birth asked as ``datum``, marked sensitive: an answer the date parser cannot read
    filled no slot and was stored as said. Now it is stored as ``[datum]``; every turn is still
    stored (two rows each), the question asked again as said, and the answers after it too."""
    skill = load_skill(_register_skill(tmp_path, "datum", sensitive=True))
    said = [REGISTER[language][0], UNREAD_ANSWERS[language], "12-03-1980", "utrecht"]
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([skill]), store)
        replies = [
            dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=NOW)).text
            for text in said
        ]
        log = [e.text for e in store.read_log(session_id="s1")]
        session = store.load("s1")
    assert session is not None
    assert replies[-1] == "OK.", "the flow went on to its end"
    history = [t.text for t in session.history]
    assert (
        log
        == history
        == [said[0], replies[0], "[datum]", replies[1], "[datum]", replies[2], "utrecht", "OK."]
    )
    assert REGISTER[language][1] in replies[1], "the question was asked again"


CORRECTED_NAMES = {
    "nl": [
        "ik wil een afspraak maken",
        "morgen om tien uur",
        "jan de vries",
        "nee, het is piet de vries",
        "klopt",
    ],
    "en": [
        "I'd like to book an appointment",
        "tomorrow at 10 am",
        "jan de vries",
        "no, pete de vries",
        "yes",
    ],
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_correction_said_to_the_check_of_a_sensitive_slot_is_redacted(language: str) -> None:
    """ "Heb ik uw naam goed verstaan: Jan de Vries?" "Nee, het is Piet de Vries": the correction was
    stored as said. It now fills the name (a "no" with a value at a slot's check), so the name is
    redacted as the slot's value and the "nee" stays; "klopt", a template's own words, stays, and every
    turn is stored."""
    said = CORRECTED_NAMES[language]
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        for text in said:
            dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=NOW))
        callers = [e.text for e in store.read_log(session_id="s1") if e.speaker.value == "user"]
        assert len(store.read_log(session_id="s1")) == 2 * len(said)
    no = {"nl": "nee", "en": "no"}[language]
    assert callers == [*said[:2], "[name]", f"{no}, [name]", said[-1]]
    assert not any("vries" in text for text in callers)


BOOKED_UNTIL_THE_CHECK = {
    "nl": ["ik wil een afspraak maken", "morgen om tien uur", "Piet de Boer", "ja", "over een retour"],
    "en": ["I'd like to book an appointment", "tomorrow at 10 am", "Piet de Boer", "yes", "about a return"],
}
NAMES_NOT_UNDERSTOOD = [
    # the booking's check reads the name back: a correction no template reads went to the review list
    ("nl", [*BOOKED_UNTIL_THE_CHECK["nl"], "nee, het moet Klaas de Boer zijn"]),
    ("en", [*BOOKED_UNTIL_THE_CHECK["en"], "no, it should be Klaas de Boer"]),
    # a request for a person is read from the end of the sentence: the words before it were kept
    ("nl", [*BOOKED_UNTIL_THE_CHECK["nl"][:3], "Klaas de Boer, ik wil een mens spreken"]),
]


@pytest.mark.parametrize(
    ("language", "said"), NAMES_NOT_UNDERSTOOD, ids=["nl-booking-check", "en-booking-check", "nl-person"]
)
def test_a_name_said_where_the_flow_asks_about_the_name_is_stored_nowhere(
    language: str, said: list[str], tmp_path: Path
) -> None:
    """ "Dus een afspraak ... voor Piet de Boer. Zal ik hem boeken?" "Nee, het moet Klaas de Boer zijn": no
    template read it, so it was stored as said, and the review list showed it to every dashboard user
    until the caller's data was forgotten. Words a template did not read in full while the flow asks
    about a sensitive slot (its question, the check of its value, the check of the whole booking that
    reads it back) are now stored as the slot's placeholder."""
    database = tmp_path / "sessions.db"
    with open_store(f"sqlite:///{database}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        for text in said:
            now = dt.datetime.now(dt.UTC)  # the review list shows the last days
            dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=now))
        dialog.close()
        callers = [e.text for e in store.read_log(session_id="s1") if e.speaker is Speaker.USER]
    assert callers == [*said[:2], "[name]", *said[3:-1], "[name]"]
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("sessions.db*"))
    assert b"Klaas" not in raw, "no table holds the name the caller said (the log, the signals, ...)"
    config = tmp_path / "voice.toml"
    config.write_text(f'store = "sqlite:///{database}"\n', encoding="utf-8")
    listed = CliRunner().invoke(cli, ["review", "list", "--config", str(config)])
    assert listed.exit_code == 0 and "Klaas" not in listed.output, listed.output


HANDED_OVER_AT_THE_CHECK = {
    "nl": [*BOOKED_UNTIL_THE_CHECK["nl"][:3], "ik wil een medewerker spreken"],
    "en": [*BOOKED_UNTIL_THE_CHECK["en"][:3], "I want to speak to a person"],
}
SAID_WHILE_WAITING = {
    "nl": ["nee, Daan", "Daan de Boer", "bel me op 06-12345678"],
    "en": ["no, Daan", "Daan de Boer", "call me on 06-12345678"],
}


def _handed_over(dialog: Dialog, language: str, *, minutes: int = 0) -> None:
    """The booking reaches the check of the name ("Piet de Boer"), and the caller asks for a person."""
    for n, text in enumerate(HANDED_OVER_AT_THE_CHECK[language]):
        when = NOW + dt.timedelta(minutes=minutes, seconds=n)
        dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=when))


def _stored_bytes(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in folder.glob("sessions.db*"))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_what_the_caller_says_on_the_line_after_a_handoff_is_stored_as_the_name(
    tmp_path: Path, language: str
) -> None:
    """ "Heb ik uw naam goed verstaan: Piet de Boer?" "Ik wil een medewerker spreken": the handoff ends
    the session, and the gateway keeps the caller on the line (``Turn.handed_over``). "Nee, Daan" was
    stored as said: the flow that would have made it ``[name]`` went with the session. Every such turn
    is now stored whole as ``[name]`` in the log and the history; every turn is still stored."""
    database = tmp_path / "sessions.db"
    said = SAID_WHILE_WAITING[language]
    with open_store(f"sqlite:///{database}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        _handed_over(dialog, language)
        for n, text in enumerate(said):
            turn = Turn(text=text, locale=language, session_id="s1", user_id="u1", handed_over=True)
            dialog.respond(replace(turn, time=NOW + dt.timedelta(minutes=1, seconds=n)))
        dialog.close()
        log = store.read_log(session_id="s1")
        session = store.load("s1")
    assert session is not None and session.ended and session.dialog.flow is None
    callers = [e.text for e in log if e.speaker is Speaker.USER]
    assert len(log) == 2 * (4 + len(said))
    assert callers[4:] == ["[name]"] * len(said)
    assert [t.text for t in session.history if t.speaker is Speaker.USER][4:] == callers[4:]
    assert b"Daan" not in _stored_bytes(tmp_path) and b"12345678" not in _stored_bytes(tmp_path)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_name_a_platform_matched_after_a_handoff_is_stored_nowhere(tmp_path: Path, language: str) -> None:
    """A Dialogflow agent that matched the caller's words after the handoff sends its intent and slots
    ("nee, Daan Jansen": ``BookAppointment``, name "Daan Jansen"). The slot was taken to fill the name,
    so the words were stored as said, and the slot's value with them: the dialog answers no turn after a
    handoff, so the turn had no skill whose sensitive slots to redact. Its words are now ``[name]`` and so
    is its slot, in the log, the history and every table."""
    said = {"nl": "nee, Daan Jansen", "en": "no, Daan Jansen"}[language]
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        _handed_over(dialog, language)
        name = {"name": SlotValue(text="Daan Jansen", value="Daan Jansen")}
        turn = Turn(text=said, locale=language, session_id="s1", user_id="u1", handed_over=True)
        matched = replace(turn, intent="BookAppointment", slots=name, channel="dialogflow")
        dialog.respond(replace(matched, time=NOW + dt.timedelta(minutes=1)))
        dialog.close()
        log = store.read_log(session_id="s1")
        session = store.load("s1")
    assert session is not None and len(log) == 2 * 5
    assert [e.text for e in log if e.speaker is Speaker.USER][4:] == ["[name]"]
    waited = [t for t in session.history if t.speaker is Speaker.USER][4]
    assert (waited.text, waited.intent, waited.slots) == ("[name]", "BookAppointment", {"name": "[name]"})
    assert b"Daan" not in _stored_bytes(tmp_path)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_sensitive_slot_a_platform_matched_after_a_handoff_without_one_is_redacted(
    tmp_path: Path, language: str
) -> None:
    """A handoff asked for at once withholds no slot; the platform then matches a booking with a name.
    The dialog did not match the intent, so it knew no skill to mark the name sensitive, and stored it:
    the skills that declare the intent now say which of its slots are."""
    asked = {"nl": "ik wil een medewerker spreken", "en": "I want to speak to a person"}[language]
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        dialog.respond(Turn(text=asked, locale=language, session_id="s1", user_id="u1", time=NOW))
        name = {"name": SlotValue(text="Daan Jansen", value="Daan Jansen")}
        turn = Turn(text="Daan Jansen", locale=language, session_id="s1", user_id="u1", handed_over=True)
        dialog.respond(
            replace(turn, intent="BookAppointment", slots=name, time=NOW + dt.timedelta(minutes=1))
        )
        dialog.close()
        session = store.load("s1")
    assert session is not None
    waited = [t for t in session.history if t.speaker is Speaker.USER][-1]
    assert (waited.text, waited.slots) == ("[name]", {"name": "[name]"})
    assert b"Daan" not in _stored_bytes(tmp_path)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_after_a_handoff_with_no_sensitive_slot_the_words_are_redacted_as_any_turn(
    tmp_path: Path, language: str
) -> None:
    """A handoff asked for at once: no slot holds a name, so the words said while waiting are stored as
    any turn's: their phone number redacted, the rest as said (no more redacted than a normal turn)."""
    asked, waiting = {
        "nl": ("ik wil een medewerker spreken", "hallo? bel me op 06-12345678"),
        "en": ("I want to speak to a person", "hello? call me on 06-12345678"),
    }[language]
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        for text, handed_over in ((asked, False), (waiting, True)):
            turn = Turn(text=text, locale=language, session_id="s1", user_id="u1", handed_over=handed_over)
            dialog.respond(replace(turn, time=NOW))
        dialog.close()
        callers = [e.text for e in store.read_log(session_id="s1") if e.speaker is Speaker.USER]
    assert callers == [asked, waiting.replace("06-12345678", "[phone]")]


def test_a_turn_after_a_handoff_that_waited_for_its_session_in_vain_is_stored_as_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same words, said after the handoff while another host held the session: the turn is stored
    once the session is free (``Dialog._store_missed``, which reads the words to store what they
    meant), and as ``[name]`` too; a hang-up with words, stored the same way, too."""
    monkeypatch.setattr(waits, "TURN_WAIT_S", 0.3)
    with open_store(f"sqlite:///{tmp_path / 'sessions.db'}") as store:
        dialog = Dialog(Router([load_skill("customer_service")]), store)
        _handed_over(dialog, "nl")
        for n, hung_up in enumerate((False, True)):
            text = ("nee, Daan", "Daan de Boer")[n]
            turn = Turn(text=text, locale="nl", session_id="s1", handed_over=True, hung_up=hung_up)
            with store.lock_session("s1", timeout=10):
                dialog.respond(replace(turn, time=NOW + dt.timedelta(minutes=1, seconds=n)))
                assert wait_for_turns(10)
            assert dialog.missed.wait(10)
        dialog.close()
        log = store.read_log(session_id="s1")
    assert len(log) == 2 * 6
    assert [e.text for e in log if e.speaker is Speaker.USER][4:] == ["[name]", "[name]"]
    assert b"Daan" not in _stored_bytes(tmp_path)


AT_THE_CHECKS = {
    "nl": (
        [*BOOKED_UNTIL_THE_CHECK["nl"][:3], "nee, om elf uur"],
        [*BOOKED_UNTIL_THE_CHECK["nl"], "eh, nee, liever om elf uur"],
    ),
    "en": (
        [*BOOKED_UNTIL_THE_CHECK["en"][:3], "no, at 11 am"],
        [*BOOKED_UNTIL_THE_CHECK["en"], "uh no, make it 11 am"],
    ),
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_answer_to_a_check_of_the_name_that_changes_another_slot_keeps_its_words(language: str) -> None:
    """ "Heb ik uw naam goed verstaan: Piet de Boer?" "Nee, om elf uur" changes the time, yet was stored
    whole as [name]. Words a template read in full, filling no slot that takes any words, hold no name:
    they stay, at the check of the name and at the check of the booking that reads it back."""
    for said in AT_THE_CHECKS[language]:
        with open_store("sqlite://:memory:") as store:
            dialog = Dialog(Router([load_skill("customer_service")]), store)
            replies = [
                dialog.respond(Turn(text=text, locale=language, session_id="s1", user_id="u1", time=NOW)).text
                for text in said
            ]
            session = store.load("s1")
            callers = [e.text for e in store.read_log(session_id="s1") if e.speaker is Speaker.USER]
        assert session is not None and session.dialog.flow is not None
        assert session.dialog.flow.slots["time"].value == dt.time(11, 0), replies[-1]
        assert callers == [*said[:2], "[name]", *said[3:]]


def test_the_skill_names_its_birth_date_slots_by_type_and_name(tmp_path: Path) -> None:
    assert load_skill(_register_skill(tmp_path, "birth_date")).birth_date_slots("Register") == {"birth_date"}
    assert load_skill(_register_skill(tmp_path / "x", "datum")).birth_date_slots("Register") == frozenset()


def test_an_answer_to_a_birth_date_question_keeps_its_date_when_birthdates_are_not_redacted() -> None:
    phones = Redactor(RedactionSettings.from_config({"redact": ["phone"]}))
    assert phones.for_turn({}, (), birth_date_asked=True).text("12-03-1980") == "12-03-1980"
    assert Redactor().for_turn({}, (), birth_date_asked=True).text("12-03-1980, ja") == "[birthdate], ja"
    assert Redactor().for_turn({}, ()).text("12-03-1980") == "12-03-1980"


@pytest.mark.parametrize("said", EMAIL_AT_WORDS)
def test_every_way_of_saying_at_is_redacted(said: str) -> None:
    """The quick check before the search knows every word the e-mail pattern knows (it once did not)."""
    assert redact_text(f"mijn mail is jan {said} gmail punt com") == "mijn mail is [email]"


def _seconds(text: str) -> float:
    """The best of three searches of ``text`` (the search itself: ``redact_text`` remembers clean texts)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        find_personal_data(text)
        best = min(best, time.perf_counter() - started)
    return best


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fails the code inside once ``seconds`` pass, so a runaway search fails the test, not the run."""

    def stop(signum: int, frame: FrameType | None) -> None:
        pytest.fail(f"took more than {seconds:.2f} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("word", ["one", "a", "1"])
def test_a_long_run_of_number_words_costs_in_proportion_to_its_length(word: str) -> None:
    """3,000 number-like words (a 12 KB request) cost about ten times what 300 do. Every stretch of a
    run was once tried, the longest first, so 3,000 took many minutes; now only stretches as long as a
    number can be. The bound is relative (ten times the words, ten times the slack), for busy machines."""
    bound = 100 * _seconds(" ".join([word] * 300))
    with _deadline(bound):
        assert find_personal_data(" ".join([word] * 3000)) == []


LONG_TEXTS = {
    "a name read many ways": "order 1234, x " + "dot " * 3000,
    "a chain of names": "order 1234, " + "a dot " * 2000,
    "digits": "1" * 12_000,
    "a name with no @": "order 1234, " + "a" * 12_000,
    "dates of birth": "geboren op twaalf maart negentien vijfentachtig, " * 240,
}


@pytest.mark.parametrize("text", LONG_TEXTS.values(), ids=list(LONG_TEXTS))
def test_a_12_kb_text_costs_less_than_ten_times_300_number_words(text: str) -> None:
    """The expressions for e-mail addresses and amounts once read "x dot dot ..." every way it can be
    read (eighty words took for ever), or started again at every word or digit of a long one (seconds
    for 12 KB); now each costs milliseconds."""
    with _deadline(10 * _seconds(" ".join(["one"] * 300))):
        find_personal_data(text)


DUTCH_DIGITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]


def _mobile_as_said(rng: random.Random) -> str:
    """A Dutch mobile number the way a caller types it or a recognizer writes it."""
    number = "06" + "".join(rng.choice("0123456789") for _ in range(8))
    return rng.choice(
        [
            " ".join(number[k : k + 2] for k in range(0, 10, 2)),  # 06 24 91 60 69
            f"{number[:2]} {number[2:6]} {number[6:]}",
            f"{number[:2]}-{number[2:]}",
            number,
            " ".join(DUTCH_DIGITS[int(d)] for d in number),
        ]
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_two_phone_numbers_with_a_comma_between_are_both_redacted_whole(language: str) -> None:
    """The longest stretch once ran on past the comma into the second number: a quarter of the pairs
    written in pairs of digits passed the Luhn check as a card, the rest of the second number left
    in the clear (58 of these 500)."""
    said = {"en": "my number is {}, {} is my husband", "nl": "mijn nummer is {}, {} is van mijn man"}[
        language
    ]
    rng = random.Random(2026)
    for _ in range(500):
        text = said.format(_mobile_as_said(rng), _mobile_as_said(rng))
        assert redact_text(text) == said.format("[phone]", "[phone]"), text


def test_a_card_number_in_groups_is_still_one_card_next_to_a_phone_number() -> None:
    assert redact_text("kaart 4111 1111 1111 1111, bel 06 12 34 56 78") == "kaart [card], bel [phone]"
    assert redact_text("4111 1111 1111 1111, 06 12 34 56 78") == "[card], [phone]"


@pytest.mark.parametrize("language", ["en", "nl"])
def test_two_phone_numbers_said_one_after_the_other_are_both_redacted_whole(language: str) -> None:
    """Without a comma the longest stretch once read part of both numbers as a card and stored the
    rest of the second ("06 24 91 60 69 06 70 60 50 81" gave "[card] 60 50 81"); a run longer than
    any number is now split into numbers, so no digit of either survives."""
    said = {"en": "my numbers are {} {} thanks", "nl": "mijn nummers zijn {} {} dank u"}[language]
    rng = random.Random(2027)
    for _ in range(300):
        text = said.format(_mobile_as_said(rng), _mobile_as_said(rng))
        redacted = redact_text(text)
        assert redacted == said.format("[phone]", "[phone]"), (text, redacted)


def test_a_long_run_that_splits_into_no_numbers_is_redacted_whole() -> None:
    """A phone number with more digits after it holds no split into numbers: the whole run goes, not
    only the part that passed a check."""
    assert redact_text("bel 06 24 91 60 69 06 70 60 50 81 77 12 graag") == "bel [number] graag"
    assert redact_text("ik heb 2 06 12345678") == "ik heb 2 [phone]", "a short run keeps its other numbers"
    only_phones = RedactionSettings.from_config({"redact": ["phone"]})
    assert redact_text("06 24 91 60 69 06 70 60 50 81 77 12", only_phones) == "[number]"
    only_email = RedactionSettings.from_config({"redact": ["email"]})
    assert redact_text("06 24 91 60 69 06 70 60 50 81 77", only_email) == "06 24 91 60 69 06 70 60 50 81 77"


def test_the_shipped_skills_conversations_are_stored_as_said() -> None:
    """What callers and the assistant say in the customer-service skill's conversations (order
    numbers, dates, times, amounts) holds no personal data: redacting a run whole takes none of it."""
    texts = []
    for path in sorted(load_skill("customer_service").root.glob("tests/*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            key, _, value = line.strip().removeprefix("- ").partition(": ")
            if key in ("user", "reply"):
                texts.append(value)
    assert len(texts) > 100
    assert [t for t in texts if redact_text(t) != t] == []


FORMS = 6
DUTCH_PAIRS = {
    f"{n}": word
    for word, n in NUMBER_WORDS.items()
    if (word.endswith(("tig", "tien")) or word in ("elf", "twaalf")) and "ën" not in word
}
ENGLISH_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _said(number: str, rng: random.Random, form: int) -> str:
    """A number (digits, perhaps a leading "+") as a caller types it or a recognizer writes it: in
    groups of two, of two and four, written whole, said digit by digit in Dutch or English, or in
    pairs in Dutch."""
    if form == 0:
        return " ".join(number[k : k + 2] for k in range(0, len(number), 2))
    if form == 1:
        return f"{number[:2]} {number[2:6]} {number[6:]}".strip()
    if form == 2:
        return number
    if form == 3:
        return " ".join("plus" if d == "+" else DUTCH_DIGITS[int(d)] for d in number)
    if form == 4:  # in pairs: "nul zes twaalf vierendertig ..."
        plus, digits = ("plus ", number[1:]) if number.startswith("+") else ("", number)
        pairs = [digits[k : k + 2] for k in range(0, len(digits), 2)]
        return plus + " ".join(DUTCH_PAIRS.get(p) or " ".join(DUTCH_DIGITS[int(d)] for d in p) for p in pairs)
    words = ["plus" if d == "+" else ENGLISH_DIGITS[int(d)] for d in number]
    return " ".join("oh" if w == "zero" and rng.random() < 0.5 else w for w in words)


def _mobile(rng: random.Random, short: int = 0) -> str:
    """A Dutch mobile number, 06, +316 or 00316, ``short`` digits cut off its end."""
    number = rng.choice(["06", "06", "+316", "00316"]) + "".join(rng.choice("0123456789") for _ in range(8))
    return number[: len(number) - short]


NUMBER_SAID = frozenset([*NUMBER_WORDS, "oh", "plus"])


def _left_of_numbers(stored: str, kept: str = "") -> list[str]:
    """The digits and number words of ``stored`` but those of ``kept`` (an order number)."""
    words = stored.replace(kept, " ").replace(",", " ").split() if kept else stored.split()
    return [w for w in words if w in NUMBER_SAID or any(c.isdigit() for c in w)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_digit_of_phone_numbers_run_together_or_cut_short_is_stored(language: str) -> None:
    """Generated Dutch mobile numbers, alone, two run together, either cut short by up to three
    digits, in every written and spoken form: no digit or number word of them is stored."""
    said = {"nl": "mijn nummer is {} dank u", "en": "my number is {} thanks"}[language]
    rng = random.Random(2028)
    for _ in range(400):
        shape = rng.randrange(4)
        if shape == 0:  # one, perhaps a digit short
            numbers = [_mobile(rng, rng.randrange(2))]
        else:  # two, the second or the first cut short by up to three digits
            numbers = [_mobile(rng), _mobile(rng, rng.randrange(4))]
            numbers = numbers[::-1] if shape == 3 else numbers
        form = rng.randrange(FORMS)  # one recognizer writes both numbers the same way
        text = said.format(" ".join(_said(number, rng, form) for number in numbers))
        stored = redact_text(text)
        assert _left_of_numbers(stored) == [], (text, stored)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_phone_number_said_partly_in_words_and_partly_in_figures_is_redacted_whole(language: str) -> None:
    """A recognizer writes some groups of a number in figures and others in words ("nul zes 1234
    5678"): they were two runs, neither of them a phone number, and the number was stored as said."""
    said = {"nl": "mijn nummer is {} dank u", "en": "my number is {} thanks"}[language]
    words = {"nl": DUTCH_DIGITS, "en": ENGLISH_DIGITS}[language]
    rng = random.Random(2030)
    for _ in range(300):
        number, groups = _mobile(rng), []
        while number:
            size = rng.randint(1, 4)
            groups.append(number[:size])
            number = number[size:]
        in_words = [rng.random() < 0.5 for _ in groups]
        in_words[rng.randrange(len(groups))] = True
        in_words[rng.randrange(len(groups))] ^= len(groups) > 1 and all(in_words)
        as_said = [
            " ".join("plus" if d == "+" else words[int(d)] for d in group) if spoken else group
            for group, spoken in zip(groups, in_words, strict=True)
        ]
        text = said.format(" ".join(as_said))
        assert redact_text(text) == said.format("[phone]"), text


@pytest.mark.parametrize(
    "said",
    [
        "ordernummer {} {} dank u",
        "mijn bestelling is {} {} bel me",
        "my order number is {} {} thanks",
        "order {} {} please",
    ],
)
def test_an_order_number_said_before_a_phone_number_stays_and_the_phone_number_goes(said: str) -> None:
    """An order number typed as one (or as two groups of four) right before a generated phone number
    in any form is stored as said; no digit of the phone number is."""
    rng = random.Random(2029)
    for _ in range(300):
        order = str(rng.randrange(10_000, 10_000_000_000))
        as_typed = rng.choice([order, f"{order[:4]} {order[4:]}".strip()])
        text = said.format(as_typed, _said(_mobile(rng), rng, rng.randrange(FORMS)))
        stored = redact_text(text)
        assert as_typed in stored and _left_of_numbers(stored, as_typed) == [], (text, stored)


def test_a_text_packed_with_personal_data_costs_in_proportion_to_it() -> None:
    """Each piece found was once checked against every piece found before it, and the words before
    each number were read from the start of the text: 1,500 BSNs in 25 KB took 1.2 s, its square.
    Twenty times the pieces now cost about twenty times as much (the bound allows a hundred; the
    square would be four hundred), for BSNs, postcodes, phone numbers and numbers said in words."""
    piece = (
        "bsn 111222333, postcode 1234 ab 5, bel 0612345678, bsn een een een twee twee twee drie drie drie. "
    )
    small, large = piece * 25, piece * 500
    assert len(find_personal_data(large)) == 4 * 500
    with _deadline(100 * _seconds(small)):
        find_personal_data(large)
