"""Whether the words a free-text name slot took read as a name, not as a question or a request.

A name slot takes any words (a wildcard), so a question asked while the flow asks for the name fills it:
"zitten er noten in de taart" became "Er komt Zitten Er Noten In De Taart op de taart. Klopt dat?".
``name_check`` is a slot validator that refuses such words; a refused answer to the slot's question goes
to the answerers (the knowledge base), and the question is asked again (``voice.dialog.flows``).

Names are not checked against a list of names: any words are a name unless they read as a sentence.
They do when they have a question mark or a digit, more words than a name has, or a word no name has in
the turn's language: question words, verbs that open a question or a request, pronouns and the words
callers go on with after their name ("... en mijn nummer is"). Name particles ("de", "van", "ter") are
no such words.

The words callers put before their name ("het is Daan", "ik ben Daan", "my name is Daan", "it's Daan")
are no part of it: ``without_carrier`` drops them. The dialog does so for a slot checked with
``name_check`` before it checks the name or compares it with the one heard before (``voice.dialog.flows``),
so no skill needs a sentence for each way of saying it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .language import language_of
from .turn import Turn

__all__ = [
    "CARRIERS",
    "MAX_NAME_WORDS",
    "NOT_IN_NAMES",
    "NameCheck",
    "name_check",
    "reads_as_name",
    "without_carrier",
]

MAX_NAME_WORDS = 6
"""First names, particles and a surname: "Maria de los Angeles Garcia" is five words."""

NOT_IN_NAMES: Mapping[str, frozenset[str]] = {
    "nl": frozenset(
        {
            # question words
            *("wat", "wie", "waar", "wanneer", "hoe", "welke", "welk", "waarom", "hoeveel", "hoelang"),
            *("waarmee", "waarin", "waarvan"),
            # verbs that open a question or a request
            *("is", "zijn", "zit", "zitten", "heeft", "hebben", "heb", "kan", "kunnen", "kun", "mag"),
            *("mogen", "willen", "moet", "moeten", "bevat", "bevatten", "doe", "doet", "doen"),
            *("kost", "kosten", "gaat", "gaan", "wordt", "worden", "weet", "zou", "zouden", "maak"),
            # pronouns, articles and the words of a sentence that goes on
            *("ik", "mijn", "je", "jij", "jou", "jouw", "jullie", "u", "uw", "we", "wij", "ons", "onze"),
            *("er", "een", "niet", "geen", "ook", "nog", "graag", "eigenlijk", "alstublieft"),
            *("nummer", "telefoonnummer", "adres"),
        }
    ),
    "en": frozenset(
        {
            *("what", "who", "where", "when", "how", "which", "why", "whose"),
            *("is", "are", "was", "were", "do", "does", "did", "can", "could", "might", "would"),
            *("should", "have", "has", "had", "contain", "contains", "want", "need", "cost", "costs"),
            *("make", "get", "know", "tell"),
            *("i", "i'm", "me", "my", "you", "your", "we", "our", "it", "it's", "there", "this", "that"),
            *("a", "not", "no", "also", "please", "any", "some"),
            *("number", "phone", "address"),
        }
    ),
}
"""Per language, words no name has (lower case); names that are words too ("Will", "May", "Wil") are
not listed."""

CARRIERS: Mapping[str, tuple[str, ...]] = {
    "nl": ("mijn naam is", "de naam is", "ik heet", "ik ben", "het is", "dit is", "u spreekt met", "met"),
    "en": ("my name is", "the name is", "it's", "it is", "this is", "i'm", "i am", "you're speaking with"),
}
"""Per language, the words callers say before their name in an answer to a name question (lower case)."""

_DIGITS_OR_QUESTION = frozenset("0123456789?")
_PUNCTUATION = ',.;:!?…"“”'


def reads_as_name(words: str, language: str) -> bool:
    """Whether ``words`` could be a name in ``language`` ("nl", or a locale "nl-NL"): not empty, at most
    ``MAX_NAME_WORDS`` words, no digit or question mark, no word of ``NOT_IN_NAMES``. A language without a
    list gets the other checks only."""
    said = words.lower().split()
    if not said or len(said) > MAX_NAME_WORDS or _DIGITS_OR_QUESTION.intersection(words):
        return False
    excluded = NOT_IN_NAMES.get(language_of(language), frozenset())
    return excluded.isdisjoint(word.strip(_PUNCTUATION) for word in said)


def without_carrier(words: str, language: str) -> str:
    """``words`` without the carrier words of ``language`` they open with ("het is Daan": "Daan"); the
    words themselves when they open with none, or are nothing else ("het is" stays, and is no name)."""
    said = words.strip()
    lowered = said.lower().replace("’", "'")
    for carrier in CARRIERS.get(language_of(language), ()):
        if lowered.startswith((carrier + " ", carrier + ",")):
            rest = said[len(carrier) :].lstrip(_PUNCTUATION + " ")
            return rest or said
    return said


@dataclass(frozen=True, slots=True)
class NameCheck:
    """A slot validator for a free-text name (``name_check``); by it the dialog knows the slot holds a
    name, and fills it without the words said before the name ("ik ben Daan": "Daan")."""

    problem: str = "NameUnclear"

    def __call__(self, value: Any, turn: Turn) -> str | None:
        """The response key ``problem`` when the words read as a question or a request, else None."""
        return None if reads_as_name(str(value), turn.language) else self.problem


def name_check(problem: str = "NameUnclear") -> NameCheck:
    """A slot validator for a free-text name: the response key ``problem`` when the words read as a
    question or a request (``reads_as_name``), else None. A wildcard slot's value is the words said,
    without the words before the name ("mijn naam is", "it's": ``CARRIERS``).

        Slot("name", prompt="AskName", validate=name_check("NameUnclear"))
    """
    return NameCheck(problem)
