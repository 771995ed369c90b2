"""Near misses of the wake phrase, made from its spelling for the fixture model to refuse."""

from __future__ import annotations

import pytest

from speech.fixture_model import fixture_model_key
from speech.fixture_model.decoys import decoys_of


def test_english_decoys_edit_each_part_of_the_wake_phrase() -> None:
    decoys = decoys_of("Hey  Computer", "en")
    assert {"hey computers", "hey compute", "hey comput"} <= set(decoys)  # suffixed, cut short
    assert {"hey coputer", "hey comuter", "hey compuer"} <= set(decoys)  # an inner consonant left out
    assert {"hi computer", "hey my computer", "computer"} <= set(decoys)  # first word, a word between
    assert "hey computer" not in decoys
    assert len(decoys) == len(set(decoys))


def test_dutch_decoys_use_dutch_words() -> None:
    decoys = decoys_of("hallo computer", "nl")
    assert {"hoi computer", "hallo mijn computer", "hallo computers"} <= set(decoys)
    assert not {"hi computer", "hey my computer"} & set(decoys)


@pytest.mark.parametrize(("phrase", "language"), [("안녕하세요", "ko"), ("", "en"), ("hey computer", "xx")])
def test_no_decoys_without_rules_or_words(phrase: str, language: str) -> None:
    assert decoys_of(phrase, language) == ()


def test_a_one_word_wake_phrase_gets_only_spelling_edits() -> None:
    assert set(decoys_of("jarvis", "en")) == {"jarviss", "jarvi", "jarv", "jaris", "javis"}


def test_decoys_are_part_of_the_model_only_when_the_wake_phrase_is_a_phrase() -> None:
    with_wake = ["hey computer", "stop"]
    assert fixture_model_key(with_wake, "en", "hey computer") != fixture_model_key(with_wake, "en")
    assert fixture_model_key(["stop"], "en", "hey computer") == fixture_model_key(["stop"], "en")
