"""Turning questions and content into index terms: normalise, map synonyms, drop stop words, stem, split.

Both sides of the index go through the same ``Analyzer``, so a caller's "pakketje terugsturen" and the
content's "een pakket retourneren" meet on the same terms. The word lists live in ``lexicon/<lang>.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import Stemmer

from ..strict_yaml import load_yaml
from .content import LEXICON, check_language

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_MIN_PART = 3
"""Shortest part a compound is split into (characters)."""


def normalise(text: str) -> str:
    """Lower case without accents, so "België" and "belgie" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of ``text``, normalised; hyphens inside a word are dropped ("e-mail" -> "email")."""
    return [w.replace("-", "").replace("’", "'") for w in _WORD.findall(normalise(text))]


@dataclass(slots=True)
class Analyzer:
    """One language's way from text to index terms."""

    language: str
    stemmer: Any
    stop_words: frozenset[str]
    synonyms: dict[str, str]
    """A word as the lexicon writes it -> the word the content uses."""
    split_compounds: bool = False
    diminutives: bool = False
    vocabulary: set[str] = field(default_factory=set)
    """Stems known from the content; compounds are split only into known stems."""
    _splits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _inflected: dict[str, str] = field(init=False, default_factory=dict)
    """The synonyms by their word's key, so "mails" and "mailen" get the synonym of "mail"."""

    def __post_init__(self) -> None:
        stems: dict[str, set[str]] = {}
        for word, target in self.synonyms.items():
            key = self._key(word)
            self._inflected.setdefault(key, target)
            stems.setdefault(key, set()).add(self._stem(target))
        for key, targets in stems.items():
            if len(targets) > 1:  # "wissen" (delete) and "wisselen" (exchange) are both "wis": neither wins
                del self._inflected[key]

    def terms(self, text: str) -> list[str]:
        """The index terms of ``text`` (stems, plus the parts of compounds)."""
        out: list[str] = []
        for word in words(text):
            word = self._synonym(word)
            if word in self.stop_words:
                continue
            if self.diminutives:
                word = self._without_diminutive(word)
            stem = self._stem(word)
            out.append(stem)
            if self.split_compounds and len(word) >= 2 * _MIN_PART:
                out.extend(self._parts(word, stem))
        return out

    def learn(self, texts: Iterable[str]) -> None:
        """Add the stems of ``texts`` to the vocabulary compounds are split into."""
        self._splits.clear()
        for text in texts:
            for word in words(text):
                if word not in self.stop_words:
                    self.vocabulary.add(self._term(word))

    def beside(self, word: str, stems: frozenset[str]) -> str:
        """The part of the compound ``word`` beside one whose term is in ``stems`` ("notenvrij" with
        "noot": "vrij"); empty when no part of it is. The other part need not be known: what a
        compound adds to a subject ("-vrij", "-allergie") is often not in the content on its own."""
        if not self.split_compounds:
            return ""
        for head, tail, linked in _cuts(word):
            if self._term(tail) in stems:
                return head
            if any(len(part) >= _MIN_PART and self._term(part) in stems for part in linked):
                return tail
        return ""

    def _synonym(self, word: str) -> str:
        """The word the content uses for ``word``: the lexicon's own word first, else the synonym of a
        word with its key."""
        return self.synonyms.get(word) or self._inflected.get(self._key(word), word)

    def _key(self, word: str) -> str:
        """What a synonym is looked up by: the stem, which a word's inflections share ("mails", "mailen");
        but a Dutch diminutive's singular as written ("bonnetjes" -> "bonnetje"), not the stem of the
        word in it: that word gets no synonym ("stukje", a small piece, is no "stuk": "defect"). A
        diminutive that means the synonym is in the lexicon itself ("mailtje: e-mail")."""
        diminutive = _diminutive(word) if self.diminutives else None
        return diminutive or self._stem(word)

    def _term(self, word: str) -> str:
        """The index term of one word without its diminutive or parts: the stem of its synonym, or its own."""
        return self._stem(self._synonym(word))

    def _stem(self, word: str) -> str:
        return str(self.stemmer.stemWord(word))

    def _without_diminutive(self, word: str) -> str:
        """Dutch diminutives ("pakketje", "tasjes", "winkeltje", "bloemetje", "karretje", "boompje")
        -> the word, taken off before stemming (PyStemmer 3's Dutch stemmer cuts "pakketje" to "pak").
        Several endings can fit ("pakket+je" and
        "winkel+tje"): the one whose stem the content knows wins, else the plain "-je"."""
        base = _diminutive(word)
        if base is None:
            return word
        candidates = [base[:-2]] if len(base) >= 6 else []
        short = base[:-3]
        if (base.endswith("tje") and _takes(short, "lnrw")) or (base.endswith("pje") and _takes(short, "m")):
            candidates.append(short)
        if base.endswith("etje"):
            stem = base[:-4]
            candidates.append(stem[:-1] if len(stem) >= 3 and stem[-1] == stem[-2] else stem)
        candidates = [candidate for candidate in candidates if len(candidate) >= 3]
        known = (c for c in candidates if self._stem(c) in self.vocabulary)
        return next(known, candidates[0] if candidates else word)

    def _parts(self, word: str, stem: str) -> tuple[str, ...]:
        if word not in self._splits:
            self._splits[word] = self._split(word, stem)
        return self._splits[word]

    def _split(self, word: str, stem: str) -> tuple[str, ...]:
        """Two known stems that make up ``word`` (with a linking s or e allowed), the longest tail first."""
        for _head, tail, heads in _cuts(word):
            tail_stem = self._term(tail)
            if tail_stem == stem or tail_stem not in self.vocabulary:
                continue
            for linked in heads:
                head_stem = self._term(linked) if len(linked) >= _MIN_PART else ""
                if head_stem in self.vocabulary and linked not in self.stop_words:
                    return (head_stem, tail_stem)
        return ()


