"""The local loop's grammar holds what callers say (issue 17): the wake phrase, order numbers, clock
times, names; every phrase in spoken words, and phrases with punctuation are accepted."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from speech.stt import Grammar, Transcript
from voice import Router, load_skill
from voice.grammar import CALLER_VALUES, WAKE_PHRASES, grammar_phrases


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
        match = router.parse(said[0], language)
        assert match is not None and match.intent == "OrderStatus", said[:3]
        assert match.slots["order_number"].text == number


@pytest.mark.parametrize("language", ["en", "nl"])
def test_clock_times_across_the_day_are_in_and_read_within_business_hours(
    router: Router, phrases: dict[str, list[str]], language: str
) -> None:
    now = dt.datetime(2026, 11, 24, 10, 0)
    hours = set()
    for time in CALLER_VALUES["time"][language]:
        said = [p for p in phrases[language] if p.endswith(f" {time}") and len(p.split()) > 4]
        match = router.parse(said[0], language, now=now)
        assert match is not None and match.intent == "BookAppointment", said[:3]
        value = match.slots["time"].value
        assert isinstance(value, dt.time) and 9 <= value.hour <= 17, (said[0], value)
        hours.add(value.hour)
    assert len(hours) >= 7


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
