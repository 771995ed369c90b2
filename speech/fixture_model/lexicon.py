"""The pronunciation lexicon and phone set of a fixture model, learnt from espeak-ng itself.

Each word's pronunciations are exactly the phoneme strings espeak-ng spoke for it in the
training phrases (all voices and rates), so the graph never asks for a sound the voices
do not make. Kaldi needs word-position variants of every phone (begin, end, internal,
singleton) for correct word times; the variants share their base phone's pdf.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from speech.fixture_model.alignment import SILENCE, Alignment

Pronunciation = tuple[str, ...]


class Position(enum.Enum):
    """Where a phone sits in its word, as Kaldi's ``word_boundary.int`` names it."""

    BEGIN = "begin"
    END = "end"
    INTERNAL = "internal"
    SINGLETON = "singleton"


_POSITIONS = tuple(Position)
_FIRST_BASE_ID = 3

GARBAGE = "GBG"
"""The phone of ``[unk]``: anything that is not one of the phrases."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PhoneSet:
    """Kaldi phone ids and pdf ids for a set of base phones.

    Phone 1 is silence, phone 2 the garbage phone of ``[unk]``; then every base phone, in
    order, as begin/end/internal/singleton. Pdf 0 is silence, pdf ``k`` is base phone ``k``
    and the last pdf is garbage (not trained: a constant score, see ``kaldi.py``).
    """

    base: tuple[str, ...]
    """The speech phones, sorted, without silence."""

    @property
    def num_trained(self) -> int:
        """Pdfs the network is trained on: silence and the base phones."""
        return len(self.base) + 1

    @property
    def num_pdfs(self) -> int:
        return self.num_trained + 1

    @property
    def num_phones(self) -> int:
        """Kaldi phones, not counting ``<eps>``."""
        return _FIRST_BASE_ID - 1 + len(self.base) * len(_POSITIONS)

    @property
    def silence_id(self) -> int:
        return 1

    @property
    def garbage_id(self) -> int:
        return 2

    def pdf(self, phone: str) -> int:
        """The pdf of a base phone or of :data:`SILENCE`."""
        return 0 if phone == SILENCE else 1 + self.base.index(phone)

    def phone_id(self, phone: str, position: Position) -> int:
        """The Kaldi phone id of a base phone at a position in its word."""
        return _FIRST_BASE_ID + self.base.index(phone) * len(_POSITIONS) + _POSITIONS.index(position)

    def pdf_of_id(self, phone_id: int) -> int:
        """The pdf of a Kaldi phone id."""
        if phone_id in (self.silence_id, self.garbage_id):
            return 0 if phone_id == self.silence_id else self.num_pdfs - 1
        return 1 + (phone_id - _FIRST_BASE_ID) // len(_POSITIONS)

    def symbols(self) -> list[tuple[str, int]]:
        """``phones.txt`` entries."""
        entries = [("<eps>", 0), (SILENCE, self.silence_id), (GARBAGE, self.garbage_id)]
        entries += [(f"{p}_{pos.name[0]}", self.phone_id(p, pos)) for p in self.base for pos in _POSITIONS]
        return entries

    def word_boundaries(self) -> list[tuple[int, str]]:
        """``word_boundary.int`` entries."""
        entries = [(self.silence_id, "nonword"), (self.garbage_id, Position.SINGLETON.value)]
        entries += [(self.phone_id(p, pos), pos.value) for p in self.base for pos in _POSITIONS]
        return entries

    def word_phones(self, pronunciation: Pronunciation) -> list[int]:
        """Kaldi phone ids for a word's pronunciation, marked with word positions."""
        if len(pronunciation) == 1:
            return [self.phone_id(pronunciation[0], Position.SINGLETON)]
        middle = [self.phone_id(p, Position.INTERNAL) for p in pronunciation[1:-1]]
        return [
            self.phone_id(pronunciation[0], Position.BEGIN),
            *middle,
            self.phone_id(pronunciation[-1], Position.END),
        ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Lexicon:
    """Every word's pronunciations as espeak-ng spoke it, most frequent first."""

    entries: tuple[tuple[str, tuple[Pronunciation, ...]], ...]
    """(word, pronunciations), sorted by word."""

    @classmethod
    def from_alignments(cls, alignments: Iterable[Alignment]) -> Lexicon:
        """Collect the pronunciations of every word in ``alignments``."""
        counts: defaultdict[str, Counter[Pronunciation]] = defaultdict(Counter)
        for alignment in alignments:
            for word in alignment.words:
                counts[word.word][word.pronunciation] += 1
        entries = tuple(
            (word, tuple(sorted(found, key=lambda pron: (-found[pron], pron))))
            for word, found in sorted(counts.items())
        )
        return cls(entries=entries)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(word for word, _ in self.entries)

    def pronunciations(self, word: str) -> tuple[Pronunciation, ...]:
        return dict(self.entries)[word]

    def phone_set(self) -> PhoneSet:
        """The phones these pronunciations use."""
        base = {phone for _, prons in self.entries for pron in prons for phone in pron}
        return PhoneSet(base=tuple(sorted(base)))
