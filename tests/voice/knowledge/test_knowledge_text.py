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
    ],
)
def test_a_dutch_diminutive_is_the_word_the_content_uses(diminutive: str, word: str) -> None:
    """The stemmer leaves diminutives alone: "kan ik parkeren bij het winkeltje" found no "winkel"."""
    dutch = analyzer("nl")
    dutch.learn(["de winkel, het cadeau, de telefoon, het pakket, een tas, een bloem, de kar, de boom"])
    assert dutch.terms(diminutive) == dutch.terms(word)


@pytest.mark.parametrize(
    ("word", "not_this"),
    [("plantje", "plan"), ("lampje", "lam"), ("stukje", "defect"), ("stukjes", "defect")],
)
def test_no_diminutive_is_read_where_dutch_writes_none(word: str, not_this: str) -> None:
    """-tje follows a vowel or l, n, r, w and -pje follows m; and a synonym of the stripped word ("stuk"
    as "defect") is not the meaning of the diminutive ("stukje", a small piece)."""
    dutch = analyzer("nl")
    dutch.learn(["een plan", "het lam", "het apparaat is defect"])
    assert dutch.terms(word) != dutch.terms(not_this)


@pytest.mark.parametrize("word", ["mailtje", "mailtjes", "e-mailtje", "mail"])
def test_a_mailtje_is_an_email(word: str) -> None:
    """Asked "ik heb geen mailtje gekregen", no e-mail was found: "mail" is "e-mail" only through its
    synonym, which the word left of a diminutive does not get ("stukje" is no "defect"); the lexicon
    names the diminutive itself."""
    dutch = analyzer("nl")
    dutch.learn(["u krijgt een e-mail"])
    assert dutch.terms(word) == dutch.terms("e-mail")


@pytest.mark.parametrize(
    ("language", "said", "written"),
    [
        ("nl", "ik krijg te veel mail", "Ik krijg te veel mails"),
        ("nl", "mails", "e-mail"),
        ("nl", "mailen", "e-mail"),
        ("nl", "e-mails", "mail"),
        ("nl", "bonnetjes", "factuur"),
        ("nl", "kassabonnen", "factuur"),
        ("en", "i get too many mails", "I get too many emails"),
        ("en", "mails", "email"),
        ("en", "receipts", "invoice"),
        ("en", "coupons", "discount"),
        ("en", "vouchers", "gift"),
    ],
)
def test_a_synonym_holds_for_every_inflection_of_its_word(language: str, said: str, written: str) -> None:
    """The lexicon names one form ("mail: e-mail", "bonnetje: factuur", "receipt: invoice"); a plural or
    a verb form of it ("mails", "mailen", "bonnetjes", "receipts") used to keep its own stem, so a caller's
    "mail" missed the content's "mails"."""
    language_analyzer = analyzer(language)
    language_analyzer.learn([written])
    assert language_analyzer.terms(said) == language_analyzer.terms(written)


def test_a_stem_two_synonyms_share_gets_neither() -> None:
    """The stemmer makes "wis" of both "wissen" (delete) and "wisselen" (exchange): each keeps its own
    synonym, and "wis" gets neither."""
    dutch = analyzer("nl")
    assert dutch.terms("wissen") == dutch.terms("verwijderen")
    assert dutch.terms("wisselen") == dutch.terms("ruilen")
    assert dutch.terms("ik wis het") == ["wis"]
