"""The fuzzy pass: repair near-miss words before matching again.

Speech recognisers mishear ("lampn", "keukn"); typists slip. When nothing
matches exactly, each word the templates and lists cannot contain is replaced by
the closest word they can (rapidfuzz ratio at or above the threshold), and the
utterance is matched again. A fuzzy match scores below 1.0 -- never a full score --
scaled by how close the repaired words were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .calls import RuleCall, SlotCall
from .graph import CALL, LIT, Graph
from .lists import ListMatcher, RangeMatcher, ValueMatcher
from .normalize import Utterance
from .numbers import number_words

__all__ = ["DEFAULT_THRESHOLD", "Correction", "Corrector"]

DEFAULT_THRESHOLD = 80.0
"""Minimum rapidfuzz ratio (0-100) for a word to be replaced."""

_MAX_SCORE = 0.95
_SPELLED_LIMIT = 2000
"""Larger ranges contribute the words of 0-100 (enough to repair "twintig", "hundred")."""


@dataclass(frozen=True, slots=True)
class Correction:
    """A repaired utterance and the score its match should carry (below 1.0)."""

    utterance: Utterance
    score: float


class Corrector:
    """Replaces unknown words by the nearest known word."""

    def __init__(self, vocabulary: Iterable[str], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.vocabulary = sorted(set(vocabulary))
        self._known = frozenset(self.vocabulary)
        self.threshold = threshold

    @classmethod
    def of(
        cls,
        graphs: Iterable[Graph],
        lists: Iterable[ListMatcher],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> Corrector:
        """Build the vocabulary from template graphs (rules followed) and lists."""
        words: set[str] = set()
        seen: set[int] = set()
        for graph in graphs:
            _graph_words(graph, words, seen)
        for matcher in lists:
            _list_words(matcher, words, seen)
        return cls(words, threshold)

    def correct(self, utterance: Utterance) -> Correction | None:
        """The utterance with unknown words repaired, or None if nothing could be repaired."""
        words = utterance.folded.split(" ")
        similarities: list[float] = []
        changed = False
        for index, word in enumerate(words):
            if word in self._known or word.isdigit():
                similarities.append(100.0)
                continue
            best = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=self.threshold)
            if best is None:
                similarities.append(100.0)
                continue
            words[index], changed = best[0], True
            similarities.append(float(best[1]))
        if not changed:
            return None
        text = " ".join(words)
        score = _MAX_SCORE * sum(similarities) / (100.0 * len(similarities))
        return Correction(Utterance(text, text), round(score, 4))


def _graph_words(graph: Graph, words: set[str], seen: set[int]) -> None:
    if id(graph) in seen:
        return
    seen.add(id(graph))
    for edges in graph.edges:
        for edge in edges:
            if edge[0] == LIT:
                words.update(edge[2].split())
            elif edge[0] == CALL and isinstance(edge[2], RuleCall):
                _graph_words(edge[2].graph, words, seen)
            elif edge[0] == CALL and isinstance(edge[2], SlotCall):
                matcher = edge[2].lists.get(edge[2].key)
                if matcher is not None:
                    _list_words(matcher, words, seen)


def _list_words(matcher: ListMatcher, words: set[str], seen: set[int]) -> None:
    if id(matcher) in seen:
        return
    seen.add(id(matcher))
    if isinstance(matcher, ValueMatcher):
        for key in matcher.keys:
            words.update(key.split())
        for _value, graph in matcher.graphs:
            _graph_words(graph, words, seen)
    elif isinstance(matcher, RangeMatcher) and matcher.range.words:
        spec = matcher.range
        numbers = spec.numbers() if (spec.stop - spec.start) // spec.step <= _SPELLED_LIMIT else range(101)
        for number in numbers:
            for spelled in number_words(number, matcher.language):
                words.update(spelled.split())
