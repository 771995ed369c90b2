"""voice/knowledge/conflicts.py: the question's words that stand where an entry's own subject stands."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voice.knowledge import Entry
from voice.knowledge.conflicts import EntryTerms, entry_terms, swapped, without
from voice.knowledge.text import analyzer

NUTS_FORMS = (
    frozenset({"bevat", "taart", "noot"}),
    frozenset({"zit", "noot", "taart"}),
    frozenset({"taart", "notenvrij"}),  # "Is de taart notenvrij?": a compound, not the title's "noot"
)
NUTS = EntryTerms(
    position=0, forms=NUTS_FORMS, subject=frozenset({"noot", "notenvrij"}), beside=frozenset({"vrij"})
)
NUTS_TERMS = frozenset({"bevat", "taart", "noot", "zit", "notenvrij", "bakkerij"})
"""All the nut entry's terms, its answer's included."""


@pytest.mark.parametrize(
    ("question", "elsewhere", "found"),
    [
        ({"zit", "ei"}, {}, {"ei"}),  # "zit er ei in": "Zitten er noten in de taart?" with ei for noten
        ({"taart", "glutenvrij"}, {}, {"glutenvrij"}),  # "is de taart glutenvrij": for "notenvrij"
        ({"zit", "noot"}, {}, set()),  # the entry's own subject
        ({"zit", "wat"}, {"wat": 5}, set()),  # "wat" is in many entries: no subject of its own
        ({"zit", "ei", "melk", "soja"}, {}, set()),  # three new terms: another question
        ({"zit", "ei", "bakkerij"}, {}, set()),  # a new term the entry has
        ({"ei"}, {}, set()),  # nothing in common: not the entry's question
    ],
    ids=["swapped", "swapped-compound", "same", "common-word", "too-many", "in-the-entry", "nothing-shared"],
)
def test_the_terms_in_the_place_of_the_entrys_subject(
    question: set[str], elsewhere: dict[str, int], found: set[str]
) -> None:
    """``elsewhere``: how many other entries have a term."""

    def positions_with(term: str) -> frozenset[int]:
        mine = {NUTS.position} if term in NUTS_TERMS else set()
        return frozenset(mine | set(range(1, 1 + elsewhere.get(term, 0))))

    assert swapped(frozenset(question), NUTS, positions_with) == found


NUT_ENTRY = Entry(
    id="noten",
    title="Bevatten jullie taarten noten?",
    phrasings=("Is de taart notenvrij?",),
    text="Onze taarten worden gemaakt in een bakkerij waar ook noten worden verwerkt.",
)


ORDERING = Entry(
    id="bestellen",
    title="Hoe ver van tevoren moet ik een taart bestellen?",
    text="Twee dagen, een taart zonder noten een week.",  # names nuts in passing: not about them
)


@pytest.mark.parametrize(
    ("other", "subject", "beside"),
    [
        (ORDERING, {"bevat", "noot", "notenvrij"}, {"vrij"}),  # the title's words, and a phrasing's compound
        (Entry(id="zonder", title="Hebben jullie taarten zonder noten?", text="Ja."), {"bevat"}, set()),
    ],
    ids=["own", "asked-elsewhere"],
)
def test_an_entrys_subject_is_its_titles_own_words_and_their_compounds(
    other: Entry, subject: set[str], beside: set[str]
) -> None:
    terms = entry_terms([other, NUT_ENTRY], analyzer("nl"))["noten"]
    assert (terms.position, terms.subject, terms.beside) == (1, subject, beside)


def test_the_question_without_them_keeps_its_own_words() -> None:
    def analyse(word: str) -> list[str]:
        return [word.strip("?").lower()]

    assert without("Zit er Ei in?", frozenset({"ei"}), analyse, frozenset()) == "Zit er in?"
    # what a compound adds to the subject stays: the model compares "is de taart vrij"
    assert without("is de taart glutenvrij?", frozenset({"glutenvrij"}), analyse, frozenset({"vrij"})) == (
        "is de taart vrij"
    )


def test_a_text_as_like_the_question_without_the_subject_in_its_place_keeps_the_entry() -> None:
    """ "ik wil het in delen betalen" is as much "Kan ik achteraf betalen?" as "Kan ik in termijnen
    betalen?": "delen" may mean "termijnen", so it need not stand for the subject, "achteraf"."""
    later = EntryTerms(
        position=0,
        forms=(frozenset({"achteraf", "betal"}), frozenset({"termijn", "betal"})),
        subject=frozenset({"achteraf"}),
    )
    assert swapped(frozenset({"deel", "betal"}), later, lambda term: frozenset()) == frozenset()
    assert swapped(
        frozenset({"deel", "betal"}), replace(later, forms=later.forms[:1]), lambda term: frozenset()
    ) == {"deel"}
