"""How Dutch and English words become index terms."""

from __future__ import annotations

import pytest

from voice.knowledge.text import analyzer


@pytest.mark.parametrize(
    ("diminutive", "word"),
    [
        ("winkeltje", "winkel"),  # -tje after l
        ("cadeautje", "cadeau"),  # -tje after a vowel
        ("telefoontje", "telefoon"),
        ("pakketje", "pakket"),  # -je, although -tje fits too
        ("tasjes", "tas"),
        ("bloemetje", "bloem"),  # -etje
        ("karretje", "kar"),  # -etje after a doubled consonant
        ("boompje", "boom"),  # -pje
        ("mailtje", "email"),  # the word's synonym, as without the ending
    ],
)
def test_a_dutch_diminutive_is_the_word_the_content_uses(diminutive: str, word: str) -> None:
    """The stemmer leaves diminutives alone: "kan ik parkeren bij het winkeltje" found no "winkel"."""
    dutch = analyzer("nl")
    dutch.learn(["de winkel, het cadeau, de telefoon, het pakket, een tas, een bloem, de kar, de boom, mail"])
    assert dutch.terms(diminutive) == dutch.terms(word)
