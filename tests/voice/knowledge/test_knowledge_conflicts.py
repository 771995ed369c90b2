"""voice/knowledge/conflicts.py: the question's words that stand where an entry's own subject stands."""

from __future__ import annotations

import pytest

from voice.knowledge.conflicts import swapped, without

NUTS_FORMS = [frozenset({"bevat", "taart", "noot"}), frozenset({"zit", "noot", "taart"})]
NUTS = frozenset({"bevat", "taart", "noot", "zit", "bakkerij"})


@pytest.mark.parametrize(
    ("question", "elsewhere", "found"),
    [
        ({"zit", "ei"}, {}, {"ei"}),  # "zit er ei in": "Zitten er noten in de taart?" with ei for noten
        ({"zit", "noot"}, {}, set()),  # the entry's own subject
        ({"zit", "ei"}, {"noot": 1, "taart": 2}, set()),  # in other entries too: not what sets it apart
        ({"zit", "wat"}, {"wat": 5}, set()),  # "wat" is in many entries: no subject of its own
        ({"zit", "ei", "melk", "soja"}, {}, set()),  # three new terms: another question
        ({"zit", "ei", "bakkerij"}, {}, set()),  # a new term the entry has
        ({"ei"}, {}, set()),  # nothing in common: not the entry's question
    ],
    ids=["swapped", "same", "shared-subject", "common-word", "too-many", "in-the-entry", "nothing-shared"],
)
def test_the_terms_in_the_place_of_the_entrys_subject(
    question: set[str], elsewhere: dict[str, int], found: set[str]
) -> None:
    """``elsewhere``: how many other entries have a term."""

    def entries_with(term: str) -> int:
        return int(term in NUTS) + elsewhere.get(term, 0)

    assert swapped(frozenset(question), NUTS_FORMS, NUTS, NUTS_FORMS[0], entries_with) == found


def test_the_question_without_them_keeps_its_own_words() -> None:
    assert without("Zit er Ei in?", frozenset({"ei"}), lambda word: [word.strip("?").lower()]) == "Zit er in?"
