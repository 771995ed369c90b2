"""Which of many fixed strings occur in an utterance, found by their first three characters.

The pre-filter asks, per utterance, whether any value of a list (hundreds of device names, the
first words of every spelled number) occurs in it, and which name contexts it may offer. One
regex alternation over all values tries them one by one at every position (about 30 us for
300 names on a 50-character utterance, and 0.1 ms to compile at load); here each string waits
under its first three characters, and an utterance looks only under the trigrams it has,
computed once for every list (about 2 us for 300 names, 0.5 us for a few).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["TRIGRAM", "Haystack", "Needles"]

_T = TypeVar("_T")
TRIGRAM = 3
"""Characters of the keys strings are found by."""


@dataclass(frozen=True, slots=True, eq=False)
class Haystack:
    """The utterance variants as the pre-filter searches them."""

    texts: tuple[str, ...]
    """The variants (with and without skip words): starts and ends are tested on each."""

    text: str
    """The variants joined by newlines: a substring of any variant is a substring of this."""

    trigrams: AbstractSet[str]
    """Every three characters of ``text`` (a set: intersecting it with fewer keys walks the keys)."""

    @classmethod
    def of(cls, texts: Sequence[str]) -> Haystack:
        """The haystack of ``texts``."""
        text = "\n".join(texts)
        return cls(tuple(texts), text, {text[i : i + TRIGRAM] for i in range(len(text) - TRIGRAM + 1)})


class Needles(Generic[_T]):
    """Strings, each with an item, indexed for "which of them occur in this haystack"."""

    def __init__(self, needles: Iterable[tuple[str, _T]]) -> None:
        self._short: list[tuple[str, _T]] = []
        """Strings shorter than a trigram (an empty one occurs everywhere)."""

        self._by_start: dict[str, list[tuple[str, _T]]] = {}
        for needle, item in needles:
            if len(needle) < TRIGRAM:
                self._short.append((needle, item))
            else:
                self._by_start.setdefault(needle[:TRIGRAM], []).append((needle, item))

    def found(self, haystack: Haystack) -> Iterator[_T]:
        """The items whose string occurs in ``haystack.text`` (not in the order given)."""
        text = haystack.text
        for needle, item in self._short:
            if needle in text:
                yield item
        # the intersection walks the smaller side: a few list values, or the utterance's trigrams
        for start in self._by_start.keys() & haystack.trigrams:
            for needle, item in self._by_start[start]:
                if needle in text:
                    yield item

    def occur(self, haystack: Haystack) -> bool:
        """True if any of the strings occurs in ``haystack.text``."""
        for _ in self.found(haystack):
            return True
        return False