def _cuts(word: str) -> Iterator[tuple[str, str, tuple[str, str]]]:
    """Each way to cut the compound ``word`` in two (parts of at least ``_MIN_PART``): the head, the tail,
    and the head with and without a linking s or e ("verzendings" + "kosten": "verzending"), "" for the
    latter when the head ends in neither. Splitting and ``Analyzer.beside`` cut words the same way."""
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        head, tail = word[:cut], word[cut:]
        yield head, tail, (head, head[:-1] if head[-1] in "se" else "")


_VOWELS = frozenset("aeiouy")


def _diminutive(word: str) -> str | None:
    """The singular of a Dutch diminutive ("bonnetjes" -> "bonnetje"), or None for another word."""
    singular = word[:-1] if word.endswith("jes") else word
    return singular if singular.endswith("je") else None


def _takes(word: str, consonants: str) -> bool:
    """Whether Dutch writes the diminutive of ``word`` with -tje (-pje): after a vowel, or after one of
    ``consonants`` behind a long vowel or a schwa ("winkel", "telefoon", "boom"; not "plan", "lam")."""
    if word[-1:] in _VOWELS:
        return consonants != "m"
    if len(word) < 3 or word[-1] not in consonants:
        return False
    return word[-2] == "e" or (word[-2] in _VOWELS and word[-3] in _VOWELS)


@cache
def _lexicon(language: str) -> dict[str, Any]:
    check_language(language)
    path = LEXICON / f"{language}.yaml"
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    return data


def analyzer(language: str) -> Analyzer:
    """A fresh analyzer for ``language`` (its vocabulary is filled by the index that uses it)."""
    lexicon = _lexicon(language)
    synonyms = {_one_word(k): _one_word(v) for k, v in (lexicon.get("synonyms") or {}).items()}
    return Analyzer(
        language=language,
        stemmer=Stemmer.Stemmer(lexicon["stemmer"]),
        stop_words=frozenset(_one_word(w) for w in lexicon.get("stop_words") or ()),
        synonyms=synonyms,
        split_compounds=bool(lexicon.get("split_compounds")),
        diminutives=bool(lexicon.get("diminutives")),
    )


def _one_word(text: Any) -> str:
    found = words(str(text))
    return found[0] if found else ""
