"""``voice.name_check``: a free-text name slot refuses words that read as a question or a request."""

from __future__ import annotations

import pytest

from voice import reads_as_name
from voice.names import without_carrier


@pytest.mark.parametrize(
    ("words", "language"),
    [
        ("zoë", "nl"),
        ("Jan van der Berg", "nl"),
        ("anna de vries", "nl-NL"),
        ("Will", "en"),
        ("May de Wit", "nl"),
        ("maria de los angeles garcia", "en"),
        ("granny", "en-US"),
    ],
)
def test_names_are_names(words: str, language: str) -> None:
    assert reads_as_name(words, language)


@pytest.mark.parametrize(
    ("words", "language"),
    [
        ("zitten er noten in de taart", "nl"),
        ("wat kost verzenden naar belgië", "nl"),
        ("hoe laat zijn jullie open", "nl"),
        ("anna en mijn nummer is", "nl"),
        ("are there eggs in the birthday cake", "en"),
        ("do your cakes contain nuts", "en"),
        ("what time do you close", "en-US"),
        ("anna smith?", "en"),
        ("order 1234", "en"),
        ("een twee drie vier vijf zes zeven", "nl"),
        ("", "nl"),
    ],
)
def test_questions_and_requests_are_no_names(words: str, language: str) -> None:
    assert not reads_as_name(words, language)


def test_a_language_without_a_word_list_gets_the_other_checks() -> None:
    assert reads_as_name("wat kost dat", "de")
    assert not reads_as_name("was kostet das?", "de")


@pytest.mark.parametrize(
    ("words", "language", "name"),
    [
        ("het is Daan", "nl", "Daan"),
        ("ik ben Jan de Vries", "nl-NL", "Jan de Vries"),
        ("mijn naam is Daan", "nl", "Daan"),
        ("met Daan", "nl", "Daan"),
        ("it's Daan", "en", "Daan"),
        ("it’s Daan", "en", "Daan"),
        ("I am Anna Smith", "en", "Anna Smith"),
        ("this is, Daan", "en", "Daan"),
        ("my name is Daan", "en", "Daan"),
        ("het is", "nl", "het is"),  # nothing after it: no name, and name_check says so
        ("Mette", "nl", "Mette"),
        ("Daan", "nl", "Daan"),
        ("het is Daan", "en", "het is Daan"),  # another language's words are a name there
    ],
)
def test_the_words_before_a_name_are_no_part_of_it(words: str, language: str, name: str) -> None:
    assert without_carrier(words, language) == name
