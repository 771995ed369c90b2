"""The local loop's grammar holds what callers say (issue 17): the wake phrase, order numbers, clock
times, dates, names; every phrase in spoken words, and phrases with punctuation are accepted."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from speech.stt import Grammar, Transcript
from voice import Router, load_skill
from voice.grammar import CALLER_VALUES, WAKE_PHRASES, grammar_phrases

TUESDAY = dt.datetime(2026, 11, 24, 10, 0)
BOOKING = {"dialog": "BookAppointment"}


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.fixture(scope="module")
def phrases(router: Router) -> dict[str, list[str]]:
    return {lang: grammar_phrases(router, lang, wake_phrase=WAKE_PHRASES[lang]) for lang in ("en", "nl")}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_phrase_is_spoken_words_with_the_wake_phrase_and_no_placeholder(
    phrases: dict[str, list[str]], language: str
) -> None:
    grammar = phrases[language]
    assert WAKE_PHRASES[language] in grammar
    written = [p for p in grammar if re.search(r"\d|[^\w\s'-]", p)]
    assert not written, written[:5]
    assert not [p for p in grammar if "groceries" in p or "boodschappen" in p]
    assert {"en": "and what about sunday", "nl": "en hoe zit het met zondag"}[language] in grammar


@pytest.mark.parametrize("language", ["en", "nl"])
def test_order_numbers_are_said_digit_by_digit_and_as_numbers(
    router: Router, phrases: dict[str, list[str]], language: str
) -> None:
    for number in CALLER_VALUES["number"][language]:
        said = [p for p in phrases[language] if p.endswith(f" {number}")]
        # the first that needs no context (a second order's "and order ..." follows an answer)
        match = next(filter(None, (router.parse(phrase, language) for phrase in said)), None)
        assert match is not None and match.intent == "OrderStatus", said[:3]
        assert match.slots["order_number"].text == number


@pytest.mark.parametrize("language", ["en", "nl"])
def test_clock_times_across_the_day_are_in_and_read_within_business_hours(
    router: Router, phrases: dict[str, list[str]], language: str
) -> None:
    hours = set()
    at = {"en": "at", "nl": "om"}[language]
    for time in CALLER_VALUES["time"][language]:
        said = [p for p in phrases[language] if p.endswith(f" {at} {time}")]
        match = router.parse(said[-1], language, BOOKING, now=TUESDAY)
        assert match is not None and match.intent == "BookAppointment", said[:3]
        value = match.slots["time"].value
        assert isinstance(value, dt.time) and 9 <= value.hour <= 17, (said[-1], value)
        hours.add(value.hour)
    assert len(hours) >= 7


@pytest.mark.parametrize(
    ("language", "said", "slot", "value"),
    [
        ("en", "monday", "date", dt.date(2026, 11, 30)),
        ("en", "on tuesday", "date", dt.date(2026, 11, 24)),
        ("en", "no tuesday", "date", dt.date(2026, 11, 24)),
        ("en", "friday", "date", dt.date(2026, 11, 27)),
        ("en", "next monday", "date", dt.date(2026, 11, 30)),
        ("en", "the third of december", "date", dt.date(2026, 12, 3)),
        ("en", "no make it the twenty first of december", "date", dt.date(2026, 12, 21)),
        ("en", "at ten", "time", dt.time(10)),
        ("en", "at two", "time", dt.time(14)),
        ("en", "three pm", "time", dt.time(15)),
        ("en", "two o'clock", "time", dt.time(14)),
        ("nl", "maandag", "date", dt.date(2026, 11, 30)),
        ("nl", "op dinsdag", "date", dt.date(2026, 11, 24)),
        ("nl", "nee dinsdag", "date", dt.date(2026, 11, 24)),
        ("nl", "volgende week maandag", "date", dt.date(2026, 11, 30)),
        ("nl", "drie december", "date", dt.date(2026, 12, 3)),
        ("nl", "om tien uur", "time", dt.time(10)),
        ("nl", "om half drie", "time", dt.time(14, 30)),
        ("nl", "nee om twee uur", "time", dt.time(14)),
    ],
)
def test_answers_to_the_booking_questions_are_in_and_fill_their_slot(
    router: Router, phrases: dict[str, list[str]], language: str, said: str, slot: str, value: object
) -> None:
    assert said in phrases[language]
    match = router.parse(said, language, BOOKING, now=TUESDAY)
    assert match is not None and match.intent == "BookAppointment", said
    assert {name: s.value for name, s in match.slots.items()} == {slot: value}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_date_a_caller_says_is_an_answer_and_a_request(
    router: Router, phrases: dict[str, list[str]], language: str
) -> None:
    request = {"en": "can i visit", "nl": "maak een afspraak"}[language]
    for date in CALLER_VALUES["date"][language]:
        for said in (date, f"{request} {date}"):
            assert said in phrases[language]
            match = router.parse(said, language, BOOKING, now=TUESDAY)
            assert match is not None and match.slots["date"].text == date, said
            assert isinstance(match.slots["date"].value, dt.date), said


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_grammar_stays_a_few_thousand_phrases(phrases: dict[str, list[str]], language: str) -> None:
    """Every caller value in every sentence would be tens of thousands; each short answer gets them all."""
    assert 1500 < len(phrases[language]) < 3500


@pytest.mark.parametrize(
    ("phrase", "heard"),
    [
        ("no, at 3:15 pm", "no, at 3:15 pm"),
        ("no, at 3:15 pm", "no at 3 15 pm"),
        ("Nee, morgen", "nee, morgen"),
    ],
)
def test_a_phrase_with_punctuation_is_accepted_as_a_final_result(phrase: str, heard: str) -> None:
    grammar = Grammar(phrases=(phrase, "yes"))
    final = Transcript(text=heard, confidence=0.9, is_final=True)
    assert grammar.judge(final) == final
    assert not grammar.judge(Transcript(text="no at 3 pm", confidence=0.9, is_final=True)).is_match
