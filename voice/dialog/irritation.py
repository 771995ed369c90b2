"""Irritation in a caller's words: the built-in cues per language and how they are matched.

Cues are whole words or phrases. A Dutch adjective takes an ending before a noun ("wat een waardeloze
service", "een stomme vraag") or when compared ("nog belachelijker"), and callers say those forms most;
so each one-word Dutch cue also matches its inflected forms, spelt as Dutch spells them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

IRRITATION_CUES: Mapping[str, tuple[str, ...]] = {
    "en": (
        "useless",
        "stupid",
        "ridiculous",
        "you don't understand",
        "not listening",
        "damn",
        "for god's sake",
        "annoying",
        "waste of time",
        "idiot",
        "what the hell",
        "hopeless",
        "pointless",
        "rubbish",
        "shit",
        "fuck",
    ),
    "nl": (
        "belachelijk",
        "waardeloos",
        "stom",
        "nutteloos",
        "snap je het niet",
        "begrijpt me niet",
        "begrijpt mij niet",
        "snapt me niet",
        "snapt het niet",
        "luister je wel",
        "verdorie",
        "godverdomme",
        "verdomme",
        "irritant",
        "zonde van mijn tijd",
        "idioot",
        "slaat nergens op",
        "onzin",
        "hopeloos",
        "gek van",
        "schiet op",
        "kut",
        "tering",
        "jezus",
    ),
}


def spoken_words(text: str) -> str:
    """``text`` as irritation cues are compared: lower case, words and apostrophes, one space apart."""
    return " ".join(re.sub(r"[^\w'\s]", " ", text.lower()).split())


def cue_forms(cues: Iterable[str], language: str) -> frozenset[str]:
    """The cues as matched: spoken words, and in Dutch each one-word cue with its inflected forms."""
    spoken = {spoken_words(cue) for cue in cues} - {""}
    inflect = INFLECTIONS.get(language)
    if inflect is None:
        return frozenset(spoken)
    return frozenset(spoken | {form for cue in spoken if " " not in cue for form in inflect(cue)})


LONG_VOWELS = ("aa", "ee", "oo", "uu", "ie", "ei", "ij", "ui", "eu", "ou", "au", "oe")
UNSTRESSED = ("ig", "lijk", "isch", "en", "er", "el")
"""Endings whose vowel is not stressed: their consonant is not doubled ("prettige", "belachelijke")."""
VOWELS = "aeiou"


def dutch_forms(word: str) -> set[str]:
    """An adjective's forms: "stom" -> stomme, stommer, stomst, stomste; "waardeloos" -> waardeloze,
    waardelozer; "idioot" -> idiote, idioten. Only the spelling rules, so a form may not be a word; it
    then never matches."""
    superlative = f"{word}t" if word.endswith("s") else f"{word}st"  # boos -> boost, stom -> stomst
    forms = {superlative, f"{superlative}e"}
    if word.endswith("e"):
        return forms | {f"{word}r", f"{word}n"}
    stem = _open_syllable_stem(word)
    return forms | {f"{stem}e", f"{stem}er", f"{stem}en"}


def _open_syllable_stem(word: str) -> str:
    """The word as spelt before an ending that starts with a vowel."""
    head, last = word[:-1], word[-1]
    if last in VOWELS:
        return word
    voiced = {"s": "z", "f": "v"}.get(last, last)
    if head[-2:] in LONG_VOWELS:
        if head[-1] == head[-2]:  # waardeloos -> waardeloz(e): the doubled vowel is single before a vowel
            return head[:-1] + voiced
        return head + voiced  # vies -> viez(e)
    short = len(head) >= 1 and head[-1] in VOWELS and (len(head) < 2 or head[-2] not in VOWELS)
    if short and not word.endswith(UNSTRESSED):
        return word + last  # stom -> stomm(e)
    return word


INFLECTIONS: Mapping[str, Callable[[str], set[str]]] = {"nl": dutch_forms}
