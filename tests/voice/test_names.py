"""``voice.name_check``: a free-text name slot refuses words that read as a question or a request."""

from __future__ import annotations

import pytest

from voice import reads_as_name


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
