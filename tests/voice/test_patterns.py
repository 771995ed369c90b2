"""Spelled codes, pattern slot types and optional flow slots (issue 16, item 3)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice import (
    Dialog,
    Router,
    Skill,
    Turn,
    dutch_postcode,
    licence_plate,
    load_skill,
    pattern_slot_type,
    register_slot_type,
    spelled,
)
from voice.nlu import unregister_slot_type
from voice.store import open_store


@pytest.mark.parametrize(
    ("words", "language", "code"),
    [
        ("a b", "nl", "AB"),
        ("a. b.", "nl", "AB"),
        ("a.b.", "en", "AB"),
        ("een twee", "nl", "12"),
        ("een twee drie vier a b", "nl", "1234AB"),
        ("twaalf vierendertig a. b.", "nl", "1234AB"),
        ("1234 AB", "nl", "1234AB"),
        ("1234ab", "nl", "1234AB"),
        ("one two three", "en", "123"),
        ("a bee cee", "en", "ABC"),
        ("x nul zeven", "nl", "X07"),
        ("the kitchen", "en", None),
        ("", "en", None),
    ],
)
def test_spelled(words: str, language: str, code: str | None) -> None:
    assert spelled(words, language) == code


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("1234 AB", "1234 AB"),
        ("1234ab", "1234 AB"),
        ("een twee drie vier a b", "1234 AB"),
        ("twaalf vierendertig a. b.", "1234 AB"),
        ("0123 ab", None),
        ("1234 abc", None),
        ("de keuken", None),
    ],
)
def test_dutch_postcode(words: str, value: str | None) -> None:
    assert dutch_postcode().parse(words, "nl", None) == value


@pytest.mark.parametrize(
    ("words", "value"),
    [("a b een twee drie c", "AB-123-C"), ("AB-123-C", "AB-123-C"), ("ab 12 cd", "AB-12-CD"), ("x", None)],
)
def test_licence_plate(words: str, value: str | None) -> None:
    assert licence_plate().parse(words, "nl", None) == value


@pytest.mark.parametrize(
    ("words", "language", "value"),
    [
        ("een twee drie vier a b", "nl", "1234 AB"),
        ("twaalf vierendertig a. b.", "nl-NL", "1234 AB"),
        ("one two three four a b", "en", "1234 AB"),
        ("1234ab", "nl", "1234 AB"),
        ("de keuken", "nl", "de keuken"),
    ],
)
def test_platform_words_are_read_in_the_turns_language(words: str, language: str, value: str) -> None:
    """Alexa and Dialogflow send a spelled code as the words heard, in the caller's language."""
    assert dutch_postcode().from_platform(words, language, None) == value


@pytest.fixture
def postcode_types() -> Iterator[None]:
    register_slot_type(dutch_postcode("test_postcode"))
    register_slot_type(pattern_slot_type("test_code", r"[A-Z]\d{2}", examples=("A12",)))
    yield
    unregister_slot_type("test_postcode")
    unregister_slot_type("test_code")


CODE = """
    from voice import Skill, Slot
    skill = Skill("afval_test", __file__)
    skill.flow("Pickup", slots=[Slot("test_postcode", prompt="AskPostcode"),
                                Slot("house", prompt="AskHouse", optional=True)])
"""
INTENTS = """
    language: nl
    intents:
      Pickup:
        data:
          - sentences:
              - "wanneer wordt het afval opgehaald [(op|bij) {test_postcode}] [nummer {number:house}]"
          - requires_context: {dialog: Pickup}
            sentences: ["{test_postcode}"]
      Code:
        data: [{sentences: ["code {test_code}"]}]
"""
RESPONSES = """
    responses:
      AskPostcode: "Wat is uw postcode?"
      AskHouse: "Welk huisnummer?"
      Pickup: "Op {{ test_postcode }}{% if house is defined %} nummer {{ house }}{% endif %} op dinsdag."
      Code: "Code {{ test_code }}."
"""


def _skill(root: Path) -> Skill:
    folder = root / "afval_test"
    (folder / "locales" / "nl").mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(CODE))
    (folder / "locales" / "nl" / "intents.yaml").write_text(textwrap.dedent(INTENTS))
    (folder / "locales" / "nl" / "responses.yaml").write_text(textwrap.dedent(RESPONSES))
    return load_skill(folder)


def _talk(skill: Skill, *lines: str) -> list[str]:
    with open_store("sqlite://:memory:") as store:
        dialog = Dialog(Router([skill]), store)
        return [dialog.respond(Turn(text=line, locale="nl", session_id="s")).text for line in lines]


@pytest.mark.usefixtures("postcode_types")
def test_a_pattern_slot_in_a_template_and_as_a_flow_answer(tmp_path: Path) -> None:
    skill = _skill(tmp_path)
    router = Router([skill])
    match = router.parse("wanneer wordt het afval opgehaald bij een twee drie vier a b", "nl")
    assert match is not None and match.slots["test_postcode"].value == "1234 AB"
    code = router.parse("code a twaalf", "nl")
    assert code is not None and code.slots["test_code"].value == "A12"
    said = _talk(skill, "wanneer wordt het afval opgehaald", "twaalf vierendertig a. b.")
    assert said == ["Wat is uw postcode?", "Op 1234 AB op dinsdag."]  # the optional slot is not asked


@pytest.mark.usefixtures("postcode_types")
def test_an_optional_slot_is_used_when_said(tmp_path: Path) -> None:
    said = _talk(_skill(tmp_path), "wanneer wordt het afval opgehaald op 1234 ab nummer zeven")
    assert said == ["Op 1234 AB nummer 7 op dinsdag."]
