"""Entries that ask the same question but answer differently: a 2023 price beside the 2025 one, an FAQ
answer that a page contradicts. Both stay answerable, so a caller gets whichever ranks first; the import
lists such pairs for the team to clean.

Cheap on purpose (it runs on every import): a pair is two entries where every term of one question is a
term of the other (two terms at least: "Paspoort" alone is in every passport question) and, with the
embedding model, whose questions' vectors (already in the index) are close; entries with the same answer
text are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .entries import Entry
from .vectors import Vectors

CLOSE = 0.9
"""Cosine of two questions' vectors at or above which they ask the same thing. Measured on a municipal
FAQ with its site: same-meaning pairs 0.92-0.98, the median pair of different questions 0.82."""
MIN_TERMS = 2


@dataclass(frozen=True, slots=True)
class Pair:
    """Two entries that ask the same question with different answers."""

    first: Entry
    second: Entry


def near_duplicates(
    entries: Sequence[Entry], terms: Callable[[str], Iterable[str]], vectors: Vectors | None
) -> list[Pair]:
    """The pairs of ``entries`` whose questions are near-duplicates with different answers, in content
    order. ``terms``: the keyword analyzer; ``vectors``: one question vector per entry (None: keywords)."""
    asked = [frozenset(terms(entry.title)) for entry in entries]
    holding: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(asked):
        for term in found:
            holding[term].append(i)
    found_pairs: set[tuple[int, int]] = set()
    for i, found in enumerate(asked):
        if len(found) < MIN_TERMS:
            continue
        rarest = min(found, key=lambda term: len(holding[term]))
        for j in holding[rarest]:
            if j != i and found <= asked[j] and _differ(entries[i], entries[j]) and _close(vectors, i, j):
                found_pairs.add((min(i, j), max(i, j)))
    return [Pair(entries[i], entries[j]) for i, j in sorted(found_pairs)]


def _close(vectors: Vectors | None, i: int, j: int) -> bool:
    return vectors is None or float(np.dot(vectors[i], vectors[j])) >= CLOSE


def _differ(one: Entry, other: Entry) -> bool:
    return " ".join(one.text.lower().split()) != " ".join(other.text.lower().split())
